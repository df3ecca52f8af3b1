package treasurehunt.game;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import treasurehunt.game.LocationCheck.Fix;
import treasurehunt.game.LocationCheck.Refusal;
import treasurehunt.game.LocationCheck.Verdict;

/**
 * Property checks of the location judgement on seeded random hunts and random walks, against
 * brute-force answers computed here from the treasures themselves (not from the index).
 */
class LocationCheckTest {
  static final PollAdvice.Settings POLL = PollAdvice.Settings.DEFAULT;

  /**
   * A random hunt of up to {@code maxTreasures}, some needing an answer, some exclusive. Away from
   * the poles and the ±180° meridian, which {@link HuntDefinition#problems()} refuses.
   */
  static HuntDefinition randomHunt(SplittableRandom r, int maxTreasures) {
    Area area = new Area(r.nextDouble(-70, 70), r.nextDouble(-150, 150), r.nextDouble(200, 2000));
    List<Treasure> ts = new ArrayList<>();
    for (Treasure t :
        Scatter.scatter(area, new Generate(r.nextInt(1, maxTreasures + 1), r.nextLong(), 10, 20)))
      ts.add(
          new Treasure(
              t.id(),
              t.lat(),
              t.lon(),
              r.nextDouble(5, 60),
              10,
              null,
              r.nextInt(4) == 0 ? "noon" : null,
              r.nextBoolean()));
    double hot = r.nextDouble(10, 100);
    return new HuntDefinition(
        "h",
        "random",
        area,
        ts,
        null,
        100,
        r.nextDouble(2, 30),
        false,
        null,
        null,
        r.nextInt(5) == 0 ? null : new BandSettings(hot, hot + r.nextDouble(0, 400)));
  }

  static BandSettings bands(HuntDefinition d) {
    return d.bands() == null ? BandSettings.DEFAULT : d.bands();
  }

  /** Unsettled treasures within their radius of the point, sorted by id (the brute-force way). */
  static List<Treasure> reachedSlow(HuntDefinition d, Fix f, Set<String> settled) {
    List<Treasure> out = new ArrayList<>();
    for (Treasure t : d.treasures())
      if (!settled.contains(t.id())
          && Geo.distanceM(f.lat(), f.lon(), t.lat(), t.lon()) <= t.radiusM()) out.add(t);
    out.sort(Comparator.comparing(Treasure::id));
    return out;
  }

  /** Distance to the nearest treasure not in {@code skip}; +∞ when every treasure is skipped. */
  static double nearestSlow(HuntDefinition d, Fix f, Set<String> skip) {
    double best = Double.POSITIVE_INFINITY;
    for (Treasure t : d.treasures())
      if (!skip.contains(t.id()))
        best = Math.min(best, Geo.distanceM(f.lat(), f.lon(), t.lat(), t.lon()));
    return best;
  }

  /** A fix {@code distanceM} from {@code from} along {@code bearing}, {@code dtMs} later. */
  static Fix move(Fix from, double bearing, double distanceM, long dtMs, double accuracyM) {
    double[] p = Geo.destination(from.lat(), from.lon(), bearing, distanceM);
    return new Fix(p[0], p[1], from.at() + dtMs, accuracyM);
  }

  static double credit(double accuracyM) {
    return Double.isFinite(accuracyM) && accuracyM > 0 ? Math.min(accuracyM, 100) : 0;
  }

