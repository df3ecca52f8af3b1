package treasurehunt.bench;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Player;
import treasurehunt.game.Area;
import treasurehunt.game.BandSettings;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.Treasure;

/**
 * Issue 13's in-process benchmark: persisted events/s of Player entities driven through Cluster
 * Sharding (no WebSocket, no JSON), divided by the raw INSERT ceiling of the same PostgreSQL,
 * measured in the same run. Not a test (no Test suffix: surefire does not run it).
 *
 * <p>What it does: starts a durable embedded PostgreSQL (fsync and full_page_writes on, as a node
 * runs it; {@link Database#embedded}) and one engine node on it with the node's configuration
 * ({@link TestNodes#config}: application.conf and friends, free loopback ports), defines and starts
 * {@code --hunts} live hunts and joins {@code --players} players to them, each through sharding
 * like the WebSocket gateway does. Each player's first fix only anchors it (LocationCheck); then
 * every player walks at 1 m/s, its fixes taken at the real clock, so every move is plausible by the
 * client's clock and by the server's and no treasure is reached (the hunt's one treasure is 1 km
 * away): every fix persists exactly one {@code Player$Moved} event. {@code --in-flight} fixes are
 * outstanding at any time (one per player at most: a player's next fix waits for its ack), for
 * {@code --warmup} seconds and then for {@code --seconds} measured seconds. Persisted events/s is
 * the growth of {@code event_journal}'s ordering over the measured window (also printed: acks/s).
 *
 * <p>Then, with the node idle, the INSERT ceiling (the logic of simulations/.../InsertCeiling):
 * {@code --ceiling-threads} connections each committing {@code --ceiling-batch} rows per
 * transaction (default 1: a single-row INSERT commit, what one persist of one event is) of {@code
 * --payload} bytes into a table laid out like {@code event_journal}, for {@code --ceiling-seconds}.
 *
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test
 * java @cluster-config/jvm.options -Xms2g -Xmx2g -cp target/test-classes:target/classes:$(cat target/bench-cp.txt) \
 *   treasurehunt.bench.PersistBench [--players 2000] [--hunts 40] [--in-flight 500] [--warmup 10] [--seconds 30]
 *   [--ceiling-seconds 15] [--ceiling-threads 8] [--ceiling-batch 1] [--payload 170] [--durable true]
 * </pre>
 *
 * The last line: {@code ratio <events/s ÷ ceiling> (entities N events/s ÷ INSERT ceiling M/s)}.
 */
public final class PersistBench {
  private PersistBench() {}

  /** Dam square, Amsterdam: the hunts' centre. */
  static final double LAT = 52.3702;

