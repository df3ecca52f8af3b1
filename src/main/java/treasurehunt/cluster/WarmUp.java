package treasurehunt.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's warm-up (issue 13: "a node that just started must not punish the players it receives").
 * A fresh JVM runs the location path interpreted and then in the JIT's profiling tiers for minutes:
 * under a closed loop on 2 cores its CPU per location report fell from ~1.2 ms at 30-60 s to ~0.2
 * ms at three minutes (BENCHMARKS.md, issue 13, "session 14"). So before a node joins its cluster
 * and opens its ports, it plays for {@code treasure-hunt.warm-up.duration} (TH_WARM_UP, 20 s; 0
 * turns it off) against itself:
 *
 * <ul>
 *   <li>a <b>scratch node</b>: the same {@link Node} code in the same JVM, its own ActorSystem as a
 *       cluster of one, every port on 127.0.0.1 and chosen by the OS (no other machine can reach
 *       it), its journal in a <b>scratch database</b> ({@code th_warm_up_<epoch second>_<random>})
 *       created on the node's own PostgreSQL server and dropped afterwards. The node's journal
 *       never sees a warm-up event, a warm-up hunt or a warm-up player;
 *   <li>{@code treasure-hunt.warm-up.clients} (200) players that register over HTTP, connect over
 *       WebSocket, say hello, join one of four hunts and report their location in a closed loop
 *       (each next report once the previous one is answered, at most 15 a second), walking at ~1.4
 *       m/s, as docs/protocol.md says: the same frames, sockets, entities, journal and trail writes
 *       as a real player's.
 * </ul>
 *
 * The scratch node then stops, its database is dropped, and only then does the node start: its
 * classes are loaded and its hot path compiled, while its cluster has not seen it yet (no shard is
 * given to a cold node) and /ready does not answer. The cost: that much later a ready node, and the
 * CPU of the warm-up. Where the role may not create a database (an external PostgreSQL without
 * CREATEDB), the warm-up is skipped with a warning and the node starts cold. A node killed during
 * its warm-up leaves a scratch database behind; nothing reads it, and the next warm-up on that
 * server drops it ({@link #dropStale}: a scratch database created more than an hour ago, or earlier
 * than three warm-ups' length, to which nobody is connected; its name says when it was created).
 */
public final class WarmUp {
  private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int HUNTS = 4;
  private static final int PER_SECOND = 15;

  /**
   * What one warm-up did: location reports answered {@code ack} and otherwise, the milliseconds it
   * took (scratch node included), and why it did not run, when it did not.
   */
  public record Result(long acks, long refused, long millis, String skipped) {}

  private WarmUp() {}

  /** Runs the warm-up configured under {@code treasure-hunt.warm-up}; never throws. */
  public static Result run(Config config, Database database) {
    if (!config.hasPath("treasure-hunt.warm-up.duration"))
      return new Result(0, 0, 0, "off (no treasure-hunt.warm-up in the configuration)");
    Duration duration = config.getDuration("treasure-hunt.warm-up.duration");
    int clients = config.getInt("treasure-hunt.warm-up.clients");
    if (duration.isZero() || duration.isNegative() || clients <= 0)
      return new Result(0, 0, 0, "off (treasure-hunt.warm-up.duration = 0)");
    long t0 = System.nanoTime();
    long now = System.currentTimeMillis() / 1000;
    String name = PREFIX + now + "_" + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
    try (Connection c = database.connect();
        Statement s = c.createStatement()) {
      dropStale(s, now - Math.max(3600, 3 * (duration.toSeconds() + 60)));
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      log.warn(
          "warm-up skipped: could not create its scratch database on {} ({}); the node starts cold",
          // the URL without its parameters, which may hold a password
          database.url().replaceFirst("\\?.*", ""),
          e.getMessage());
      return new Result(0, 0, 0, "no scratch database: " + e.getMessage());
    }
    log.info(
        "warm-up: {} players for {} s on a scratch node (127.0.0.1, database {}) before the node"
            + " starts",
        clients,
        duration.toMillis() / 1000.0,
        name);
    Path dir = null;
    Node scratch = null;
    Result result;
    try {
      dir = Files.createTempDirectory("th-warm-up");
      Database db =
          Database.external(
              Database.withDatabase(database.url(), name), database.user(), database.password());
      scratch = Node.start(scratchConfig(config, dir), db);
      int port =
          scratch.http.toCompletableFuture().get(60, TimeUnit.SECONDS).localAddress().getPort();
      long[] answers = new Players(port, scratch.secrets.adminToken(), clients).play(duration);
      result = new Result(answers[0], answers[1], 0, null);
    } catch (Exception e) {
      log.warn("warm-up stopped early: {}; the node starts anyway", e.toString());
      result = new Result(0, 0, 0, "failed: " + e);
    } finally {
      if (scratch != null) {
        scratch.system.terminate();
        try {
          scratch.system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
          log.warn("warm-up: the scratch node did not stop in 60 s: {}", e.toString());
        }
      }
      drop(database, name);
      deleteQuietly(dir);
      // The scratch node's objects (connections, entities, mailboxes), much of them promoted to the
      // old generation in 20 s, are garbage now. Collect them here, while no player waits, rather
      // than leave them to a concurrent cycle and mixed collections as the first players arrive.
      System.gc();
    }
    result =
        new Result(
            result.acks(),
            result.refused(),
            (System.nanoTime() - t0) / 1_000_000,
            result.skipped());
    if (result.skipped() == null)
      log.info(
          "warm-up done: {} location reports acknowledged ({} answered otherwise) in {} ms; scratch"
              + " database dropped",
          result.acks(),
          result.refused(),
          result.millis());
    return result;
  }

  /**
   * The node's configuration with everything a second node in this JVM must not share: ports
   * (chosen by the OS, on 127.0.0.1 only), the cluster (one of its own), the secrets (random), the
   * data directory, and the limits that would slow a machine-speed warm-up (registrations from one
   * address).
   */
  static Config scratchConfig(Config config, Path dir) {
    String admin = Long.toHexString(RANDOM.nextLong()) + Long.toHexString(RANDOM.nextLong());
    String secret =
        admin + Long.toHexString(RANDOM.nextLong()) + Long.toHexString(RANDOM.nextLong());
    return ConfigFactory.parseString(
            String.join(
                "\n",
                "akka.remote.artery.canonical.hostname = \"127.0.0.1\"",
                "akka.remote.artery.canonical.port = 0",
                "akka.management.http.hostname = \"127.0.0.1\"",
                "akka.management.http.port = 0",
                "akka.management.http.bind-hostname = \"127.0.0.1\"",
                "akka.management.http.bind-port = 0",
                "akka.cluster.jmx.multi-mbeans-in-same-jvm = on",
                "akka.cluster.min-nr-of-members = 1",
                "akka.coordinated-shutdown.exit-jvm = off",
                "akka.coordinated-shutdown.terminate-actor-system = on",
                "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
                "treasure-hunt.seed-nodes = \"\"",
                "treasure-hunt.bootstrap = \"off\"",
                "treasure-hunt.management-port = 0",
                "treasure-hunt.http.interface = \"127.0.0.1\"",
                "treasure-hunt.http.port = 0",
                "treasure-hunt.http.admin-token = \"" + admin + "\"",
                "treasure-hunt.http.token-secret = \"" + secret + "\"",
                "treasure-hunt.data-dir = \"" + dir.toString().replace("\\", "/") + "\"",
                "treasure-hunt.limits.registrations-per-minute = 0",
                // its players are gone when it stops: no grace for their in-flight commands
                "treasure-hunt.ws.shutdown-grace = 0s"))
        .withFallback(config);
  }

  /** Every scratch database's name starts so, then the epoch second it was created at. */
  static final String PREFIX = "th_warm_up_";

  /**
   * Drops the scratch databases of warm-ups that never finished (a node killed meanwhile): those
   * whose name says they were created before {@code before} (epoch seconds), so long ago that no
   * warm-up can still be using them. Without {@code FORCE}: one somebody is connected to stays.
   * Whatever cannot be dropped (another role's, a connection) is left, and the warm-up goes on.
   */
  static void dropStale(Statement s, long before) {
    List<String> stale = new ArrayList<>();
    try (ResultSet rs =
        s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'th\\_warm\\_up\\_%'")) {
      while (rs.next()) {
        String db = rs.getString(1);
        String[] parts = db.substring(PREFIX.length()).split("_", 2);
        if (parts.length == 2
            && parts[0].matches("[0-9]{1,12}")
            && Long.parseLong(parts[0]) < before) stale.add(db);
      }
    } catch (SQLException e) {
      log.debug("warm-up: could not list scratch databases: {}", e.getMessage());
      return;
    }
    for (String db : stale) {
      try {
        // quoted: the name comes from the server's catalogue, not from this code
        s.execute("DROP DATABASE IF EXISTS \"" + db.replace("\"", "\"\"") + "\"");
        log.info("warm-up: dropped {}, left by a warm-up that did not finish", db);
      } catch (SQLException e) {
        log.info("warm-up: left {} (left by an earlier warm-up): {}", db, e.getMessage());
      }
    }
  }

  private static void drop(Database database, String name) {
    try (Connection c = database.connect();
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      log.warn("warm-up: could not drop its scratch database {}: {}", name, e.getMessage());
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) return;
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("warm-up: leaving {}: {}", dir, e.toString());
    }
  }

  /**
   * The warm-up's players: the JDK's HTTP and WebSocket client on two threads, so the node's own
   * code is what the JIT sees working.
   */
  private static final class Players {
    private final String base;
    private final String admin;
    private final int clients;
    private final ExecutorService io = Executors.newFixedThreadPool(2, daemon("th-warm-up-client"));
    private final ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(daemon("th-warm-up-timer"));
    private final HttpClient http = HttpClient.newBuilder().executor(io).build();
    private final AtomicLong acks = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean stopping;

    Players(int port, String admin, int clients) {
      this.base = "127.0.0.1:" + port;
      this.admin = admin;
      this.clients = clients;
    }

    /** Plays for {@code duration}; returns {acks, other answers} to location reports. */
    long[] play(Duration duration) throws Exception {
      long deadline = System.nanoTime() + duration.toNanos();
      try {
        for (int h = 0; h < HUNTS; h++) createHunt(h);
        List<Walker> walkers = new ArrayList<>();
        for (int i = 0; i < clients && System.nanoTime() < deadline; i++) {
          Walker w = new Walker(i, "warm-up-" + (i % HUNTS));
          walkers.add(w);
          w.start();
        }
        long left = deadline - System.nanoTime();
        if (left > 0) TimeUnit.NANOSECONDS.sleep(left);
        stopping = true;
        for (Walker w : walkers) w.close();
        return new long[] {acks.get(), refused.get()};
      } finally {
        stopping = true;
        timer.shutdownNow();
        io.shutdown();
      }
    }

    private void createHunt(int h) throws Exception {
      String id = "warm-up-" + h;
      String def =
          "{\"huntId\":\""
              + id
              + "\",\"name\":\"Warm-up "
              + h
              + "\",\"area\":{\"lat\":"
              + lat(h)
              + ",\"lon\":4.9,\"radiusM\":3000},\"treasures\":[{\"id\":\"far\",\"lat\":"
              + (lat(h) + 0.02)
              + ",\"lon\":4.9,\"radiusM\":10,\"points\":1}],\"maxPlayers\":"
              + Math.max(1, clients)
              + ",\"maxSpeedMps\":10}";
      post("/api/hunts", def, 201);
      post("/api/hunts/" + id + "/start", null, 200);
    }

    private static double lat(int h) {
      return 52.0 + h * 0.1;
    }

    /** An organiser's request (the scratch node's admin token). */
    private void post(String path, String body, int expected) throws Exception {
      HttpRequest.Builder r =
          HttpRequest.newBuilder(URI.create("http://" + base + path))
              .timeout(Duration.ofSeconds(30))
              .POST(
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) r.header("Content-Type", "application/json");
      r.header("Authorization", "Bearer " + admin);
      HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != expected)
        throw new IOException("POST " + path + ": " + resp.statusCode() + " " + resp.body());
    }

    /** One player: hello, join, then a location report each time the previous one is answered. */
    private final class Walker implements WebSocket.Listener {
      private final int index;
      private final String hunt;
      private final StringBuilder partial = new StringBuilder();
      private final long startMs = System.currentTimeMillis();
      private volatile WebSocket socket;
      private volatile String token;
      private long reports;
      private long lastAt;
      private volatile long lastSentMs;

      Walker(int index, String hunt) {
        this.index = index;
        this.hunt = hunt;
      }

      /** Registers, connects and says hello, without waiting: all players arrive at once. */
      void start() {
        HttpRequest register =
            HttpRequest.newBuilder(URI.create("http://" + base + "/api/players"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"warm-up " + index + "\"}"))
                .build();
        http.sendAsync(register, HttpResponse.BodyHandlers.ofString())
            .thenCompose(
                resp -> {
                  if (resp.statusCode() != 201)
                    throw new IllegalStateException("register: " + resp.statusCode());
                  try {
                    token = JSON.readTree(resp.body()).path("token").asText();
                  } catch (IOException e) {
                    throw new IllegalStateException(e);
                  }
                  return http.newWebSocketBuilder()
                      .buildAsync(URI.create("ws://" + base + "/ws"), this);
                })
            .whenComplete(
                (ws, error) -> {
                  if (error != null) {
                    log.debug("warm-up player {} did not start: {}", index, error.toString());
                    return;
                  }
                  socket = ws;
                  hello();
                });
      }

      private void hello() {
        send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
      }

      private void join() {
        send("{\"type\":\"join\",\"id\":\"j\",\"hunt\":\"" + hunt + "\"}");
      }

      void close() {
        WebSocket s = socket;
        if (s != null) s.abort();
      }

      private void send(String frame) {
        WebSocket s = socket;
        if (s != null && !stopping) s.sendText(frame, true);
      }

      /**
       * The next report as soon as the previous one is answered, but at most {@link #PER_SECOND} a
       * second, below the connection's rate limit (TH_WS_RATE, 20), as a client following the
       * protocol does.
       */
      private void next() {
        long wait = lastSentMs + 1000 / PER_SECOND - System.currentTimeMillis();
        if (wait <= 0) report();
        else if (!stopping) timer.schedule(this::report, wait, TimeUnit.MILLISECONDS);
      }

      /**
       * Walks north-east at ~1.4 m/s (1 m/s north, 1 m/s east) from a point of its own; {@code at}
       * strictly increasing.
       */
      private synchronized void report() {
        if (stopping) return;
        long now = System.currentTimeMillis();
        lastSentMs = now;
        double metres = (now - startMs) / 1000.0;
        double lat = lat(index % HUNTS) + (index % 50) * 0.0002 + metres / 111_000.0;
        double lon = 4.9 + (index / 50) * 0.0003 + metres / 68_000.0;
        long at = Math.max(now, lastAt + 1);
        lastAt = at;
        send(
            String.format(
                Locale.ROOT,
                "{\"type\":\"location\",\"id\":\"l%d\",\"hunt\":\"%s\",\"lat\":%.7f,\"lon\":%.7f,"
                    + "\"accuracyM\":5,\"at\":%d}",
                ++reports,
                hunt,
                lat,
                lon,
                at));
      }

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          String frame = partial.toString();
          partial.setLength(0);
          answer(frame);
        }
        ws.request(1);
        return null;
      }

      private void answer(String frame) {
        JsonNode f;
        try {
          f = JSON.readTree(frame);
        } catch (IOException e) {
          return;
        }
        String type = f.path("type").asText();
        String re = f.path("re").asText("");
        if ("welcome".equals(type)) {
          join();
        } else if ("ack".equals(type) && "j".equals(re)) {
          report();
        } else if ("ack".equals(type) && re.startsWith("l")) {
          acks.incrementAndGet();
          next();
        } else if ("error".equals(type) && !stopping) {
          // a busy node paces arrivals and reports (`overloaded`, `rate_limited`: retryAfterMs)
          Runnable again = re.startsWith("l") ? this::report : "j".equals(re) ? this::join : null;
          if (re.startsWith("l")) refused.incrementAndGet();
          if (again == null && re.isEmpty()) again = this::hello;
          long wait = Math.max(50, f.path("retryAfterMs").asLong(100));
          if (again != null) timer.schedule(again, wait, TimeUnit.MILLISECONDS);
        }
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        socket = null;
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