  @Test
  void randomWalksAreJudgedLikeTheBruteForceRules() {
    SplittableRandom r = new SplittableRandom(20240610);
    int implausible = 0, stale = 0, outOfRange = 0, reachedSome = 0, atAnswer = 0, nothingLeft = 0;
    Set<String> bandsSeen = new HashSet<>();
    for (int run = 0; run < 60; run++) {
      HuntDefinition def = randomHunt(r, run % 3 == 0 ? 60 : 6);
      TreasureLayout layout = def.layout();
      BandSettings bands = bands(def);
      double max = def.maxSpeedMps();
      List<String> found = new ArrayList<>();
      List<String> missed = new ArrayList<>();
      double[] start =
          Geo.destination(
              def.area().lat(),
              def.area().lon(),
              r.nextDouble(360),
              r.nextDouble(def.area().radiusM()));
      Fix last = null;
      Fix here = new Fix(start[0], start[1], 1_700_000_000_000L, Double.NaN);
      for (int step = 0; step < 150; step++) {
        double accuracy = r.nextInt(3) == 0 ? Double.NaN : r.nextDouble(0, 300);
        Fix fix;
        boolean tooFast = false;
        int kind = r.nextInt(20);
        if (last == null) fix = here;
        else if (kind == 0) {
          // not newer than the last accepted fix: refused whatever else it is
          Treasure t = def.treasures().get(r.nextInt(def.treasures().size()));
          fix =
              new Fix(
                  t.lat(),
                  t.lon(),
                  last.at() - (r.nextBoolean() ? 0 : r.nextInt(1, 5_000)),
                  accuracy);
        } else if (kind == 1) {
          fix =
              new Fix(
                  r.nextBoolean() ? r.nextDouble(90.001, 200) : Double.NaN,
                  last.lon(),
                  last.at() + 1000,
                  accuracy);
        } else if (kind < 8) {
          // straight to a treasure (or just off it), at a plausible speed
          Treasure t = def.treasures().get(r.nextInt(def.treasures().size()));
          double[] p =
              Geo.destination(
                  t.lat(), t.lon(), r.nextDouble(360), r.nextDouble(0, t.radiusM() * 1.2));
          double d = Geo.distanceM(last.lat(), last.lon(), p[0], p[1]);
          long dt = (long) Math.ceil(d / (0.9 * max) * 1000) + 1000;
          fix = new Fix(p[0], p[1], last.at() + dt, accuracy);
        } else {
          // a step at a chosen speed: clearly below the limit, or clearly above it
          tooFast = r.nextInt(3) == 0;
          double v = tooFast ? max * r.nextDouble(1.05, 5) : max * r.nextDouble(0, 0.95);
          long dt = r.nextLong(1, 60_000);
          fix = move(last, r.nextDouble(360), v * dt / 1000.0 + credit(accuracy), dt, accuracy);
        }

        Verdict v = LocationCheck.judge(last, fix, def, layout, found, missed, POLL);
        assertEquals(v, LocationCheck.judge(last, fix, def, layout, found, missed, POLL), "pure");
        Refusal early = LocationCheck.admit(last, fix);
        if (early != null) assertEquals(early, v.refusal(), "admit's refusal is the verdict's");
        if (!Geo.validLat(fix.lat()) || !Geo.validLon(fix.lon())) {
          assertEquals(Refusal.OUT_OF_RANGE, v.refusal());
          outOfRange++;
          continue;
        }
        if (last != null && fix.at() <= last.at()) {
          assertEquals(Refusal.STALE, v.refusal());
          stale++;
          continue;
        }
        if (tooFast) {
          assertEquals(Refusal.IMPLAUSIBLE_MOVE, v.refusal(), "faster than maxSpeed: refused");
          assertTrue(v.speedMps() > max);
          assertEquals(List.of(), v.reached());
          assertNull(v.atTreasure());
          implausible++;
          continue;
        }
        assertTrue(v.accepted(), () -> "a plausible move is accepted: " + v);
        assertEquals(last == null, Double.isNaN(v.speedMps()), "speed unknown only on a first fix");
        assertTrue(last == null || v.speedMps() <= max);

        Set<String> settled = new HashSet<>(found);
        settled.addAll(missed);
        List<Treasure> within = reachedSlow(def, fix, settled);
        List<String> reached =
            within.stream().filter(t -> !t.needsAnswer()).map(Treasure::id).toList();
        String at =
            within.stream()
                .filter(Treasure::needsAnswer)
                .map(Treasure::id)
                .findFirst()
                .orElse(null);
        assertEquals(reached, v.reached(), "the unsettled geo treasures within their radius");
        assertEquals(at, v.atTreasure(), "the first unsettled answer treasure within its radius");
        if (v.atTreasure() != null) {
          Treasure t = layout.get(v.atTreasure());
          assertTrue(Geo.distanceM(fix.lat(), fix.lon(), t.lat(), t.lon()) <= t.radiusM());
        }

        Set<String> gone = new HashSet<>(settled);
        gone.addAll(reached);
        double nearestM = nearestSlow(def, fix, gone);
        if (Double.isInfinite(nearestM)) {
          assertNull(v.nearest(), "nothing left to find: no band");
          assertEquals(POLL.maxMs(), v.nextPollMs(), "nothing left to find: the longest poll");
          nothingLeft++;
        } else {
          assertEquals(bands.band(nearestM).wire(), v.nearest(), "band of the true nearest");
          if (nearestM <= bands.hotM()) assertEquals(POLL.minMs(), v.nextPollMs());
          // The advice for the true nearest distance; past the warm band the index stops looking,
          // so any distance there counts as just beyond it.
          double forPoll = nearestM > bands.warmM() ? bands.warmM() + 1 : nearestM;
          assertEquals(
              PollAdvice.nextPollMs(forPoll, v.speedMps(), bands, POLL), v.nextPollMs(), "poll");
        }
        if (v.nearest() != null) bandsSeen.add(v.nearest());
        assertTrue(v.nextPollMs() >= POLL.minMs() && v.nextPollMs() <= POLL.maxMs());
        if (!reached.isEmpty()) reachedSome++;
        if (at != null) atAnswer++;

        // The hunt's answer: a reached exclusive treasure is sometimes someone else's already.
        for (Treasure t : within) {
          if (!t.needsAnswer()) (t.exclusive() && r.nextInt(3) == 0 ? missed : found).add(t.id());
          else if (t.id().equals(at) && r.nextBoolean()) found.add(t.id()); // claimed on the spot
        }
        last = fix;
      }
    }
    // The walks did reach every case they are meant to check.
    assertTrue(implausible > 300, "implausible " + implausible);
    assertTrue(stale > 100, "stale " + stale);
    assertTrue(outOfRange > 100, "out of range " + outOfRange);
    assertTrue(reachedSome > 100, "reached " + reachedSome);
    assertTrue(atAnswer > 50, "at an answer treasure " + atAnswer);
    assertTrue(nothingLeft > 50, "nothing left " + nothingLeft);
    assertEquals(Set.of("hot", "warm", "cold"), bandsSeen);
  }

