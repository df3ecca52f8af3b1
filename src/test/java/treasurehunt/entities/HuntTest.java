package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;
import static treasurehunt.entities.Fixtures.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.pubsub.Topic;
import akka.persistence.testkit.JournalOperation;
import akka.persistence.testkit.ProcessingPolicy;
import akka.persistence.testkit.ProcessingResult;
import akka.persistence.testkit.ProcessingSuccess$;
import akka.persistence.testkit.WriteEvents;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import akka.persistence.testkit.javadsl.PersistenceTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Hunt.*;
import treasurehunt.game.Area;
import treasurehunt.game.BandSettings;
import treasurehunt.game.HuntDefinition;

class HuntTest {
  static final ActorTestKit testKit = ActorTestKit.create("HuntTest", CONFIG);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit<Command, Event, HuntState> hunt;
  private static int counter;
  private String huntId;

  @BeforeEach
  void fresh() {
    huntId = "hunt-" + (++counter);
    hunt = EventSourcedBehaviorTestKit.create(testKit.system(), Hunt.create(huntId, SETTINGS));
  }

  private void defineAndStart() {
    hunt.<ViewReply>runCommand(r -> new Define(definition(huntId), r));
    hunt.runCommand(Start::new);
  }

  private JoinReply join(String player) {
    return hunt.<JoinReply>runCommand(r -> new Join(player, "name-" + player, r)).reply();
  }

  @Test
  void defineGivesAPublicViewWithoutCoordinatesOrAnswers() {
    CommandResultWithReply<Command, Event, HuntState, ViewReply> result =
        hunt.<ViewReply>runCommand(r -> new Define(definition(huntId), r));
    assertNull(result.reply().problem());
    View view = result.reply().view();
    assertEquals("created", view.status());
    assertEquals(3, view.treasures().size());
    TreasureView riddle =
        view.treasures().stream().filter(t -> t.id().equals("riddle")).findFirst().orElseThrow();
    assertTrue(riddle.needsAnswer());
    assertInstanceOf(HuntDefined.class, result.event());
    assertEquals(Status.CREATED, result.state().status());
  }

