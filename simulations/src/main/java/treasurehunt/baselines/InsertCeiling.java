package treasurehunt.baselines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ceiling for persisted events: raw batched JDBC INSERTs into a table laid out like the
 * engine's {@code event_journal} (same columns, primary key and ordering index), in the same
 * PostgreSQL, with the journal plugin's write pattern: {@code threads} writers (the plugin's
 * parallelism, 8), each committing batches of {@code batch} rows (its batchSize, 400) of {@code
 * payload}-byte events spread over {@code pids} persistence ids. The table is {@code
 * bench_event_journal}, dropped at the end.
 *
 * <pre>
 * java -cp ... treasurehunt.baselines.InsertCeiling --data-dir /tmp/sim-data [--seconds 20] [--threads 8]
 *     [--batch 400] [--payload 170] [--pids 10000] [--url jdbc:postgresql://...] [--repeat 3]
 * </pre>
 *
 * {@code --data-dir} finds the node's embedded PostgreSQL port in {@code
 * <data-dir>/postgres/postmaster.pid}.
 */
public final class InsertCeiling {
  public static void main(String[] args) throws Exception {
    String url = arg(args, "--url", null);
    String dataDir = arg(args, "--data-dir", null);
    int seconds = Integer.parseInt(arg(args, "--seconds", "20"));
    int threads = Integer.parseInt(arg(args, "--threads", "8"));
    int batch = Integer.parseInt(arg(args, "--batch", "400"));
    int payload = Integer.parseInt(arg(args, "--payload", "170"));
    int pids = Integer.parseInt(arg(args, "--pids", "10000"));
    int repeat = Integer.parseInt(arg(args, "--repeat", "1"));
    String user = arg(args, "--user", "postgres");
    String password = arg(args, "--password", "");
    if (url == null) {
      if (dataDir == null) throw new IllegalArgumentException("--url or --data-dir is required");
      List<String> pid = Files.readAllLines(Path.of(dataDir, "postgres", "postmaster.pid"));
      url = "jdbc:postgresql://localhost:" + pid.get(3).trim() + "/postgres";
    }
    System.out.printf(
        "InsertCeiling: %s threads=%d batch=%d payload=%dB pids=%d seconds=%d%n",
        url, threads, batch, payload, pids, seconds);
    try (Connection c = DriverManager.getConnection(url, user, password);
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
    List<Double> rates = new ArrayList<>();
    try {
      for (int r = 0; r < repeat; r++)
        rates.add(run(url, user, password, seconds, threads, batch, payload, seqs));
    } finally {
      try (Connection c = DriverManager.getConnection(url, user, password);
          Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS bench_event_journal");
      }
    }
    List<Double> sorted = new ArrayList<>(rates);
    sorted.sort(null);
    System.out.printf(
        "RESULT insert rows/s: runs=%s median=%.0f%n",
        rates.stream().map(d -> String.format("%.0f", d)).toList(), sorted.get(sorted.size() / 2));
  }

  private static double run(
      String url,
      String user,
      String password,
      int seconds,
      int threads,
      int batch,
      int payload,
      long[] seqs)
      throws Exception {
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
                try (Connection c = DriverManager.getConnection(url, user, password)) {
                  c.setAutoCommit(false);
                  try (PreparedStatement ps =
                      c.prepareStatement(
                          "INSERT INTO bench_event_journal (persistence_id, sequence_number, deleted, writer, write_timestamp,"
                              + " adapter_manifest, event_ser_id, event_ser_manifest, event_payload) VALUES (?,?,?,?,?,?,?,?,?)")) {
                    while (System.nanoTime() < end) {
                      for (int i = 0; i < batch; i++) {
                        // each writer owns the ids congruent to its slice: sequence numbers never
                        // collide
                        int p = slice + threads * rnd.nextInt(Math.max(1, seqs.length / threads));
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
                        ps.addBatch();
                      }
                      ps.executeBatch();
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
    if (!failures.isEmpty()) throw new IllegalStateException("a writer failed", failures.get(0));
    double secs = (System.nanoTime() - started) / 1e9;
    double rate = rows.sum() / secs;
    System.out.printf("run: %d rows in %.1f s = %.0f rows/s%n", rows.sum(), secs, rate);
    return rate;
  }

  static String arg(String[] args, String name, String dflt) {
    for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return args[i + 1];
    return dflt;
  }
}
