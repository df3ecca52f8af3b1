package treasurehunt.game;

/**
 * Great-circle geometry on a spherical Earth. {@link StrictMath} everywhere, so the same inputs
 * give bit-identical results on every JVM (scatter and replay depend on it).
 */
public final class Geo {
  /** Mean Earth radius (IUGG), in metres. */
  public static final double EARTH_RADIUS_M = 6_371_008.8;

  private Geo() {}

  public static boolean validLat(double lat) {
    return Double.isFinite(lat) && lat >= -90 && lat <= 90;
  }

  public static boolean validLon(double lon) {
    return Double.isFinite(lon) && lon >= -180 && lon <= 180;
  }

  /** Haversine distance in metres. */
  public static double distanceM(double lat1, double lon1, double lat2, double lon2) {
    double p1 = StrictMath.toRadians(lat1);
    double p2 = StrictMath.toRadians(lat2);
    double dp = p2 - p1;
    double dl = StrictMath.toRadians(lon2 - lon1);
    double sp = StrictMath.sin(dp / 2);
    double sl = StrictMath.sin(dl / 2);
    double a = sp * sp + StrictMath.cos(p1) * StrictMath.cos(p2) * sl * sl;
    return 2 * EARTH_RADIUS_M * StrictMath.asin(StrictMath.sqrt(Math.min(1, a)));
  }

  /**
   * The point reached from (lat, lon) going distanceM metres along the initial bearing (degrees).
   */
  public static double[] destination(double lat, double lon, double bearingDeg, double distanceM) {
    double d = distanceM / EARTH_RADIUS_M;
    double b = StrictMath.toRadians(bearingDeg);
    double p1 = StrictMath.toRadians(lat);
    double l1 = StrictMath.toRadians(lon);
    double sinP2 =
        StrictMath.sin(p1) * StrictMath.cos(d)
            + StrictMath.cos(p1) * StrictMath.sin(d) * StrictMath.cos(b);
    double p2 = StrictMath.asin(Math.max(-1, Math.min(1, sinP2)));
    double l2 =
        l1
            + StrictMath.atan2(
                StrictMath.sin(b) * StrictMath.sin(d) * StrictMath.cos(p1),
                StrictMath.cos(d) - StrictMath.sin(p1) * sinP2);
    double lonDeg = StrictMath.toDegrees(l2);
    lonDeg = ((lonDeg + 540) % 360) - 180;
    return new double[] {StrictMath.toDegrees(p2), lonDeg};
  }

  /** Initial bearing in degrees [0, 360) of the great circle from point 1 to point 2. */
  public static double bearingDeg(double lat1, double lon1, double lat2, double lon2) {
    double p1 = StrictMath.toRadians(lat1);
    double p2 = StrictMath.toRadians(lat2);
    double dl = StrictMath.toRadians(lon2 - lon1);
    double y = StrictMath.sin(dl) * StrictMath.cos(p2);
    double x =
        StrictMath.cos(p1) * StrictMath.sin(p2)
            - StrictMath.sin(p1) * StrictMath.cos(p2) * StrictMath.cos(dl);
    return (StrictMath.toDegrees(StrictMath.atan2(y, x)) + 360) % 360;
  }

  /**
   * The point {@code distanceM} metres from point 1 towards point 2 (point 1 itself when the
   * distance is not positive or the two points coincide).
   */
  public static double[] towards(
      double lat1, double lon1, double lat2, double lon2, double distanceM) {
    if (!(distanceM > 0) || (lat1 == lat2 && lon1 == lon2)) return new double[] {lat1, lon1};
    return destination(lat1, lon1, bearingDeg(lat1, lon1, lat2, lon2), distanceM);
  }
}
