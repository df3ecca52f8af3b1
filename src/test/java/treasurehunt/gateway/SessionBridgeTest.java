package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.http.impl.engine.ws.FrameHandler;
import akka.http.impl.engine.ws.WebSocket;
import akka.japi.Pair;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Flow;
import akka.stream.testkit.TestPublisher;
import akka.stream.testkit.TestSubscriber;
import akka.stream.testkit.javadsl.TestSink;
import akka.stream.testkit.javadsl.TestSource;
import akka.util.ByteString;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import scala.Option;

/**
 * A connection's own stage, driven directly with stream probes in place of Akka's frame handling
 * and a test probe in place of the session: what the session and the frame handler see, in order.
 * The same stage under real sockets: {@code WebSocketGatewayTest}.
 */
class SessionBridgeTest {
  static final ActorTestKit testKit = ActorTestKit.create("SessionBridgeTest");
  static final Duration NO_TICKS = Duration.ofHours(1);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A running bridge: the frame handler's side (publisher, subscriber) and the session's. */
  record Run(
      TestPublisher.Probe<FrameHandler.Output> frames,
      TestSubscriber.Probe<Object> toHandler,
      TestProbe<Session.Msg> session,
      SessionBridge.Credit credit,
      SessionBridge.Outbox outbox,
      Outbound.Meter meter) {}

  static Run run(SessionBridge.Outbox outbox, int maxBytes, Duration tickEvery) {
    TestProbe<Session.Msg> session = testKit.createTestProbe();
    SessionBridge.Credit credit = new SessionBridge.Credit();
    Outbound.Meter meter = new Outbound.Meter();
    SessionBridge bridge =
        new SessionBridge(session.ref(), credit, outbox, meter, maxBytes, tickEvery);
    Pair<TestPublisher.Probe<FrameHandler.Output>, TestSubscriber.Probe<Object>> p =
        TestSource.<FrameHandler.Output>probe(
                akka.actor.typed.javadsl.Adapter.toClassic(testKit.system()))
            .via(Flow.fromGraph(bridge))
            .toMat(
                TestSink.probe(akka.actor.typed.javadsl.Adapter.toClassic(testKit.system())),
                akka.stream.javadsl.Keep.both())
            .run(testKit.system());
    return new Run(p.first(), p.second(), session, credit, outbox, meter);
  }

  static Run run() {
    return run(new SessionBridge.Outbox(16), 1000, NO_TICKS);
  }

  static WebSocketFrames.In inbound(TestProbe<Session.Msg> session) {
    return session.expectMessageClass(Session.Inbound.class).in();
  }

  static FrameHandler.TextMessagePart text(String s, boolean last) {
    return new FrameHandler.TextMessagePart(s, last);
  }

  static String sentText(Object frame) {
    assertInstanceOf(akka.http.impl.engine.ws.FrameStart.class, frame, "a data frame: " + frame);
    return ((akka.http.impl.engine.ws.FrameStart) frame).data().utf8String();
  }

  @Test
  void framesOfferedBeforeTheStreamRunsGoOutFirstAndInOrder() {
    SessionBridge.Outbox outbox = new SessionBridge.Outbox(16);
    assertEquals(QueueOfferResult.enqueued(), outbox.offer(new WebSocketFrames.Send("welcome")));
    assertEquals(QueueOfferResult.enqueued(), outbox.offer(new WebSocketFrames.Send("snapshot")));
    assertEquals(2, outbox.size());
    Run r = run(outbox, 1000, NO_TICKS);
    r.toHandler().request(4);
    assertEquals("welcome", sentText(r.toHandler().expectNext()));
    assertEquals("snapshot", sentText(r.toHandler().expectNext()));
    outbox.offer(new WebSocketFrames.Send("ack 1"));
    outbox.offer(new WebSocketFrames.Send("ack 2"));
    assertEquals("ack 1", sentText(r.toHandler().expectNext()));
    assertEquals("ack 2", sentText(r.toHandler().expectNext()));
    assertEquals(0, outbox.size());
    // the session counts a frame up as it queues it (Outbound.send); the stage, down as it takes it
    assertEquals(-25, r.meter().bytes(), "every frame taken is counted off the meter");
  }

