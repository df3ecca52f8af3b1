package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.BoundedSourceQueue;
import akka.stream.KillSwitches;
import akka.stream.javadsl.Source;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import treasurehunt.metrics.Metrics;

/** The outbound bound in bytes and frames, and the room that paces a resume's events. */
class OutboundTest {
  static final ActorTestKit testKit = ActorTestKit.create("OutboundTest");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  final AtomicInteger woken = new AtomicInteger();
  final Outbound.Meter meter = new Outbound.Meter();

  /** A queue nobody reads yet: what is offered waits. */
  Outbound outbound(int frames, long bytes) {
    BoundedSourceQueue<WebSocketFrames.Out> queue =
        Source.<WebSocketFrames.Out>queue(frames).preMaterialize(testKit.system()).first();
    return new Outbound(
        queue,
        meter,
        KillSwitches.shared("test"),
        Metrics.get(testKit.system()),
        frames,
        bytes,
        woken::incrementAndGet);
  }

  static String frame(int bytes) {
    return "x".repeat(bytes);
  }

  @Test
  void aClientWhoseFramesWouldPassTheByteBoundIsDropped() {
    Outbound out = outbound(64, 1_000);
    for (int i = 0; i < 10; i++) assertTrue(out.send(frame(100)), "1,000 bytes fit");
    assertFalse(out.send(frame(1)), "one byte more does not");
    assertTrue(out.closed());
  }

  @Test
  void oneFrameLargerThanTheBoundGoesOutWhenNothingWaits() {
    Outbound out = outbound(64, 1_000);
    assertTrue(out.send(frame(5_000)));
    assertFalse(out.closed());
    assertFalse(out.send(frame(10)), "but nothing after it until it is read");
  }

  @Test
  void theClientReadingMakesRoomAndWakesThePacedDelivery() {
    Outbound out = outbound(64, 1_000);
    for (int i = 0; i < 5; i++) out.send(frame(100));
    assertFalse(out.room(), "half the byte bound waits");
    assertEquals(0, woken.get());
    meter.taken(new WebSocketFrames.Send(frame(100)));
    assertEquals(1, woken.get(), "woken once when the client has read");
    assertTrue(out.room());
    meter.taken(new WebSocketFrames.Send(frame(100)));
    assertEquals(1, woken.get(), "not again unless it waits again");
  }

  @Test
  void theFrameBoundPacesToo() {
    Outbound out = outbound(8, 1_000_000);
    for (int i = 0; i < 4; i++) out.send(frame(1));
    assertFalse(out.room(), "half the frames wait");
    meter.taken(new WebSocketFrames.Send(frame(1)));
    assertTrue(out.room());
  }

  @Test
  void sizesAreUtf8Bytes() {
    assertEquals(3, Outbound.utf8Length("abc"));
    assertEquals(2, Outbound.utf8Length("é"));
    assertEquals(3, Outbound.utf8Length("€"));
    assertEquals(4, Outbound.utf8Length("😀"));
    assertEquals(
        "a€😀".getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
        Outbound.utf8Length("a€😀"));
  }
}
