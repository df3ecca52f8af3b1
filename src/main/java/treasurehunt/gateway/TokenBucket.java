package treasurehunt.gateway;

/**
 * A connection's rate limit (docs/protocol.md §9): {@code ratePerSecond} tokens a second, at most
 * {@code burst} saved up, one per frame. Not thread-safe: one per session, used on its actor's
 * thread. Times are {@link System#nanoTime()} readings, passed in so that a test controls the
 * clock.
 */
final class TokenBucket {
  private final double ratePerSecond;
  private final double burst;
  private double tokens;
  private long refilledAt;

  /** A full bucket at {@code nowNanos}. */
  TokenBucket(double ratePerSecond, double burst, long nowNanos) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.tokens = burst;
    this.refilledAt = nowNanos;
  }

  /** Takes one token if there is one. */
  boolean take(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - refilledAt) / 1e9 * ratePerSecond);
    refilledAt = nowNanos;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token (at least 1), after a refused {@link #take}. */
  long retryAfterMs() {
    return Math.max(1, (long) Math.ceil((1 - tokens) * 1000 / ratePerSecond));
  }
}
