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
import treasurehunt.game.LocationCheck.Last;
import treasurehunt.game.LocationCheck.Limits;
import treasurehunt.game.LocationCheck.Reach;
import treasurehunt.game.LocationCheck.Refusal;
import treasurehunt.game.LocationCheck.Verdict;

/**
 * Property checks of the location judgement on seeded random hunts and random walks, against
 * brute-force answers computed here from the treasures themselves (not from the index), and of what
 * a client that lies about its clock, its accuracy or its first position can no longer gain.
 */
class LocationCheckTest {
  static final PollAdvice.Settings POLL = PollAdvice.Settings.DEFAULT;
  static final Limits LIMITS = Limits.DEFAULT;
  static final long T0 = 1_800_000_000_000L;

  /**
   * A player as the Player entity keeps it: its last accepted fix and whether it has one in the
   * hunt, updated the way the entity does after each verdict.
   */
  static final class Player {
    Last last;
    boolean located;

    Verdict report(
        Fix fix,
        long serverNow,
        boolean live,
        HuntDefinition def,
        TreasureLayout layout,
        List<String> found,
        List<String> missed) {
      Verdict v =
          LocationCheck.judge(
              last, fix, serverNow, !located, live, def, layout, found, missed, LIMITS, POLL);
      assertEquals(
          v,
          LocationCheck.judge(
              last, fix, serverNow, !located, live, def, layout, found, missed, LIMITS, POLL),
          "pure");
      if (v.accepted()) {
        last = new Last(fix, serverNow, v.pacedLat(), v.pacedLon(), v.anchor());
        located = true;
      }
      return v;
    }

    Verdict report(Fix fix, long serverNow, HuntDefinition def, TreasureLayout layout) {
      return report(fix, serverNow, true, def, layout, List.of(), List.of());
    }
  }

  static void assertNoAdvice(Verdict v) {
    assertTrue(v.accepted(), v::toString);
    assertEquals(List.of(), v.reached(), "nothing reached");
    assertNull(v.atTreasure(), "no atTreasure");
    assertNull(v.nearest(), "no band");
  }

  /** An anchor: accepted, its position taken as the paced point, nothing reached, no advice. */
  static void assertAnchor(Verdict v, Fix fix) {
    assertNoAdvice(v);
    assertTrue(v.anchor(), "an anchor");
    assertEquals(POLL.minMs(), v.nextPollMs(), "the next fix soon, to be judged from here");
  }

