package treasurehunt.game;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class RulesTest {
  static final Area AREA = new Area(52.3702, 4.8952, 1500);
  static final Treasure CLOCK =
      new Treasure("clock", 52.3711, 4.8952, 15, 100, "Under the clock", null, false);

  static HuntDefinition hunt(List<Treasure> ts, Generate g) {
    return new HuntDefinition(
        "h1", "Old town", AREA, ts, g, 100, 10, false, null, null, BandSettings.DEFAULT);
  }

  @Test
  void aValidDefinitionHasNoProblemsAndLaysOutExplicitThenGenerated() {
    HuntDefinition d = hunt(List.of(CLOCK), new Generate(3, 42, 50, 20));
    assertEquals(List.of(), d.problems());
    TreasureLayout layout = d.layout();
    assertEquals(
        List.of("clock", "g-1", "g-2", "g-3"), layout.all().stream().map(Treasure::id).toList());
  }

  @Test
  void problemsNameTheField() {
    Treasure outside = new Treasure("far", 53.0, 4.8952, 15, 100, null, null, false);
    Treasure nan = new Treasure("nan", Double.NaN, 4.89, 15, 100, null, null, false);
    Treasure dup = new Treasure("clock", 52.3711, 4.8952, 0, -1, null, null, false);
    List<String> p = hunt(List.of(CLOCK, outside, nan, dup), null).problems();
    assertTrue(p.contains("treasures[1]: outside the area"), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("treasures[2].lat:")), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("treasures[3].id: duplicate")), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("treasures[3].radiusM:")), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("treasures[3].points:")), p::toString);

    var bad =
        new HuntDefinition(
            "bad id!",
            " ",
            new Area(91, 4, -1),
            List.of(),
            null,
            0,
            Double.NaN,
            false,
            10L,
            5L,
            new BandSettings(100, 50));
    List<String> q = bad.problems();
    for (String field :
        List.of(
            "huntId:",
            "name:",
            "area.lat:",
            "area.radiusM:",
            "treasures:",
            "maxPlayers:",
            "maxSpeedMps:",
            "endsAt:",
            "warmM:"))
      assertTrue(q.stream().anyMatch(s -> s.startsWith(field)), () -> field + " in " + q);
  }

  @Test
  void answersCompareLoosely() {
    Treasure riddle = new Treasure("r", 52.37, 4.89, 20, 200, "When?", "Noon", false);
    assertTrue(riddle.needsAnswer());
    assertTrue(riddle.answerMatches("  noon "));
    assertTrue(riddle.answerMatches("ＮＯＯＮ"), "full-width letters normalise (NFKC)");
    assertFalse(riddle.answerMatches("midnight"));
    assertFalse(riddle.answerMatches(null));
    assertFalse(CLOCK.needsAnswer());
  }

  @Test
  void bands() {
    assertEquals(Band.HOT, BandSettings.DEFAULT.band(50));
    assertEquals(Band.WARM, BandSettings.DEFAULT.band(50.1));
    assertEquals(Band.WARM, BandSettings.DEFAULT.band(200));
    assertEquals(Band.COLD, BandSettings.DEFAULT.band(200.1));
    assertEquals(Band.COLD, BandSettings.DEFAULT.band(Double.POSITIVE_INFINITY));
    assertEquals("hot", Band.HOT.wire());
  }

  @Test
  void speedPlausibility() {
    // 100 m in 10 s: 10 m/s.
    assertEquals(10, Movement.speedMps(100, 0, 10), 1e-9);
    // A 20 m accuracy is credited: (100 - 20) / 10.
    assertEquals(8, Movement.speedMps(100, Movement.creditM(20, 100), 10), 1e-9);
    // An accuracy of 5 km is credited at most 100 m; an unknown or non-positive one not at all.
    assertEquals(100, Movement.creditM(5000, 100));
    assertEquals(0, Movement.creditM(Double.NaN, 100));
    assertEquals(0, Movement.creditM(-3, 100));
    assertEquals(0, Movement.speedMps(0, 0, 0));
    assertEquals(0, Movement.speedMps(50, 60, 0), "within the credit: no move");
    assertEquals(Double.POSITIVE_INFINITY, Movement.speedMps(100, 0, 0));
    assertTrue(Movement.plausible(10, 10));
    assertFalse(Movement.plausible(10.01, 10));
    assertFalse(Movement.plausible(Double.POSITIVE_INFINITY, 50));
    // The paced point follows at most maxSpeed × server time: 100 m with 3 s at 10 m/s leaves 70.
    assertEquals(70, Movement.lagM(100, 3, 10), 1e-9);
    assertEquals(0, Movement.lagM(100, 60, 10));
    assertEquals(100, Movement.lagM(100, -5, 10), "a clock going back gives no time");
  }

  @Test
  void bearingAndTowards() {
    double[] north = Geo.destination(52.37, 4.89, 0, 1000);
    double b = Geo.bearingDeg(52.37, 4.89, north[0], north[1]);
    assertTrue(b >= 0 && b < 360 && Math.min(b, 360 - b) < 1e-6, "north: " + b);
    double[] east = Geo.destination(52.37, 4.89, 90, 1000);
    assertEquals(90, Geo.bearingDeg(52.37, 4.89, east[0], east[1]), 0.01);
    double[] p = Geo.towards(52.37, 4.89, east[0], east[1], 250);
    assertEquals(250, Geo.distanceM(52.37, 4.89, p[0], p[1]), 1e-6);
    assertEquals(750, Geo.distanceM(p[0], p[1], east[0], east[1]), 1e-6);
    assertArrayEquals(new double[] {52.37, 4.89}, Geo.towards(52.37, 4.89, 52.37, 4.89, 10));
    assertArrayEquals(new double[] {52.37, 4.89}, Geo.towards(52.37, 4.89, 53, 5, 0));
  }

  @Test
  void pollAdvice() {
    var s = PollAdvice.Settings.DEFAULT;
    var b = BandSettings.DEFAULT;
    assertEquals(1000, PollAdvice.nextPollMs(30, 1.4, b, s), "near a treasure: poll often");
    assertEquals(1000, PollAdvice.nextPollMs(30, 0, b, s), "near a treasure even when still");
    assertEquals(
        30_000, PollAdvice.nextPollMs(Double.POSITIVE_INFINITY, 1.4, b, s), "nothing left to find");
    assertEquals(30_000, PollAdvice.nextPollMs(1000, 0.1, b, s), "parked far away");
    // Walking 150 m from the hot band: 150 / 1.4 / 2 = 53.6 s, clamped to 30 s.
    assertEquals(30_000, PollAdvice.nextPollMs(200, 1.4, b, s));
    // Cycling at 10 m/s, 150 m from the hot band: 7.5 s.
    assertEquals(7_500, PollAdvice.nextPollMs(200, 10, b, s));
    // Faster means sooner; closer means sooner.
    assertTrue(PollAdvice.nextPollMs(150, 20, b, s) <= PollAdvice.nextPollMs(150, 5, b, s));
    assertTrue(PollAdvice.nextPollMs(80, 5, b, s) <= PollAdvice.nextPollMs(150, 5, b, s));
    // First fix (speed unknown) counts as walking.
    assertEquals(
        PollAdvice.nextPollMs(120, 1.4, b, s), PollAdvice.nextPollMs(120, Double.NaN, b, s));
  }
}