  @Test
  void anInvalidDefinitionIsRejectedAndPersistsNothing() {
    var bad =
        new HuntDefinition(
            huntId,
            "",
            new Area(100, 4.8, 1500),
            List.of(CLOCK),
            null,
            100,
            10,
            false,
            null,
            null,
            BandSettings.DEFAULT);
    var result = hunt.<ViewReply>runCommand(r -> new Define(bad, r));
    assertEquals(Problem.BAD_REQUEST, result.reply().problem().code());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void aHuntIdIsDefinedOnlyOnce() {
    hunt.<ViewReply>runCommand(r -> new Define(definition(huntId), r));
    var second = hunt.<ViewReply>runCommand(r -> new Define(definition(huntId), r));
    assertEquals(Problem.CONFLICT, second.reply().problem().code());
    assertTrue(second.hasNoEvents());
  }

  @Test
  void unknownHuntAnswersNotFound() {
    var result = hunt.<ViewReply>runCommand(GetView::new);
    assertEquals(Problem.NOT_FOUND, result.reply().problem().code());
    var join = hunt.<JoinReply>runCommand(r -> new Join("p1", "Ann", r));
    assertEquals(Problem.NOT_FOUND, join.reply().problem().code());
  }

  @Test
  void presenceSaysWhetherAPlayerIsInTheHuntAtTheStreamHead() {
    var unknown = hunt.<Presence>runCommand(r -> new GetPresence("p1", r));
    assertEquals(Problem.NOT_FOUND, unknown.reply().problem().code());
    defineAndStart();
    var before = hunt.<Presence>runCommand(r -> new GetPresence("p1", r));
    assertFalse(before.reply().present());
    assertFalse(before.reply().showPlayers());
    assertTrue(before.hasNoEvents(), "read only");
    JoinReply joined = join("p1");
    var in = hunt.<Presence>runCommand(r -> new GetPresence("p1", r)).reply();
    assertTrue(in.present());
    assertEquals(joined.stream(), in.stream(), "as of the head: the player's own join");
    testKit.serializationTestKit().verifySerialization(in, true); // it crosses nodes
    assertFalse(hunt.<Presence>runCommand(r -> new GetPresence("p2", r)).reply().present());
    hunt.<Ack>runCommand(r -> new Leave("p1", r));
    var out = hunt.<Presence>runCommand(r -> new GetPresence("p1", r)).reply();
    assertFalse(out.present());
    assertEquals(joined.stream().seq() + 1, out.stream().seq(), "after its player_left");
  }

  @Test
  void joinRespectsCapacityAndIsIdempotent() {
    hunt.<ViewReply>runCommand(r -> new Define(definition(huntId, 2, null, null), r));
    assertNull(join("p1").problem());
    var again = hunt.<JoinReply>runCommand(r -> new Join("p1", "x", r));
    assertNull(again.reply().problem());
    assertTrue(again.hasNoEvents());
    assertNull(join("p2").problem());
    assertEquals(Problem.HUNT_FULL, join("p3").problem().code());
    hunt.<Ack>runCommand(r -> new Leave("p1", r));
    assertNull(join("p3").problem());
    assertEquals(2, hunt.getState().presentCount());
  }

  /**
   * Group commit: joins and chat messages that arrive while the hunt is writing are validated
   * together — capacity, a join repeated, a chat from a player whose join is in the same batch, a
   * chat retried — and stored in one journal write. The first write is held (a journal policy waits
   * on a latch) so that the others certainly arrive during it.
   */
  @Test
  void joinsAndChatsArrivingDuringAWriteAreValidatedTogetherAndStoredInOneWrite() throws Exception {
    String id = "batch-" + (++counter);
    ActorRef<Command> h = testKit.spawn(Hunt.create(id, SETTINGS));
    TestProbe<ViewReply> defined = testKit.createTestProbe();
    h.tell(new Define(definition(id, 3, null, null), defined.ref()));
    assertNull(defined.receiveMessage().problem());
    TestProbe<ViewReply> started = testKit.createTestProbe();
    h.tell(new Start(started.ref()));
    assertNull(started.receiveMessage().problem());

    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> writes = Collections.synchronizedList(new ArrayList<>());
    journal.withPolicy(
        new ProcessingPolicy<JournalOperation>() {
          @Override
          public ProcessingResult tryProcess(String pid, JournalOperation op) {
            if (pid.equals("Hunt|" + id) && op instanceof WriteEvents w) {
              writes.add(w.batch().size());
              if (writes.size() == 1) {
                try {
                  release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
            return ProcessingSuccess$.MODULE$;
          }
        });
    try {
      TestProbe<JoinReply> a = testKit.createTestProbe(),
          b = testKit.createTestProbe(),
          b2 = testKit.createTestProbe(),
          c = testKit.createTestProbe(),
          d = testKit.createTestProbe();
      TestProbe<Ack> chat1 = testKit.createTestProbe(),
          chat2 = testKit.createTestProbe(),
          stranger = testKit.createTestProbe();
      h.tell(new Join("a", "Ann", a.ref())); // written alone; the write is held
      awaitWrites(writes, 1);
      h.tell(new Join("b", "Bob", b.ref()));
      h.tell(new Join("c", "Cy", c.ref()));
      h.tell(new Chat("c", "m1", "hi", chat1.ref())); // c's join is in the same batch
      h.tell(new Join("b", "Bob", b2.ref())); // repeated within the batch
      h.tell(new Join("d", "Di", d.ref())); // a, b, c make 3 = maxPlayers
      h.tell(new Chat("c", "m1", "hi", chat2.ref())); // retried within the batch
      h.tell(new Chat("zz", "m9", "hello?", stranger.ref())); // never joined
      a.expectNoMessage(Duration.ofMillis(200)); // nothing is answered before its write
      release.countDown();

      assertNull(a.receiveMessage().problem());
      JoinReply bob = b.receiveMessage(), bobAgain = b2.receiveMessage(), cy = c.receiveMessage();
      assertNull(bob.problem());
      assertNull(bobAgain.problem());
      assertNull(cy.problem());
      assertEquals(Problem.HUNT_FULL, d.receiveMessage().problem().code());
      assertNull(chat1.receiveMessage().problem());
      assertNull(chat2.receiveMessage().problem());
      assertEquals(Problem.NOT_JOINED, stranger.receiveMessage().problem().code());
      // one write for a, one for b, c and the chat: three events, the repeats added nothing
      assertEquals(List.of(1, 3), List.copyOf(writes));
      // everyone in the batch is answered with the state after the whole write: stream seq 5
      assertEquals(5, bob.stream().seq());
      assertEquals(3, bob.view().players());

      TestProbe<ViewReply> view = testKit.createTestProbe();
      h.tell(new GetView(view.ref()));
      assertEquals(3, view.receiveMessage().view().players());
      TestProbe<StreamReply> stream = testKit.createTestProbe();
      h.tell(new StreamSince(bob.stream().epoch(), 0, stream.ref()));
      List<StreamEntry> entries = stream.receiveMessage().entries();
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L), entries.stream().map(StreamEntry::seq).toList());
      assertEquals(
          List.of("hunt_started", "player_joined", "player_joined", "player_joined", "chat"),
          entries.stream().map(e -> e.event().kind()).toList());
    } finally {
      release.countDown();
      journal.resetPolicy();
    }
  }

  private static void awaitWrites(List<Integer> writes, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (writes.size() < n && System.nanoTime() < deadline) Thread.sleep(5);
    assertEquals(n, writes.size());
  }

  @Test
  void findsAreIdempotentPerPlayerAndTreasure() {
    defineAndStart();
    join("p1");
    var first = hunt.<FindsReply>runCommand(r -> new RecordFinds("p1", "c1", List.of("clock"), r));
    assertEquals(List.of(new Grant("clock", 100)), first.reply().granted());
    assertEquals(1, first.events().size());
    var retry = hunt.<FindsReply>runCommand(r -> new RecordFinds("p1", "c9", List.of("clock"), r));
    assertEquals(List.of(new Grant("clock", 100)), retry.reply().granted());
    assertTrue(retry.hasNoEvents());
    assertEquals(100, hunt.getState().member("p1").score());
  }

  @Test
  void anExclusiveTreasureGoesToTheFirstFinderOnly() {
    defineAndStart();
    join("p1");
    join("p2");
    var first = hunt.<FindsReply>runCommand(r -> new RecordFinds("p2", "a", List.of("gold"), r));
    var second = hunt.<FindsReply>runCommand(r -> new RecordFinds("p1", "b", List.of("gold"), r));
    assertEquals(List.of(new Grant("gold", 300)), first.reply().granted());
    assertEquals(List.of(), second.reply().granted());
    assertEquals(List.of("gold"), second.reply().claimedByOthers());
    assertEquals(1, hunt.getState().findsOf("gold").size());
    var claim = hunt.<ClaimReply>runCommand(r -> new Claim("p1", "c", "gold", null, r));
    assertEquals(Problem.ALREADY_CLAIMED, claim.reply().problem().code());
  }

  @Test
  void findsNeedALiveHuntAndAMember() {
    hunt.<ViewReply>runCommand(r -> new Define(definition(huntId), r));
    join("p1");
    var notLive = hunt.<FindsReply>runCommand(r -> new RecordFinds("p1", "c", List.of("clock"), r));
    assertEquals(Problem.HUNT_NOT_LIVE, notLive.reply().problem().code());
    hunt.runCommand(Start::new);
    var stranger =
        hunt.<FindsReply>runCommand(r -> new RecordFinds("p9", "c", List.of("clock"), r));
    assertEquals(Problem.NOT_JOINED, stranger.reply().problem().code());
  }

  @Test
  void claimsCheckTheAnswerAndRepeatTheFirstOutcome() {
    defineAndStart();
    join("p1");
    var wrong = hunt.<ClaimReply>runCommand(r -> new Claim("p1", "c1", "riddle", "midnight", r));
    assertEquals(Problem.WRONG_ANSWER, wrong.reply().problem().code());
    assertTrue(wrong.hasNoEvents());
    var right = hunt.<ClaimReply>runCommand(r -> new Claim("p1", "c2", "riddle", "  NOON ", r));
    assertEquals(new ClaimReply(200, 200, null), right.reply());
    var retry = hunt.<ClaimReply>runCommand(r -> new Claim("p1", "c2", "riddle", "noon", r));
    assertEquals(new ClaimReply(200, 200, null), retry.reply());
    assertTrue(retry.hasNoEvents());
    var other = hunt.<ClaimReply>runCommand(r -> new Claim("p1", "c3", "riddle", "noon", r));
    assertEquals(Problem.ALREADY_FOUND, other.reply().problem().code());
  }

  @Test
  void wrongAnswersSlowDownThatPlayerAtThatTreasureOnly() {
    defineAndStart();
    join("p1");
    join("p2");
    // SETTINGS: 3 free wrong answers, then 2 s, doubling
    for (int i = 0; i < 3; i++) {
      String id = "w" + i;
      var wrong = hunt.<ClaimReply>runCommand(r -> new Claim("p1", id, "riddle", "midnight", r));
      assertEquals(Problem.WRONG_ANSWER, wrong.reply().problem().code());
    }
    var waiting = hunt.<ClaimReply>runCommand(r -> new Claim("p1", "w3", "riddle", "noon", r));
    assertEquals(Problem.RATE_LIMITED, waiting.reply().problem().code(), "even the right answer");
    long retry = waiting.reply().problem().retryAfterMs();
    assertTrue(retry > 0 && retry <= 2_000, "retryAfterMs " + retry);
    assertTrue(waiting.hasNoEvents());
    // another player at the same treasure is not slowed down
    var other = hunt.<ClaimReply>runCommand(r -> new Claim("p2", "x1", "riddle", "midnight", r));
    assertEquals(Problem.WRONG_ANSWER, other.reply().problem().code());
    var right = hunt.<ClaimReply>runCommand(r -> new Claim("p2", "x2", "riddle", "noon", r));
    assertEquals(new ClaimReply(200, 200, null), right.reply());
  }

  @Test
  void chatMessagesAreLimitedPerPlayer() {
    defineAndStart();
    join("p1");
    join("p2");
    int perMinute = SETTINGS.chatPerMinute();
    for (int i = 0; i < perMinute; i++) {
      String id = "m" + i;
      assertNull(hunt.<Ack>runCommand(r -> new Chat("p1", id, "hi " + id, r)).reply().problem());
    }
    var over = hunt.<Ack>runCommand(r -> new Chat("p1", "late", "one more", r));
    assertEquals(Problem.RATE_LIMITED, over.reply().problem().code());
    assertTrue(over.reply().problem().retryAfterMs() > 0);
    assertTrue(over.hasNoEvents());
    // a retry of a message already posted is still answered; another player still chats
    assertNull(hunt.<Ack>runCommand(r -> new Chat("p1", "m0", "hi m0", r)).reply().problem());
    assertNull(hunt.<Ack>runCommand(r -> new Chat("p2", "m0", "me too", r)).reply().problem());
  }

  @Test
  void joinLeaveChurnIsLimitedPerPlayerAndLeavingIsNot() {
    defineAndStart();
    int perMinute = SETTINGS.joinsPerMinute();
    for (int i = 0; i < perMinute; i++) {
      assertNull(join("p1").problem());
      assertNull(join("p1").problem(), "a join while joined is free");
      assertNull(hunt.<Ack>runCommand(r -> new Leave("p1", r)).reply().problem());
    }
    var over = hunt.<JoinReply>runCommand(r -> new Join("p1", "name-p1", r));
    assertEquals(Problem.RATE_LIMITED, over.reply().problem().code());
    assertTrue(over.hasNoEvents());
    assertNull(join("p2").problem(), "another player joins");
  }

  @Test
  void theStreamIsNumberedWithoutGapsAndCarriesTheLeaderboard() {
    defineAndStart(); // seq 1: hunt_started
    join("p1"); // 2
    hunt.<FindsReply>runCommand(
        r -> new RecordFinds("p1", "c1", List.of("clock"), r)); // 3 treasure_found, 4 leaderboard
    hunt.<Ack>runCommand(r -> new Chat("p1", "m1", "hello", r)); // 5
    hunt.<Ack>runCommand(r -> new Chat("p1", "m1", "hello", r)); // retried: nothing
    HuntState state = hunt.getState();
    assertEquals(5, state.seq());
    List<StreamEntry> window = state.window();
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), window.stream().map(StreamEntry::seq).toList());
    assertEquals(
        List.of("hunt_started", "player_joined", "treasure_found", "leaderboard", "chat"),
        window.stream().map(e -> e.event().kind()).toList());
    List<LeaderboardEntry> board = window.get(3).event().leaderboard();
    assertEquals(new LeaderboardEntry(1, "p1", "name-p1", 100, 1), board.get(0));
  }

