package treasurehunt.game;

/** Per-hunt thresholds: hot within {@code hotM}, warm within {@code warmM}, cold beyond. */
public record BandSettings(double hotM, double warmM) {
  public static final BandSettings DEFAULT = new BandSettings(50, 200);

  public Band band(double distanceM) {
    if (distanceM <= hotM) return Band.HOT;
    if (distanceM <= warmM) return Band.WARM;
    return Band.COLD;
  }
}
