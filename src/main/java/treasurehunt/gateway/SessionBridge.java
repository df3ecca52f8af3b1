package treasurehunt.gateway;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.http.impl.engine.ws.FrameHandler;
import akka.http.impl.engine.ws.WebSocket;
import akka.stream.Attributes;
import akka.stream.BoundedSourceQueue;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.QueueOfferResult;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.stream.stage.TimerGraphStageLogic;
import akka.util.ByteString;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connection's own stage, between Akka's WebSocket frame handling and its {@link Session}: one
 * stage where the connection's flow had fourteen (a broadcast of the frame handler's output into a
 * control branch and a message branch, the message assembly, the session's inbox, a {@code
 * Source.queue}, the outbound meter, a take-while for the close, the rendering, a concat, a merge
 * with a tick source, and the coupled-termination pair around the session's flow). Every client
 * frame and every frame to the client passed through five to seven of them, and each was ~300 bytes
 * of heap per connection that a surge of newcomers makes the collector copy (BENCHMARKS.md, issue
 * 13, "session 18"). It does what they did, in the same order:
 *
 * <ul>
 *   <li><b>In</b>: control events of the frame handler ({@link FrameHandler.BypassEvent}: pongs,
 *       the peer's close) go straight back out to it; the parts of a text or binary message are
 *       assembled (refusing, but draining, any above the size limit: {@link
 *       WebSocketFrames.TooLarge}) and each message is told to the session. At most {@link #WINDOW}
 *       wait for the session: the session gives its {@link Credit} back as it takes them, and the
 *       stage stops reading while the window is full (control events included, as the broadcast
 *       did). When the peer closes or the input ends, the session is told {@link
 *       Session.InboundDone} and nothing more is delivered to it.
 *   <li><b>Out</b>: the session's frames, from the connection's {@link Outbox}, are counted off the
 *       {@link Outbound.Meter} and rendered ({@link WebSocketFrames#render}); {@link
 *       WebSocketFrames.Close} becomes Akka's "actively close with code", after which the outbox is
 *       closed and the frame handler is told the user handler completed. A completed outbox is sent
 *       out first, then completes the same way; a failed one fails the connection.
 *   <li>A tick every {@code tickEvery} for the frame handler's close-handshake deadline.
 * </ul>
 *
 * <p>A control event waiting for the frame handler to pull goes out before the session's next
 * frame, and reading stops until it has gone (so at most one waits). Like {@link WebSocketFrames},
 * this class uses Akka HTTP's internal WebSocket API (the versions are pinned in pom.xml); {@code
 * SessionBridgeTest} drives the stage directly and {@code WebSocketGatewayTest} through real
 * sockets.
 */
final class SessionBridge extends GraphStage<FlowShape<FrameHandler.Output, Object>> {

  /**
   * Frames of one connection that may wait for its session: two, so a client that waits for each
   * answer never waits for the stream, and a pipelining client is held to two frames (each at most
   * {@code max-frame-bytes}) in the node's memory.
   */
  static final int WINDOW = 2;

  /**
   * What the session owes the stream: counted up by the stage per frame handed over, down by the
   * session once it has taken the frame (and is not holding it back). Thread-safe: the stage and
   * the session run on different threads. The stream is woken only when it stopped reading because
   * the window was full, so a client that sends one frame and waits for its answer costs one
   * message per frame.
   */
  static final class Credit {
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicBoolean stalled = new AtomicBoolean();
    private volatile AsyncCallback<Done> wake;

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
        wake.invoke(Done.getInstance());
    }
  }

  /**
   * The connection's outbound queue, bounded in frames: the session offers to it from its own
   * thread, before the stream runs as well as after (what was offered before goes out first, in
   * order); the stage takes from it. An offer wakes the stream only when the stage waits for a
   * frame ({@link #offer}), so frames offered while the stage is busy cost no message. Past its
   * capacity an offer is {@code dropped}; once the stream has ended, {@code QueueClosed}; after the
   * session completed or failed it, an {@link IllegalStateException} (as Akka's {@code
   * Source.queue}).
   */
  static final class Outbox implements BoundedSourceQueue<WebSocketFrames.Out> {
    private final int capacity;
    private final ConcurrentLinkedQueue<WebSocketFrames.Out> frames = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean waiting = new AtomicBoolean();
    private volatile AsyncCallback<Done> wake;
    private volatile boolean completed;
    private volatile Throwable failure;
    private volatile boolean ended;

    Outbox(int capacity) {
      this.capacity = capacity;
    }

    @Override
    public QueueOfferResult offer(WebSocketFrames.Out frame) {
      if (completed || failure != null) throw new IllegalStateException("the queue was completed");
      if (ended) return QueueOfferResult.QueueClosed$.MODULE$;
      if (size.incrementAndGet() > capacity) {
        size.decrementAndGet();
        return QueueOfferResult.dropped();
      }
      frames.add(frame);
      wakeIfWaiting();
      return QueueOfferResult.enqueued();
    }

    @Override
    public void complete() {
      if (completed || failure != null) throw new IllegalStateException("the queue was completed");
      completed = true;
      wakeIfWaiting();
    }

    @Override
    public void fail(Throwable ex) {
      if (completed || failure != null) throw new IllegalStateException("the queue was completed");
      failure = ex;
      wakeIfWaiting();
    }

    @Override
    public int size() {
      return size.get();
    }

    private void wakeIfWaiting() {
      if (!ended && waiting.get() && waiting.compareAndSet(true, false)) {
        AsyncCallback<Done> w = wake;
        if (w != null) w.invoke(Done.getInstance());
      }
    }

    /** The next frame, or null (the stage's thread only). */
    private WebSocketFrames.Out poll() {
      WebSocketFrames.Out f = frames.poll();
      if (f != null) size.decrementAndGet();
      return f;
    }

    /**
     * Nothing waits: the stage asks to be woken by the next offer, end or failure; true if one came
     * between its look and the flag (then it looks again at once).
     */
    private boolean sleep() {
      waiting.set(true);
      if ((frames.isEmpty() && !completed && failure == null)
          || !waiting.compareAndSet(true, false)) return false;
      return true;
    }

    /** The stream no longer takes frames: later offers are {@code QueueClosed}. */
    private void end() {
      ended = true;
      waiting.set(false); // a stopped stage is not woken
      frames.clear();
      size.set(0);
    }
  }

  private final Inlet<FrameHandler.Output> in = Inlet.create("SessionBridge.in");
  private final Outlet<Object> out = Outlet.create("SessionBridge.out");
  private final FlowShape<FrameHandler.Output, Object> shape = FlowShape.of(in, out);
  private final ActorRef<Session.Msg> session;
  private final Credit credit;
  private final Outbox outbox;
  private final Outbound.Meter meter;
  private final int maxMessageBytes;
  private final Duration tickEvery;

  /**
   * {@code session}: told every client message and, at the end, {@link Session.InboundDone}; null:
   * the client's messages are read and dropped (a connection refused with a last frame). {@code
   * meter}: counted down for every frame taken out of {@code outbox}.
   */
  SessionBridge(
      ActorRef<Session.Msg> session,
      Credit credit,
      Outbox outbox,
      Outbound.Meter meter,
      int maxMessageBytes,
      Duration tickEvery) {
    this.session = session;
    this.credit = credit;
    this.outbox = outbox;
    this.meter = meter;
    this.maxMessageBytes = maxMessageBytes;
    this.tickEvery = tickEvery;
  }

  @Override
  public FlowShape<FrameHandler.Output, Object> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends TimerGraphStageLogic {
    // the message being assembled
    private final StringBuilder text = new StringBuilder();
    private ByteString data = ByteString.emptyByteString();
    private long bytes;
    private boolean binary;
    private boolean tooLarge;

    /** A control event the frame handler has not pulled yet (reading waits for it). */
    private Object control;

    /** Messages still go to the session (until the peer closes or the input ends). */
    private boolean delivering = true;

    /** The session may be handed another message now (false while its window is full). */
    private boolean mayHandOver = true;

    /** The session's frames are over: the outbox is not read any more. */
    private boolean userDone;

    /** The frame handler is still to be told the user handler completed. */
    private boolean tellCompleted;

    private boolean tickDue;
    private boolean inboundDoneTold;

    Logic() {
      super(shape);
      setHandler(
          in,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              FrameHandler.Output part = grab(in);
              if (part instanceof FrameHandler.BypassEvent) {
                if (isAvailable(out)) push(out, part);
                else control = part;
                if (part instanceof FrameHandler.PeerClosed) inputOver();
              } else if (delivering) {
                WebSocketFrames.In message = accept(part);
                if (message != null) handOver(message);
              }
              read();
            }

            @Override
            public void onUpstreamFinish() {
              // the frame handler's output ended: as the peer's close (the ticks go on, as before)
              inputOver();
            }

            @Override
            public void onUpstreamFailure(Throwable ex) {
              tellInboundDone();
              failStage(ex);
            }
          });
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              emit();
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              tellInboundDone();
              cancelStage(cause);
            }
          });
    }

    @Override
    public void preStart() {
      credit.wake =
          createAsyncCallback(
              d -> {
                mayHandOver = true;
                read();
              });
      outbox.wake = createAsyncCallback(d -> emit());
      scheduleWithFixedDelay("tick", tickEvery, tickEvery);
      read();
    }

    @Override
    public void onTimer(Object key) {
      tickDue = true;
      emit();
    }

    @Override
    public void postStop() {
      tellInboundDone();
      outbox.end();
    }

    /** Pulls the next part unless one is pulled, a control event waits, or the window is full. */
    private void read() {
      if (control == null && (mayHandOver || !delivering) && !isClosed(in) && !hasBeenPulled(in))
        pull(in);
    }

    private void handOver(WebSocketFrames.In message) {
      if (session == null) return;
      session.tell(new Session.Inbound(message));
      mayHandOver = credit.handedOver();
    }

    /** The peer closed (or the input ended): the session hears it once; its outbox is dropped. */
    private void inputOver() {
      if (!delivering) return;
      delivering = false;
      tellInboundDone();
      finishUser();
    }

    private void tellInboundDone() {
      if (inboundDoneTold) return;
      inboundDoneTold = true;
      if (session != null) session.tell(new Session.InboundDone());
    }

    /** No more of the session's frames: the frame handler hears it after what waits for it. */
    private void finishUser() {
      if (userDone) return;
      userDone = true;
      tellCompleted = true;
      outbox.end();
      emit();
    }

    /**
     * Sends what is due, if the frame handler wants it: a waiting control event, else the session's
     * next frame (or the end of them), else a tick.
     */
    private void emit() {
      if (!isAvailable(out)) return;
      if (control != null) {
        Object c = control;
        control = null;
        push(out, c);
        read();
        return;
      }
      if (!userDone) {
        WebSocketFrames.Out frame = outbox.poll();
        if (frame != null) {
          meter.taken(frame);
          push(out, WebSocketFrames.render(frame));
          if (frame instanceof WebSocketFrames.Close) finishUser();
          return;
        }
        Throwable failure = outbox.failure;
        if (failure != null) {
          failStage(failure);
          return;
        }
        if (outbox.completed) {
          finishUser();
          return;
        }
        if (outbox.sleep()) {
          emit(); // a frame came between the look and the flag
          return;
        }
      }
      if (tellCompleted) {
        tellCompleted = false;
        push(out, FrameHandler.UserHandlerCompleted$.MODULE$);
        return;
      }
      if (tickDue) {
        tickDue = false;
        push(out, WebSocket.Tick$.MODULE$);
      }
    }

    /**
     * The message that {@code part} completes, or null (control parts, MessageEnd and the like).
     */
    private WebSocketFrames.In accept(FrameHandler.Output part) {
      if (part instanceof FrameHandler.TextMessagePart t) {
        bytes += t.data().length(); // chars: an upper bound of what matters here
        if (bytes > maxMessageBytes) {
          tooLarge = true;
          text.setLength(0);
        } else if (!tooLarge) text.append(t.data());
        return t.last() ? finish() : null;
      }
      if (part instanceof FrameHandler.BinaryMessagePart bm) {
        binary = true;
        bytes += bm.data().length();
        if (bytes > maxMessageBytes) {
          tooLarge = true;
          data = ByteString.emptyByteString();
        } else if (!tooLarge) data = data.concat(bm.data());
        return bm.last() ? finish() : null;
      }
      return null;
    }

    private WebSocketFrames.In finish() {
      WebSocketFrames.In message =
          tooLarge
              ? new WebSocketFrames.TooLarge(bytes, binary)
              : binary
                  ? new WebSocketFrames.Binary(data.compact())
                  : new WebSocketFrames.Text(text.toString());
      text.setLength(0);
      data = ByteString.emptyByteString();
      bytes = 0;
      binary = false;
      tooLarge = false;
      return message;
    }
  }
}
