package treasurehunt.gateway;

import akka.stream.BoundedSourceQueue;
import akka.stream.QueueOfferResult;
import akka.stream.SharedKillSwitch;
import treasurehunt.metrics.Metrics;

/**
 * A connection's way out: the bounded queue of frames to the socket (outbound-buffer). A client
 * that does not read until the queue is full is dropped at once (the kill switch), so a slow client
 * costs the node no more than its buffer. Used on the session's thread only.
 */
final class Outbound {
  private final BoundedSourceQueue<WebSocketFrames.Out> queue;
  private final SharedKillSwitch kill;
  private final Metrics metrics;

  /** Nothing more is sent: closed, or dropped. */
  private boolean closed;

  /** The queue was completed or failed: offers would throw. */
  private boolean queueDone;

  Outbound(BoundedSourceQueue<WebSocketFrames.Out> queue, SharedKillSwitch kill, Metrics metrics) {
    this.queue = queue;
    this.kill = kill;
    this.metrics = metrics;
  }

  boolean closed() {
    return closed;
  }

  /** Queues a text frame (nothing once closed); false: the client does not read, it was dropped. */
  boolean send(String json) {
    return closed || offer(new WebSocketFrames.Send(json));
  }

  /** A heartbeat; false as for {@link #send}. */
  boolean ping() {
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
      if (frame instanceof WebSocketFrames.Send) metrics.frameOut();
    } else if (result == QueueOfferResult.dropped()) {
      // The client stopped reading and its buffer is full: drop the connection, keep the node's
      // memory.
      closed = true;
      queueDone = true;
      kill.abort(new IllegalStateException("client does not read its frames"));
      return false;
    }
    return true;
  }
}
