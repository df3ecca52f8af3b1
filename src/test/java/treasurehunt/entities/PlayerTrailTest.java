package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.game.Geo;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;

/**
 * The player's trail ({@link PlayerTrail}) on a real node and PostgreSQL: ordinary fixes leave the
 * player's journal for batches of their own, and a player's next fix is still judged from its real
 * last one, on a node that starts the entity afresh, against a client that lies about where it was.
 */
class PlayerTrailTest {
  static final double LAT = 52.3702, LON = 4.8952;

  /** One treasure 1 km north, far from every walk here; 5 m/s at most. */
  static String hunt(String id) {
    double[] north = Geo.destination(LAT, LON, 0, 1000);
    return String.format(
        Locale.ROOT,
        """
        { "huntId": "%s", "name": "Trail",
          "area": {"lat": %.6f, "lon": %.6f, "radiusM": 3000},
          "treasures": [{"id": "north", "lat": %.7f, "lon": %.7f, "radiusM": 15, "points": 10}],
          "maxPlayers": 100, "maxSpeedMps": 5, "showPlayers": false }
        """,
        id,
        LAT,
        LON,
        north[0],
        north[1]);
  }

  record Who(String id, String token) {}

  static Who newPlayer(HttpClientSupport http, String name) throws Exception {
    JsonNode p = http.post("/api/players", "{\"name\": \"" + name + "\"}").json();
    return new Who(p.get("playerId").asText(), p.get("token").asText());
  }

  static WsClient joined(Node node, Who p, String hunt) throws Exception {
    WsClient ws = WsClient.hello(TestNodes.httpPort(node), p.token());
    JsonNode joined = ws.request("join", "\"hunt\": \"" + hunt + "\"");
    assertEquals("ack", joined.get("type").asText(), joined.toString());
    return ws;
  }

  static JsonNode fix(WsClient ws, String hunt, String id, double[] at, long when)
      throws Exception {
    ws.send(
        String.format(
            Locale.ROOT,
            "{\"type\":\"location\",\"id\":\"%s\",\"hunt\":\"%s\",\"lat\":%.7f,\"lon\":%.7f,"
                + "\"accuracyM\":5,\"at\":%d}",
            id,
            hunt,
            at[0],
            at[1],
            when));
    return ws.answerTo(id);
  }

  static HttpClientSupport started(Node node, String hunt) throws Exception {
    HttpClientSupport http = new HttpClientSupport(TestNodes.httpPort(node));
    assertEquals(201, http.postAdmin("/api/hunts", hunt(hunt)).status());
    assertEquals(200, http.postAdmin("/api/hunts/" + hunt + "/start", null).status());
    return http;
  }

