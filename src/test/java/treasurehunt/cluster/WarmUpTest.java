package treasurehunt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;

/**
 * The warm-up before a node starts (issue 13, {@link WarmUp}): it plays on a scratch node and a
 * scratch database, leaves nothing behind in the node's journal, its PostgreSQL server or its JVM,
 * keeps the node's ports closed until it is done, and never stops a node from starting.
 */
class WarmUpTest {

  private static Config config(Database db, String duration, int clients) throws Exception {
    return ConfigFactory.parseString(
            "treasure-hunt.warm-up.duration = "
                + duration
                + "\n"
                + "treasure-hunt.warm-up.clients = "
                + clients
                + "\n")
        .withFallback(TestNodes.config(db, ""));
  }

  @Test
  void playsOnAScratchDatabaseAndLeavesNothingBehind() throws Exception {
    Database db = TestDatabase.fresh("wu");
    WarmUp.Result r = WarmUp.run(config(db, "4s", 20), db);

    assertNull(r.skipped(), "the warm-up ran: " + r);
    // not a speed figure (a cold JVM on a shared machine): the players got through register,
    // hello and join to acknowledged location reports, as a real player does
    assertTrue(r.acks() >= 20, "location reports acknowledged in 4 s by 20 players: " + r);
    assertTrue(
        r.refused() * 20 < r.acks(),
        "the warm-up's players follow the protocol, so almost every report is acknowledged: " + r);
    // the node's own journal, and the server it runs on, are as before
    assertEquals("", rows(db), "no warm-up event journaled");
    assertEquals(0, count(db, "SELECT count(*) FROM snapshot"), "no warm-up snapshot");
    assertEquals(
        0,
        count(db, "SELECT count(*) FROM pg_database WHERE datname LIKE 'th\\_warm\\_up\\_%'"),
        "the scratch database is dropped");
    // and the JVM: the scratch node's threads are gone (its ActorSystem, trail, clients)
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    List<String> left = leftThreads();
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
      left = leftThreads();
    }
    assertEquals(List.of(), left, "threads of the warm-up still running");
  }

  @Test
  void aDatabaseRoleThatMayNotCreateDatabasesSkipsItAndTheNodeStartsCold() throws Exception {
    Database db = TestDatabase.fresh("wu-role");
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      s.execute("DROP ROLE IF EXISTS th_no_createdb");
      s.execute("CREATE ROLE th_no_createdb LOGIN PASSWORD 'pw' NOCREATEDB");
    }
    String url = db.url().contains("?") ? db.url().substring(0, db.url().indexOf('?')) : db.url();
    Database limited = Database.external(url, "th_no_createdb", "pw");
    WarmUp.Result r = WarmUp.run(config(db, "4s", 20), limited);
    assertNotNull(r.skipped(), "skipped: " + r);
    assertTrue(r.skipped().contains("no scratch database"), r.skipped());
    assertEquals(0, r.acks());
    assertEquals(
        0, count(db, "SELECT count(*) FROM pg_database WHERE datname LIKE 'th\\_warm\\_up\\_%'"));
  }

  /**
   * A node killed during its warm-up leaves its scratch database behind: the next warm-up on that
   * server drops it, but not one that another node's warm-up may be using now (created recently, by
   * the epoch second in its name) nor an old one somebody is still connected to.
   */
  @Test
  void theNextWarmUpDropsTheScratchDatabaseOfOneThatWasKilled() throws Exception {
    Database db = TestDatabase.fresh("wu-stale");
    long now = System.currentTimeMillis() / 1000;
    String dead = WarmUp.PREFIX + (now - 7200) + "_dead",
        busy = WarmUp.PREFIX + (now - 7200) + "_busy",
        live = WarmUp.PREFIX + now + "_live";
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      for (String name : List.of(dead, busy, live)) s.execute("CREATE DATABASE " + name);
    }
    Database busyDb =
        Database.external(Database.withDatabase(db.url(), busy), db.user(), db.password());
    try (Connection someone = busyDb.connect()) {
      WarmUp.Result r = WarmUp.run(config(db, "2s", 5), db);
      assertNull(r.skipped(), "the warm-up ran: " + r);
      assertEquals(
          List.of(busy, live),
          names(db),
          "the killed warm-up's database is gone; the one in use and the recent one stay");
    } finally {
      try (Connection c = db.connect();
          Statement s = c.createStatement()) {
        for (String name : List.of(dead, busy, live))
          s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      }
    }
  }

  private static List<String> names(Database db) throws Exception {
    List<String> names = new java.util.ArrayList<>();
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT datname FROM pg_database WHERE datname LIKE 'th\\_warm\\_up\\_%'"
                    + " ORDER BY datname")) {
      while (rs.next()) names.add(rs.getString(1));
    }
    return names;
  }

  /**
   * The way an operator runs it: a node process with a 6 s warm-up. Its ports stay closed while it
   * warms up (no player reaches a cold node; no probe calls it ready), it logs what the warm-up
   * did, and then it serves, with nothing of the warm-up visible to players.
   */
  @Test
  void aNodeProcessKeepsItsPortsClosedUntilWarmAndShowsNoTraceOfIt() throws Exception {
    Database db = TestDatabase.fresh("wu-process");
    NodeProcess node =
        NodeProcess.start(
            "warm-up-" + ProcessHandle.current().pid(),
            db,
            NodeProcess.freePort(),
            List.of(),
            "-Dtreasure-hunt.warm-up.duration=6s",
            "-Dtreasure-hunt.warm-up.clients=30");
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!log(node).contains("warm-up: 30 players") && System.nanoTime() < deadline)
        Thread.sleep(100);
      assertTrue(log(node).contains("warm-up: 30 players"), "the warm-up began: " + log(node));
      boolean sawClosed = false;
      while (!log(node).contains("warm-up done") && System.nanoTime() < deadline) {
        assertEquals(-1, NodeProcess.status(node.managementPort, "/ready"), "ready while cold");
        assertEquals(-1, NodeProcess.status(node.httpPort, "/api/hunts"), "serving while cold");
        sawClosed = true;
        Thread.sleep(300);
      }
      assertTrue(sawClosed, "the ports were checked during the warm-up");
      node.awaitReady(Duration.ofSeconds(90));

      Matcher done =
          Pattern.compile("warm-up done: (\\d+) location reports acknowledged").matcher(log(node));
      assertTrue(done.find(), log(node));
      assertTrue(Long.parseLong(done.group(1)) >= 30, "acknowledged during the warm-up: " + done);

      String hunts = body(node.httpPort, "/api/hunts");
      assertFalse(hunts.contains("warm-up"), "a warm-up hunt is listed: " + hunts);
      assertEquals(404, NodeProcess.status(node.httpPort, "/api/hunts/warm-up-0"));
      assertEquals("", rows(db), "warm-up events journaled");
      assertEquals(
          0, count(db, "SELECT count(*) FROM pg_database WHERE datname LIKE 'th\\_warm\\_up\\_%'"));
      HttpResponse<String> registered =
          NodeProcess.HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + node.httpPort + "/api/players"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"after\"}"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(201, registered.statusCode(), registered.body());
      assertTrue(rows(db).startsWith("Player|"), "the player registered after: " + rows(db));
    } finally {
      node.kill();
      node.awaitExit(Duration.ofSeconds(20));
    }
  }

  private static String log(NodeProcess node) throws Exception {
    return Files.exists(node.log) ? Files.readString(node.log) : "";
  }

  private static String body(int port, String path) throws Exception {
    return NodeProcess.HTTP
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /**
   * The journal's rows, one line each (persistence id, sequence number, event type), but for the
   * node's own sharding coordinators' (/sharding/…), which any started node writes.
   */
  private static String rows(Database db) throws Exception {
    StringBuilder out = new StringBuilder();
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT persistence_id, sequence_number, event_ser_manifest FROM event_journal"
                    + " WHERE persistence_id NOT LIKE '/sharding/%' ORDER BY ordering")) {
      while (rs.next())
        out.append(rs.getString(1))
            .append(' ')
            .append(rs.getLong(2))
            .append(' ')
            .append(rs.getString(3))
            .append('\n');
    }
    return out.toString();
  }

  private static long count(Database db, String sql) throws Exception {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> leftThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("th-warm-up") || n.startsWith("th-player-trail"))
        .sorted()
        .toList();
  }
}