  @Test
  void theOutboxHoldsNoMoreThanItsCapacityWhileTheClientDoesNotRead() {
    SessionBridge.Outbox outbox = new SessionBridge.Outbox(2);
    Run r = run(outbox, 1000, NO_TICKS);
    outbox.offer(new WebSocketFrames.Send("a"));
    outbox.offer(new WebSocketFrames.Send("b"));
    assertEquals(QueueOfferResult.dropped(), outbox.offer(new WebSocketFrames.Send("c")));
    r.toHandler().request(1);
    assertEquals("a", sentText(r.toHandler().expectNext()));
    assertEquals(QueueOfferResult.enqueued(), outbox.offer(new WebSocketFrames.Send("d")));
  }

  @Test
  void messagesAreAssembledFromTheirPartsAndHandedToTheSession() {
    Run r = run();
    r.toHandler().request(1);
    r.frames().sendNext(text("{\"type\":", false));
    r.frames().sendNext(text("\"ping\"}", true));
    assertEquals(new WebSocketFrames.Text("{\"type\":\"ping\"}"), inbound(r.session()));
    r.frames()
        .sendNext(new FrameHandler.BinaryMessagePart(ByteString.fromArray(new byte[] {1}), false));
    r.frames()
        .sendNext(new FrameHandler.BinaryMessagePart(ByteString.fromArray(new byte[] {2}), true));
    r.credit().giveBack();
    WebSocketFrames.In bin = inbound(r.session());
    assertEquals(
        ByteString.fromArray(new byte[] {1, 2}), ((WebSocketFrames.Binary) bin).bytes(), "binary");
  }

  @Test
  void aMessageOverTheLimitArrivesAsTooLargeAndTheNextOneIsWhole() {
    Run r = run(new SessionBridge.Outbox(16), 10, NO_TICKS);
    r.frames().sendNext(text("0123456", false));
    r.frames().sendNext(text("789abcdef", true));
    assertEquals(new WebSocketFrames.TooLarge(16, false), inbound(r.session()));
    r.credit().giveBack();
    r.frames().sendNext(text("short", true));
    assertEquals(new WebSocketFrames.Text("short"), inbound(r.session()));
  }

  @Test
  void noMoreThanTheWindowWaitsForTheSessionAndReadingGoesOnAsItGivesCreditBack() {
    Run r = run();
    for (int i = 0; i < 5; i++) r.frames().unsafeSendNext(text("m" + i, true));
    // the stage pulls one part at a time: it has taken m0 and m1 and stopped reading
    assertEquals(new WebSocketFrames.Text("m0"), inbound(r.session()));
    assertEquals(new WebSocketFrames.Text("m1"), inbound(r.session()));
    r.session().expectNoMessage(Duration.ofMillis(300));
    r.credit().giveBack();
    assertEquals(new WebSocketFrames.Text("m2"), inbound(r.session()));
    r.session().expectNoMessage(Duration.ofMillis(200));
    r.credit().giveBack();
    r.credit().giveBack();
    assertEquals(new WebSocketFrames.Text("m3"), inbound(r.session()));
    assertEquals(new WebSocketFrames.Text("m4"), inbound(r.session()));
  }

