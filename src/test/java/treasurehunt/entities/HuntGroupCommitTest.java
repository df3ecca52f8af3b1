package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;
import static treasurehunt.entities.Fixtures.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.JournalOperation;
import akka.persistence.testkit.ProcessingPolicy;
import akka.persistence.testkit.ProcessingResult;
import akka.persistence.testkit.ProcessingSuccess$;
import akka.persistence.testkit.StorageFailure;
import akka.persistence.testkit.WriteEvents;
import akka.persistence.testkit.javadsl.PersistenceTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Hunt.*;

/**
 * Issue 14: finds and claims that arrive while the hunt is writing are decided together, in their
 * order, and stored in one write; nobody is answered before that write is stored, and when it fails
 * nobody is answered at all. The first write is held (a journal policy waits on a latch) so that
 * the others certainly arrive during it; the real-database race is in cluster/FindRaceTest.
 */
class HuntGroupCommitTest {
  static final ActorTestKit testKit = ActorTestKit.create("HuntGroupCommitTest", CONFIG);
  static int counter;

  final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  final CountDownLatch release = new CountDownLatch(1);
  final List<Integer> writes = Collections.synchronizedList(new ArrayList<>());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void resetJournal() {
    release.countDown();
    journal.resetPolicy();
  }

  /** A live hunt with players p1..p3 joined. */
  ActorRef<Command> liveHunt(String id) {
    ActorRef<Command> h = testKit.spawn(Hunt.create(id, SETTINGS));
    TestProbe<ViewReply> view = testKit.createTestProbe();
    h.tell(new Define(definition(id), view.ref()));
    assertNull(view.receiveMessage(Duration.ofSeconds(15)).problem()); // the first in the system
    h.tell(new Start(view.ref()));
    assertNull(view.receiveMessage().problem());
    TestProbe<JoinReply> joined = testKit.createTestProbe();
    for (String p : List.of("p1", "p2", "p3")) {
      h.tell(new Join(p, p, joined.ref()));
      assertNull(joined.receiveMessage().problem());
    }
    return h;
  }

  /**
   * From now on the hunt's writes are counted, the first is held until {@link #release}, and the
   * write number {@code failing} (0: none) fails.
   */
  void holdFirstWrite(String id, int failing) {
    journal.withPolicy(
        new ProcessingPolicy<JournalOperation>() {
          @Override
          public ProcessingResult tryProcess(String pid, JournalOperation op) {
            if (pid.equals("Hunt|" + id) && op instanceof WriteEvents w) {
              writes.add(w.batch().size());
              if (writes.size() == 1) await();
              if (writes.size() == failing) return new StorageFailure(new RuntimeException("down"));
            }
            return ProcessingSuccess$.MODULE$;
          }
        });
  }

