package treasurehunt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The node's embedded PostgreSQL is durable by default: the embedded library's own default is fsync
 * off, which loses acknowledged events on a power loss and which no kill -9 test can show.
 */
class DatabaseTest {

  @Test
  void embeddedDatabaseIsDurableByDefault() throws Exception {
    Path dir =
        Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "pg-durable");
    try (Database db = Database.embedded(dir, 0)) {
      assertEquals("on", setting(db, "fsync"));
      assertEquals("on", setting(db, "full_page_writes"));
      assertEquals("on", setting(db, "synchronous_commit"));
    }
  }

  @Test
  void nonDurableOnlyWhenAskedFor() throws Exception {
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "pg-fast");
    try (Database db = Database.embedded(dir, 0, false)) {
      assertEquals("off", setting(db, "fsync"));
      assertEquals("off", setting(db, "full_page_writes"));
    }
  }

  private static String setting(Database db, String name) throws Exception {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SHOW " + name)) {
      r.next();
      return r.getString(1);
    }
  }
}
