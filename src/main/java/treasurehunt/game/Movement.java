package treasurehunt.game;

/** Speed plausibility between two GPS fixes. */
public final class Movement {
  /**
   * GPS accuracy credited at most this much (a fix claiming 5 km accuracy does not excuse a
   * teleport).
   */
  public static final double MAX_ACCURACY_CREDIT_M = 100;

  private Movement() {}

  /**
   * Speed in m/s between two fixes, generous by the reported accuracy of the second: the distance
   * minus min(accuracy, 100 m), never below zero. Times in epoch milliseconds. No time elapsed and
   * no distance is 0; no time elapsed but a distance is +∞.
   */
  public static double speedMps(
      double lat1, double lon1, long at1, double lat2, double lon2, long at2, double accuracyM) {
    double acc =
        Double.isFinite(accuracyM) && accuracyM > 0
            ? Math.min(accuracyM, MAX_ACCURACY_CREDIT_M)
            : 0;
    double d = Math.max(0, Geo.distanceM(lat1, lon1, lat2, lon2) - acc);
    long dt = at2 - at1;
    if (dt <= 0) return d == 0 ? 0 : Double.POSITIVE_INFINITY;
    return d / (dt / 1000.0);
  }

  public static boolean plausible(double speedMps, double maxSpeedMps) {
    return !(speedMps > maxSpeedMps);
  }
}