  /** A hunt with one plain treasure at the centre of its area and the given speed limit. */
  static HuntDefinition oneTreasure(double lat, double lon, double maxSpeedMps) {
    Treasure t = new Treasure("t", lat, lon, 20, 10, null, null, false);
    return new HuntDefinition(
        "h",
        "one",
        new Area(lat, lon, 5000),
        List.of(t),
        null,
        100,
        maxSpeedMps,
        false,
        null,
        null,
        null);
  }

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
    return Double.isFinite(accuracyM) && accuracyM > 0
        ? Math.min(accuracyM, LIMITS.maxAccuracyCreditM())
        : 0;
  }

  static double jitterM(double maxSpeedMps) {
    return maxSpeedMps * LIMITS.jitterMs() / 1000.0;
  }

  /** The judgement the documented rules give, computed here the long way. */
  record Expected(Refusal refusal, boolean anchor, double[] paced) {}

  static Expected expected(
      Last last, double[] paced, Fix fix, long serverNow, boolean firstInHunt, double max) {
    if (!Geo.validLat(fix.lat()) || !Geo.validLon(fix.lon()))
      return new Expected(Refusal.OUT_OF_RANGE, false, null);
    if (fix.at() - serverNow > LIMITS.maxAheadMs()) return new Expected(Refusal.AHEAD, false, null);
    if (serverNow - fix.at() > LIMITS.maxAgeMs()) return new Expected(Refusal.TOO_OLD, false, null);
    if (last != null && fix.at() <= last.fix().at())
      return new Expected(Refusal.STALE, false, null);
    double[] here = {fix.lat(), fix.lon()};
    if (last == null) return new Expected(null, true, here);
    double credit = credit(fix.accuracyM());
    double d = Geo.distanceM(last.fix().lat(), last.fix().lon(), fix.lat(), fix.lon());
    double clientS = (fix.at() - last.fix().at()) / 1000.0;
    boolean byClient = Math.max(0, d - credit) / clientS <= max;
    double serverS = (serverNow - last.serverAt()) / 1000.0;
    double lag =
        Math.max(0, Geo.distanceM(paced[0], paced[1], fix.lat(), fix.lon()) - max * serverS);
    boolean byServer = lag <= credit + jitterM(max);
    if (byClient && byServer)
      return new Expected(
          null, firstInHunt, Geo.towards(fix.lat(), fix.lon(), paced[0], paced[1], lag));
    if (serverNow - last.serverAt() > LIMITS.reanchorAfterMs())
      return new Expected(null, true, here);
    return new Expected(Refusal.IMPLAUSIBLE_MOVE, false, null);
  }

  @Test
  void randomWalksAreJudgedLikeTheBruteForceRules() {
    SplittableRandom r = new SplittableRandom(20240610);
    int byClient = 0, byServerOnly = 0, stale = 0, window = 0, outOfRange = 0;
    int reachedSome = 0, atAnswer = 0, nothingLeft = 0;
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
      Player player = new Player();
      double[] paced = null; // the paced point, followed here by the rule
      long server = T0;
      for (int step = 0; step < 150; step++) {
        double accuracy = r.nextInt(3) == 0 ? Double.NaN : r.nextDouble(0, 300);
        Last last = player.last;
        Fix fix;
        long serverNow;
        boolean tooFast = false;
        int kind = r.nextInt(20);
        if (last == null) {
          serverNow = server + r.nextLong(0, 1000);
          fix = new Fix(start[0], start[1], serverNow - r.nextLong(0, 1000), accuracy);
        } else if (kind == 0) {
          // not newer than the last accepted fix: refused whatever else it is
          serverNow = server + r.nextLong(1, 2000);
          Treasure t = def.treasures().get(r.nextInt(def.treasures().size()));
          fix =
              new Fix(
                  t.lat(),
                  t.lon(),
                  last.fix().at() - (r.nextBoolean() ? 0 : r.nextInt(1, 5_000)),
                  accuracy);
        } else if (kind == 1) {
          serverNow = server + 1000;
          fix =
              new Fix(
                  r.nextBoolean() ? r.nextDouble(90.001, 200) : Double.NaN,
                  last.fix().lon(),
                  last.fix().at() + 1000,
                  accuracy);
        } else if (kind == 2) {
          // outside the window around the server's clock, ahead or behind
          serverNow = server + r.nextLong(1, 60_000);
          long at =
              r.nextBoolean()
                  ? serverNow + LIMITS.maxAheadMs() + r.nextLong(1, 10_000_000)
                  : serverNow - LIMITS.maxAgeMs() - r.nextLong(1, 10_000_000);
          fix = new Fix(last.fix().lat(), last.fix().lon(), at, accuracy);
        } else {
          double[] p;
          long dt;
          if (kind < 9) {
            // straight to a treasure (or just off it), at a plausible speed
            Treasure t = def.treasures().get(r.nextInt(def.treasures().size()));
            p =
                Geo.destination(
                    t.lat(), t.lon(), r.nextDouble(360), r.nextDouble(0, t.radiusM() * 1.2));
            double d = Geo.distanceM(last.fix().lat(), last.fix().lon(), p[0], p[1]);
            dt = (long) Math.ceil(d / (0.9 * max) * 1000) + 1000;
          } else {
            // a step at a chosen speed: clearly below the limit, or clearly above it
            tooFast = r.nextInt(3) == 0;
            double v = tooFast ? max * r.nextDouble(1.05, 5) : max * r.nextDouble(0, 0.95);
            dt = r.nextLong(1, 60_000);
            Fix m = move(last.fix(), r.nextDouble(360), v * dt / 1000.0 + credit(accuracy), dt, 0);
            p = new double[] {m.lat(), m.lon()};
          }
          // The client's clock tells the truth; the report reaches the server within a second.
          long at = last.fix().at() + dt;
          serverNow = Math.max(server, at + r.nextLong(0, 1000));
          fix = new Fix(p[0], p[1], at, accuracy);
        }

        Expected e = expected(last, paced, fix, serverNow, !player.located, max);
        Verdict v = player.report(fix, serverNow, true, def, layout, found, missed);
        assertEquals(e.refusal(), v.refusal(), () -> "the documented rules: " + v);
        if (e.refusal() == Refusal.OUT_OF_RANGE) outOfRange++;
        else if (e.refusal() == Refusal.STALE) stale++;
        else if (e.refusal() == Refusal.AHEAD || e.refusal() == Refusal.TOO_OLD) window++;
        else if (e.refusal() == Refusal.IMPLAUSIBLE_MOVE) {
          assertNotNull(v.move());
          if (!v.move().byClient()) byClient++;
          else byServerOnly++;
        }
        if (tooFast) assertFalse(v.accepted() && !v.anchor(), "faster than maxSpeed: no score");
        if (!v.accepted()) {
          assertEquals(List.of(), v.reached());
          assertNull(v.atTreasure());
          assertNull(v.nearest());
          continue;
        }
        server = serverNow;
        assertEquals(e.anchor(), v.anchor(), () -> "anchor: " + v);
        assertEquals(e.paced()[0], v.pacedLat(), 1e-9);
        assertEquals(e.paced()[1], v.pacedLon(), 1e-9);
        paced = new double[] {v.pacedLat(), v.pacedLon()};
        if (v.anchor()) {
          assertAnchor(v, fix);
          continue;
        }
        assertTrue(v.speedMps() <= max, "by the client's clock");

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
      }
    }
    // The walks did reach every case they are meant to check.
    assertTrue(byClient > 300, "implausible by the client's clock " + byClient);
    assertTrue(byServerOnly > 20, "implausible by the server's clock only " + byServerOnly);
    assertTrue(stale > 100, "stale " + stale);
    assertTrue(window > 100, "outside the window " + window);
    assertTrue(outOfRange > 100, "out of range " + outOfRange);
    assertTrue(reachedSome > 100, "reached " + reachedSome);
    assertTrue(atAnswer > 50, "at an answer treasure " + atAnswer);
    assertTrue(nothingLeft > 50, "nothing left " + nothingLeft);
    assertEquals(Set.of("hot", "warm", "cold"), bandsSeen);
  }

  /**
   * The property the server's clock gives, for any series of fixes with any {@code at}s and
   * accuracies: the distance credited — the path of the paced point — is at most maxSpeed × the
   * server time elapsed, and every accepted fix is within {@code maxAccuracyCredit + maxSpeed ×
   * jitter} of it. So any two accepted fixes are at most maxSpeed × the server time between them
   * plus twice that bounded credit apart (once from a re-anchor); only a re-anchor, after {@code
   * reanchorAfter} without an accepted fix, starts afresh, and it scores nothing.
   */
  @Test
  void whateverTheClientClaimsAcceptedFixesNeverOutrunTheServersClock() {
    SplittableRandom r = new SplittableRandom(11);
    int accepted = 0, refused = 0, reanchors = 0, hops = 0;
    for (int run = 0; run < 300; run++) {
      double max = r.nextDouble(1, 60);
      double bound = LIMITS.maxAccuracyCreditM() + jitterM(max);
      double lat0 = r.nextDouble(-60, 60), lon0 = r.nextDouble(-150, 150);
      HuntDefinition def = oneTreasure(lat0, lon0, max);
      TreasureLayout layout = def.layout();
      Player p = new Player();
      long server = T0 + r.nextLong(0, 1_000_000);
      double[] pos = {lat0, lon0};
      List<double[]> since = new ArrayList<>(); // accepted since the last (re-)anchor: lat, lon, s
      double pacedPath = 0;
      double[] paced = null;
      for (int step = 0; step < 200; step++) {
        // The server's clock: mostly a burst (milliseconds), sometimes seconds, rarely a long gap.
        int g = r.nextInt(40);
        server += g < 24 ? r.nextLong(0, 5) : g < 39 ? r.nextLong(5, 5000) : r.nextLong(1, 900_000);
        // The client's at: anything the window admits, often a minute after its last accepted one.
        long at = r.nextLong(server - LIMITS.maxAgeMs(), server + LIMITS.maxAheadMs() + 1);
        if (p.last != null && r.nextBoolean())
          at = Math.min(server + LIMITS.maxAheadMs(), p.last.fix().at() + 60_000);
        double dist =
            switch (r.nextInt(4)) {
              case 0 -> r.nextDouble(0, 20);
              case 1 -> 100;
              case 2 -> r.nextDouble(0, 1000);
              default -> r.nextDouble(1000, 10_000);
            };
        double[] next = Geo.destination(pos[0], pos[1], r.nextDouble(360), dist);
        double accuracy =
            switch (r.nextInt(4)) {
              case 0 -> Double.NaN;
              case 1 -> 5;
              case 2 -> 100;
              default -> 5000;
            };
        Last before = p.last;
        Fix fix = new Fix(next[0], next[1], at, accuracy);
        Verdict v = p.report(fix, server, def, layout);
        if (!v.accepted()) {
          refused++;
          continue;
        }
        accepted++;
        if (dist == 100) hops++;
        pos = next;
        boolean reanchor = before == null || !v.move().plausible();
        if (v.anchor()) assertAnchor(v, fix);
        else assertTrue(v.move().plausible());
        if (reanchor) {
          assertTrue(v.anchor(), "a move that was not judged plausible is an anchor");
          if (before != null) {
            assertTrue(
                server - before.serverAt() > LIMITS.reanchorAfterMs(),
                "re-anchored only after a long gap of server time");
            reanchors++;
          }
          since.clear();
          pacedPath = 0;
        } else {
          pacedPath += Geo.distanceM(paced[0], paced[1], v.pacedLat(), v.pacedLon());
        }
        paced = new double[] {v.pacedLat(), v.pacedLon()};
        since.add(new double[] {fix.lat(), fix.lon(), server});
        double[] first = since.get(0);
        long elapsed = server - (long) first[2];
        assertTrue(
            pacedPath <= max * elapsed / 1000.0 + 1e-6,
            () -> "the paced point travels at most maxSpeed × server time");
        assertTrue(
            Geo.distanceM(fix.lat(), fix.lon(), paced[0], paced[1]) <= bound + 1e-6,
            "a fix stays within the bounded credit of the paced point");
        for (int i = 0; i < since.size(); i++) {
          double[] e = since.get(i);
          double apart = Geo.distanceM(e[0], e[1], fix.lat(), fix.lon());
          double allowed = max * (server - (long) e[2]) / 1000.0 + (i == 0 ? 1 : 2) * bound;
          assertTrue(apart <= allowed + 1e-6, () -> apart + " m apart, allowed " + allowed);
        }
      }
    }
    assertTrue(accepted > 5000 && refused > 5000, accepted + " accepted, " + refused + " refused");
    assertTrue(reanchors > 50, "re-anchors " + reanchors);
    assertTrue(hops > 300, "100 m hops accepted " + hops);
  }

  @Test
  void hundredMetreHopsAMillisecondApartAreRefusedAfterTheFirst() {
    for (double accuracy : new double[] {Double.NaN, 10, 100, 5000})
      for (double max : new double[] {1.4, 5, 10, 30}) {
        HuntDefinition def = oneTreasure(52.37, 4.89, max);
        TreasureLayout layout = def.layout();
        Player p = new Player();
        long server = T0;
        assertAnchor(p.report(new Fix(52.37, 4.89, server, accuracy), server, def, layout), null);
        int accepted = 0;
        // A minute between fixes, or what the client's clock needs for 100 m at this speed limit.
        long claimed = Math.max(60_000, (long) Math.ceil(110 / max * 1000));
        for (int hop = 1; hop <= 200; hop++) {
          server += 1;
          // 100 m on from the last accepted position, claiming a minute (or more) since it
          Fix from = p.last.fix();
          double[] next = Geo.destination(from.lat(), from.lon(), 0, 100);
          Verdict v =
              p.report(
                  new Fix(next[0], next[1], from.at() + claimed, accuracy), server, def, layout);
          if (v.accepted()) accepted++;
          else {
            assertEquals(Refusal.IMPLAUSIBLE_MOVE, v.refusal());
            assertTrue(
                v.move().byClient(),
                () -> "a minute by the client's clock would do " + accuracy + " " + max + " " + v);
            assertFalse(v.move().byServer(), "a millisecond by the server's does not");
          }
        }
        // The first hop gets the accuracy credit (once), never the second.
        boolean credited = 100 <= credit(accuracy) + jitterM(max) - 0.001;
        assertEquals(credited ? 1 : 0, accepted, "accuracy " + accuracy + ", max " + max);
        // Real time passing on the server lets the player on.
        server += (long) Math.ceil(200 / max * 1000);
        Fix from = p.last.fix();
        double[] next = Geo.destination(from.lat(), from.lon(), 0, 100);
        assertTrue(
            p.report(new Fix(next[0], next[1], from.at() + claimed, accuracy), server, def, layout)
                .accepted());
      }
  }

  @Test
  void theIssuesCheatScoresNothing() {
    double[] start = {52.3702, 4.8952};
    double[] far = Geo.destination(start[0], start[1], 90, 4400);
    HuntDefinition def = oneTreasure(far[0], far[1], 50);
    TreasureLayout layout = def.layout();
    long now = T0;
    // A new player: a first fix dated an hour back, then one 4.4 km away on the treasure, dated
    // now, milliseconds later.
    Player p = new Player();
    Verdict back = p.report(new Fix(start[0], start[1], now - 3_600_000, 5), now, def, layout);
    assertEquals(Refusal.TOO_OLD, back.refusal());
    Verdict there = p.report(new Fix(far[0], far[1], now + 3, 5), now + 3, def, layout);
    assertAnchor(there, null); // the position is taken; nothing is found there
    // The same with a first fix dated within the window: the move is judged by the server's clock.
    Player q = new Player();
    assertAnchor(q.report(new Fix(start[0], start[1], now - 100_000, 5), now, def, layout), null);
    Verdict jump = q.report(new Fix(far[0], far[1], now, 5), now + 3, def, layout);
    assertEquals(Refusal.IMPLAUSIBLE_MOVE, jump.refusal());
    assertTrue(jump.move().byClient(), "44 m/s by the client's clock is under the 50 allowed");
    assertFalse(jump.move().byServer());
  }

  @Test
  void anchorsNeverScoreAndTheNextFixIsJudgedFromThem() {
    SplittableRandom r = new SplittableRandom(5);
    int firsts = 0, reanchored = 0, offlinePlausible = 0;
    for (int run = 0; run < 300; run++) {
      HuntDefinition def = randomHunt(r, 6);
      TreasureLayout layout = def.layout();
      double max = def.maxSpeedMps();
      Treasure t = def.treasures().get(r.nextInt(def.treasures().size()));
      long server = T0 + r.nextLong(0, 1_000_000);
      Player p = new Player();
      // The very first fix, on a treasure: its position is taken, it scores nothing.
      Fix onIt = new Fix(t.lat(), t.lon(), server, 5);
      assertAnchor(p.report(onIt, server, def, layout), onIt);
      firsts++;
      // Judged from it a second later, standing still: the treasure is reached.
      Verdict still =
          p.report(new Fix(t.lat(), t.lon(), server + 1000, 5), server + 1000, def, layout);
      assertFalse(still.anchor());
      if (t.needsAnswer()) assertEquals(t.id(), still.atTreasure());
      else assertTrue(still.reached().contains(t.id()));
      server += 1000;

      // Offline for longer than reanchor-after, back far away: re-anchored, nothing scores.
      long gap = LIMITS.reanchorAfterMs() + r.nextLong(1, 3_600_000);
      double[] away =
          Geo.destination(t.lat(), t.lon(), r.nextDouble(360), max * gap / 1000.0 + 500);
      Treasure other = new Treasure("o", away[0], away[1], 30, 10, null, null, false);
      HuntDefinition both =
          new HuntDefinition(
              "h2",
              "two",
              new Area(t.lat(), t.lon(), 100_000),
              List.of(t, other),
              null,
              100,
              max,
              false,
              null,
              null,
              null);
      TreasureLayout bothLayout = both.layout();
      Fix back = new Fix(away[0], away[1], server + gap, 5);
      Verdict re = p.report(back, server + gap, both, bothLayout);
      assertFalse(re.move().plausible());
      assertAnchor(re, back);
      assertEquals(away[0], re.pacedLat(), 0, "the paced point starts afresh there");
      reanchored++;
      Verdict next =
          p.report(
              new Fix(away[0], away[1], server + gap + 1000, 5),
              server + gap + 1000,
              both,
              bothLayout);
      assertEquals(List.of("o"), next.reached());
      server += gap + 1000;

      // Offline as long, back within what the time allows: judged as usual, it may score.
      long gap2 = LIMITS.reanchorAfterMs() + r.nextLong(1, 600_000);
      Verdict walkedBack =
          p.report(new Fix(t.lat(), t.lon(), server + gap2, 5), server + gap2, both, bothLayout);
      if (Geo.distanceM(away[0], away[1], t.lat(), t.lon()) <= max * gap2 / 1000.0) {
        assertFalse(walkedBack.anchor());
        offlinePlausible++;
      } else assertTrue(walkedBack.anchor());

      // A player that arrives from another hunt: its first fix in this one is an anchor even when
      // the move is plausible, and the paced point carries on.
      Player q = new Player();
      q.report(new Fix(t.lat(), t.lon(), server, 5), server, def, layout);
      q.located = false; // as if those fixes had been in another hunt
      Verdict firstHere =
          q.report(new Fix(t.lat(), t.lon(), server + 1000, 5), server + 1000, def, layout);
      assertTrue(firstHere.move().plausible());
      assertAnchor(firstHere, null);
    }
    assertTrue(offlinePlausible > 20, "offline but plausible " + offlinePlausible);
    assertTrue(firsts > 0 && reanchored > 0);
  }

  @Test
  void beforeTheHuntIsLiveAFixTellsNothingAboutTheLayout() {
    SplittableRandom r = new SplittableRandom(8);
    for (int run = 0; run < 100; run++) {
      HuntDefinition def = randomHunt(r, 20);
      TreasureLayout layout = def.layout();
      Player p = new Player();
      long server = T0;
      for (int step = 0; step < 30; step++) {
        Treasure t = def.treasures().get(r.nextInt(def.treasures().size()));
        double[] near = Geo.destination(t.lat(), t.lon(), r.nextDouble(360), r.nextDouble(0, 100));
        double d =
            p.last == null
                ? 0
                : Geo.distanceM(p.last.fix().lat(), p.last.fix().lon(), near[0], near[1]);
        server += (long) Math.ceil(d / def.maxSpeedMps() * 1000) + 1000;
        Verdict v =
            p.report(
                new Fix(near[0], near[1], server, 5),
                server,
                false,
                def,
                layout,
                List.of(),
                List.of());
        assertNoAdvice(v);
        assertEquals(POLL.maxMs(), v.nextPollMs(), "the longest poll: no distance hint");
        assertEquals(step == 0, v.anchor(), "the position is still judged and kept");
      }
    }
  }

  @Test
  void atMustLieWithinTheWindowAroundTheServersClock() {
    Fix here = new Fix(52.37, 4.89, 0, 5);
    long now = T0;
    for (long at : new long[] {now, now - LIMITS.maxAgeMs(), now + LIMITS.maxAheadMs()})
      assertNull(LocationCheck.admit(null, withAt(here, at), now, LIMITS), "at " + at);
    assertEquals(
        Refusal.AHEAD,
        LocationCheck.admit(null, withAt(here, now + LIMITS.maxAheadMs() + 1), now, LIMITS));
    Last accepted = new Last(withAt(here, now - 10_000), now - 10_000, 52.37, 4.89, false);
    assertNull(LocationCheck.admit(accepted, withAt(here, now - 9_999), now, LIMITS));
    assertEquals(
        Refusal.AHEAD,
        LocationCheck.admit(accepted, withAt(here, now + LIMITS.maxAheadMs() + 1), now, LIMITS));
    assertEquals(
        Refusal.TOO_OLD,
        LocationCheck.admit(null, withAt(here, now - LIMITS.maxAgeMs() - 1), now, LIMITS));
    assertEquals(Refusal.TOO_OLD, LocationCheck.admit(null, withAt(here, 0), now, LIMITS));
    assertEquals(
        Refusal.STALE, LocationCheck.admit(accepted, withAt(here, now - 10_000), now, LIMITS));
    assertEquals(
        Refusal.OUT_OF_RANGE,
        LocationCheck.admit(accepted, new Fix(91, 4.89, now, 5), now, LIMITS),
        "range first");
  }

  static Fix withAt(Fix f, long at) {
    return new Fix(f.lat(), f.lon(), at, f.accuracyM());
  }

  /**
   * No false positives: players who walk (or cycle) below the hunt's limit, with GPS noise within
   * their reported accuracy and a network that delays reports by up to 90% of the jitter tolerance,
   * are never refused.
   */
  @Test
  void honestWalkersWithGpsNoiseAndNetworkJitterAreNeverRefused() {
    SplittableRandom r = new SplittableRandom(42);
    int reports = 0, found = 0;
    for (int run = 0; run < 300; run++) {
      double max = r.nextDouble(1.5, 30);
      double speed = max * r.nextDouble(0, 0.8);
      double accuracy = r.nextDouble(3, 30);
      double[] truth = {r.nextDouble(-60, 60), r.nextDouble(-150, 150)};
      double[] toward = Geo.destination(truth[0], truth[1], r.nextDouble(360), 300);
      HuntDefinition def = oneTreasure(toward[0], toward[1], max);
      TreasureLayout layout = def.layout();
      Player p = new Player();
      double heading = Geo.bearingDeg(truth[0], truth[1], toward[0], toward[1]);
      long t = T0 + r.nextLong(0, 1_000_000);
      long server = t;
      double nx = 0, ny = 0; // GPS error, metres east and north: it wanders, within the accuracy
      for (int step = 0; step < 120; step++) {
        long dt = r.nextLong(1000, 10_000);
        t += dt;
        heading += r.nextDouble(-30, 30);
        truth = Geo.destination(truth[0], truth[1], heading, speed * dt / 1000.0);
        double a = accuracy * r.nextDouble(0.9, 1.1);
        nx = Math.max(-0.4 * a, Math.min(0.4 * a, 0.7 * nx + r.nextDouble(-0.3, 0.3) * a));
        ny = Math.max(-0.4 * a, Math.min(0.4 * a, 0.7 * ny + r.nextDouble(-0.3, 0.3) * a));
        double[] seen = Geo.destination(truth[0], truth[1], 90, nx);
        seen = Geo.destination(seen[0], seen[1], 0, ny);
        server = Math.max(server, t + r.nextLong(50, 50 + (long) (0.9 * LIMITS.jitterMs())));
        Verdict v = p.report(new Fix(seen[0], seen[1], t, a), server, def, layout);
        reports++;
        assertTrue(v.accepted(), () -> "an honest walker is refused: " + v);
        assertEquals(step == 0, v.anchor());
        if (v.reached().contains("t")) found++;
      }
    }
    assertTrue(reports == 300 * 120 && found > 20, "found " + found);
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
        Fix fix = new Fix(p[0], p[1], T0, Double.NaN);
        Fix from = move(fix, r.nextDouble(360), speed * 10, -10_000, Double.NaN);
        Last last = new Last(from, from.at(), from.lat(), from.lon(), false);
        Verdict v =
            LocationCheck.judge(
                last, fix, T0, false, true, def, layout, List.of(), List.of(), LIMITS, poll);
        assertTrue(v.accepted() && !v.anchor(), v::toString);
        assertTrue(v.nextPollMs() >= poll.minMs() && v.nextPollMs() <= poll.maxMs(), v::toString);
        assertTrue(v.nextPollMs() >= previous, () -> "closer, yet a longer poll at " + d + " m");
        previous = v.nextPollMs();
        previousD = d;
      }
    }
  }

  @Test
  void aClaimNeedsARecentJudgedFixInsideTheRadius() {
    SplittableRandom r = new SplittableRandom(3);
    Treasure t = new Treasure("r", 52.37, 4.89, 20, 10, null, "noon", false);
    long now = T0;
    assertEquals(Reach.NO_FIX, LocationCheck.reach(null, t, now, LIMITS));
    int in = 0;
    for (int i = 0; i < 2000; i++) {
      double[] p = Geo.destination(t.lat(), t.lon(), r.nextDouble(360), r.nextDouble(0, 40));
      Fix f = new Fix(p[0], p[1], i, r.nextDouble(0, 200));
      long age = r.nextLong(0, 2 * LIMITS.claimMaxAgeMs());
      boolean anchor = r.nextInt(4) == 0;
      Last last = new Last(f, now - age, p[0], p[1], anchor);
      boolean inside = Geo.distanceM(p[0], p[1], t.lat(), t.lon()) <= t.radiusM();
      Reach expected =
          anchor
              ? Reach.ANCHOR
              : age > LIMITS.claimMaxAgeMs()
                  ? Reach.OLD
                  : inside ? Reach.WITHIN : Reach.OUTSIDE; // accuracy earns no reach
      assertEquals(expected, LocationCheck.reach(last, t, now, LIMITS));
      if (expected == Reach.WITHIN) in++;
    }
    assertTrue(in > 200 && in < 1500, "both sides sampled: " + in);
    Last unknownAge =
        new Last(new Fix(t.lat(), t.lon(), 1, 5), null, Double.NaN, Double.NaN, false);
    assertEquals(Reach.OLD, LocationCheck.reach(unknownAge, t, now, LIMITS), "before issue 11");
  }
}
