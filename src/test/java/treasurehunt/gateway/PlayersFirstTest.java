package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;
import static treasurehunt.gateway.WebSocketGatewayTest.assertAck;
import static treasurehunt.gateway.WebSocketGatewayTest.at;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Node;

/**
 * Players already in come first (ArrivalAdmission, issue 13), on a real node and real sockets. The
 * node's load is its own counter of location reports waiting for their entities, the one every
 * session uses; the test holds slots of it, as players whose acks are slow would. While it is busy:
 * the player already in keeps reporting, a newcomer's join and a new socket are answered {@code
 * overloaded} with {@code retryAfterMs}; as soon as the load is gone, both succeed.
 */
class PlayersFirstTest {
  static Node node;
  static int port;
  static HttpClientSupport http;

  @BeforeAll
  static void start() throws Exception {
    node =
        TestNodes.start(
            TestDatabase.fresh("playersfirst"),
            TestNodes.SIMULATED_WALKS
                + "treasure-hunt.ws.arrivals { busy-in-flight = 8, per-second = 0.2, burst = 1 }\n");
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
  }

  @AfterAll
  static void stop() throws Exception {
    TestNodes.stop(node);
  }

  static String token(String name) throws Exception {
    return http.post("/api/players", "{\"name\": \"" + name + "\"}").json().get("token").asText();
  }

  @Test
  void aBusyNodeKeepsServingItsPlayersAndPacesNewcomers() throws Exception {
    http.createHunt(HttpClientSupport.oldTown("first"));
    assertEquals(200, http.postAdmin("/api/hunts/first/start", null).status());
    String ann = token("ann"), bob = token("bob"), cat = token("cat"), dan = token("dan");
    long t0 = System.currentTimeMillis() - 60_000;
    try (WsClient in = WsClient.hello(port, ann);
        WsClient b = WsClient.hello(port, bob);
        WsClient c = WsClient.hello(port, cat)) {
      assertAck(in.request("join", "\"hunt\":\"first\""));
      assertAck(in.request("location", at("first", 52.3702, 4.8952, t0)));

      LocationAdmission load = node.ws.admission();
      for (int i = 0; i < 8; i++) assertTrue(load.tryAdmit());
      try {
        // the player already in: served as before
        for (int i = 1; i <= 3; i++)
          assertAck(
              in.request("location", at("first", 52.3702 + i * 0.00001, 4.8952, t0 + i * 10_000)));
        // newcomers: one join from the burst, the next told when to come back
        assertAck(b.request("join", "\"hunt\":\"first\""));
        JsonNode paced = c.request("join-c", "join", "\"hunt\":\"first\"");
        assertEquals("overloaded", paced.path("code").asText(), paced.toString());
        assertTrue(paced.path("retryAfterMs").asLong() >= 1000, paced.toString());
        assertTrue(c.isOpen(), "a paced join leaves the connection open");
        // a new socket: overloaded, then closed 1013
        WsClient d = WsClient.connect(port, null);
        JsonNode refused = d.next();
        assertEquals("overloaded", refused.path("code").asText(), refused.toString());
        assertTrue(refused.path("retryAfterMs").asLong() >= 1000, refused.toString());
        assertEquals(1013, d.closeCode.get(10, TimeUnit.SECONDS));
      } finally {
        load.done(8);
      }
      // the players already in are answered at once again: arrivals flow freely
      assertAck(c.request("join-c", "join", "\"hunt\":\"first\""));
      try (WsClient d = WsClient.hello(port, dan)) {
        assertAck(d.request("join", "\"hunt\":\"first\""));
      }
    }
    JsonNode view = http.get("/api/hunts/first").json();
    assertEquals(4, view.path("players").asInt(), view.toString());
  }
}
