package treasurehunt.bench;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.entities.Hunt;
import treasurehunt.game.Area;
import treasurehunt.game.BandSettings;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.Treasure;

/**
 * Issue 14's in-process benchmark: finds stored per second by one hot Hunt entity, with group
 * commit ({@code hunt-batch-max} 200, the shipped setting) and without it (1: every find a write of
 * its own), measured in the same run on the same durable embedded PostgreSQL, alternating the two
 * {@code --rounds} times. Not a test (no Test suffix: surefire does not run it).
 *
 * <p>Each measurement starts a node with the setting, defines a live hunt with {@code --treasures}
 * geo treasures (not exclusive: every find stores an event, the case where batching has the most to
 * write), joins {@code --players} players to it and then keeps {@code --in-flight} {@code
 * RecordFinds} outstanding through sharding, as Player entities send them when fixes reach
 * treasures, each a new (player, treasure) pair, for {@code --seconds} after {@code --warmup}.
 * Finds/s is the finds granted over the measured window. The Player entities are left out on
 * purpose: their own write of the fix is the same with or without the hunt's group commit, and this
 * measures the hunt, the one entity all of a hunt's finds go through. {@code --in-flight} stays
 * below the entity's stash (100, persistence.conf): past it commands are dropped.
 *
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test
 * java @cluster-config/jvm.options -Xms1g -Xmx1g -cp target/test-classes:target/classes:$(cat target/bench-cp.txt) \
 *   treasurehunt.bench.FindsBench [--players 500] [--treasures 200] [--in-flight 90] [--warmup 2] [--seconds 6] [--rounds 3]
 * </pre>
 *
 * The last line: {@code ratio <median with ÷ median without> (...)}.
 */
public final class FindsBench {
  private FindsBench() {}

  static final Duration T = Duration.ofSeconds(20);

  public static void main(String[] args) {
    int rc = 0;
    try {
      run(args);
    } catch (Throwable e) {
      e.printStackTrace();
      rc = 1;
    }
    System.exit(rc);
  }

  static void run(String[] args) throws Exception {
    int players = PersistBench.intArg(args, "--players", 500);
    int treasures = PersistBench.intArg(args, "--treasures", 200);
    int inFlight = PersistBench.intArg(args, "--in-flight", 90);
    int warmup = PersistBench.intArg(args, "--warmup", 2);
    int seconds = PersistBench.intArg(args, "--seconds", 6);
    int rounds = PersistBench.intArg(args, "--rounds", 3);
    System.out.printf(
        "FindsBench: players=%d treasures=%d in-flight=%d warmup=%ds seconds=%ds rounds=%d; cores=%d%n",
        players,
        treasures,
        inFlight,
        warmup,
        seconds,
        rounds,
        Runtime.getRuntime().availableProcessors());
    Path dir = Files.createTempDirectory("th-finds-bench");
    Database db = Database.embedded(dir.resolve("postgres"), 0, true);
    double[] with = new double[rounds], without = new double[rounds];
    try {
      for (int r = 0; r < rounds; r++) {
        without[r] = measure(db, dir, 1, "off-" + r, players, treasures, inFlight, warmup, seconds);
        with[r] = measure(db, dir, 200, "on-" + r, players, treasures, inFlight, warmup, seconds);
      }
    } finally {
      db.close();
      PersistBench.deleteQuietly(dir);
    }
    double on = median(with), off = median(without);
    System.out.printf(
        Locale.ROOT,
        "finds/s with group commit %s, median %,.0f; without %s, median %,.0f%n",
        Arrays.toString(round(with)),
        on,
        Arrays.toString(round(without)),
        off);
    System.out.printf(
        Locale.ROOT,
        "ratio %.1f (median finds/s with group commit %,.0f ÷ without %,.0f)%n",
        on / off,
        on,
        off);
  }

