package treasurehunt.gateway;

import akka.stream.BoundedSourceQueue;
import akka.stream.QueueOfferResult;
import akka.stream.SharedKillSwitch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import treasurehunt.metrics.Metrics;

/**
 * A connection's way out: the bounded queue of frames to the socket, bounded in frames ({@code
 * outbound-buffer}) and in bytes ({@code outbound-buffer-bytes}, as encoded: UTF-8 JSON or CBOR). A
 * client that does not read until either bound would be passed is dropped at once (the kill
 * switch), so a slow client costs the node no more than its buffer, whatever the size of its
 * frames. One frame larger than the byte bound still goes out when nothing else waits.
 *
 * <p>Delivery of what a client asked to catch up on (a resume's events) is paced: it is sent only
 * while less than half of either bound waits ({@link #room}); when the client has read enough of
 * it, the {@link Meter} — counted down by the stream stage that takes frames out of the queue —
 * tells the session ({@link Drained}) and delivery goes on. Live events are never held back by
 * this: only a client that reads slower than its hunt publishes reaches the bound.
 *
 * <p>Used on the session's thread only, except the meter's count-down.
 */
final class Outbound {

  /** The client has read enough for paced delivery to go on (from {@link Meter}). */
  enum Drained implements Session.Msg {
    INSTANCE
  }

  /**
   * What waits in the queue, in frames and bytes: counted up by the session as it queues a frame
   * and down by the stream as it takes one out ({@link #taken}, placed right after the queue in the
   * connection's flow).
   */
  static final class Meter {
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger frames = new AtomicInteger();
    private final AtomicBoolean waiting = new AtomicBoolean();
    private volatile long lowBytes = Long.MAX_VALUE;
    private volatile int lowFrames = Integer.MAX_VALUE;
    private volatile Runnable onRoom = () -> {};

    /** The stream took {@code out} out of the queue: count it down, wake a waiting session. */
    WebSocketFrames.Out taken(WebSocketFrames.Out out) {
      if (out instanceof WebSocketFrames.Send s) {
        bytes.addAndGet(-s.data().length());
        frames.decrementAndGet();
        if (waiting.get() && room() && waiting.compareAndSet(true, false)) onRoom.run();
      }
      return out;
    }

    boolean room() {
      return bytes.get() < lowBytes && frames.get() < lowFrames;
    }

    long bytes() {
      return bytes.get();
    }
  }

  private final BoundedSourceQueue<WebSocketFrames.Out> queue;
  private final Meter meter;
  private final SharedKillSwitch kill;
  private final Metrics metrics;
  private final long maxBytes;

  /** Nothing more is sent: closed, or dropped. */
  private boolean closed;

  /** The queue was completed or failed: offers would throw. */
  private boolean queueDone;

  /**
   * When a frame last went into the queue (nanoTime): a heartbeat is needed only after a silence.
   */
  private long lastSent = System.nanoTime();

  Outbound(
      BoundedSourceQueue<WebSocketFrames.Out> queue,
      Meter meter,
      SharedKillSwitch kill,
      Metrics metrics,
      int maxFrames,
      long maxBytes,
      Runnable onRoom) {
    this.queue = queue;
    this.meter = meter;
    this.kill = kill;
    this.metrics = metrics;
    this.maxBytes = maxBytes;
    meter.lowBytes = Math.max(1, maxBytes / 2);
    meter.lowFrames = Math.max(1, maxFrames / 2);
    meter.onRoom = onRoom;
  }

  boolean closed() {
    return closed;
  }

  /** Queues a JSON text frame; as {@link #send(WebSocketFrames.Send)}. */
  boolean send(String json) {
    return send(new WebSocketFrames.Send(json));
  }

  /** Queues a frame (nothing once closed); false: the client does not read, it was dropped. */
  boolean send(WebSocketFrames.Send frame) {
    if (closed) return true;
    int size = frame.data().length();
    long waiting = meter.bytes();
    if (waiting > 0 && waiting + size > maxBytes) {
      drop();
      return false;
    }
    meter.bytes.addAndGet(size);
    meter.frames.incrementAndGet();
    return offer(frame);
  }

  /**
   * Whether paced delivery may send now (less than half of either bound waits); when not, the
   * session gets {@link Drained} once it may.
   */
  boolean room() {
    if (closed || meter.room()) return true;
    meter.waiting.set(true);
    // the stream may have taken frames between the check and the flag: look again
    return meter.room() && meter.waiting.compareAndSet(true, false);
  }

  /**
   * A heartbeat, unless a frame went to the client within {@code silenceNanos} of {@code now} (any
   * frame keeps the connection's path open and shows it alive as well as a ping would, and a
   * phone's radio wakes once less); false as for {@link #send}.
   */
  boolean heartbeat(long now, long silenceNanos) {
    if (now - lastSent < silenceNanos) return true;
    return offer(new WebSocketFrames.Ping());
  }

  /**
   * Queues the close frame and completes the queue: the stream ends after the close handshake.
   * False as for {@link #send}.
   */
  boolean close(int code, String reason) {
    boolean read = offer(new WebSocketFrames.Close(code, reason));
    closed = true;
    complete();
    return read;
  }

  /** Completes the queue (the session stopped). */
  void complete() {
    if (queueDone) return;
    queueDone = true;
    try {
      queue.complete();
    } catch (IllegalStateException alreadyEnded) {
      // the connection's stream failed or ended first: nothing to complete
    }
  }

  private boolean offer(WebSocketFrames.Out frame) {
    if (queueDone) return true;
    QueueOfferResult result;
    try {
      result = queue.offer(frame);
    } catch (IllegalStateException completedOrFailed) {
      queueDone = true; // the connection's stream has ended: nothing more to send
      return true;
    }
    if (result == QueueOfferResult.enqueued()) {
      lastSent = System.nanoTime();
      if (frame instanceof WebSocketFrames.Send) metrics.frameOut();
    } else if (result == QueueOfferResult.dropped()) {
      drop();
      return false;
    }
    return true;
  }

  /**
   * The client stopped reading and its buffer is full: drop the connection, keep the node's memory.
   */
  private void drop() {
    closed = true;
    queueDone = true;
    kill.abort(new IllegalStateException("client does not read its frames"));
  }

  /** The UTF-8 size of a string, without encoding it. */
  static int utf8Length(String s) {
    int n = s.length();
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) bytes += 1;
        else if (Character.isHighSurrogate(c) && i + 1 < n) {
          bytes += 2; // four bytes for the pair of two chars
          i++;
        } else bytes += 2;
      }
    }
    return bytes;
  }
}
