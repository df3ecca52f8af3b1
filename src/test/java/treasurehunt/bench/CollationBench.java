package treasurehunt.bench;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.postgresql.PGConnection;
import treasurehunt.cluster.Database;

/**
 * What the collation of {@code event_journal.persistence_id} costs PostgreSQL per trail row: the
 * same binary COPY batches as {@code PlayerTrail} (500 rows of 2,000 players' trails, sequence
 * numbers rising) into two tables laid out like {@code event_journal}, one whose persistence ids
 * are {@code COLLATE "C"} and one with the database's default collation, alternating batch by batch
 * on one connection of one embedded PostgreSQL. The backend's own CPU (user + system from /proc) is
 * counted per table. Not a test (no Test suffix).
 *
 * <pre>
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=treasurehunt.bench.CollationBench -Dexec.args="--locale C.UTF-8 --rows 400000"
 * </pre>
 *
 * {@code --locale}: the database's locale (initdb), e.g. C.UTF-8 or en_US.UTF-8 where installed
 * ({@code locale -a}).
 */
public final class CollationBench {
  private CollationBench() {}

  public static void main(String[] args) throws Exception {
    String locale = "C.UTF-8";
    int rows = 400_000;
    int batch = 500;
    boolean durable = true;
    boolean ordering = true;
    for (int i = 0; i + 1 < args.length; i += 2)
      switch (args[i]) {
        case "--locale" -> locale = args[i + 1];
        case "--rows" -> rows = Integer.parseInt(args[i + 1]);
        case "--batch" -> batch = Integer.parseInt(args[i + 1]);
        case "--durable" -> durable = Boolean.parseBoolean(args[i + 1]);
        case "--ordering" -> ordering = Boolean.parseBoolean(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    Path dir = Files.createTempDirectory("collation-bench");
    try (Database db = Database.embedded(dir, 0, durable, locale);
        Connection c = db.connect()) {
      c.setAutoCommit(false);
      String[] tables = {"journal_c", "journal_default"};
      try (Statement s = c.createStatement()) {
        for (String t : tables)
          s.execute(
              "CREATE TABLE "
                  + t
                  + " (ordering BIGSERIAL, persistence_id VARCHAR(255)"
                  + (t.equals("journal_c") ? " COLLATE \"C\"" : "")
                  + " NOT NULL, sequence_number BIGINT NOT NULL, deleted BOOLEAN DEFAULT FALSE NOT NULL,"
                  + " writer VARCHAR(255) NOT NULL, write_timestamp BIGINT, adapter_manifest VARCHAR(255),"
                  + " event_ser_id INTEGER NOT NULL, event_ser_manifest VARCHAR(255) NOT NULL,"
                  + " event_payload BYTEA NOT NULL, PRIMARY KEY (persistence_id, sequence_number))");
        if (ordering)
          for (String t : tables)
            s.execute("CREATE UNIQUE INDEX " + t + "_ordering ON " + t + " (ordering)");
        c.commit();
      }
      String datcollate;
      long backend;
      try (Statement s = c.createStatement();
          ResultSet r =
              s.executeQuery(
                  "SELECT datcollate, pg_backend_pid() FROM pg_database"
                      + " WHERE datname = current_database()")) {
        r.next();
        datcollate = r.getString(1);
        backend = r.getLong(2);
      }
      c.commit();
      Random random = new Random(42);
      List<String> players = new ArrayList<>();
      for (int i = 0; i < 2000; i++)
        players.add("PlayerTrail|p-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36));
      long[] seq = new long[players.size()];
      long[] ticks = new long[2];
      long[] written = new long[2];
      int rounds = rows / batch;
      for (int round = 0; round < rounds; round++) {
        byte[] copy = batch(players, seq, batch, random);
        for (int t = 0; t < 2; t++) {
          int which = (round + t) % 2; // alternate which table goes first
          long before = ticks(backend);
          c.unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn(
                  "COPY "
                      + tables[which]
                      + " (persistence_id, sequence_number, deleted, writer, write_timestamp,"
                      + " adapter_manifest, event_ser_id, event_ser_manifest, event_payload)"
                      + " FROM STDIN (FORMAT binary)",
                  new java.io.ByteArrayInputStream(copy));
          c.commit();
          ticks[which] += ticks(backend) - before;
          written[which] += batch;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "collation-bench: database locale %s, %d rows per table in batches of %d%n",
          datcollate,
          written[0],
          batch);
      for (int t = 0; t < 2; t++)
        System.out.printf(
            Locale.ROOT,
            "  %-16s %s: %.1f us of the backend's CPU per row%n",
            tables[t],
            t == 0 ? "(COLLATE \"C\")" : "(default)    ",
            ticks[t] * 1e6 / 100 / written[t]);
    }
  }

  /** A binary COPY of {@code n} trail rows, as {@code PlayerTrail.copyRows} writes them. */
  private static byte[] batch(List<String> players, long[] seq, int n, Random random)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(n * 200);
    DataOutputStream d = new DataOutputStream(out);
    d.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0});
    d.writeInt(0);
    d.writeInt(0);
    byte[] writer = "trail-akka://treasure-hunt@127.0.0.1:25520".getBytes(StandardCharsets.UTF_8);
    byte[] manifest = "treasurehunt.entities.Player$Moved".getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[90];
    for (int i = 0; i < n; i++) {
      int p = random.nextInt(players.size());
      random.nextBytes(payload);
      d.writeShort(9);
      bytes(d, players.get(p).getBytes(StandardCharsets.UTF_8));
      d.writeInt(8);
      d.writeLong(++seq[p]);
      d.writeInt(1);
      d.writeByte(0);
      bytes(d, writer);
      d.writeInt(8);
      d.writeLong(System.currentTimeMillis());
      d.writeInt(0);
      d.writeInt(4);
      d.writeInt(33);
      bytes(d, manifest);
      bytes(d, payload);
    }
    d.writeShort(-1);
    d.flush();
    return out.toByteArray();
  }

  private static void bytes(DataOutputStream d, byte[] b) throws IOException {
    d.writeInt(b.length);
    d.write(b);
  }

  private static long ticks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
  }
}
