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

  /**
   * Byte-order collation (ids compared without strcoll), and still UTF-8: a player's name with
   * letters outside ASCII comes back as it went in.
   */
  @Test
  void embeddedDatabaseComparesBytesAndKeepsUtf8() throws Exception {
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "pg-c");
    try (Database db = Database.embedded(dir, 0, false)) {
      assertEquals("UTF8", setting(db, "server_encoding"));
      try (Connection c = db.connect();
          Statement s = c.createStatement();
          ResultSet r =
              s.executeQuery(
                  "SELECT datcollate, 'Zoë 北' = convert_from(convert_to('Zoë 北', 'UTF8'), 'UTF8'),"
                      + " 'Z' < 'a', 'Player|x' > 'PlayerTrail|x'"
                      + " FROM pg_database WHERE datname = current_database()")) {
        r.next();
        assertEquals("C", r.getString(1));
        assertEquals(true, r.getBoolean(2));
        assertEquals(true, r.getBoolean(3), "upper case before lower case: byte order");
        assertEquals(true, r.getBoolean(4), "'|' (0x7c) after 'T' (0x54)");
      }
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