  @Test
  void nextPollIsWithinBoundsAndNeverLongerCloserToATreasureAtTheSameSpeed() {
    SplittableRandom r = new SplittableRandom(7);
    for (int run = 0; run < 200; run++) {
      Area area = new Area(r.nextDouble(-70, 70), r.nextDouble(-150, 150), 5000);
      Treasure t = new Treasure("t", area.lat(), area.lon(), 10, 10, null, null, false);
      double hot = r.nextDouble(10, 100);
      BandSettings bands = new BandSettings(hot, hot + r.nextDouble(0, 400));
      HuntDefinition def =
          new HuntDefinition("h", "one", area, List.of(t), null, 10, 30, false, null, null, bands);
      TreasureLayout layout = def.layout();
      PollAdvice.Settings poll =
          new PollAdvice.Settings(r.nextLong(100, 5000), r.nextLong(5000, 120_000), 0.5);
      // The same move (speed) each time, ending at a growing distance from the treasure.
      double speed = r.nextInt(4) == 0 ? 0 : r.nextDouble(0, 30);
      boolean first = r.nextInt(4) == 0; // no last fix: speed unknown, counted as walking
      List<Double> distances = new ArrayList<>();
      // Beyond the radius: reaching the only treasure would leave nothing to find (the longest
      // poll).
      for (int i = 0; i < 40; i++) distances.add(r.nextDouble(11, bands.warmM() * 2 + 50));
      distances.sort(null);
      long previous = Long.MIN_VALUE;
      double previousD = Double.NEGATIVE_INFINITY;
      for (double d : distances) {
        if (d - previousD < 1) continue; // a metre apart: far more than rounding of the speed
        double[] p = Geo.destination(t.lat(), t.lon(), r.nextDouble(360), d);
        Fix fix = new Fix(p[0], p[1], 1_000_000, Double.NaN);
        Fix last = first ? null : move(fix, r.nextDouble(360), speed * 10, -10_000, Double.NaN);
        Verdict v = LocationCheck.judge(last, fix, def, layout, List.of(), List.of(), poll);
        assertTrue(v.accepted());
        assertTrue(v.nextPollMs() >= poll.minMs() && v.nextPollMs() <= poll.maxMs(), v::toString);
        assertTrue(v.nextPollMs() >= previous, () -> "closer, yet a longer poll at " + d + " m");
        previous = v.nextPollMs();
        previousD = d;
      }
    }
  }

