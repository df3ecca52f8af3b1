package treasurehunt.game;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import treasurehunt.game.LocationCheck.Fix;
import treasurehunt.game.LocationCheck.Last;
import treasurehunt.game.LocationCheck.Limits;
import treasurehunt.game.LocationCheck.Refusal;

/**
 * The words a player reads for a refused fix ({@link LocationCheck#explain}): each names the limit
 * that was broken, with the node's figures and, for a move, both clocks.
 */
class LocationCheckExplainTest {
  static final Limits LIMITS = Limits.DEFAULT;
  static final long T0 = 1_800_000_000_000L;

  static String explain(Refusal refusal, Last last, LocationCheck.Move move, double maxSpeedMps) {
    return LocationCheck.explain(refusal, last, move, maxSpeedMps, LIMITS);
  }

  @Test
  void theWindowOfAtIsExplainedWithTheNodesLimits() {
    assertEquals("lat/lon out of range", explain(Refusal.OUT_OF_RANGE, null, null, 0));
    assertEquals(
        "at: in the future (more than 300 s ahead of the server)",
        explain(Refusal.AHEAD, null, null, 0));
    assertEquals(
        "at: taken more than 120 s before the server received it; send fixes as they are taken",
        explain(Refusal.TOO_OLD, null, null, 0));
    Limits tight = new Limits(30_000, 10_000, 2_000, 100, 300_000, 120_000);
    assertEquals(
        "at: in the future (more than 10 s ahead of the server)",
        LocationCheck.explain(Refusal.AHEAD, null, null, 0, tight));
    assertEquals(
        "at: taken more than 30 s before the server received it; send fixes as they are taken",
        LocationCheck.explain(Refusal.TOO_OLD, null, null, 0, tight));
  }

  @Test
  void aStaleFixNamesTheNewerOneAlreadyAccepted() {
    Last last = new Last(new Fix(52.37, 4.89, T0, 5), T0, 52.37, 4.89, false);
    assertEquals(
        "a newer location (at " + T0 + ") was already accepted",
        explain(Refusal.STALE, last, null, 0));
    // what admit refuses comes with the words for it
    Refusal r = LocationCheck.admit(last, new Fix(52.37, 4.89, T0, 5), T0 + 1_000, LIMITS);
    assertEquals(Refusal.STALE, r);
  }

  @Test
  void anImplausibleMoveIsExplainedByBothClocks() {
    // 1 km in one second by both clocks, in a hunt of 10 m/s
    Last last = new Last(new Fix(52.37, 4.89, T0, 5), T0, 52.37, 4.89, false);
    double[] p = Geo.destination(52.37, 4.89, 0, 1_000);
    Fix fix = new Fix(p[0], p[1], T0 + 1_000, 5);
    LocationCheck.Move move = LocationCheck.move(last, fix, T0 + 1_000, 10, LIMITS);
    assertFalse(move.plausible());
    assertEquals(
        "1000 m from your last accepted location in 1.000 s by your clock and 1.000 s by the"
            + " server's: faster than this hunt's 10 m/s",
        explain(Refusal.IMPLAUSIBLE_MOVE, last, move, 10));
  }

  @Test
  void decimalsAreWrittenTheSameInEveryLocale() {
    java.util.Locale before = java.util.Locale.getDefault();
    try {
      java.util.Locale.setDefault(java.util.Locale.GERMANY);
      Last last = new Last(new Fix(52.37, 4.89, T0, 5), T0, 52.37, 4.89, false);
      double[] p = Geo.destination(52.37, 4.89, 0, 500);
      LocationCheck.Move move =
          LocationCheck.move(last, new Fix(p[0], p[1], T0 + 1_500, 5), T0 + 250, 10, LIMITS);
      String words = explain(Refusal.IMPLAUSIBLE_MOVE, last, move, 10);
      assertTrue(words.contains("in 1.500 s by your clock and 0.250 s by"), words);
    } finally {
      java.util.Locale.setDefault(before);
    }
  }

  @Test
  void everyRefusalHasWords() {
    Last last = new Last(new Fix(52.37, 4.89, T0, 5), T0, 52.37, 4.89, false);
    LocationCheck.Move move =
        LocationCheck.move(last, new Fix(52.38, 4.89, T0 + 1_000, 5), T0 + 1_000, 10, LIMITS);
    for (Refusal r : Refusal.values()) {
      String words = explain(r, last, move, 10);
      assertNotNull(words, r.name());
      assertFalse(words.isBlank(), r.name());
    }
  }

  /** The words of a refused move are written without String.format, to the same characters. */
  @Test
  void numbersAreWrittenAsStringFormatWritesThem() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(13);
    double[] edges = {0, -0.0, 0.0005, 1.0005, 2.5, 0.5, -0.5, -0.0004, 999.9995, 1e15, 4.35, 1e-9};
    for (double v : edges) same(v);
    for (int i = 0; i < 200_000; i++) {
      double scale = Math.pow(10, r.nextInt(-4, 8));
      double v = r.nextDouble(-1, 1) * scale;
      // and decimal-looking values, where half-up rounding decides
      same(i % 2 == 0 ? v : Math.round(v * 10_000) / 10_000.0);
    }
  }

  private static void same(double v) {
    assertEquals(
        String.format(java.util.Locale.ROOT, "%.0f", v), LocationCheck.fixed(v, 0), "" + v);
    assertEquals(
        String.format(java.util.Locale.ROOT, "%.3f", v), LocationCheck.fixed(v, 3), "" + v);
  }
}
