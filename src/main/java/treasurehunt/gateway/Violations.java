package treasurehunt.gateway;

/**
 * A connection's refused and rate-limited frames (docs/protocol.md §9): more than {@code max}
 * within ten seconds and its session closes it with 1008. Not thread-safe: one per session, used on
 * its actor's thread. Times are {@link System#nanoTime()} readings, passed in so that a test
 * controls the clock.
 */
final class Violations {
  private static final long WINDOW_NANOS = 10_000_000_000L;

  private final int max;
  private int count;
  private long since;

  /** None yet; the first window starts at {@code nowNanos}. */
  Violations(int max, long nowNanos) {
    this.max = max;
    this.since = nowNanos;
  }

  /** Counts one at {@code nowNanos}; true when its window now holds more than {@code max}. */
  boolean count(long nowNanos) {
    if (nowNanos - since > WINDOW_NANOS) {
      since = nowNanos;
      count = 0;
    }
    return ++count > max;
  }
}
