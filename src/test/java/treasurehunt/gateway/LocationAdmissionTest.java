package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;
import static treasurehunt.gateway.WebSocketGatewayTest.assertAck;
import static treasurehunt.gateway.WebSocketGatewayTest.at;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Node;

/**
 * Admission control for location reports (LocationAdmission): a node whose limit is reached answers
 * {@code overloaded} with {@code retryAfterMs} at once, keeps the connection open, records nothing
 * for a shed report (its id can be sent again and is then played), and admits reports again as soon
 * as the waiting ones are answered. Its own node with a limit of one report in flight, so that a
 * client sending a burst without waiting for answers meets it.
 */
class LocationAdmissionTest {
  static Node node;
  static int port;
  static HttpClientSupport http;

  @BeforeAll
  static void start() throws Exception {
    node =
        TestNodes.start(
            TestDatabase.fresh("admission"),
            TestNodes.SIMULATED_WALKS + "treasure-hunt.ws.max-locations-in-flight = 1\n");
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
  }

  @AfterAll
  static void stop() throws Exception {
    TestNodes.stop(node);
  }

  @Test
  void aSaturatedNodeShedsLocationReportsWithOverloadedAndRecordsNothing() throws Exception {
    assertEquals(201, http.postAdmin("/api/hunts", HttpClientSupport.oldTown("busy")).status());
    assertEquals(200, http.postAdmin("/api/hunts/busy/start", null).status());
    JsonNode reg = http.post("/api/players", "{\"name\": \"ann\"}").json();
    try (WsClient c = WsClient.hello(port, reg.get("token").asText())) {
      assertAck(c.request("join", "\"hunt\":\"busy\""));
      long t0 = System.currentTimeMillis() - 60_000;
      // a burst of ten fixes, 1 m and 10 s apart, sent without waiting: the first waits for its
      // persist
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String id = "fix-" + i;
        ids.add(id);
        c.send(
            "{\"type\":\"location\",\"id\":\""
                + id
                + "\","
                + at("busy", 52.3702 + i * 0.00001, 4.8952, t0 + i * 10_000L)
                + "}");
      }
      Map<String, JsonNode> answers = new HashMap<>();
      while (answers.size() < ids.size()) {
        JsonNode f = c.next();
        if (f.has("re"))
          assertNull(answers.put(f.get("re").asText(), f), "one answer per command: " + f);
      }
      assertAck(answers.get("fix-0"));
      List<String> shed = new ArrayList<>();
      for (String id : ids) {
        JsonNode a = answers.get(id);
        if (a.path("type").asText().equals("error")) {
          assertEquals("overloaded", a.path("code").asText(), a.toString());
          assertTrue(a.path("retryAfterMs").asLong() > 0, a.toString());
          shed.add(id);
        } else assertAck(a);
      }
      assertFalse(
          shed.isEmpty(),
          "ten reports against a limit of one in flight: some must be shed " + answers);

      // the limit frees as answers come: a report sent after its answer is played, and a shed id
      // resent
      // with a newer fix is not a duplicate of anything (nothing was recorded for it)
      JsonNode later =
          c.request(shed.get(0), "location", at("busy", 52.3712, 4.8952, t0 + 200_000));
      assertAck(later);
      assertEquals("clock", later.at("/found/0").asText(), later.toString());
      assertTrue(c.isOpen(), "shedding is not a violation: the connection stays open");
    }
    JsonNode board = http.get("/api/hunts/busy/leaderboard").json();
    assertEquals(100, board.at("/entries/0/score").asInt(), board.toString());
  }
}
