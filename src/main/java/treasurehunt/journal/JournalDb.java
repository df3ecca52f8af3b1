package treasurehunt.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import treasurehunt.cluster.Database;

/**
 * The PostgreSQL holding the journal, chosen as the node chooses it: a JDBC URL, or the embedded
 * database under the data folder. When a node is running on that folder its PostgreSQL is already
 * up (the port is on line 4 of {@code postmaster.pid}) and the tools connect to it; otherwise they
 * start the embedded PostgreSQL on the folder themselves and stop it when done.
 */
final class JournalDb implements AutoCloseable {
  private final String url;
  private final String user;
  private final String password;
  private final String description;
  private final Database started;

  private JournalDb(
      String url, String user, String password, String description, Database started) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.description = description;
    this.started = started;
  }

  static JournalDb external(String url, String user, String password) {
    return new JournalDb(url, user, password, url, null);
  }

  /**
   * The embedded database of a data folder. {@code create}: initialise an empty one if the folder
   * has none (import); otherwise a folder without a database is an error.
   */
  static JournalDb embedded(Path dataDir, boolean create) throws IOException {
    Path pg = dataDir.resolve("postgres").toAbsolutePath();
    if (!Files.exists(pg.resolve("PG_VERSION")) && !create)
      throw new JournalException(
          "no journal in "
              + dataDir
              + ": no embedded PostgreSQL there (start a node with TH_DATA_DIR="
              + dataDir
              + " and play a hunt), or name one with --data-dir, --db-url or --file");
    Optional<Integer> port = runningPort(pg);
    if (port.isPresent())
      return new JournalDb(
          "jdbc:postgresql://localhost:" + port.get() + "/postgres",
          "postgres",
          "",
          pg + " (the running node's PostgreSQL on port " + port.get() + ")",
          null);
    Database db = Database.embedded(pg, 0);
    return new JournalDb(
        db.url(),
        db.user(),
        db.password(),
        pg + " (embedded PostgreSQL started for this command)",
        db);
  }

  /**
   * The port of a live postmaster on {@code pgDir}, from its postmaster.pid (pid on line 1, port on
   * line 4).
   */
  static Optional<Integer> runningPort(Path pgDir) {
    Path pidFile = pgDir.resolve("postmaster.pid");
    try {
      if (!Files.exists(pidFile)) return Optional.empty();
      List<String> lines = Files.readAllLines(pidFile);
      if (lines.size() < 4) return Optional.empty();
      long pid = Long.parseLong(lines.get(0).trim());
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      if (handle.isEmpty() || !handle.get().isAlive()) return Optional.empty();
      if (!handle.get().info().command().orElse("postgres").contains("postgres"))
        return Optional.empty();
      return Optional.of(Integer.parseInt(lines.get(3).trim()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  String url() {
    return url;
  }

  String user() {
    return user;
  }

  String password() {
    return password;
  }

  String describe() {
    return description;
  }

  /**
   * A connection for bulk work: rows in binary format from the first execution (bytea without hex
   * decoding). {@code readOnly}: the session refuses to write.
   */
  Connection connect(boolean readOnly) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) p.setProperty("password", password);
    p.setProperty("prepareThreshold", "-1");
    p.setProperty("ApplicationName", "treasure-hunt journal");
    Connection c = DriverManager.getConnection(url, p);
    if (readOnly) c.setReadOnly(true);
    return c;
  }

  @Override
  public void close() throws IOException {
    if (started != null) started.close();
  }
}
