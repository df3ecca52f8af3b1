package treasurehunt.game;

/**
 * Speed plausibility of a move, judged by two clocks: the times the client put on its fixes ({@code
 * at}) and the time that passed on the server between receiving them.
 *
 * <ul>
 *   <li><b>By the client's clock</b>, from the last accepted fix: {@code distance − credit ≤
 *       maxSpeed × (at − lastAt)}.
 *   <li><b>By the server's clock</b>, from the <em>paced point</em>: a point that follows the
 *       accepted fixes at no more than {@code maxSpeed} of server time. Each fix pulls it towards
 *       itself by at most {@code maxSpeed × serverElapsed}; what is left between the fix and the
 *       paced point (the <em>lag</em>) must stay within {@code credit + maxSpeed × jitter}.
 * </ul>
 *
 * <p>{@code credit} is the fix's {@code accuracyM}, at most {@code maxCreditM} (unknown: none).
 * Because the paced point moves at most {@code maxSpeed × serverElapsed} in all, whatever the
 * {@code at}s say, any two accepted fixes are at most {@code maxSpeed × (server time between them)
 * + 2 × (maxCreditM + maxSpeed × jitter)} apart: neither the accuracy credit nor the jitter
 * tolerance adds up over a series of fixes (a hundred 100 m hops a millisecond apart gain the
 * credit once, not a hundred times). GPS noise around a standing player does not add up either: it
 * is a lag, not a distance.
 */
public final class Movement {
  private Movement() {}

  /**
   * The accuracy credited: {@code accuracyM} at most {@code maxCreditM}; unknown (NaN) or ≤ 0: 0.
   */
  public static double creditM(double accuracyM, double maxCreditM) {
    return Double.isFinite(accuracyM) && accuracyM > 0 ? Math.min(accuracyM, maxCreditM) : 0;
  }

  /**
   * Speed in m/s of a move of {@code distanceM}, generous by {@code creditM}, over {@code seconds}.
   * No time and no distance beyond the credit is 0; no time but a distance is +∞.
   */
  public static double speedMps(double distanceM, double creditM, double seconds) {
    double d = Math.max(0, distanceM - creditM);
    if (!(seconds > 0)) return d == 0 ? 0 : Double.POSITIVE_INFINITY;
    return d / seconds;
  }

  /**
   * The lag after a fix: its distance from the paced point, less what {@code serverSeconds} at
   * {@code maxSpeedMps} lets the paced point follow.
   */
  public static double lagM(double fromPacedM, double serverSeconds, double maxSpeedMps) {
    return Math.max(0, fromPacedM - maxSpeedMps * Math.max(0, serverSeconds));
  }

  public static boolean plausible(double speedMps, double maxSpeedMps) {
    return !(speedMps > maxSpeedMps);
  }
}