  void await() {
    try {
      release.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void awaitWrites(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (writes.size() < n && System.nanoTime() < deadline) Thread.sleep(5);
    assertEquals(n, writes.size());
  }

  @Test
  void findsAndClaimsArrivingDuringAWriteAreDecidedInOrderAndStoredTogether() throws Exception {
    String id = "gc-" + (++counter);
    ActorRef<Command> h = liveHunt(id);
    holdFirstWrite(id, 0);
    TestProbe<Ack> chat = testKit.createTestProbe();
    h.tell(new Chat("p1", "m1", "go", chat.ref())); // written alone; the write is held
    awaitWrites(1);
    TestProbe<FindsReply> f1 = testKit.createTestProbe(),
        f2 = testKit.createTestProbe(),
        f1again = testKit.createTestProbe();
    TestProbe<ClaimReply> c3 = testKit.createTestProbe(),
        c2 = testKit.createTestProbe(),
        c1retry = testKit.createTestProbe();
    h.tell(new RecordFinds("p2", "l1", List.of("gold"), f2.ref())); // first to the gold
    h.tell(new RecordFinds("p1", "l1", List.of("gold", "clock"), f1.ref()));
    h.tell(new Claim("p3", "k1", "gold", null, c3.ref())); // a claim of it, too late
    h.tell(new Claim("p2", "k2", "riddle", "noon", c2.ref()));
    h.tell(new RecordFinds("p1", "l2", List.of("clock"), f1again.ref())); // the same, again
    h.tell(new Claim("p2", "k2", "riddle", "noon", c1retry.ref())); // a retry of k2
    // nobody is answered before the write that holds their decision, not even a refusal
    c3.expectNoMessage(Duration.ofMillis(200));
    f1.expectNoMessage(Duration.ZERO);
    release.countDown();

    assertNull(chat.receiveMessage().problem());
    assertEquals(
        new FindsReply(List.of(new Grant("gold", 300)), List.of(), null), f2.receiveMessage());
    assertEquals(
        new FindsReply(List.of(new Grant("clock", 100)), List.of("gold"), null),
        f1.receiveMessage());
    assertEquals(Problem.ALREADY_CLAIMED, c3.receiveMessage().problem().code());
    assertEquals(new ClaimReply(200, 500, null), c2.receiveMessage());
    assertEquals(
        new FindsReply(List.of(new Grant("clock", 100)), List.of(), null),
        f1again.receiveMessage());
    assertEquals(new ClaimReply(200, 500, null), c1retry.receiveMessage());
    // one write for the chat, one for p2's gold, p1's clock and p2's riddle
    assertEquals(List.of(1, 3), List.copyOf(writes));
    TestProbe<LeaderboardReply> board = testKit.createTestProbe();
    h.tell(new GetLeaderboard(10, board.ref()));
    assertEquals(
        List.of(500, 100, 0),
        board.receiveMessage().entries().stream().map(LeaderboardEntry::score).toList());
  }

  @Test
  void aFailedWriteAnswersNobodyInItsBatchAndStoresNothingOfIt() throws Exception {
    String id = "gc-" + (++counter);
    ActorRef<Command> h = liveHunt(id);
    holdFirstWrite(id, 2);
    TestProbe<Ack> chat = testKit.createTestProbe();
    h.tell(new Chat("p1", "m1", "go", chat.ref())); // written alone; held, then stored
    awaitWrites(1);
    TestProbe<FindsReply> f1 = testKit.createTestProbe(), f2 = testKit.createTestProbe();
    TestProbe<ClaimReply> c3 = testKit.createTestProbe();
    h.tell(new RecordFinds("p1", "l1", List.of("gold"), f1.ref()));
    h.tell(new RecordFinds("p2", "l1", List.of("gold", "clock"), f2.ref()));
    h.tell(new Claim("p3", "k1", "gold", null, c3.ref()));
    release.countDown();
    assertNull(chat.receiveMessage().problem());
    awaitWrites(2); // the batch's write, which fails: the hunt restarts
    // nobody in the batch is answered, not the winner, not the losers: their asks time out
    // (unavailable from the Player entity, which retries the same command)
    f1.expectNoMessage(Duration.ofSeconds(1));
    f2.expectNoMessage(Duration.ZERO);
    c3.expectNoMessage(Duration.ZERO);

    // after the restart nothing of the batch is there, and the retries are decided afresh
    journal.resetPolicy();
    TestProbe<FindsReply> f2retry = testKit.createTestProbe();
    TestProbe<ClaimReply> c3retry = testKit.createTestProbe();
    TestProbe<FindsReply> f1retry = testKit.createTestProbe();
    h.tell(new RecordFinds("p2", "l1", List.of("gold", "clock"), f2retry.ref()));
    h.tell(new Claim("p3", "k1", "gold", null, c3retry.ref()));
    h.tell(new RecordFinds("p1", "l1", List.of("gold"), f1retry.ref()));
    assertEquals(
        new FindsReply(List.of(new Grant("gold", 300), new Grant("clock", 100)), List.of(), null),
        f2retry.receiveMessage(Duration.ofSeconds(10)));
    assertEquals(Problem.ALREADY_CLAIMED, c3retry.receiveMessage().problem().code());
    assertEquals(List.of("gold"), f1retry.receiveMessage().claimedByOthers());
    TestProbe<LeaderboardReply> board = testKit.createTestProbe();
    h.tell(new GetLeaderboard(10, board.ref()));
    assertEquals(
        List.of(400, 0, 0),
        board.receiveMessage().entries().stream().map(LeaderboardEntry::score).toList());
  }
}
