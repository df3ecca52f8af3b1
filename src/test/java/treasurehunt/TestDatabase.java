package treasurehunt;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import treasurehunt.cluster.Database;

/**
 * A real PostgreSQL for tests: the one named by {@code TH_TEST_DB_URL} (with {@code
 * TH_TEST_DB_USER}, {@code TH_TEST_DB_PASSWORD}), or one embedded PostgreSQL per test JVM. Each
 * caller gets a database of its own with persistence-schema/postgres.sql applied, so test classes
 * never see each other's journal.
 */
public final class TestDatabase {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static String adminUrl;
  private static String user;
  private static String password;

  private TestDatabase() {}

  private static synchronized void init() throws Exception {
    if (adminUrl != null) return;
    String url = System.getenv("TH_TEST_DB_URL");
    if (url != null && !url.isBlank()) {
      adminUrl = url;
      user = System.getenv().getOrDefault("TH_TEST_DB_USER", "postgres");
      password = System.getenv().getOrDefault("TH_TEST_DB_PASSWORD", "");
      return;
    }
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(tmp);
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setServerConfig("max_connections", "500")
            .setServerConfig("fsync", "off")
            .start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    pg.close();
                  } catch (Exception ignored) {
                    // the JVM is exiting
                  }
                }));
    adminUrl = pg.getJdbcUrl("postgres", "postgres");
    user = "postgres";
    password = "";
  }

  /** A new, empty database with the engine's schema. */
  public static Database fresh(String label) throws Exception {
    init();
    String name =
        ("th_" + label + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet())
            .toLowerCase()
            .replaceAll("[^a-z0-9_]", "_");
    try (Connection c = DriverManager.getConnection(adminUrl, user, password);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    Database db = Database.external(Database.withDatabase(adminUrl, name), user, password);
    db.applySchema();
    return db;
  }
}
