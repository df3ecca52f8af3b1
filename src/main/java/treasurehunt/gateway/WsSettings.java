package treasurehunt.gateway;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The WebSocket gateway's settings (treasure-hunt.ws in http.conf, where each is explained), read
 * once. {@code positionsInterval} and {@code streamSyncInterval} pace the node's {@link HuntFeeds};
 * {@code huntIdleTimeout} stops the feeds and topics of hunts nobody follows. {@code
 * connectionsPerPlayer} is treasure-hunt.limits.connections-per-player (limits.conf).
 */
public record WsSettings(
    int maxFrameBytes,
    double ratePerSecond,
    double burst,
    int maxViolations,
    Duration helloTimeout,
    Duration idleTimeout,
    Duration heartbeatInterval,
    int maxConnections,
    int outboundBuffer,
    long outboundBytes,
    int maxInFlight,
    int maxLocationsInFlight,
    int arrivalsBusyInFlight,
    double arrivalsPerSecond,
    int arrivalsBurst,
    int maxFollows,
    int maxHeldEvents,
    int maxResumeEvents,
    int maxJournalReads,
    int fillPage,
    Duration journalReadTimeout,
    Duration maxClockSkew,
    Duration retryAfter,
    Duration shutdownGrace,
    Duration positionsInterval,
    Duration streamSyncInterval,
    Duration huntIdleTimeout,
    int feedWindow,
    int connectionsPerPlayer,
    boolean straightReports,
    Duration straightReportsFeedEvery) {

  public static WsSettings from(Config config) {
    Config ws = config.getConfig("treasure-hunt.ws");
    return new WsSettings(
        (int) ws.getBytes("max-frame-bytes").longValue(),
        ws.getDouble("rate-per-second"),
        ws.getDouble("burst"),
        ws.getInt("max-violations"),
        ws.getDuration("hello-timeout"),
        ws.getDuration("idle-timeout"),
        ws.getDuration("heartbeat-interval"),
        ws.getInt("max-connections"),
        ws.getInt("outbound-buffer"),
        ws.getBytes("outbound-buffer-bytes"),
        ws.getInt("max-in-flight"),
        ws.getInt("max-locations-in-flight"),
        ws.getInt("arrivals.busy-in-flight"),
        ws.getDouble("arrivals.per-second"),
        ws.getInt("arrivals.burst"),
        ws.getInt("max-follows"),
        ws.getInt("max-held-events"),
        ws.getInt("max-resume-events"),
        ws.getInt("max-journal-reads"),
        ws.getInt("fill-page"),
        ws.getDuration("journal-read-timeout"),
        ws.getDuration("max-clock-skew"),
        ws.getDuration("retry-after"),
        ws.getDuration("shutdown-grace"),
        ws.getDuration("positions-interval"),
        ws.getDuration("stream-sync-interval"),
        ws.getDuration("hunt-idle-timeout"),
        ws.getInt("feed-window"),
        config.getInt("treasure-hunt.limits.connections-per-player"),
        ws.getBoolean("straight-reports"),
        feedEvery(config, ws.getDuration("straight-reports-feed-every")));
  }

  /**
   * How often a session sends a report through sharding to keep its player's entity from idle
   * passivation ({@link PlayerRoute}): {@code configured}, or 0s for a quarter of sharding's idle
   * timeout (none when that is off).
   */
  private static Duration feedEvery(Config config, Duration configured) {
    if (!configured.isZero()) return configured;
    String path = "akka.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout";
    try {
      return config.getDuration(path).dividedBy(4);
    } catch (RuntimeException off) { // "off": no idle passivation, nothing to feed
      return Duration.ofDays(365);
    }
  }
}