  @Test
  void aFirstFixIsNeverImplausibleAndAStaleOneIsRefusedBeforeItsSpeed() {
    HuntDefinition def = RulesTest.hunt(List.of(RulesTest.CLOCK), null); // maxSpeed 10 m/s
    TreasureLayout layout = def.layout();
    Fix far = new Fix(52.3702, 4.8952, 1000, Double.NaN);
    Fix clock = new Fix(RulesTest.CLOCK.lat(), RulesTest.CLOCK.lon(), 2000, Double.NaN);
    Verdict first = LocationCheck.judge(null, clock, def, layout, List.of(), List.of(), POLL);
    assertEquals(List.of("clock"), first.reached());
    assertTrue(Double.isNaN(first.speedMps()));
    assertNull(first.nearest(), "the only treasure is reached now: nothing else to look for");
    // 100 m in 1 s
    Verdict jump = LocationCheck.judge(far, clock, def, layout, List.of(), List.of(), POLL);
    assertEquals(Refusal.IMPLAUSIBLE_MOVE, jump.refusal());
    assertEquals(100, jump.speedMps(), 1);
    Fix older = new Fix(clock.lat(), clock.lon(), 1000, Double.NaN);
    assertEquals(Refusal.STALE, LocationCheck.admit(far, older));
    assertEquals(
        Refusal.STALE,
        LocationCheck.judge(far, older, def, layout, List.of(), List.of(), POLL).refusal());
    // found already: not reached again, and the band looks past it
    Verdict again =
        LocationCheck.judge(null, clock, def, layout, List.of("clock"), List.of(), POLL);
    assertEquals(List.of(), again.reached());
    assertNull(again.nearest());
    assertEquals(POLL.maxMs(), again.nextPollMs());
  }

  @Test
  void aClaimIsWithinReachOnlyFromAFixInsideTheRadius() {
    SplittableRandom r = new SplittableRandom(3);
    Treasure t = new Treasure("r", 52.37, 4.89, 20, 10, null, "noon", false);
    assertFalse(LocationCheck.withinReach(null, t), "no fix yet");
    int in = 0;
    for (int i = 0; i < 2000; i++) {
      double[] p = Geo.destination(t.lat(), t.lon(), r.nextDouble(360), r.nextDouble(0, 40));
      Fix f = new Fix(p[0], p[1], i, r.nextDouble(0, 200));
      boolean inside = Geo.distanceM(p[0], p[1], t.lat(), t.lon()) <= t.radiusM();
      assertEquals(inside, LocationCheck.withinReach(f, t), "accuracy earns no reach");
      if (inside) in++;
    }
    assertTrue(in > 500 && in < 1500, "both sides sampled: " + in);
  }
}