  @Test
  void controlEventsGoStraightBackToTheFrameHandlerBeforeTheSessionsFrames() {
    Run r = run();
    FrameHandler.Output pong =
        new FrameHandler.DirectAnswer(
            akka.http.impl.engine.ws.FrameEvent$.MODULE$.fullFrame(
                akka.http.impl.engine.ws.Protocol.Opcode$.MODULE$.forCode((byte) 10),
                Option.empty(),
                ByteString.emptyByteString(),
                true,
                false,
                false,
                false));
    r.frames().sendNext(pong);
    r.outbox().offer(new WebSocketFrames.Send("event"));
    r.toHandler().request(2);
    assertEquals(pong, r.toHandler().expectNext(), "the control event first");
    assertEquals("event", sentText(r.toHandler().expectNext()));
    r.session().expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void thePeersCloseEndsTheSessionsInputAndItsOutputAfterTheCloseIsPassedOn() {
    Run r = run();
    FrameHandler.PeerClosed closed = new FrameHandler.PeerClosed(Option.apply(1000), "bye");
    r.toHandler().request(3);
    r.frames().sendNext(closed);
    assertEquals(closed, r.toHandler().expectNext());
    r.session().expectMessageClass(Session.InboundDone.class);
    assertEquals(FrameHandler.UserHandlerCompleted$.MODULE$, r.toHandler().expectNext());
    assertEquals(
        QueueOfferResult.QueueClosed$.MODULE$,
        r.outbox().offer(new WebSocketFrames.Send("too late")),
        "a frame after the close is not sent");
    r.frames().sendNext(text("ignored", true));
    r.session().expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void theSessionsCloseBecomesAnActiveCloseAndNothingAfterItIsSent() {
    Run r = run();
    r.outbox().offer(new WebSocketFrames.Send("last words"));
    r.outbox().offer(new WebSocketFrames.Close(4401, "unauthorized"));
    r.outbox().complete();
    assertThrows(
        IllegalStateException.class,
        () -> r.outbox().offer(new WebSocketFrames.Send("late")),
        "a completed outbox takes nothing more");
    r.toHandler().request(4);
    assertEquals("last words", sentText(r.toHandler().expectNext()));
    FrameHandler.ActivelyCloseWithCode close =
        (FrameHandler.ActivelyCloseWithCode) r.toHandler().expectNext();
    assertEquals(Option.apply(4401), close.code());
    assertEquals("unauthorized", close.reason());
    assertEquals(FrameHandler.UserHandlerCompleted$.MODULE$, r.toHandler().expectNext());
    r.toHandler().expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aCompletedOutboxIsSentOutThenCompletes() {
    Run r = run();
    r.outbox().offer(new WebSocketFrames.Send("one"));
    r.outbox().complete();
    r.toHandler().request(3);
    assertEquals("one", sentText(r.toHandler().expectNext()));
    assertEquals(FrameHandler.UserHandlerCompleted$.MODULE$, r.toHandler().expectNext());
  }

  @Test
  void aFailedOutboxFailsTheConnectionAndTheSessionHearsTheEnd() {
    Run r = run();
    r.toHandler().request(1);
    r.outbox().fail(new IllegalStateException("client does not read"));
    assertEquals("client does not read", r.toHandler().expectError().getMessage());
    r.session().expectMessageClass(Session.InboundDone.class);
  }

  @Test
  void theEndOfTheInputEndsTheSessionOnceAndTheTicksGoOn() {
    Run r = run(new SessionBridge.Outbox(16), 1000, Duration.ofMillis(100));
    r.frames().sendComplete();
    r.session().expectMessageClass(Session.InboundDone.class);
    r.toHandler().request(3);
    assertEquals(FrameHandler.UserHandlerCompleted$.MODULE$, r.toHandler().expectNext());
    assertEquals(WebSocket.Tick$.MODULE$, r.toHandler().expectNext());
    r.toHandler().cancel();
    r.session().expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aFrameHandlerThatStopsReadingEndsTheSession() {
    Run r = run();
    r.toHandler().cancel();
    r.session().expectMessageClass(Session.InboundDone.class);
    r.frames().expectCancellation();
    assertTrue(
        r.outbox().offer(new WebSocketFrames.Send("x")) == QueueOfferResult.QueueClosed$.MODULE$,
        "offers after the end are refused as closed");
  }
}
