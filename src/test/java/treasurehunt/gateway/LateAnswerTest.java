package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;

/**
 * A location report its entity cannot answer in time (the journal is locked, so the find it makes
 * cannot be stored) is answered {@code unavailable} once, after the ask timeout, and nothing else:
 * the entity's ack that comes after the lock is released is not sent as a second answer to the same
 * report. The retry with the same id gets the find, once (docs/protocol.md §3, retries). Written
 * for a session that matched acks to reports by id with one timer instead of an ask per report
 * (measured and not kept, BENCHMARKS.md issue 13, "session 16"): whatever the mechanism, this is
 * what the client must see.
 */
class LateAnswerTest {

  static final String HUNT = "late";

  @Test
  void aReportPastTheAskTimeoutIsUnavailableOnceAndItsRetryGetsTheFind() throws Exception {
    Database db = TestDatabase.fresh("late");
    Node node =
        TestNodes.start(
            db, TestNodes.SIMULATED_WALKS + "treasure-hunt.http.ask-timeout = 1500ms\n");
    try {
      int port = TestNodes.httpPort(node);
      HttpClientSupport http = new HttpClientSupport(port);
      assertEquals(201, http.postAdmin("/api/hunts", HttpClientSupport.oldTown(HUNT)).status());
      assertEquals(200, http.postAdmin("/api/hunts/" + HUNT + "/start", null).status());
      String token = http.post("/api/players", "{\"name\": \"lee\"}").json().get("token").asText();
      try (WsClient c = WsClient.hello(port, token)) {
        assertEquals("ack", c.request("join", "\"hunt\":\"" + HUNT + "\"").path("type").asText());
        long t0 = System.currentTimeMillis() - 60_000;
        // 100 m south of the clock, then (30 s later) at it: a find, stored before its ack
        JsonNode first = c.request("l1", "location", fix(52.3702, t0));
        assertEquals("ack", first.path("type").asText(), first.toString());

        List<JsonNode> answers = new ArrayList<>();
        long sent;
        try (Connection lock = db.connect();
            Statement s = lock.createStatement()) {
          lock.setAutoCommit(false);
          s.execute("LOCK TABLE event_journal IN ACCESS EXCLUSIVE MODE");
          sent = System.nanoTime();
          c.send(frame("l2", fix(52.3711, t0 + 30_000)));
          JsonNode a = answer(c, Duration.ofSeconds(10));
          long waited = Duration.ofNanos(System.nanoTime() - sent).toMillis();
          assertNotNull(a, "answered within 10 s");
          answers.add(a);
          assertEquals("l2", a.path("re").asText(), a.toString());
          assertEquals("unavailable", a.path("code").asText(), a.toString());
          assertTrue(a.path("retryAfterMs").asLong() > 0, a.toString());
          assertTrue(waited >= 1_400, "not before the ask timeout (1.5 s): " + waited + " ms");
          lock.rollback(); // the journal writes again: the find is stored, its ack comes late
        }
        // the entity's ack of l2, once stored, is not a second answer to l2
        for (JsonNode f = answer(c, Duration.ofSeconds(4));
            f != null;
            f = answer(c, Duration.ofSeconds(1))) answers.add(f);
        assertEquals(1, answers.size(), "one answer to l2 until it is sent again: " + answers);

        // the retry of l2 gets its find, whether the entity stored it or judges it again
        JsonNode retry = c.request("l2", "location", fix(52.3711, t0 + 30_000));
        for (int i = 0; i < 10 && "unavailable".equals(retry.path("code").asText()); i++) {
          Thread.sleep(retry.path("retryAfterMs").asLong());
          retry = c.request("l2", "location", fix(52.3711, t0 + 30_000));
        }
        assertEquals("ack", retry.path("type").asText(), retry.toString());
        assertTrue(retry.path("found").toString().contains("clock"), retry.toString());
        JsonNode more = answer(c, Duration.ofSeconds(1));
        assertNull(more, "one answer to the retry");
      }
    } finally {
      TestNodes.stop(node);
    }
  }

  /**
   * The next answer (a frame with {@code re}; events are passed over), or null within {@code wait}.
   */
  static JsonNode answer(WsClient c, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    for (long left = wait.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      JsonNode f = c.poll(Duration.ofNanos(left));
      if (f == null) return null;
      if (f.has("re")) return f;
    }
    return null;
  }

  static String fix(double lat, long at) {
    return "\"hunt\":\""
        + HUNT
        + "\",\"lat\":"
        + lat
        + ",\"lon\":4.8952,\"at\":"
        + at
        + ",\"accuracyM\":5";
  }

  static String frame(String id, String fields) {
    return "{\"type\":\"location\",\"id\":\"" + id + "\"," + fields + "}";
  }
}
