package treasurehunt.gateway;

import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.stream.Attributes;
import akka.stream.Inlet;
import akka.stream.SinkShape;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The end of a connection's inbound stream: hands each client message to the connection's {@link
 * Session} and reads the next one while fewer than {@link #WINDOW} wait for the session.
 *
 * <p>It replaces Akka's {@code ActorSink.actorRefWithBackpressure}, whose ack protocol costs every
 * frame a second message (the session's ack to the stage) and a wake-up of the stream
 * (BENCHMARKS.md, issue 13, "fewer hops and allocations per report"). Here the session gives its
 * {@link Credit} back by counting down an atomic; the stream is woken only when it stopped reading
 * because the window was full. So a client that sends one frame and waits for its answer costs one
 * message per frame, and the bound is kept: at most {@link #WINDOW} frames of a connection wait in
 * its session's mailbox, and a session that holds its credit (more than {@code max-in-flight}
 * commands unanswered) stops the reading, as the ack did.
 */
final class SessionInbox extends GraphStage<SinkShape<WebSocketFrames.In>> {

  /**
   * Frames of one connection that may wait for its session: two, so a client that waits for each
   * answer never waits for the stream, and a pipelining client is held to two frames (each at most
   * {@code max-frame-bytes}) in the node's memory.
   */
  static final int WINDOW = 2;

  /**
   * What the session owes the stream: counted up by the stage per frame handed over, down by the
   * session once it has taken the frame (and is not holding it back). Thread-safe: the stage and
   * the session run on different threads.
   */
  static final class Credit {
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicBoolean stalled = new AtomicBoolean();
    private volatile AsyncCallback<NotUsed> wake;

    /** The stage handed a frame over; true: it may read the next one at once. */
    private boolean handedOver() {
      if (waiting.incrementAndGet() < WINDOW) return true;
      stalled.set(true);
      // the session may have given credit back between the count and the flag: look again
      return waiting.get() < WINDOW && stalled.compareAndSet(true, false);
    }

    /** The session took a frame: the stream may read another; wakes it if it stopped. */
    void giveBack() {
      if (waiting.decrementAndGet() < WINDOW && stalled.get() && stalled.compareAndSet(true, false))
        wake.invoke(NotUsed.getInstance());
    }
  }

  private final Inlet<WebSocketFrames.In> in = Inlet.create("SessionInbox.in");
  private final SinkShape<WebSocketFrames.In> shape = SinkShape.of(in);
  private final ActorRef<Session.Msg> session;
  private final Credit credit;

  SessionInbox(ActorRef<Session.Msg> session, Credit credit) {
    this.session = session;
    this.credit = credit;
  }

  @Override
  public SinkShape<WebSocketFrames.In> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                session.tell(new Session.Inbound(grab(in)));
                if (credit.handedOver()) pull(in);
              }

              @Override
              public void onUpstreamFinish() {
                session.tell(new Session.InboundDone());
                completeStage();
              }

              @Override
              public void onUpstreamFailure(Throwable ex) {
                session.tell(new Session.InboundDone());
                failStage(ex);
              }
            });
      }

      @Override
      public void preStart() {
        credit.wake =
            createAsyncCallback(
                x -> {
                  if (!isClosed(in) && !hasBeenPulled(in)) pull(in);
                });
        pull(in);
      }
    };
  }
}