  @Test
  void streamSinceServesTheWindowAndSaysWhenItCannot() {
    defineAndStart();
    for (int i = 0; i < 8; i++)
      hunt.<Ack>runCommand(r -> new Chat("x", "m", "t", r)); // not joined: rejected
    join("p1");
    for (int i = 0; i < 7; i++) {
      String id = "m" + i;
      hunt.<Ack>runCommand(r -> new Chat("p1", id, "text " + id, r));
    }
    HuntState state = hunt.getState(); // seq 9, window (size 5) holds 5..9
    assertEquals(9, state.seq());
    String epoch = state.epoch();
    var served = hunt.<StreamReply>runCommand(r -> new StreamSince(epoch, 6, r)).reply();
    assertTrue(served.complete());
    assertEquals(List.of(7L, 8L, 9L), served.entries().stream().map(StreamEntry::seq).toList());
    var edge = hunt.<StreamReply>runCommand(r -> new StreamSince(epoch, 4, r)).reply();
    assertTrue(edge.complete());
    assertEquals(5, edge.entries().size());
    var tooOld = hunt.<StreamReply>runCommand(r -> new StreamSince(epoch, 3, r)).reply();
    assertFalse(tooOld.complete());
    var otherEpoch = hunt.<StreamReply>runCommand(r -> new StreamSince("e0", 8, r)).reply();
    assertFalse(otherEpoch.complete());
    assertEquals(epoch, otherEpoch.epoch());
  }

