package treasurehunt.cluster;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's PostgreSQL: the one named by TH_DB_URL, or an embedded one whose data lives under
 * {@code <data-dir>/postgres} and survives restarts (also a {@code kill -9}: a postmaster orphaned
 * by a killed node is stopped before the new one starts on the same data).
 */
public final class Database implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  /** The DDL applied at every start; the tests apply the same file. */
  public static final String SCHEMA_RESOURCE = "persistence-schema/postgres.sql";

  private final String url;
  private final String user;
  private final String password;
  private final EmbeddedPostgres embedded;

  private Database(String url, String user, String password, EmbeddedPostgres embedded) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.embedded = embedded;
  }

  public static Database external(String url, String user, String password) {
    return new Database(url, user, password, null);
  }

  /**
   * Starts a durable embedded PostgreSQL keeping its data in {@code dataDir}; port 0 picks a free
   * one.
   */
  public static Database embedded(Path dataDir, int port) throws IOException {
    return embedded(dataDir, port, true);
  }

  /**
   * Starts an embedded PostgreSQL keeping its data in {@code dataDir}; port 0 picks a free one.
   *
   * <p>{@code durable}: {@code fsync} and {@code full_page_writes} on, so an acknowledged event
   * survives a power loss or an OS crash and a torn page cannot corrupt the journal. The embedded
   * library starts the postmaster with {@code -F} (fsync off); the {@code -c fsync=on} given here
   * comes after it on the command line and wins. Only tests and throw-away runs should pass {@code
   * false} ({@code TH_DB_DURABLE=off}).
   */
  public static Database embedded(Path dataDir, int port, boolean durable) throws IOException {
    return embedded(dataDir, port, durable, "C");
  }

  /**
   * As {@link #embedded(Path, int, boolean)}, with the database created in {@code locale} (for a
   * benchmark of what a libc locale costs the journal: {@code bench/CollationBench}).
   */
  public static Database embedded(Path dataDir, int port, boolean durable, String locale)
      throws IOException {
    Files.createDirectories(dataDir);
    stopOrphanedPostmaster(dataDir);
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            .setPort(port)
            .setPGStartupWait(Duration.ofSeconds(60))
            .setServerConfig("max_connections", "300")
            .setServerConfig("shared_buffers", "256MB")
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("fsync", durable ? "on" : "off")
            .setServerConfig("full_page_writes", durable ? "on" : "off")
            // Byte-order collation (locale C) whatever the machine's locale: the journal's keys
            // are ASCII ids, and under a libc locale (C.UTF-8, en_US.UTF-8) every comparison in
            // the primary key goes through strcoll (BENCHMARKS.md, issue 13, "session 11"). Only
            // a new data directory is created with it (initdb); text stays UTF-8.
            .setLocaleConfig("locale", locale)
            .setLocaleConfig("encoding", "UTF8")
            .start();
    log.info(
        "embedded PostgreSQL on port {} with data in {}{}",
        pg.getPort(),
        dataDir,
        durable ? "" : " (NOT durable: fsync off)");
    return new Database(pg.getJdbcUrl("postgres", "postgres"), "postgres", "", pg);
  }

  /** The node's database: TH_DB_URL if set, else embedded under the data directory. */
  public static Database forNode(NodeSettings settings) throws IOException {
    if (!settings.embeddedDatabase())
      return external(settings.dbUrl(), settings.dbUser(), settings.dbPassword());
    return embedded(settings.dataDir().resolve("postgres"), 0, settings.dbDurable());
  }

  public String url() {
    return url;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** A JDBC URL of PostgreSQL with its database name replaced (its parameters kept). */
  public static String withDatabase(String url, String name) {
    int slash = url.indexOf('/', "jdbc:postgresql://".length());
    int query = url.indexOf('?', slash);
    String rest = query < 0 ? "" : url.substring(query);
    return url.substring(0, slash + 1) + name + rest;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  /**
   * Applies persistence-schema/postgres.sql (idempotent), serialised across nodes by an advisory
   * lock.
   */
  public void applySchema() throws SQLException, IOException {
    String ddl = schema();
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(7426101)");
        s.execute(ddl);
      }
      c.commit();
    }
  }

  public static String schema() throws IOException {
    try (InputStream in = Database.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
      if (in == null) throw new IOException(SCHEMA_RESOURCE + " is not on the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() throws IOException {
    if (embedded != null) embedded.close();
  }

  /**
   * A node killed with -9 leaves its embedded postmaster running on the data directory; a new one
   * could not start there. Stop it (SIGTERM, then SIGKILL after 15 s) if postmaster.pid names a
   * live postgres.
   */
  static void stopOrphanedPostmaster(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) return;
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    } catch (RuntimeException e) {
      return;
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) return;
    String command = handle.get().info().command().orElse("");
    if (!command.contains("postgres")) return;
    log.warn(
        "stopping PostgreSQL {} left running on {} by a node that did not shut down", pid, dataDir);
    handle.get().destroy();
    try {
      handle.get().onExit().get(15, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      handle.get().destroyForcibly();
    }
  }
}