  static final double LON = 4.8952;
  static final double M_PER_DEG_LAT = 111_320;
  static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);
  static final Duration FIX_TIMEOUT = Duration.ofSeconds(10);

  public static void main(String[] args) {
    int rc = 0;
    try {
      run(args);
    } catch (Throwable e) {
      e.printStackTrace();
      rc = 1;
    }
    System.exit(rc); // the ActorSystem's and the database's threads would keep the JVM alive
  }

  static void run(String[] args) throws Exception {
    int players = intArg(args, "--players", 2000);
    int hunts = intArg(args, "--hunts", 40);
    int inFlight = Math.min(players, intArg(args, "--in-flight", 500));
    int warmup = intArg(args, "--warmup", 10);
    int seconds = intArg(args, "--seconds", 30);
    int ceilingSeconds = intArg(args, "--ceiling-seconds", 15);
    int ceilingThreads = intArg(args, "--ceiling-threads", 8);
    int ceilingBatch = intArg(args, "--ceiling-batch", 1);
    int payload = intArg(args, "--payload", 170);
    boolean durable = Boolean.parseBoolean(arg(args, "--durable", "true"));
    System.out.printf(
        "PersistBench: players=%d hunts=%d in-flight=%d warmup=%ds seconds=%ds durable=%s;"
            + " ceiling: threads=%d batch=%d payload=%dB seconds=%d; cores=%d%n",
        players,
        hunts,
        inFlight,
        warmup,
        seconds,
        durable,
        ceilingThreads,
        ceilingBatch,
        payload,
        ceilingSeconds,
        Runtime.getRuntime().availableProcessors());

    Path dir = Files.createTempDirectory("th-persist-bench");
    Database db = Database.embedded(dir.resolve("postgres"), 0, durable);
    Node node = null;
    try {
      Config config =
          TestNodes.config(
              db,
              "akka.loglevel = WARNING\ntreasure-hunt.data-dir = \""
                  + dir.resolve("node")
                  + "\"\n");
      node = Node.start(config, db);
      Driver driver = new Driver(ClusterSharding.get(node.system), players, hunts);
      long t0 = System.nanoTime();
      driver.setUp();
      System.out.printf(
          "setup: %d hunts live, %d players joined and anchored in %.1f s%n",
          hunts, players, (System.nanoTime() - t0) / 1e9);

      driver.drive(inFlight);
      sleepSeconds(warmup);
      long ack0 = driver.acks.sum();
      long ord0 = maxOrdering(db);
      long w0 = System.nanoTime();
      sleepSeconds(seconds);
      long ord1 = maxOrdering(db);
      long ack1 = driver.acks.sum();
      double window = (System.nanoTime() - w0) / 1e9;
      driver.stop();
      double eventsPerS = (ord1 - ord0) / window;
      double acksPerS = (ack1 - ack0) / window;
      System.out.printf(
          "entities: %,d events persisted in %.1f s = %,.0f events/s (acks %,.0f/s; ack p50 %.1f ms,"
              + " p99 %.1f ms; refused %s; failed %d)%n",
          ord1 - ord0,
          window,
          eventsPerS,
          acksPerS,
          driver.percentileMs(50),
          driver.percentileMs(99),
          driver.problems,
          driver.failures.sum());
      driver.awaitIdle();

      double ceiling =
          InsertCeiling.run(db, ceilingSeconds, ceilingThreads, ceilingBatch, payload, 10_000);
      System.out.printf(
          "ceiling: %,.0f rows/s (%d connections, %d row(s) per commit, %d B, %d s)%n",
          ceiling, ceilingThreads, ceilingBatch, payload, ceilingSeconds);
      System.out.printf(
          Locale.ROOT,
          "ratio %.2f (entities %,.0f events/s ÷ INSERT ceiling %,.0f/s)%n",
          eventsPerS / ceiling,
          eventsPerS,
          ceiling);
    } finally {
      if (node != null) {
        node.system.terminate(); // closes the database too
        node.system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      } else db.close();
      deleteQuietly(dir);
    }
  }

  static long maxOrdering(Database db) throws Exception {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT coalesce(max(ordering), 0) FROM event_journal")) {
      r.next();
      return r.getLong(1);
    }
  }

  /** Drives the players through sharding, as the gateway's EntityAsks does. */
  static final class Driver {
    final ClusterSharding sharding;
    final int players;
    final int hunts;
    final double[] homeLat;
    final double[] homeLon;
    final long[] lastAt;
    final long[] seq;
    final long started = System.currentTimeMillis();
    final LongAdder acks = new LongAdder();
    final LongAdder failures = new LongAdder();
    final Map<String, LongAdder> problems = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Integer> idle = new ConcurrentLinkedQueue<>();
    final AtomicLong outstanding = new AtomicLong();

    /** Ack latency, µs, in 100 µs buckets up to 10 s. */
    final AtomicLong[] latency = new AtomicLong[100_001];

    volatile boolean running;

    Driver(ClusterSharding sharding, int players, int hunts) {
      this.sharding = sharding;
      this.players = players;
      this.hunts = hunts;
      homeLat = new double[players];
      homeLon = new double[players];
      lastAt = new long[players];
      seq = new long[players];
      Random rnd = new Random(42);
      for (int i = 0; i < players; i++) {
        homeLat[i] = LAT + (rnd.nextDouble() - 0.5) * 400 / M_PER_DEG_LAT;
        homeLon[i] = LON + (rnd.nextDouble() - 0.5) * 400 / lonMetres();
      }
      for (int i = 0; i < latency.length; i++) latency[i] = new AtomicLong();
    }

    static double lonMetres() {
      return M_PER_DEG_LAT * Math.cos(Math.toRadians(LAT));
    }

    static String huntId(int h) {
      return "bench-hunt-" + h;
    }

    String huntOf(int player) {
      return huntId(player % hunts);
    }

    static String playerId(int i) {
      return "bench-player-" + i;
    }

    void setUp() throws Exception {
      List<CompletableFuture<?>> all = new ArrayList<>();
      for (int h = 0; h < hunts; h++) {
        String id = huntId(h);
        var ref = sharding.entityRefFor(Hunt.ENTITY_KEY, id);
        all.add(
            ref.<Hunt.ViewReply>ask(r -> new Hunt.Define(definition(id, players), r), SETUP_TIMEOUT)
                .thenCompose(
                    d -> {
                      if (d.problem() != null) throw new IllegalStateException("define: " + d);
                      return ref.<Hunt.ViewReply>ask(Hunt.Start::new, SETUP_TIMEOUT);
                    })
                .thenAccept(
                    s -> {
                      if (s.problem() != null) throw new IllegalStateException("start: " + s);
                    })
                .toCompletableFuture());
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      // joins and anchors, 100 at a time
      Semaphore window = new Semaphore(100);
      List<CompletableFuture<?>> joins = new ArrayList<>();
      for (int i = 0; i < players; i++) {
        int p = i;
        window.acquire();
        var ref = sharding.entityRefFor(Player.ENTITY_KEY, playerId(p));
        CompletionStage<Player.LocationAck> chain =
            ref.<Player.JoinAck>ask(
                    r -> new Player.Join("join-" + p, huntOf(p), "Bench " + p, r), SETUP_TIMEOUT)
                .thenCompose(
                    j -> {
                      if (j.problem() != null) throw new IllegalStateException("join: " + j);
                      return ref.<Player.LocationAck>ask(r -> fix(p, r), SETUP_TIMEOUT);
                    });
        joins.add(
            chain
                .whenComplete(
                    (a, e) -> {
                      window.release();
                      if (a != null && a.problem() != null)
                        throw new IllegalStateException("anchor: " + a.problem());
                    })
                .toCompletableFuture());
      }
      CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
      for (int i = 0; i < players; i++) idle.add(i);
    }

    /** A fix of player p now: walking east at 1 m/s from its home since the run started. */
    Player.ReportLocation fix(int p, ActorRef<Player.LocationAck> replyTo) {
      long now = System.currentTimeMillis();
      long at = Math.max(now, lastAt[p] + 1);
      lastAt[p] = at;
      double east = (at - started) / 1000.0 * 1.0;
      return new Player.ReportLocation(
          "loc-" + p + "-" + (++seq[p]),
          huntOf(p),
          homeLat[p],
          homeLon[p] + east / lonMetres(),
          5,
          at,
          replyTo);
    }

    /** Keeps {@code inFlight} fixes outstanding, each of an idle player, until {@link #stop}. */
    void drive(int inFlight) {
      running = true;
      for (int k = 0; k < inFlight; k++) next();
    }

    private void next() {
      if (!running) return;
      Integer p = idle.poll();
      if (p == null) return; // cannot happen while in-flight <= players
      outstanding.incrementAndGet();
      long sent = System.nanoTime();
      sharding
          .entityRefFor(Player.ENTITY_KEY, playerId(p))
          .<Player.LocationAck>ask(r -> fix(p, r), FIX_TIMEOUT)
          .whenComplete(
              (a, e) -> {
                long us = (System.nanoTime() - sent) / 1000;
                latency[(int) Math.min(latency.length - 1, us / 100)].incrementAndGet();
                if (e != null) failures.increment();
                else if (a.problem() != null)
                  problems.computeIfAbsent(a.problem().code(), c -> new LongAdder()).increment();
                else acks.increment();
                idle.add(p);
                outstanding.decrementAndGet();
                next();
              });
    }

    void stop() {
      running = false;
    }

    void awaitIdle() throws InterruptedException {
      long until = System.currentTimeMillis() + 15_000;
      while (outstanding.get() > 0 && System.currentTimeMillis() < until) Thread.sleep(50);
    }

    double percentileMs(double pct) {
      long total = 0;
      for (AtomicLong a : latency) total += a.get();
      long rank = (long) Math.ceil(total * pct / 100.0), seen = 0;
      for (int i = 0; i < latency.length; i++) {
        seen += latency[i].get();
        if (seen >= rank && total > 0) return (i + 1) * 0.1;
      }
      return Double.NaN;
    }
  }

  static HuntDefinition definition(String id, int players) {
    // one treasure 1 km north: the walks (within ~250 m of the centre) never reach it
    Treasure far =
        new Treasure("far", LAT + 1000 / M_PER_DEG_LAT, LON, 15, 100, "Far away", null, false);
    return new HuntDefinition(
        id,
        "Bench " + id,
        new Area(LAT, LON, 1500),
        List.of(far),
        null,
        Math.max(100, players),
        10,
        false,
        null,
        null,
        BandSettings.DEFAULT);
  }

  /**
   * The raw INSERT ceiling (port of simulations/.../baselines/InsertCeiling.java): {@code threads}
   * connections, each committing {@code batch} rows per transaction into a table with {@code
   * event_journal}'s layout (columns, primary key, ordering index), dropped at the end.
   */
  static final class InsertCeiling {
    static double run(Database db, int seconds, int threads, int batch, int payload, int pids)
        throws Exception {
      try (Connection c = db.connect();
          Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS bench_event_journal");
        s.execute(
            "CREATE TABLE bench_event_journal (ordering BIGSERIAL, persistence_id VARCHAR(255) NOT NULL,"
                + " sequence_number BIGINT NOT NULL, deleted BOOLEAN DEFAULT FALSE NOT NULL, writer VARCHAR(255) NOT NULL,"
                + " write_timestamp BIGINT, adapter_manifest VARCHAR(255), event_ser_id INTEGER NOT NULL,"
                + " event_ser_manifest VARCHAR(255) NOT NULL, event_payload BYTEA NOT NULL, meta_ser_id INTEGER,"
                + " meta_ser_manifest VARCHAR(255), meta_payload BYTEA, PRIMARY KEY (persistence_id, sequence_number))");
        s.execute(
            "CREATE UNIQUE INDEX bench_event_journal_ordering_idx ON bench_event_journal (ordering)");
      }
      long[] seqs = new long[pids];
      LongAdder rows = new LongAdder();
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      List<Thread> workers = new ArrayList<>();
      List<Throwable> failures = new ArrayList<>();
      long started = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        int slice = t;
        Thread w =
            new Thread(
                () -> {
                  Random rnd = new Random(slice);
                  byte[] bytes = new byte[payload];
                  try (Connection c =
                      DriverManager.getConnection(db.url(), db.user(), db.password())) {
                    c.setAutoCommit(false);
                    try (PreparedStatement ps =
                        c.prepareStatement(
                            "INSERT INTO bench_event_journal (persistence_id, sequence_number, deleted, writer,"
                                + " write_timestamp, adapter_manifest, event_ser_id, event_ser_manifest, event_payload)"
                                + " VALUES (?,?,?,?,?,?,?,?,?)")) {
                      while (System.nanoTime() < end) {
                        for (int i = 0; i < batch; i++) {
                          // each writer owns the ids congruent to its slice: no collisions
                          int p = slice + threads * rnd.nextInt(Math.max(1, pids / threads));
                          long seq = ++seqs[p];
                          rnd.nextBytes(bytes);
                          ps.setString(1, "Player|bench-" + p);
                          ps.setLong(2, seq);
                          ps.setBoolean(3, false);
                          ps.setString(4, "bench");
                          ps.setLong(5, System.currentTimeMillis());
                          ps.setString(6, "");
                          ps.setInt(7, 33);
                          ps.setString(8, "treasurehunt.entities.Player$Moved");
                          ps.setBytes(9, bytes);
                          if (batch == 1) ps.executeUpdate();
                          else ps.addBatch();
                        }
                        if (batch > 1) ps.executeBatch();
                        c.commit();
                        rows.add(batch);
                      }
                    }
                  } catch (Throwable e) {
                    synchronized (failures) {
                      failures.add(e);
                    }
                  }
                },
                "insert-" + t);
        workers.add(w);
        w.start();
      }
      for (Thread w : workers) w.join();
      double secs = (System.nanoTime() - started) / 1e9;
      try (Connection c = db.connect();
          Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS bench_event_journal");
      }
      if (!failures.isEmpty()) throw new IllegalStateException("a writer failed", failures.get(0));
      return rows.sum() / secs;
    }
  }

  static void sleepSeconds(int s) throws InterruptedException {
    Thread.sleep(s * 1000L);
  }

  static String arg(String[] args, String name, String dflt) {
    for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return args[i + 1];
    return dflt;
  }

  static int intArg(String[] args, String name, int dflt) {
    return Integer.parseInt(arg(args, name, Integer.toString(dflt)));
  }

  /** Deletes the temporary directory once the postmaster is gone (it closes asynchronously). */
  static void deleteQuietly(Path dir) throws InterruptedException {
    Path pid = dir.resolve("postgres").resolve("postmaster.pid");
    for (int i = 0; i < 300 && Files.exists(pid); i++) Thread.sleep(100);
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      System.out.println("left behind: " + dir + " (" + e + ")");
    }
  }
}
