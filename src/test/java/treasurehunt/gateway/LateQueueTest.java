package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.NotUsed;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The outbound queue a session offers to before its connection's stream runs: what was offered
 * before the stream starts arrives first and in order, then what comes after, and an end asked for
 * early still ends the stream after it.
 */
class LateQueueTest {
  static final ActorTestKit testKit = ActorTestKit.create("LateQueueTest");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** The connection's flow as the gateway builds it: a Source.queue attached as it materializes. */
  static Source<String, NotUsed> source(LateQueue<String> late, int capacity) {
    return Source.<String>queue(capacity)
        .mapMaterializedValue(
            q -> {
              late.attach(q);
              return NotUsed.getInstance();
            });
  }

  @Test
  void framesOfferedBeforeTheStreamRunsArriveFirstAndInOrder() throws Exception {
    LateQueue<String> late = new LateQueue<>(16);
    assertEquals(QueueOfferResult.enqueued(), late.offer("welcome"));
    assertEquals(QueueOfferResult.enqueued(), late.offer("snapshot"));
    assertEquals(2, late.size());
    CompletionStage<List<String>> got =
        source(late, 16).take(4).runWith(Sink.seq(), testKit.system());
    late.offer("ack 1");
    late.offer("ack 2");
    assertEquals(
        List.of("welcome", "snapshot", "ack 1", "ack 2"),
        got.toCompletableFuture().get(5, TimeUnit.SECONDS));
  }

  @Test
  void beforeTheStreamRunsItHoldsNoMoreThanTheQueueWould() {
    LateQueue<String> late = new LateQueue<>(2);
    late.offer("a");
    late.offer("b");
    assertEquals(QueueOfferResult.dropped(), late.offer("c"), "past its capacity");
  }

  @Test
  void aCloseAskedForBeforeTheStreamRunsEndsItAfterWhatWasOffered() throws Exception {
    LateQueue<String> late = new LateQueue<>(8);
    late.offer("close frame");
    late.complete();
    assertThrows(IllegalStateException.class, () -> late.offer("late"), "as a completed queue");
    List<String> got =
        source(late, 8)
            .runWith(Sink.seq(), testKit.system())
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
    assertEquals(List.of("close frame"), got);
  }

  @Test
  void aFailureAskedForBeforeTheStreamRunsFailsIt() {
    LateQueue<String> late = new LateQueue<>(8);
    late.fail(new IllegalStateException("client does not read"));
    CompletionStage<List<String>> got = source(late, 8).runWith(Sink.seq(), testKit.system());
    Exception e =
        assertThrows(Exception.class, () -> got.toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals("client does not read", e.getCause().getMessage());
  }
}
