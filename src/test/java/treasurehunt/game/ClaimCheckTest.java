package treasurehunt.game;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import treasurehunt.game.ClaimCheck.Refusal;
import treasurehunt.game.ClaimCheck.Refused;
import treasurehunt.game.LocationCheck.Fix;
import treasurehunt.game.LocationCheck.Last;
import treasurehunt.game.LocationCheck.Limits;
import treasurehunt.game.LocationCheck.Reach;

/**
 * The claim's checks before the hunt is asked ({@link ClaimCheck}): the order in which they answer,
 * the freshness rule by the server's clock, and the words a player reads for each.
 */
class ClaimCheckTest {
  static final Limits LIMITS = Limits.DEFAULT;
  static final long NOW = 1_800_000_000_000L;
  static final Treasure NOON = new Treasure("noon", 52.37, 4.89, 20, 10, null, "noon", false);

  /** A fix at the treasure, accepted {@code ageMs} ago by the server's clock. */
  static Last at(Treasure t, long ageMs, boolean anchor) {
    return new Last(
        new Fix(t.lat(), t.lon(), NOW - ageMs, 5), NOW - ageMs, t.lat(), t.lon(), anchor);
  }

  static Refused check(Treasure t, List<String> found, List<String> missed, Last last) {
    return ClaimCheck.check("h", "noon", t, found, missed, last, NOW, LIMITS);
  }

  @Test
  void aClaimAtTheTreasureFromARecentJudgedFixMayGoToTheHunt() {
    assertNull(check(NOON, List.of(), List.of(), at(NOON, 1_000, false)));
    assertNull(check(NOON, List.of("other"), List.of("another"), at(NOON, 1_000, false)));
  }

  @Test
  void theFirstFailingCheckAnswersInOrder() {
    Last none = null;
    assertEquals(
        new Refused(Refusal.NOT_FOUND, "no treasure noon in h"),
        check(null, List.of("noon"), List.of("noon"), none));
    assertEquals(
        new Refused(Refusal.ALREADY_FOUND, "you already found noon"),
        check(NOON, List.of("noon"), List.of("noon"), none));
    assertEquals(
        new Refused(Refusal.ALREADY_CLAIMED, "noon was claimed by another player"),
        check(NOON, List.of(), List.of("noon"), none));
    assertEquals(Refusal.TOO_FAR, check(NOON, List.of(), List.of(), none).refusal());
  }

  @Test
  void tooFarSaysWhichRuleTheLastFixBroke() {
    assertEquals(
        "send a location within the treasure's radius first",
        check(NOON, List.of(), List.of(), null).message());
    assertEquals(
        "your last location anchored you (a first location, or one after a long gap) and cannot"
            + " score; send another",
        check(NOON, List.of(), List.of(), at(NOON, 1_000, true)).message());
    assertEquals(
        "your last location is more than 120 s old; send a fresh one",
        check(NOON, List.of(), List.of(), at(NOON, LIMITS.claimMaxAgeMs() + 1, false)).message());
    Last unknownAge =
        new Last(new Fix(NOON.lat(), NOON.lon(), 1, 5), null, Double.NaN, Double.NaN, false);
    assertEquals(
        "your last location is more than 120 s old; send a fresh one",
        check(NOON, List.of(), List.of(), unknownAge).message());
    double[] away = Geo.destination(NOON.lat(), NOON.lon(), 90, NOON.radiusM() + 5);
    Last outside =
        new Last(new Fix(away[0], away[1], NOW - 1_000, 500), NOW - 1_000, away[0], away[1], false);
    assertEquals(
        "your last location is not within the treasure's radius",
        check(NOON, List.of(), List.of(), outside).message());
  }

  @Test
  void freshnessIsJudgedByTheServersClockAndItsOwnLimit() {
    Limits strict = new Limits(120_000, 300_000, 2_000, 100, 300_000, 5_000);
    Last sixSecondsAgo = at(NOON, 6_000, false);
    assertNull(check(NOON, List.of(), List.of(), sixSecondsAgo));
    Refused old =
        ClaimCheck.check("h", "noon", NOON, List.of(), List.of(), sixSecondsAgo, NOW, strict);
    assertEquals(
        new Refused(Refusal.TOO_FAR, "your last location is more than 5 s old; send a fresh one"),
        old);
  }

  /** Against the rule stated plainly, on random claims: refused exactly when a check fails. */
  @Test
  void refusedExactlyWhenOneCheckFails() {
    SplittableRandom r = new SplittableRandom(7);
    int passed = 0;
    for (int i = 0; i < 3000; i++) {
      Treasure t = r.nextInt(10) == 0 ? null : NOON;
      List<String> found = r.nextInt(6) == 0 ? List.of("noon") : List.of();
      List<String> missed = r.nextInt(6) == 0 ? List.of("noon") : List.of();
      double[] p = Geo.destination(NOON.lat(), NOON.lon(), r.nextDouble(360), r.nextDouble(0, 40));
      long age = r.nextLong(0, 2 * LIMITS.claimMaxAgeMs());
      Last last =
          r.nextInt(8) == 0
              ? null
              : new Last(
                  new Fix(p[0], p[1], NOW - age, 5), NOW - age, p[0], p[1], r.nextInt(5) == 0);
      Refused got = ClaimCheck.check("h", "noon", t, found, missed, last, NOW, LIMITS);
      Refusal expected =
          t == null
              ? Refusal.NOT_FOUND
              : found.contains("noon")
                  ? Refusal.ALREADY_FOUND
                  : missed.contains("noon")
                      ? Refusal.ALREADY_CLAIMED
                      : LocationCheck.reach(last, t, NOW, LIMITS) != Reach.WITHIN
                          ? Refusal.TOO_FAR
                          : null;
      assertEquals(expected, got == null ? null : got.refusal());
      if (got == null) passed++;
    }
    assertTrue(passed > 100 && passed < 2500, "both sides sampled: " + passed);
  }

  @Test
  void everyReachButWithinHasWords() {
    for (Reach reach : Reach.values())
      assertEquals(reach == Reach.WITHIN, ClaimCheck.explain(reach, LIMITS) == null, reach.name());
  }
}