  /** Moved events stored under {@code persistenceId}; with {@code cmdId}, only those holding it. */
  static int moves(Database db, String persistenceId, String cmdId) throws Exception {
    try (Connection c = db.connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM event_journal WHERE persistence_id = ?"
                    + " AND event_ser_manifest LIKE '%$Moved' AND NOT deleted"
                    + (cmdId == null ? "" : " AND position(? in event_payload) > 0"))) {
      s.setString(1, persistenceId);
      if (cmdId != null) s.setBytes(2, cmdId.getBytes(StandardCharsets.UTF_8));
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  static void eventually(String what, int expected, AckBeforeStoreTest.Check check)
      throws Exception {
    AckBeforeStoreTest.eventually(what, expected, check);
  }

  /**
   * The first fix in a hunt is journaled (it marks the player located there); the walk after it
   * goes to the trail, one row per acknowledged fix, and stays out of the player's journal.
   */
  @Test
  void ordinaryFixesAreStoredInTheTrailAndNotInThePlayersJournal() throws Exception {
    Database db = TestDatabase.fresh("trail");
    Node node = TestNodes.start(db, TestNodes.SIMULATED_WALKS);
    try {
      HttpClientSupport http = started(node, "walk");
      Who p = newPlayer(http, "walker");
      long t0 = System.currentTimeMillis() - 60_000;
      try (WsClient ws = joined(node, p, "walk")) {
        for (int i = 0; i < 25; i++) {
          JsonNode a =
              fix(ws, "walk", walkId(i), Geo.destination(LAT, LON, 180, 3 * i), t0 + i * 1000L);
          assertEquals("ack", a.get("type").asText(), a.toString());
        }
      }
      String trail = PlayerTrail.persistenceId(p.id());
      eventually("the walk's fixes in the trail", 24, () -> moves(db, trail, null));
      assertEquals(1, moves(db, "Player|" + p.id(), null), "only the first fix is journaled");
      for (int i = 1; i < 25; i++) assertEquals(1, moves(db, trail, walkId(i)), walkId(i));
    } finally {
      TestNodes.stop(node);
    }
  }

  static String walkId(int i) {
    return String.format(Locale.ROOT, "w-%02d", i);
  }

  /**
   * A lying client after its entity starts afresh (here: the node restarts on the same database, as
   * after a rebalance or a passivation): it walks 80 m south at 4 m/s, then claims to be back where
   * it began a second later. Judged from its journal alone (the first fix, 21 s earlier) that would
   * be a plausible stand-still; judged from its trail it is an 80 m jump in 1 s, refused. A retry
   * of its last acknowledged fix gets the first answer again and stores nothing twice, and an
   * honest next step is taken.
   */
  @Test
  void aRestartedPlayerIsJudgedFromItsTrailAndRetriesGetTheirFirstAnswer() throws Exception {
    Database db = TestDatabase.fresh("trailrestart");
    Node node = TestNodes.start(db, TestNodes.SIMULATED_WALKS);
    Who p;
    long t0 = System.currentTimeMillis() - 60_000;
    double[] start = {LAT, LON};
    JsonNode lastAck;
    try {
      HttpClientSupport http = started(node, "liar");
      p = newPlayer(http, "liar");
      try (WsClient ws = joined(node, p, "liar")) {
        assertEquals("ack", fix(ws, "liar", "s-0", start, t0).get("type").asText());
        JsonNode a = null;
        for (int i = 1; i <= 20; i++) {
          a = fix(ws, "liar", "s-" + i, Geo.destination(LAT, LON, 180, 4 * i), t0 + i * 1000L);
          assertEquals("ack", a.get("type").asText(), a.toString());
        }
        lastAck = a;
      }
    } finally {
      TestNodes.stop(node);
    }
    Node again = TestNodes.start(db, TestNodes.SIMULATED_WALKS);
    try {
      try (WsClient ws = joined(again, p, "liar")) {
        JsonNode retry = fix(ws, "liar", "s-20", Geo.destination(LAT, LON, 180, 80), t0 + 20_000L);
        assertEquals(lastAck, retry, "a retry after the restart gets the first answer");
        JsonNode back = fix(ws, "liar", "jump-back", start, t0 + 21_000L);
        assertEquals("error", back.get("type").asText(), back.toString());
        assertEquals("implausible_move", back.get("code").asText(), back.toString());
        JsonNode honest =
            fix(ws, "liar", "honest-step", Geo.destination(LAT, LON, 180, 84), t0 + 21_000L);
        assertEquals("ack", honest.get("type").asText(), honest.toString());
      }
      String trail = PlayerTrail.persistenceId(p.id());
      eventually("the honest step in the trail", 1, () -> moves(db, trail, "honest-step"));
      assertEquals(1, moves(db, trail, "s-20"), "the retry stored nothing twice");
      assertEquals(0, moves(db, trail, "jump-back"), "the jump stored nothing");
      assertEquals(0, moves(db, "Player|" + p.id(), "jump-back"), "the jump stored nothing");
    } finally {
      TestNodes.stop(again);
    }
  }

  /**
   * A node that leaves (its shards handed off, its entities stopped) writes the trail rows that
   * were still waiting for their batch: only a crash may lose them. The batch waits 3 s here so
   * that the stop surely falls inside it.
   */
  @Test
  void aTrailRowWaitingForItsBatchIsWrittenWhenTheNodeLeaves() throws Exception {
    Database db = TestDatabase.fresh("trailleave");
    Node node =
        TestNodes.start(db, TestNodes.SIMULATED_WALKS + "treasure-hunt.trail.flush-every = 3s\n");
    String trail;
    try {
      HttpClientSupport http = started(node, "leave");
      Who p = newPlayer(http, "leaver");
      trail = PlayerTrail.persistenceId(p.id());
      long t = System.currentTimeMillis();
      try (WsClient ws = joined(node, p, "leave")) {
        assertEquals(
            "ack", fix(ws, "leave", "first", new double[] {LAT, LON}, t).get("type").asText());
        double[] next = Geo.destination(LAT, LON, 180, 2);
        assertEquals("ack", fix(ws, "leave", "waiting", next, t + 1000).get("type").asText());
        assertEquals(0, moves(db, trail, null), "acknowledged, waiting for its batch");
      }
    } finally {
      TestNodes.stop(node);
    }
    assertEquals(1, moves(db, trail, "waiting"), "written as the entity stopped");
  }

  /**
   * A flood the trail cannot queue (here: no room at all) is written through the player's journal
   * instead: every fix acknowledged is stored, none in the trail, and the node counts the refusals.
   */
  @Test
  void aFullTrailQueueSendsFixesThroughTheJournalAndLosesNone() throws Exception {
    Database db = TestDatabase.fresh("trailfull");
    Node node =
        TestNodes.start(db, TestNodes.SIMULATED_WALKS + "treasure-hunt.trail.max-pending = 0\n");
    try {
      HttpClientSupport http = started(node, "full");
      Who p = newPlayer(http, "flooder");
      long t0 = System.currentTimeMillis() - 60_000;
      try (WsClient ws = joined(node, p, "full")) {
        for (int i = 0; i < 10; i++) {
          JsonNode a =
              fix(ws, "full", walkId(i), Geo.destination(LAT, LON, 180, 3 * i), t0 + i * 1000L);
          assertEquals("ack", a.get("type").asText(), a.toString());
        }
      }
      eventually("every fix in the journal", 10, () -> moves(db, "Player|" + p.id(), null));
      assertEquals(0, moves(db, PlayerTrail.persistenceId(p.id()), null));
      double refused =
          treasurehunt.metrics.Metrics.get(node.system)
              .registry()
              .counter("th.trail.refused")
              .count();
      assertEquals(9, refused, 0.0, "the nine fixes after the first were refused by the trail");
    } finally {
      TestNodes.stop(node);
    }
  }
}
