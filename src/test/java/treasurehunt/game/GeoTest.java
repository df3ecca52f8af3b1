package treasurehunt.game;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GeoTest {
  /** Vincenty on the WGS-84 ellipsoid: the reference the spherical formula is held against. */
  static double vincentyM(double lat1, double lon1, double lat2, double lon2) {
    double a = 6378137, f = 1 / 298.257223563, b = (1 - f) * a;
    double L = Math.toRadians(lon2 - lon1);
    double U1 = Math.atan((1 - f) * Math.tan(Math.toRadians(lat1)));
    double U2 = Math.atan((1 - f) * Math.tan(Math.toRadians(lat2)));
    double sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
    double lambda = L, lambdaP, sinSigma, cosSigma, sigma, cosSqAlpha, cos2SigmaM;
    int iter = 200;
    do {
      double sinLambda = Math.sin(lambda), cosLambda = Math.cos(lambda);
      sinSigma =
          Math.sqrt(
              (cosU2 * sinLambda) * (cosU2 * sinLambda)
                  + (cosU1 * sinU2 - sinU1 * cosU2 * cosLambda)
                      * (cosU1 * sinU2 - sinU1 * cosU2 * cosLambda));
      if (sinSigma == 0) return 0;
      cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
      sigma = Math.atan2(sinSigma, cosSigma);
      double sinAlpha = cosU1 * cosU2 * sinLambda / sinSigma;
      cosSqAlpha = 1 - sinAlpha * sinAlpha;
      cos2SigmaM = cosSqAlpha == 0 ? 0 : cosSigma - 2 * sinU1 * sinU2 / cosSqAlpha;
      double C = f / 16 * cosSqAlpha * (4 + f * (4 - 3 * cosSqAlpha));
      lambdaP = lambda;
      lambda =
          L
              + (1 - C)
                  * f
                  * sinAlpha
                  * (sigma
                      + C
                          * sinSigma
                          * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    } while (Math.abs(lambda - lambdaP) > 1e-12 && --iter > 0);
    double uSq = cosSqAlpha * (a * a - b * b) / (b * b);
    double A = 1 + uSq / 16384 * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)));
    double B = uSq / 1024 * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)));
    double deltaSigma =
        B
            * sinSigma
            * (cos2SigmaM
                + B
                    / 4
                    * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
                        - B
                            / 6
                            * cos2SigmaM
                            * (-3 + 4 * sinSigma * sinSigma)
                            * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
    return b * A * (sigma - deltaSigma);
  }

  /**
   * The spherical law of cosines in its well-conditioned (Vincenty, atan2) form: the same sphere.
   */
  static double sphericalM(double lat1, double lon1, double lat2, double lon2) {
    double p1 = Math.toRadians(lat1), p2 = Math.toRadians(lat2), dl = Math.toRadians(lon2 - lon1);
    double y =
        Math.hypot(
            Math.cos(p2) * Math.sin(dl),
            Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl));
    double x = Math.sin(p1) * Math.sin(p2) + Math.cos(p1) * Math.cos(p2) * Math.cos(dl);
    return Geo.EARTH_RADIUS_M * Math.atan2(y, x);
  }

  @Test
  void knownDistances() {
    // Amsterdam Centraal → Dam Square, about 700 m.
    double d = Geo.distanceM(52.3791, 4.9003, 52.3731, 4.8926);
    assertEquals(vincentyM(52.3791, 4.9003, 52.3731, 4.8926), d, d * 0.005);
    assertEquals(0, Geo.distanceM(10, 20, 10, 20));
    // A quarter of the meridian.
    assertEquals(Math.PI * Geo.EARTH_RADIUS_M / 2, Geo.distanceM(0, 0, 90, 0), 1e-6);
  }

  @Test
  void distanceIsSymmetricWithinHalfAPercentOfAReferenceAndCloseToTheEllipsoid() {
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 20_000; i++) {
      double lat1 = r.nextDouble(-80, 80), lon1 = r.nextDouble(-179, 179);
      // Mostly hunt-sized distances, some continental ones.
      double reach = i % 10 == 0 ? 30 : 0.05;
      double lat2 = Math.max(-85, Math.min(85, lat1 + r.nextDouble(-reach, reach)));
      double lon2 = Math.max(-179.9, Math.min(179.9, lon1 + r.nextDouble(-reach, reach)));
      double d = Geo.distanceM(lat1, lon1, lat2, lon2);
      assertEquals(d, Geo.distanceM(lat2, lon2, lat1, lon1), 1e-9 * Math.max(1, d), "symmetric");
      assertTrue(d >= 0);
      String where = "from " + lat1 + "," + lon1 + " to " + lat2 + "," + lon2;
      double sphere = sphericalM(lat1, lon1, lat2, lon2);
      assertEquals(sphere, d, Math.max(1e-6, sphere * 0.005), where);
      // A sphere is at most ~0.56% off the WGS-84 ellipsoid (north-south at the equator).
      double ellipsoid = vincentyM(lat1, lon1, lat2, lon2);
      if (ellipsoid > 1) assertEquals(ellipsoid, d, ellipsoid * 0.006, where);
    }
  }

  @Test
  void destinationLandsAtTheAskedDistance() {
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < 10_000; i++) {
      double lat = r.nextDouble(-80, 80), lon = r.nextDouble(-170, 170);
      double dist = r.nextDouble(0, 50_000), bearing = r.nextDouble(0, 360);
      double[] p = Geo.destination(lat, lon, bearing, dist);
      assertEquals(dist, Geo.distanceM(lat, lon, p[0], p[1]), 1e-6 * Math.max(1, dist));
    }
  }

  @Test
  void validCoordinates() {
    assertTrue(Geo.validLat(90) && Geo.validLat(-90) && Geo.validLon(180) && Geo.validLon(-180));
    assertFalse(
        Geo.validLat(90.0001)
            || Geo.validLat(Double.NaN)
            || Geo.validLat(Double.POSITIVE_INFINITY));
    assertFalse(
        Geo.validLon(-180.5) || Geo.validLon(Double.NaN) || Geo.validLon(Double.NEGATIVE_INFINITY));
  }
}
