package treasurehunt.gateway;

import akka.stream.BoundedSourceQueue;
import akka.stream.QueueOfferResult;
import java.util.ArrayDeque;

/**
 * A connection's outbound queue before and after its stream runs: the session gets this at once and
 * offers to it; the {@code Source.queue} inside the connection's own flow is {@link #attach
 * attached} when Akka HTTP materializes that flow, and from then on every offer goes straight to
 * it. What the session offered before (at most {@code capacity} frames, as the real queue would
 * hold; more are {@code dropped}) is offered first, in order, and a {@code complete} or {@code
 * fail} asked for before is passed on after it.
 *
 * <p>Why not a queue materialized on its own ({@code preMaterialize}, as before): that queue ran
 * its own stream, so every frame to a client crossed from that stream's actor to the connection's
 * through a reactive-streams boundary ({@code ActorOutputBoundary} → {@code
 * BatchingActorInputBoundary}): one more actor, message and thread hand-off per frame. Inside the
 * connection's flow an offer wakes the connection's own stream directly (BENCHMARKS.md, issue 13,
 * "The outbound queue inside the connection's stream").
 *
 * <p>Offers come from the session's thread; {@code attach} from the materializing thread, once.
 * Before the attach, offers take the lock; after it, a volatile read.
 */
final class LateQueue<T> implements BoundedSourceQueue<T> {

  private final int capacity;
  private volatile BoundedSourceQueue<T> queue;
  private ArrayDeque<T> pending = new ArrayDeque<>();
  private Throwable failure;
  private boolean completed;

  LateQueue(int capacity) {
    this.capacity = capacity;
  }

  /** The connection's stream runs: {@code q} is its queue; what waits goes first. */
  void attach(BoundedSourceQueue<T> q) {
    synchronized (this) {
      if (queue != null) throw new IllegalStateException("attached twice");
      for (T t : pending) q.offer(t);
      pending = null;
      if (failure != null) q.fail(failure);
      else if (completed) q.complete();
      queue = q;
    }
  }

  @Override
  public QueueOfferResult offer(T t) {
    BoundedSourceQueue<T> q = queue;
    if (q != null) return q.offer(t);
    synchronized (this) {
      if (queue != null) return queue.offer(t);
      if (completed || failure != null) throw new IllegalStateException("queue completed");
      if (pending.size() >= capacity) return QueueOfferResult.dropped();
      pending.add(t);
      return QueueOfferResult.enqueued();
    }
  }

  @Override
  public void complete() {
    BoundedSourceQueue<T> q = queue;
    if (q != null) {
      q.complete();
      return;
    }
    synchronized (this) {
      if (queue != null) queue.complete();
      else if (completed || failure != null) throw new IllegalStateException("queue completed");
      else completed = true;
    }
  }

  @Override
  public void fail(Throwable ex) {
    BoundedSourceQueue<T> q = queue;
    if (q != null) {
      q.fail(ex);
      return;
    }
    synchronized (this) {
      if (queue != null) queue.fail(ex);
      else if (completed || failure != null) throw new IllegalStateException("queue completed");
      else failure = ex;
    }
  }

  @Override
  public int size() {
    BoundedSourceQueue<T> q = queue;
    if (q != null) return q.size();
    synchronized (this) {
      return queue != null ? queue.size() : pending.size();
    }
  }
}
