package treasurehunt.journal;

import static org.junit.jupiter.api.Assertions.*;
import static treasurehunt.journal.JournalToolsTest.count;
import static treasurehunt.journal.JournalToolsTest.journal;
import static treasurehunt.journal.JournalToolsTest.on;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.entities.PlayerTrail;
import treasurehunt.game.Geo;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;

/**
 * The journal tools on a game played with the trail on (the default): every acknowledged fix is
 * shown, the player's own in its journal and the rest in its trail, and the trail survives an
 * export and an import like any entity.
 */
class TrailToolsTest {

  @Test
  void theToolsShowEveryStoredMoveOfAPlayerWithATrail() throws Exception {
    Database db = TestDatabase.fresh("trailtools");
    Node node = TestNodes.start(db, TestNodes.SIMULATED_WALKS);
    String playerId;
    try {
      HttpClientSupport http = new HttpClientSupport(TestNodes.httpPort(node));
      assertEquals(201, http.postAdmin("/api/hunts", HttpClientSupport.oldTown("tt")).status());
      assertEquals(200, http.postAdmin("/api/hunts/tt/start", null).status());
      JsonNode p = http.post("/api/players", "{\"name\": \"tess\"}").json();
      playerId = p.get("playerId").asText();
      long t0 = System.currentTimeMillis() - 60_000;
      try (WsClient ws = WsClient.hello(TestNodes.httpPort(node), p.get("token").asText())) {
        assertEquals("ack", ws.request("join", "\"hunt\":\"tt\"").get("type").asText());
        for (int i = 0; i < 12; i++) {
          // south-west of the centre, away from the layout's named treasures
          double[] at = Geo.destination(52.3702, 4.8952, 225, 2.0 * i);
          String id = String.format(Locale.ROOT, "step-%02d", i);
          ws.send(
              String.format(
                  Locale.ROOT,
                  "{\"type\":\"location\",\"id\":\"%s\",\"hunt\":\"tt\",\"lat\":%.7f,\"lon\":%.7f,"
                      + "\"accuracyM\":5,\"at\":%d}",
                  id,
                  at[0],
                  at[1],
                  t0 + i * 1000L));
          assertEquals("ack", ws.answerTo(id).get("type").asText(), id);
        }
      }
    } finally {
      TestNodes.stop(node); // writes what waits for its batch
    }
    String trail = PlayerTrail.persistenceId(playerId);

    JournalToolsTest.Run list = journal(on(db, "list"));
    assertEquals(0, list.code(), list.err());
    assertTrue(list.out().contains(trail), list.out());

    // every acknowledged fix is in one of the two: the first in the journal, the rest in the trail
    String own = journal(on(db, "timeline", "player:" + playerId, "--json")).out();
    JournalToolsTest.Run read = journal(on(db, "timeline", "trail:" + playerId, "--json"));
    assertEquals(0, read.code(), read.err());
    for (int i = 0; i < 12; i++) {
      String id = String.format(Locale.ROOT, "step-%02d", i);
      assertTrue(own.contains(id) != read.out().contains(id), id + " shown exactly once");
    }
    assertTrue(own.contains("step-00"), own);

    JournalToolsTest.Run state = journal(on(db, "state", "trail:" + playerId));
    assertEquals(0, state.code(), state.err());
    assertTrue(state.out().contains("lastFix"), state.out());

    JournalToolsTest.Run verify = journal(on(db, "verify"));
    assertEquals(0, verify.code(), verify.out() + verify.err());
    assertTrue(verify.out().contains("with 1 trail"), verify.out());

    Path export =
        Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "trail", ".jsonl");
    assertEquals(0, journal(on(db, "export", "-o", export.toString())).code());
    Database copy = TestDatabase.fresh("trailtools_copy");
    JournalToolsTest.Run imported = journal(on(copy, "import", export.toString()));
    assertEquals(0, imported.code(), imported.out() + imported.err());
    for (String sql :
        List.of(
            "SELECT count(*) FROM event_journal WHERE persistence_id = '" + trail + "'",
            "SELECT count(*) FROM event_journal"))
      assertEquals(count(db, sql), count(copy, sql), sql);
    assertEquals(
        11,
        count(copy, "SELECT count(*) FROM event_journal WHERE persistence_id = '" + trail + "'"));
  }
}
