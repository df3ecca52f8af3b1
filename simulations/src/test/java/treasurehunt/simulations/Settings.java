package treasurehunt.simulations;

import java.util.Arrays;
import java.util.List;

/**
 * Every knob of a run, read once from system properties ({@code -Dusers=500} on the Maven command
 * line; the Gatling plugin passes them to the simulation's JVM). Defaults make a small run against
 * a local node.
 */
public final class Settings {
  private Settings() {}

  /**
   * Comma-separated node URLs; virtual users are spread over them round-robin (several loopback
   * addresses of one node lift the ~28,000 ephemeral-port limit of one source/destination pair).
   */
  public static final List<String> BASE_URLS =
      Arrays.stream(str("baseUrl", "http://127.0.0.1:8080").split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .toList();

  public static final String ADMIN_TOKEN =
      str("adminToken", System.getenv().getOrDefault("TH_ADMIN_TOKEN", ""));

  /** Players (the scenario's main population). */
  public static final int USERS = integer("users", 100);

  /** Seconds the players walk after their ramp. */
  public static final int DURATION_S = integer("duration", 60);

  /** Seconds over which the players connect. */
  public static final int RAMP_S = integer("ramp", 10);

  /** Hunts the players are spread over (steady, storm, surge). */
  public static final int HUNTS = integer("hunts", 10);

  /**
   * The protocol version the bots ask for in their hello: "1" (the default, no {@code protocol}
   * field, exactly what a version 1 client sends) or "1.1" ({@code -Dprotocol=1.1}: joins and
   * leaves arrive as presence frames, docs/protocol.md §13).
   */
  public static final String PROTOCOL = str("protocol", "1");

  /** The hello frame of a bot holding {@code token}, asking for {@link #PROTOCOL}. */
  public static String hello(String token) {
    return "{\"type\":\"hello\",\"token\":\""
        + token
        + (PROTOCOL.equals("1") ? "\"}" : "\",\"protocol\":\"" + PROTOCOL + "\"}");
  }

  /** Hot hunt: the hunt's radius in metres and its number of treasures. */
  public static final double HOT_RADIUS_M = dbl("hotRadiusM", 1000);

  public static final int HOT_TREASURES = integer("hotTreasures", 60);

  /** Spectators that `watch` (hot hunt, storm, smoke). */
  public static final int SPECTATORS = integer("spectators", 0);

  /**
   * Area in km² of the viewport each spectator sets with {@code view} (protocol 1.1), a square
   * around a random point of the hunt; 0: no viewport, v1 {@code positions} (hot hunt).
   */
  public static final double VIEW_KM = dbl("viewKm", 0);

  /** "fixed": one report every pollMs; "adaptive": honour the server's nextPollMs. */
  public static final String POLL = str("poll", "fixed");

  /** Interval of fixed polling, ms (10,000 players at 1000 ms = 10,000 reports/s). */
  public static final long POLL_MS = integer("pollMs", 1000);

  /**
   * Stepped load (steady and echo): comma-separated poll intervals in ms, each held for {@code
   * stepS} seconds after the ramp, e.g. {@code -Dsteps=10000,2000,1000} with 10,000 players = 1k,
   * 5k, 10k reports/s. Latencies are then also kept per step. Empty: one rate ({@code pollMs}) for
   * {@code duration} seconds.
   */
  public static final List<Long> STEPS =
      Arrays.stream(str("steps", "").split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .map(Long::parseLong)
          .toList();

  public static final int STEP_S = integer("stepS", 60);

  /** The fixed poll interval now in force (changed by the steps). */
  public static volatile long pollMsNow = POLL_MS;

  /** Walking speed of the bots, m/s. */
  public static final double SPEED_MPS = dbl("speedMps", 1.4);

  /** Standard deviation of the GPS noise added to every report, metres. */
  public static final double NOISE_M = dbl("noiseM", 4);

  /** Probability that a report is followed by a chat message. */
  public static final double CHAT_P = dbl("chatP", 0.01);

  /**
   * Probability that the next leg of a walk heads for a treasure (else a random point or a rest).
   */
  public static final double SEEK_P = dbl("seekP", 0.4);

  /** Seed of walks and hunt layouts: the same seed replays the same walks. */
  public static final long SEED = integer("seed", 42);

  /**
   * Prefix of hunt ids, unique per run unless given (a rerun against the same node needs new
   * hunts).
   */
  public static final String RUN_ID =
      str("runId", Long.toString(System.currentTimeMillis() % 100_000_000L, 36));

  /** Where the JSON summary goes. */
  public static final String SUMMARY_DIR =
      str("summaryDir", System.getProperty("simulations.dir", ".") + "/target/summaries");

  /** Storm: seconds after the last player connected at which every client drops at once. */
  public static final int STORM_AFTER_S = integer("stormAfter", 20);

  /** Surge: multiplier of the original players joining, and the seconds they take to join. */
  public static final int SURGE_FACTOR = integer("surgeFactor", 10);

  public static final int SURGE_RAMP_S = integer("surgeRamp", 10);

  /**
   * "json" (text frames, as in version 1) or "cbor" (binary frames, negotiated with the WebSocket
   * subprotocol treasure-hunt.v1.cbor; docs/protocol.md §2.1). The echo baseline speaks JSON only.
   */
  public static final String ENCODING = str("encoding", "json");

  /**
   * How a bot arrives when the node pushes back, as docs/protocol.md §10 tells a client to: a
   * WebSocket connect that fails (refused, timed out) is tried again after 1, 2, 4, 8 … s (at most
   * 16 s, with jitter) up to {@code connectAttempts} times; a {@code join} answered {@code
   * overloaded} or {@code unavailable} is sent again after its {@code retryAfterMs} (plus jitter)
   * up to {@code joinAttempts} times. 1 and 1: a bot gives up at the first failure (every
   * simulation but the hot hunt, whose script asks for retries: players admitted then means what a
   * real client gets).
   */
  public static final int CONNECT_ATTEMPTS = Math.max(1, integer("connectAttempts", 1));

  public static final int JOIN_ATTEMPTS = Math.max(1, integer("joinAttempts", 1));

  /**
   * Whether a bot whose location report was answered {@code overloaded} waits its {@code
   * retryAfterMs} before its next report, as docs/protocol.md §10 tells a client to (true, the
   * default since 2026-12-01), or reports again at its step's interval regardless ({@code
   * -DlocationBackoff=false}: what the bots did before; past saturation a closed-loop bot then
   * resends at once, and the node spends its CPU refusing the same clients over and over).
   */
  public static final boolean LOCATION_BACKOFF =
      Boolean.parseBoolean(str("locationBackoff", "true"));

  /** Thresholds of the assertions. */
  public static final int P99_MS = integer("p99Ms", 1000);

  public static final double MIN_OK_PERCENT = dbl("minOkPercent", 99);
  public static final int RESUME_MAX_MS = integer("resumeMaxMs", 5000);

  static String str(String key, String dflt) {
    String v = System.getProperty(key);
    return v == null || v.isBlank() ? dflt : v.trim();
  }

  static int integer(String key, int dflt) {
    return Integer.parseInt(str(key, Integer.toString(dflt)));
  }

  static double dbl(String key, double dflt) {
    return Double.parseDouble(str(key, Double.toString(dflt)));
  }

  public static List<String> wsUrls() {
    return BASE_URLS.stream().map(u -> u.replaceFirst("^http", "ws")).toList();
  }

  public static String describe() {
    return "baseUrl="
        + BASE_URLS
        + " users="
        + USERS
        + " duration="
        + DURATION_S
        + "s ramp="
        + RAMP_S
        + "s hunts="
        + HUNTS
        + " spectators="
        + SPECTATORS
        + " viewKm="
        + VIEW_KM
        + " poll="
        + POLL
        + " pollMs="
        + POLL_MS
        + " protocol="
        + PROTOCOL
        + " locationBackoff="
        + LOCATION_BACKOFF
        + " seed="
        + SEED
        + " encoding="
        + ENCODING
        + " runId="
        + RUN_ID;
  }
}
