package treasurehunt.gateway;

/**
 * Players already in come first (issue 13): when the node is busy, arrivals — new WebSocket
 * connections, hellos and joins of a hunt — are admitted at a controlled rate, node-wide, and the
 * rest are answered {@code overloaded} with {@code retryAfterMs} (a connection refused at its
 * handshake gets HTTP 503 with {@code Retry-After}). While the node is not busy every arrival is
 * admitted at once, so a reconnect storm on a quiet node is limited by nothing but the work itself.
 *
 * <p>Busy means: at least {@code busyInFlight} location reports of players already in are waiting
 * for their Player entities ({@link LocationAdmission#inFlight()}). By Little's law that number is
 * the reports' rate times their latency, so it rises as soon as arrivals start to slow the players
 * already in (e.g. 64 in flight at 2,000 reports/s is 32 ms of latency), and falls again as the
 * arrivals are paced. Location reports are never paced here: they are what the players already in
 * send.
 *
 * <p>One lock, taken only by arrivals and only while the node is busy; nothing O(players).
 */
public final class ArrivalAdmission {

  private final LocationAdmission load;
  private final int busyInFlight;
  private final TokenBucket bucket;
  private final long minRetryAfterMs;

  /**
   * {@code ratePerSecond} arrivals a second while busy (at most {@code burst} at once); {@code
   * busyInFlight} 0 or less turns the pacing off.
   */
  public ArrivalAdmission(
      LocationAdmission load,
      int busyInFlight,
      double ratePerSecond,
      int burst,
      long minRetryAfterMs,
      long nowNanos) {
    this.load = load;
    this.busyInFlight = busyInFlight;
    this.bucket = new TokenBucket(ratePerSecond, Math.max(1, burst), nowNanos);
    this.minRetryAfterMs = minRetryAfterMs;
  }

  /**
   * Admits one arrival at {@code nowNanos}; returns 0 when admitted, else the milliseconds after
   * which to try again.
   */
  public long tryAdmit(long nowNanos) {
    if (busyInFlight <= 0 || load.inFlight() < busyInFlight) return 0;
    synchronized (bucket) {
      if (bucket.take(nowNanos)) return 0;
      return Math.max(minRetryAfterMs, bucket.retryAfterMs());
    }
  }

  /** Whether the node counts as busy now. */
  public boolean busy() {
    return busyInFlight > 0 && load.inFlight() >= busyInFlight;
  }
}