  @Test
  void recoveryRebuildsMembersScoresAndStream() {
    defineAndStart();
    join("p1");
    join("p2");
    hunt.<FindsReply>runCommand(r -> new RecordFinds("p2", "c", List.of("gold"), r));
    HuntState before = hunt.getState();
    hunt.restart();
    HuntState after = hunt.getState();
    assertEquals(before.seq(), after.seq());
    assertEquals(before.window(), after.window());
    assertEquals(300, after.member("p2").score());
    assertEquals(Status.LIVE, after.status());
    var board = hunt.<LeaderboardReply>runCommand(r -> new GetLeaderboard(10, r)).reply();
    assertEquals(
        List.of("p2", "p1"), board.entries().stream().map(LeaderboardEntry::playerId).toList());
  }

  @Test
  void scheduledStartAndEndHappenOnTheirOwn() {
    long now = System.currentTimeMillis();
    String id = huntId;
    TestProbe<StreamEntry> watcher = testKit.createTestProbe();
    HuntTopics.get(testKit.system()).stream(id).tell(Topic.subscribe(watcher.getRef()));
    // the local topic registers the subscriber asynchronously; give it a moment before events flow
    hunt.<ViewReply>runCommand(r -> new Define(definition(id, 10, now + 700, now + 1400), r));
    StreamEntry started = watcher.expectMessageClass(StreamEntry.class, Duration.ofSeconds(5));
    assertEquals("hunt_started", started.event().kind());
    assertTrue(started.at() >= now + 700);
    StreamEntry ended = watcher.expectMessageClass(StreamEntry.class, Duration.ofSeconds(5));
    assertEquals("hunt_ended", ended.event().kind());
    assertEquals(Status.ENDED, hunt.getState().status());
  }
}
