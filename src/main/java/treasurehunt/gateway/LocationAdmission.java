package treasurehunt.gateway;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control for location reports, node-wide: at most {@code limit} reports from this node's
 * sessions wait for their Player entities at once. Past it a report is answered {@code overloaded}
 * with {@code retryAfterMs} at once, before it costs a persist, instead of joining a queue that
 * would only grow until asks time out and the journal's circuit breaker opens (the collapse
 * BENCHMARKS.md measured without it).
 *
 * <p>Why a concurrency limit, and why only location reports: by Little's law, in-flight reports =
 * rate × latency, so a bound on the first bounds the queueing delay at whatever rate the node
 * sustains (1,000 at ~4,000 reports/s: at most ~250 ms of queue). Location reports are the one
 * command that is safe to shed: the phone has a newer fix a moment later, nothing is lost by
 * dropping this one, and the shed report never reached an entity, so resending its id is not a
 * duplicate. Joins, claims and chat are rarer and carry intent; they keep the per-connection
 * back-pressure only.
 *
 * <p>One {@link AtomicInteger} per node: an increment and a decrement per report, nothing
 * O(players).
 */
public final class LocationAdmission {

  private final int limit;
  private final long retryAfterMs;
  private final AtomicInteger inFlight = new AtomicInteger();

  public LocationAdmission(int limit, long retryAfterMs) {
    this.limit = limit;
    this.retryAfterMs = retryAfterMs;
  }

  /** Admits one report, or returns false when {@code limit} are already waiting. */
  public boolean tryAdmit() {
    if (inFlight.incrementAndGet() <= limit) return true;
    inFlight.decrementAndGet();
    return false;
  }

  /** One admitted report was answered (or timed out). */
  public void done() {
    inFlight.decrementAndGet();
  }

  /** A stopping session returns the reports it still had waiting. */
  public void done(int reports) {
    if (reports > 0) inFlight.addAndGet(-reports);
  }

  /** A session's share of the node's admission: what it holds is returned when it stops. */
  Share share() {
    return new Share();
  }

  /** The reports one session had admitted and not answered yet. Used on its actor's thread. */
  final class Share {
    private int held;

    /** As {@link LocationAdmission#tryAdmit}, held by this session until answered. */
    boolean tryAdmit() {
      if (!LocationAdmission.this.tryAdmit()) return false;
      held++;
      return true;
    }

    /** One of this session's admitted reports was answered (or timed out). */
    void answered() {
      if (held == 0) return;
      held--;
      done();
    }

    /** The session stopped: the reports it still had waiting are returned. */
    void release() {
      done(held);
      held = 0;
    }
  }

  public int inFlight() {
    return inFlight.get();
  }

  public long retryAfterMs() {
    return retryAfterMs;
  }
}
