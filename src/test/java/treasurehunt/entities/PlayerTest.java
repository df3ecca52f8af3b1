package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;
import static treasurehunt.entities.Fixtures.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Player.*;
import treasurehunt.game.Treasure;

class PlayerTest {
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

  @BeforeEach
  void fresh() {
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
        testKit.system(), Player.create(id, SETTINGS, h -> hunt));
  }

  private static JoinAck join(EventSourcedBehaviorTestKit<Command, Event, State> p, String hunt) {
    return p.<JoinAck>runCommand(r -> new Join("j1", hunt, "Ann", r)).reply();
  }

  private static EventSourcedBehaviorTestKit.CommandResultWithReply<
          Command, Event, State, LocationAck>
      at(
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
    assertEquals("warm", first.reply().nearest()); // the clock is 100 m away
    assertInstanceOf(Moved.class, first.event());

    var there = at(ann, "l2", huntId, CLOCK.lat(), CLOCK.lon(), T0 + 60_000);
    assertEquals(List.of("clock"), there.reply().found());
    assertEquals(2, there.events().size());
    assertInstanceOf(TreasureFound.class, there.events().get(1));
    Profile profile = ann.<Profile>runCommand(GetProfile::new).reply();
    assertEquals(100, profile.score());
    assertEquals(List.of("clock"), profile.hunts().get(huntId).found());

    // standing there again finds nothing new
    var again = at(ann, "l3", huntId, CLOCK.lat(), CLOCK.lon(), T0 + 61_000);
    assertEquals(List.of(), again.reply().found());
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
            new treasurehunt.game.AnswerBackoff.Settings(1, 300, 60_000, 3_600_000));
    hunt = testKit.spawn(Hunt.create(huntId + "-quick", quick));
    TestProbe<Hunt.ViewReply> probe = testKit.createTestProbe();
    hunt.tell(new Hunt.Define(definition(huntId + "-quick"), probe.getRef()));
    hunt.tell(new Hunt.Start(probe.getRef()));
    probe.receiveMessage();
    probe.receiveMessage();
    String h = huntId + "-quick";
    join(ann, h);
    at(ann, "l1", h, RIDDLE.lat(), RIDDLE.lon(), T0);
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
}