  /** One measurement: a node with {@code hunt-batch-max = batchMax}, one hot hunt; finds/s. */
  static double measure(
      Database db,
      Path dir,
      int batchMax,
      String label,
      int players,
      int treasures,
      int inFlight,
      int warmup,
      int seconds)
      throws Exception {
    Node node =
        Node.start(
            TestNodes.config(
                db,
                "akka.loglevel = WARNING\ntreasure-hunt.game.hunt-batch-max = "
                    + batchMax
                    + "\ntreasure-hunt.data-dir = \""
                    + dir.resolve("node-" + label)
                    + "\"\n"),
            Database.external(db.url(), db.user(), db.password()));
    try {
      String huntId = "finds-" + label;
      EntityRef<Hunt.Command> hunt =
          ClusterSharding.get(node.system).entityRefFor(Hunt.ENTITY_KEY, huntId);
      HuntDefinition d = definition(huntId, players, treasures);
      check(hunt.<Hunt.ViewReply>ask(r -> new Hunt.Define(d, r), T).toCompletableFuture().get());
      check(hunt.<Hunt.ViewReply>ask(Hunt.Start::new, T).toCompletableFuture().get());
      Semaphore window = new Semaphore(inFlight);
      List<CompletableFuture<?>> joins = new ArrayList<>();
      for (int p = 0; p < players; p++) {
        String id = "p" + p;
        window.acquire();
        joins.add(
            hunt.<Hunt.JoinReply>ask(r -> new Hunt.Join(id, id, r), T)
                .whenComplete((j, e) -> window.release())
                .toCompletableFuture());
      }
      CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

      LongAdder found = new LongAdder(), failed = new LongAdder();
      AtomicInteger next = new AtomicInteger();
      long total = (long) players * treasures;
      long end = System.nanoTime() + (warmup + seconds) * 1_000_000_000L;
      Semaphore slots = new Semaphore(inFlight);
      Thread driver =
          new Thread(
              () -> {
                while (System.nanoTime() < end) {
                  try {
                    if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) continue;
                  } catch (InterruptedException e) {
                    return;
                  }
                  int k = next.getAndIncrement();
                  if (k >= total) return;
                  String player = "p" + (k % players);
                  String treasure = "t" + (k / players);
                  hunt.<Hunt.FindsReply>ask(
                          r -> new Hunt.RecordFinds(player, "f" + k, List.of(treasure), r), T)
                      .whenComplete(
                          (f, e) -> {
                            slots.release();
                            if (e != null || f.problem() != null) failed.increment();
                            else found.add(f.granted().size());
                          });
                }
              },
              "finds-driver");
      driver.start();
      Thread.sleep(warmup * 1000L);
      long f0 = found.sum(), t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long f1 = found.sum(), t1 = System.nanoTime();
      driver.join();
      slots.acquire(inFlight); // the last asks are answered
      double perS = (f1 - f0) / ((t1 - t0) / 1e9);
      System.out.printf(
          Locale.ROOT,
          "hunt-batch-max %3d: %,7.0f finds/s (%,d finds in %.1f s; failed %d)%n",
          batchMax,
          perS,
          f1 - f0,
          (t1 - t0) / 1e9,
          failed.sum());
      if (next.get() >= total) System.out.println("  (ran out of pairs: raise --players)");
      return perS;
    } finally {
      TestNodes.stop(node);
    }
  }

  static void check(Hunt.ViewReply reply) {
    if (reply.problem() != null) throw new IllegalStateException(reply.problem().toString());
  }

  /** {@code treasures} geo treasures scattered within 1 km of the Dam, none exclusive. */
  static HuntDefinition definition(String id, int players, int treasures) {
    Random rnd = new Random(7);
    List<Treasure> ts = new ArrayList<>();
    for (int i = 0; i < treasures; i++)
      ts.add(
          new Treasure(
              "t" + i,
              PersistBench.LAT + (rnd.nextDouble() - 0.5) * 2000 / PersistBench.M_PER_DEG_LAT,
              PersistBench.LON + (rnd.nextDouble() - 0.5) * 2000 / PersistBench.Driver.lonMetres(),
              15,
              10,
              "Treasure " + i,
              null,
              false));
    return new HuntDefinition(
        id,
        "Finds " + id,
        new Area(PersistBench.LAT, PersistBench.LON, 1500),
        ts,
        null,
        Math.max(100, players),
        10,
        false,
        null,
        null,
        BandSettings.DEFAULT);
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  static long[] round(double[] xs) {
    return Arrays.stream(xs).mapToLong(Math::round).toArray();
  }
}
