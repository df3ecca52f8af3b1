package treasurehunt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.entities.PlayerTrail;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;

/**
 * The trail's promise under {@code kill -9} (docs/protocol.md §5, "When a fix is stored"): an
 * ordinary fix acknowledged more than the flush bound (50 ms plus one transaction) before a node
 * dies is in the journal afterwards; only the last moments of a trail may be lost. A real node
 * process on a real PostgreSQL, a player on a real WebSocket, SIGKILL.
 */
class TrailCrashTest {
  static final String HUNT = "trail-crash";

  @Test
  void fixesAcknowledgedBeforeTheFlushBoundSurviveAKill9() throws Exception {
    Database db = TestDatabase.fresh("trailcrash");
    int port = NodeProcess.freePort();
    NodeProcess node =
        NodeProcess.start(
            "trail-node", db, port, List.of("akka://treasure-hunt@127.0.0.1:" + port));
    try {
      node.awaitReady(Duration.ofSeconds(120));
      HttpClientSupport http = new HttpClientSupport(node.httpPort);
      // no generated treasures: the walk below reaches none, so every fix after the first is an
      // ordinary one and goes to the trail
      http.createHunt(
          """
          { "huntId": "%s", "name": "Trail",
            "area": {"lat": 52.3702, "lon": 4.8952, "radiusM": 1500},
            "treasures": [{"id": "clock", "lat": 52.3711, "lon": 4.8952, "radiusM": 15, "points": 100}],
            "maxPlayers": 100, "maxSpeedMps": 50 }
          """
              .formatted(HUNT));
      assertEquals(200, http.postAdmin("/api/hunts/" + HUNT + "/start", null).status());
      JsonNode player = http.post("/api/players", "{\"name\":\"walker\"}").json();
      String playerId = player.get("playerId").asText();

      int before = 40, after = 10;
      try (WsClient c = WsClient.hello(node.httpPort, player.get("token").asText())) {
        assertEquals("ack", c.request("join", "\"hunt\":\"" + HUNT + "\"").get("type").asText());
        double lat = 52.3650, lon = 4.8870; // ~800 m from the treasure
        for (int i = 0; i < before + after; i++) {
          if (i == before) Thread.sleep(1_000); // 20× the flush bound
          lon += 0.00001; // ~0.7 m a fix, every ~50 ms: a brisk walk
          JsonNode ack =
              c.request(
                  "location",
                  String.format(
                      Locale.ROOT,
                      "\"hunt\":\"%s\",\"lat\":%.7f,\"lon\":%.7f,\"at\":%d",
                      HUNT,
                      lat,
                      lon,
                      System.currentTimeMillis()));
          assertEquals("ack", ack.get("type").asText(), ack.toString());
          assertEquals(0, ack.get("found").size(), ack.toString());
          Thread.sleep(50);
        }
        node.kill(); // SIGKILL straight after the last ack
      }
      assertTrue(node.awaitExit(Duration.ofSeconds(30)));

      // the first fix in a hunt goes through the player's own journal; the others to the trail
      long stored = trailRows(db, PlayerTrail.persistenceId(playerId));
      System.out.printf(
          "trail: %d of %d ordinary fixes stored after kill -9 (%d acknowledged in the last 0.6 s"
              + " before it)%n",
          stored, before + after - 1, after);
      assertTrue(
          stored >= before - 1,
          "every ordinary fix acknowledged more than the bound before the kill is stored: "
              + stored
              + " of the first "
              + (before - 1));
      assertTrue(stored <= before + after - 1, "no more rows than fixes: " + stored);
    } finally {
      if (node.process.isAlive()) node.kill();
    }
  }

  private static long trailRows(Database db, String persistenceId) throws Exception {
    try (Connection c = db.connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM event_journal WHERE persistence_id = ? AND NOT deleted")) {
      s.setString(1, persistenceId);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }
}
