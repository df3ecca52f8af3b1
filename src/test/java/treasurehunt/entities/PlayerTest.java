package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;
import static treasurehunt.entities.Fixtures.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Player.*;
import treasurehunt.game.Geo;
import treasurehunt.game.Treasure;

class PlayerTest {
  /** The server's clock as the Player entities read it: set by the tests. */
  static final class TestClock extends Clock {
    final AtomicLong ms = new AtomicLong(1_700_000_000_000L);

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(ms.get());
    }

    @Override
    public long millis() {
      return ms.get();
    }

    /** Moves the clock on to {@code t}, never back. */
    void reach(long t) {
      ms.accumulateAndGet(t, Math::max);
    }

    void advance(long by) {
      ms.addAndGet(by);
    }
  }

  static final ActorTestKit testKit = ActorTestKit.create("PlayerTest", CONFIG);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static int counter;
  private String huntId;
  private ActorRef<Hunt.Command> hunt;
  private EventSourcedBehaviorTestKit<Command, Event, State> ann;
  private EventSourcedBehaviorTestKit<Command, Event, State> bob;
  private static final long T0 = 1_700_000_000_000L;
  private TestClock clock;

  @BeforeEach
  void fresh() {
    clock = new TestClock();
    counter++;
    huntId = "hunt-" + counter;
    hunt = testKit.spawn(Hunt.create(huntId, SETTINGS));
    TestProbe<Hunt.ViewReply> probe = testKit.createTestProbe();
    hunt.tell(new Hunt.Define(definition(huntId), probe.getRef()));
    // the first test of the class also waits for the journal to start (slow on a loaded machine)
    assertNull(probe.receiveMessage(Duration.ofSeconds(20)).problem());
    hunt.tell(new Hunt.Start(probe.getRef()));
    assertEquals("live", probe.receiveMessage(Duration.ofSeconds(20)).view().status());
    ann = player("ann-" + counter);
    bob = player("bob-" + counter);
  }

  private EventSourcedBehaviorTestKit<Command, Event, State> player(String id) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(), Player.create(id, SETTINGS, h -> hunt, clock));
  }

  private static JoinAck join(EventSourcedBehaviorTestKit<Command, Event, State> p, String hunt) {
    return p.<JoinAck>runCommand(r -> new Join("j1", hunt, "Ann", r)).reply();
  }

  /**
   * A fix taken at {@code at} and received then by the server (whose clock never goes back: a fix
   * older than the last one is received after it).
   */
  private EventSourcedBehaviorTestKit.CommandResultWithReply<Command, Event, State, LocationAck> at(
      EventSourcedBehaviorTestKit<Command, Event, State> p,
      String cmdId,
      String hunt,
      double lat,
      double lon,
      long at) {
    clock.reach(at);
    return sent(p, cmdId, hunt, lat, lon, at);
  }

  /** A fix taken at {@code at}, received at whatever the server's clock says. */
  private static EventSourcedBehaviorTestKit.CommandResultWithReply<
          Command, Event, State, LocationAck>
      sent(
          EventSourcedBehaviorTestKit<Command, Event, State> p,
          String cmdId,
          String hunt,
          double lat,
          double lon,
          long at) {
    return p.runCommand(r -> new ReportLocation(cmdId, hunt, lat, lon, 5, at, r));
  }

  @Test
  void walkingIntoAGeoTreasureFindsAndScoresIt() {
    JoinAck joined = join(ann, huntId);
    assertNull(joined.problem());
    assertEquals(0, joined.you().score());
    assertEquals("live", joined.view().status());
    assertEquals(huntId, joined.view().huntId());

    var first = at(ann, "l1", huntId, LAT, LON, T0);
    assertNull(first.reply().problem());
    assertEquals(List.of(), first.reply().found());
    // the first fix in a hunt anchors the player: no advice yet, the next fix soon
    assertNull(first.reply().nearest());
    assertEquals(SETTINGS.poll().minMs(), first.reply().nextPollMs());
    assertTrue(((Moved) first.event()).anchor());
    assertEquals(T0, ((Moved) first.event()).serverAt());

    var there = at(ann, "l2", huntId, CLOCK.lat(), CLOCK.lon(), T0 + 60_000);
    assertEquals(List.of("clock"), there.reply().found());
    assertEquals("cold", there.reply().nearest()); // the gold and the riddle: over 200 m away
    assertEquals(2, there.events().size());
    assertFalse(((Moved) there.events().get(0)).anchor());
    assertInstanceOf(TreasureFound.class, there.events().get(1));
    Profile profile = ann.<Profile>runCommand(GetProfile::new).reply();
    assertEquals(100, profile.score());
    assertEquals(List.of("clock"), profile.hunts().get(huntId).found());

    // standing there again finds nothing new
    var again = at(ann, "l3", huntId, CLOCK.lat(), CLOCK.lon(), T0 + 61_000);
    assertEquals(List.of(), again.reply().found());
  }

  /**
   * A hunt too busy to hold the player's finds answers {@code overloaded} (DroppedCommands, for a
   * full stash): the report is refused with the hunt's {@code retryAfterMs} and nothing is stored,
   * and the same report sent again is judged afresh and finds the treasure. Were the refusal taken
   * as the hunt's answer, the fix would be stored with no find and the retry would get that
   * outcome.
   */
  @Test
  void findsTheHuntWasTooBusyToHoldAreFoundOnTheRetryNotLost() {
    AtomicBoolean refuseOnce = new AtomicBoolean(true);
    ActorRef<Hunt.Command> busy =
        testKit.spawn(
            Behaviors.receiveMessage(
                (Hunt.Command c) -> {
                  if (c instanceof Hunt.RecordFinds f && refuseOnce.getAndSet(false))
                    f.replyTo()
                        .tell(
                            f.rejected(new Problem(Problem.OVERLOADED, "the hunt is busy", 800L)));
                  else hunt.tell(c);
                  return Behaviors.same();
                }));
    EventSourcedBehaviorTestKit<Command, Event, State> cat =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), Player.create("cat-" + counter, SETTINGS, h -> busy, clock));
    assertNull(join(cat, huntId).problem());
    at(cat, "l1", huntId, LAT, LON, T0);

    var refused = at(cat, "l2", huntId, CLOCK.lat(), CLOCK.lon(), T0 + 60_000);
    assertEquals(Problem.OVERLOADED, refused.reply().problem().code());
    assertEquals(800L, refused.reply().problem().retryAfterMs());
    assertTrue(refused.hasNoEvents());
    assertEquals(0, cat.getState().score());

    var retry = at(cat, "l2", huntId, CLOCK.lat(), CLOCK.lon(), T0 + 60_000);
    assertNull(retry.reply().problem());
    assertEquals(List.of("clock"), retry.reply().found());
    assertEquals(100, cat.getState().score());
  }

  @Test
  void aRepeatedCommandIdReturnsTheFirstOutcomeEvenAfterARestart() {
    join(ann, huntId);
    at(ann, "l1", huntId, LAT, LON, T0);
    LocationAck first = at(ann, "l2", huntId, CLOCK.lat(), CLOCK.lon(), T0 + 60_000).reply();
    var retry = at(ann, "l2", huntId, CLOCK.lat(), CLOCK.lon(), T0 + 60_000);
    assertEquals(first, retry.reply());
    assertTrue(retry.hasNoEvents());
    ann.restart();
    var afterRestart = at(ann, "l2", huntId, CLOCK.lat(), CLOCK.lon(), T0 + 60_000);
    assertEquals(first, afterRestart.reply());
    assertTrue(afterRestart.hasNoEvents());
    assertEquals(100, ann.getState().score());
  }

  @Test
  void staleAndOutOfOrderReportsAreRejectedAndChangeNothing() {
    join(ann, huntId);
    at(ann, "l1", huntId, LAT, LON, T0 + 10_000);
    var older = at(ann, "l0", huntId, CLOCK.lat(), CLOCK.lon(), T0);
    assertEquals(Problem.STALE, older.reply().problem().code());
    assertTrue(older.hasNoEvents());
    var same = at(ann, "l2", huntId, LAT, LON, T0 + 10_000);
    assertEquals(Problem.STALE, same.reply().problem().code());
  }

  @Test
  void anImplausibleMoveIsNotUsedForFinding() {
    join(ann, huntId);
    at(ann, "l1", huntId, LAT, LON, T0);
    // 200 m in 2 s is 100 m/s; the hunt allows 10
    var jump = at(ann, "l2", huntId, GOLD.lat(), GOLD.lon(), T0 + 2_000);
    assertEquals(Problem.IMPLAUSIBLE_MOVE, jump.reply().problem().code());
    assertTrue(jump.hasNoEvents());
    assertEquals(0, ann.getState().score());
    assertEquals(T0, ann.getState().lastFix().at());
  }

  @Test
  void reportsNeedAJoinedHuntAndValidCoordinates() {
    var notJoined = at(ann, "l1", huntId, LAT, LON, T0);
    assertEquals(Problem.NOT_JOINED, notJoined.reply().problem().code());
    join(ann, huntId);
    var bad = at(ann, "l2", huntId, Double.NaN, LON, T0);
    assertEquals(Problem.BAD_REQUEST, bad.reply().problem().code());
    var far = at(ann, "l3", huntId, 91, LON, T0);
    assertEquals(Problem.BAD_REQUEST, far.reply().problem().code());
  }

  @Test
  void aTreasureWithAnAnswerIsClaimedOnTheSpot() {
    join(ann, huntId);
    at(ann, "l1", huntId, LAT, LON, T0);
    var tooFar = ann.<ClaimAck>runCommand(r -> new Claim("c1", huntId, "riddle", "noon", r));
    assertEquals(Problem.TOO_FAR, tooFar.reply().problem().code());
    assertTrue(tooFar.reply().problem().message().contains("anchored"));

    var there = at(ann, "l2", huntId, RIDDLE.lat(), RIDDLE.lon(), T0 + 60_000);
    assertEquals("riddle", there.reply().atTreasure());
    assertEquals(List.of(), there.reply().found());

    var wrong = ann.<ClaimAck>runCommand(r -> new Claim("c2", huntId, "riddle", "dusk", r));
    assertEquals(Problem.WRONG_ANSWER, wrong.reply().problem().code());
    assertTrue(wrong.hasNoEvents());
    var right = ann.<ClaimAck>runCommand(r -> new Claim("c3", huntId, "riddle", "Noon", r));
    assertEquals(new ClaimAck(200, 200, null), right.reply());
    var retry = ann.<ClaimAck>runCommand(r -> new Claim("c3", huntId, "riddle", "Noon", r));
    assertEquals(new ClaimAck(200, 200, null), retry.reply());
    assertTrue(retry.hasNoEvents());
    var twice = ann.<ClaimAck>runCommand(r -> new Claim("c4", huntId, "riddle", "noon", r));
    assertEquals(Problem.ALREADY_FOUND, twice.reply().problem().code());
  }

  @Test
  void aClaimRefusedRateLimitedIsJudgedAfreshWhenRetriedAfterTheWait() {
    // a hunt whose answers back off after 1 wrong answer, by 300 ms
    GameSettings s = SETTINGS;
    GameSettings quick =
        new GameSettings(
            s.streamWindow(),
            s.idempotencyWindow(),
            s.snapshotEvery(),
            s.snapshotsKept(),
            s.poll(),
            s.askTimeout(),
            s.huntBatchMax(),
            s.chatPerMinute(),
            s.joinsPerMinute(),
            new treasurehunt.game.AnswerBackoff.Settings(1, 300, 60_000, 3_600_000),
            s.locations(),
            s.statusRecheck(),
            s.ackBeforeStore(),
            s.writeBehind());
    hunt = testKit.spawn(Hunt.create(huntId + "-quick", quick));
    TestProbe<Hunt.ViewReply> probe = testKit.createTestProbe();
    hunt.tell(new Hunt.Define(definition(huntId + "-quick"), probe.getRef()));
    hunt.tell(new Hunt.Start(probe.getRef()));
    probe.receiveMessage();
    probe.receiveMessage();
    String h = huntId + "-quick";
    join(ann, h);
    at(ann, "l0", h, RIDDLE.lat(), RIDDLE.lon(), T0); // the first fix only anchors
    at(ann, "l1", h, RIDDLE.lat(), RIDDLE.lon(), T0 + 1_000);
    var wrong = ann.<ClaimAck>runCommand(r -> new Claim("c1", h, "riddle", "dusk", r));
    assertEquals(Problem.WRONG_ANSWER, wrong.reply().problem().code());
    var early = ann.<ClaimAck>runCommand(r -> new Claim("c2", h, "riddle", "noon", r));
    assertEquals(Problem.RATE_LIMITED, early.reply().problem().code());
    long wait = early.reply().problem().retryAfterMs();
    assertTrue(wait > 0 && wait <= 300, "retryAfterMs " + wait);
    // the client does what retryAfterMs says: waits, then sends the same id again
    try {
      Thread.sleep(wait + 50);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    var later = ann.<ClaimAck>runCommand(r -> new Claim("c2", h, "riddle", "noon", r));
    assertEquals(new ClaimAck(200, 200, null), later.reply());
  }

  @Test
  void twoPlayersReachingAnExclusiveTreasureScoreItOnce() {
    join(ann, huntId);
    join(bob, huntId);
    at(ann, "a1", huntId, LAT, LON, T0);
    at(bob, "b1", huntId, LAT, LON, T0);
    LocationAck a = at(ann, "a2", huntId, GOLD.lat(), GOLD.lon(), T0 + 60_000).reply();
    LocationAck b = at(bob, "b2", huntId, GOLD.lat(), GOLD.lon(), T0 + 60_000).reply();
    assertEquals(List.of("gold"), a.found());
    assertEquals(List.of(), b.found());
    assertEquals(300, ann.getState().score());
    assertEquals(0, bob.getState().score());
    assertEquals(List.of("gold"), bob.getState().progress(huntId).missed());
    var claim = bob.<ClaimAck>runCommand(r -> new Claim("b3", huntId, "gold", null, r));
    assertEquals(Problem.ALREADY_CLAIMED, claim.reply().problem().code());
  }

  @Test
  void pollAdviceIsShortNearATreasureAndLongWhenParkedFarAway() {
    join(ann, huntId);
    Treasure clock = CLOCK;
    // parked far from every treasure (1 km west), twice at the same spot
    at(ann, "l1", huntId, LAT, LON - 0.0147, T0);
    LocationAck parked = at(ann, "l2", huntId, LAT, LON - 0.0147, T0 + 30_000).reply();
    assertEquals("cold", parked.nearest());
    assertEquals(SETTINGS.poll().maxMs(), parked.nextPollMs());
    // walking, 30 m from the clock
    at(ann, "l3", huntId, clock.lat() - 0.0006, clock.lon(), T0 + 400_000);
    LocationAck near =
        at(ann, "l4", huntId, clock.lat() - 0.00027, clock.lon(), T0 + 430_000).reply();
    assertEquals("hot", near.nearest());
    assertEquals(SETTINGS.poll().minMs(), near.nextPollMs());
  }

  @Test
  void leavingStopsReports() {
    join(ann, huntId);
    var left = ann.<Hunt.Ack>runCommand(r -> new Leave("x1", huntId, r));
    assertNull(left.reply().problem());
    assertInstanceOf(LeftHunt.class, left.event());
    var report = at(ann, "l1", huntId, LAT, LON, T0);
    assertEquals(Problem.NOT_JOINED, report.reply().problem().code());
  }

  @Test
  void joiningAnUnknownHuntIsRefused() {
    ActorRef<Hunt.Command> nowhere = testKit.spawn(Hunt.create("nowhere-" + counter, SETTINGS));
    var p =
        EventSourcedBehaviorTestKit.<Command, Event, State>create(
            testKit.system(), Player.create("carl-" + counter, SETTINGS, h -> nowhere));
    JoinAck ack = p.<JoinAck>runCommand(r -> new Join("j", "nowhere", "Carl", r)).reply();
    assertEquals(Problem.NOT_FOUND, ack.problem().code());
  }

  // ---- the server's clock (issue 11)

  @Test
  void aFixThatLiesAboutItsTimeGainsNoDistance() {
    join(ann, huntId);
    at(ann, "l1", huntId, LAT, LON, T0);
    // the gold, 200 m away, "a minute later" by the client, 10 ms later by the server's clock
    clock.advance(10);
    var jump = sent(ann, "l2", huntId, GOLD.lat(), GOLD.lon(), T0 + 60_000);
    assertEquals(Problem.IMPLAUSIBLE_MOVE, jump.reply().problem().code());
    assertTrue(jump.reply().problem().message().contains("0.010 s by the server's"));
    assertTrue(jump.hasNoEvents());
    assertEquals(T0, ann.getState().lastFix().at());
    // the minute really passes: the same move is plausible (200 m in 60 s at 10 m/s)
    clock.advance(60_000);
    var later = sent(ann, "l3", huntId, GOLD.lat(), GOLD.lon(), T0 + 60_010);
    assertEquals(List.of("gold"), later.reply().found());
    assertEquals(300, ann.getState().score());
  }

  @Test
  void atMustBeWithinTheWindowAroundTheServersClock() {
    join(ann, huntId);
    long now = clock.millis();
    var old = sent(ann, "l1", huntId, LAT, LON, now - 121_000);
    assertEquals(Problem.STALE, old.reply().problem().code());
    assertTrue(old.reply().problem().message().contains("120 s"));
    var ahead = sent(ann, "l2", huntId, LAT, LON, now + 301_000);
    assertEquals(Problem.BAD_REQUEST, ahead.reply().problem().code());
    assertTrue(old.hasNoEvents() && ahead.hasNoEvents());
    assertNull(sent(ann, "l3", huntId, LAT, LON, now - 119_000).reply().problem());
  }

  @Test
  void theFirstFixInAHuntIsAnAnchorThatCannotScore() {
    join(ann, huntId);
    var onIt = at(ann, "l1", huntId, CLOCK.lat(), CLOCK.lon(), T0);
    assertNull(onIt.reply().problem(), "the position is taken");
    assertEquals(List.of(), onIt.reply().found());
    assertNull(onIt.reply().atTreasure());
    assertNull(onIt.reply().nearest());
    assertEquals(1, onIt.events().size(), "no find");
    assertEquals(0, ann.getState().score());
    assertTrue(ann.getState().lastFix().anchor());
    // judged from there a second later: found
    var still = at(ann, "l2", huntId, CLOCK.lat(), CLOCK.lon(), T0 + 1_000);
    assertEquals(List.of("clock"), still.reply().found());
    assertEquals(100, ann.getState().score());
  }

  @Test
  void aPhoneBackFarAwayAfterALongGapIsReanchoredAndCannotScoreThere() {
    join(ann, huntId);
    // 5 km south of the hunt, judged
    double[] away = Geo.destination(CLOCK.lat(), CLOCK.lon(), 180, 5000);
    at(ann, "l1", huntId, away[0], away[1], T0);
    at(ann, "l2", huntId, away[0], away[1], T0 + 1_000);
    // offline six minutes, back on the clock: 5 km in 360 s is 14 m/s, the hunt allows 10
    long back = T0 + 1_000 + 360_000;
    var there = at(ann, "l3", huntId, CLOCK.lat(), CLOCK.lon(), back);
    assertNull(there.reply().problem(), "re-anchored, not refused");
    assertEquals(List.of(), there.reply().found());
    assertNull(there.reply().nearest());
    assertTrue(((Moved) there.event()).anchor());
    assertEquals(0, ann.getState().score());
    assertEquals(
        List.of("clock"),
        at(ann, "l4", huntId, CLOCK.lat(), CLOCK.lon(), back + 1_000).reply().found());
    // within the gap, the same jump is refused
    join(bob, huntId);
    at(bob, "b1", huntId, away[0], away[1], back);
    at(bob, "b2", huntId, away[0], away[1], back + 1_000);
    var jump = at(bob, "b3", huntId, CLOCK.lat(), CLOCK.lon(), back + 120_000);
    assertEquals(Problem.IMPLAUSIBLE_MOVE, jump.reply().problem().code());
  }

  @Test
  void aClaimNeedsARecentJudgedFixWithinTheRadius() {
    join(ann, huntId);
    at(ann, "l1", huntId, RIDDLE.lat(), RIDDLE.lon(), T0);
    var fromAnchor = ann.<ClaimAck>runCommand(r -> new Claim("c1", huntId, "riddle", "noon", r));
    assertEquals(Problem.TOO_FAR, fromAnchor.reply().problem().code(), "the anchor cannot score");
    assertEquals(
        "riddle",
        at(ann, "l2", huntId, RIDDLE.lat(), RIDDLE.lon(), T0 + 1_000).reply().atTreasure());
    clock.advance(121_000);
    var stale = ann.<ClaimAck>runCommand(r -> new Claim("c2", huntId, "riddle", "noon", r));
    assertEquals(Problem.TOO_FAR, stale.reply().problem().code());
    assertTrue(stale.reply().problem().message().contains("120 s old"));
    sent(ann, "l3", huntId, RIDDLE.lat(), RIDDLE.lon(), clock.millis());
    var fresh = ann.<ClaimAck>runCommand(r -> new Claim("c3", huntId, "riddle", "noon", r));
    assertEquals(200, fresh.reply().points());
  }

  @Test
  void untilTheHuntIsLiveReportsTellNothingAndAStartIsNoticed() {
    String created = "created-" + counter;
    ActorRef<Hunt.Command> h = testKit.spawn(Hunt.create(created, SETTINGS));
    TestProbe<Hunt.ViewReply> probe = testKit.createTestProbe();
    h.tell(new Hunt.Define(definition(created), probe.getRef()));
    assertEquals("created", probe.receiveMessage().view().status());
    var carl =
        EventSourcedBehaviorTestKit.<Command, Event, State>create(
            testKit.system(), Player.create("carl-" + counter, SETTINGS, x -> h, clock));
    assertNull(join(carl, created).problem());
    at(carl, "l1", created, LAT, LON, T0);
    long t = T0 + 60_000;
    for (String id : List.of("l2", "l3", "l4")) {
      // on the clock, at the riddle, near the gold: nothing about any of them
      LocationAck a =
          switch (id) {
            case "l2" -> at(carl, id, created, CLOCK.lat(), CLOCK.lon(), t).reply();
            case "l3" -> at(carl, id, created, RIDDLE.lat(), RIDDLE.lon(), t + 60_000).reply();
            default -> at(carl, id, created, GOLD.lat(), GOLD.lon() - 0.0003, t + 120_000).reply();
          };
      assertNull(a.problem());
      assertEquals(List.of(), a.found());
      assertNull(a.atTreasure());
      assertNull(a.nearest());
      assertEquals(SETTINGS.poll().maxMs(), a.nextPollMs(), "the longest poll: no distance hint");
    }
    h.tell(new Hunt.Start(probe.getRef()));
    assertEquals("live", probe.receiveMessage().view().status());
    // within hunt-status-recheck (plus an answer) the player knows: the gold is found
    long[] next = {t + 120_000};
    int[] n = {0};
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(10),
            () -> {
              next[0] += SETTINGS.statusRecheck().toMillis();
              LocationAck a =
                  at(carl, "s" + n[0]++, created, GOLD.lat(), GOLD.lon(), next[0]).reply();
              assertEquals(List.of("gold"), a.found());
              return null;
            });
    assertEquals(300, carl.getState().score());
  }

  @Test
  void aPlayerWhoseLastFixPredatesTheServersClockIsAnchoredByTheNextOne() {
    join(ann, huntId);
    // as the journal of an engine before issue 11 left it: a fix with no server time
    ann.initialize(
        ann.getState(),
        new Moved("ann", "old", huntId, LAT, LON, 5, T0, "warm", 1000, null, List.of(), List.of()));
    assertNull(ann.getState().lastFix().serverAt());
    assertFalse(ann.getState().progress(huntId).located());
    var next = at(ann, "l1", huntId, CLOCK.lat(), CLOCK.lon(), T0 + 1_000);
    assertEquals(List.of(), next.reply().found(), "not judged from an unknown time: an anchor");
    assertTrue(((Moved) next.event()).anchor());
    assertEquals(
        List.of("clock"),
        at(ann, "l2", huntId, CLOCK.lat(), CLOCK.lon(), T0 + 2_000).reply().found());
  }
}
