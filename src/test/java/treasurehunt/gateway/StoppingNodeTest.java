package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Node;

/**
 * A node that stops while a player's location reports wait for their answers answers every one of
 * them, once, then closes the connection with 1001 (docs/protocol.md §2). The session's count of
 * unanswered commands and the frames it holds back past max-in-flight must settle during the stop,
 * or the stop would wait for answers that never come and the player would be cut off without them.
 */
class StoppingNodeTest {

  @Test
  void everyReportSentBeforeTheStopIsAnsweredOnceAndTheCloseIs1001() throws Exception {
    Node node =
        TestNodes.start(
            TestDatabase.fresh("stopping"),
            TestNodes.SIMULATED_WALKS
                // two rounds of pipelined reports, not a flood: the rate limit is not under test
                + "treasure-hunt.ws.rate-per-second = 200\ntreasure-hunt.ws.burst = 200\n");
    CompletableFuture<Void> stop = null;
    try {
      int port = TestNodes.httpPort(node);
      HttpClientSupport http = new HttpClientSupport(port);
      assertEquals(201, http.postAdmin("/api/hunts", HttpClientSupport.oldTown("stop")).status());
      assertEquals(200, http.postAdmin("/api/hunts/stop/start", null).status());
      String token = http.post("/api/players", "{\"name\": \"ann\"}").json().get("token").asText();
      try (WsClient c = WsClient.hello(port, token)) {
        assertEquals("ack", c.request("join", "\"hunt\":\"stop\"").path("type").asText());
        long t0 = System.currentTimeMillis() - 60_000;
        // a first round, sent without waiting: more than max-in-flight (16), so the session holds
        // frames back until acks come
        int n = 36;
        for (int i = 0; i < n; i++) c.send(location("a" + i, t0 + i * 1_000L));
        Map<String, JsonNode> answers = answers(c, n);
        for (int i = 0; i < n; i++)
          assertEquals("ack", answers.get("a" + i).path("type").asText(), answers.toString());

        // a second round, and the node stops while it is in flight
        for (int i = 0; i < n; i++) c.send(location("b" + i, t0 + 40_000 + i * 400L));
        stop = CompletableFuture.runAsync(() -> stopQuietly(node));
        Map<String, JsonNode> last = new HashMap<>();
        for (JsonNode f = c.poll(WsClient.WAIT); f != null; f = c.poll(Duration.ofSeconds(2))) {
          if (!f.has("re")) continue;
          String re = f.get("re").asText();
          assertNull(last.put(re, f), "one answer per report: " + f);
          String type = f.path("type").asText();
          assertTrue(
              type.equals("ack")
                  || type.equals("error") && f.path("code").asText().equals("unavailable"),
              "an ack, or unavailable for a report that came after the stop began: " + f);
        }
        assertEquals(1001, c.closeCode.get(30, TimeUnit.SECONDS), "closed as a stopping node");
        for (String re : last.keySet()) assertTrue(re.startsWith("b"), re);
        // every report the node read before its stop began is answered: the unread ones are the
        // last ones sent, after the close
        int answered = last.size();
        for (int i = 0; i < answered; i++)
          assertTrue(last.containsKey("b" + i), "b" + i + " unanswered, later ones answered");
        assertTrue(answered > 0, "the second round was read");
      }
    } finally {
      if (stop == null) TestNodes.stop(node);
      else stop.get(60, TimeUnit.SECONDS);
    }
  }

  static String location(String id, long at) {
    return "{\"type\":\"location\",\"id\":\""
        + id
        + "\",\"hunt\":\"stop\",\"lat\":52.3702,\"lon\":4.8952,\"at\":"
        + at
        + ",\"accuracyM\":5}";
  }

  static Map<String, JsonNode> answers(WsClient c, int n) throws InterruptedException {
    Map<String, JsonNode> answers = new HashMap<>();
    while (answers.size() < n) {
      JsonNode f = c.next();
      if (f.has("re")) assertNull(answers.put(f.get("re").asText(), f), "answered twice: " + f);
    }
    return answers;
  }

  static void stopQuietly(Node node) {
    try {
      TestNodes.stop(node);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
