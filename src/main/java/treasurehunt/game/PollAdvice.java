package treasurehunt.game;

/**
 * The server's advice for the next GPS fix ({@code nextPollMs}). Polling too often drains the
 * battery, too rarely makes the map lie. The rule:
 *
 * <ul>
 *   <li>within the hot band of an unfound treasure: the minimum (the player may reach it any
 *       second);
 *   <li>no unfound treasure left: the maximum;
 *   <li>parked (slower than {@code parkedMps}) beyond the warm band: the maximum;
 *   <li>otherwise: half the time it takes to reach the hot band at the current speed (at least
 *       walking speed, 1.4 m/s), clamped to [min, max].
 * </ul>
 */
public final class PollAdvice {
  public static final double WALKING_MPS = 1.4;

  public record Settings(long minMs, long maxMs, double parkedMps) {
    public static final Settings DEFAULT = new Settings(1000, 30000, 0.5);
  }

  private PollAdvice() {}

  /**
   * @param nearestM distance to the nearest unfound treasure, +∞ if none
   * @param speedMps speed since the last fix, NaN when unknown (first fix)
   */
  public static long nextPollMs(double nearestM, double speedMps, BandSettings bands, Settings s) {
    if (Double.isNaN(nearestM) || Double.isInfinite(nearestM)) return s.maxMs();
    if (nearestM <= bands.hotM()) return s.minMs();
    boolean known = Double.isFinite(speedMps);
    if (known && speedMps < s.parkedMps() && nearestM > bands.warmM()) return s.maxMs();
    double speed = known ? Math.max(speedMps, WALKING_MPS) : WALKING_MPS;
    double ms = (nearestM - bands.hotM()) / speed / 2 * 1000;
    return Math.max(s.minMs(), Math.min(s.maxMs(), (long) ms));
  }
}
