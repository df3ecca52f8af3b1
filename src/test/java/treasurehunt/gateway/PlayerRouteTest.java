package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.entities.Player;
import treasurehunt.metrics.Metrics;

/**
 * A session sends its player's location reports straight to the entity once the entity told its ref
 * ({@link PlayerRoute}), on a real node over a real socket. What a player must not notice: an
 * entity that stops under its reports (a rebalance, a node leaving, a crash of its incarnation)
 * loses no report and answers none {@code unavailable}; and what the operator must not notice: a
 * player who keeps reporting keeps its entity (sharding's idle passivation, which sees only what
 * goes through sharding, does not stop it), and one who stops reporting still has it passivated.
 */
class PlayerRouteTest {

  static final String HUNT = "route";

  @Test
  void anEntityPassivatedUnderStraightReportsLosesNoneOfThem() throws Exception {
    Database db = TestDatabase.fresh("route-stop");
    // Sharding passivates the entity 1 s after the last command through its shard, and the session
    // does not feed it (a report through sharding once an hour): so it is stopped again and again
    // while straight reports stream in, as a rebalance or a leaving node would stop it. A short ask
    // timeout: a report lost with a stopped incarnation would come back unavailable within 2 s.
    Node node =
        TestNodes.start(
            db,
            TestNodes.SIMULATED_WALKS
                + "treasure-hunt.http.ask-timeout = 2s\n"
                + "treasure-hunt.ws.straight-reports-feed-every = 1h\n"
                + "treasure-hunt.ws.rate-per-second = 1000\n"
                + "akka.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout ="
                + " 1s\n");
    try {
      Someone p = player(node);
      try (WsClient c = WsClient.hello(TestNodes.httpPort(node), p.token)) {
        assertEquals("ack", c.request("join", "\"hunt\":\"" + HUNT + "\"").path("type").asText());
        long t0 = System.currentTimeMillis() - 100_000;
        assertAck(c.request("w0", "location", fix(0, t0)));
        ActorRef<Player.Command> first = TestNodes.locate(node, p.id);
        double straightBefore = counter(node, "straight");
        // bursts of 8 reports, pipelined, until 30 were caught by a stop (or 20 s): every report
        // is answered ack, once, in the order sent (a report refused at once by a dead ref must
        // not overtake an earlier one that the entity dropped as it stopped). Besides sharding's
        // idle passivation, which lands wherever it lands, the test has the entity's shard
        // passivate it in the middle of every third burst, as a rebalance would: so some reports
        // are
        // surely in its mailbox, or on their way to it, when it stops.
        int n = 1;
        int burst = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (counter(node, "resent") < 30 && System.nanoTime() < deadline) {
          int from = n;
          burst++;
          ActorRef<Player.Command> incarnation = TestNodes.locate(node, p.id);
          for (int k = 0; k < 8; k++, n++) {
            if (k == 4 && burst % 3 == 0) TestNodes.passivate(node, incarnation);
            c.send(LateAnswerTest.frame("w" + n, fix(n, t0)));
          }
          for (int k = from; k < n; k++) {
            JsonNode a = LateAnswerTest.answer(c, Duration.ofSeconds(10));
            assertNotNull(a, "an answer to w" + k);
            assertEquals("w" + k, a.path("re").asText(), a.toString());
            assertAck(a);
          }
          Thread.sleep(40);
        }
        assertNull(LateAnswerTest.answer(c, Duration.ofMillis(300)), "one answer per report");
        assertTrue(
            counter(node, "resent") >= 1,
            "a stop caught straight reports ("
                + n
                + " sent, "
                + counter(node, "sharding")
                + " through sharding)");
        assertTrue(counter(node, "straight") - straightBefore > n / 2, "most went straight");
        assertNotEquals(first, TestNodes.locate(node, p.id), "the entity was passivated");
      }
    } finally {
      TestNodes.stop(node);
    }
  }

  @Test
  void aPlayerWhoKeepsReportingKeepsItsEntityAndOneWhoStopsLosesIt() throws Exception {
    Database db = TestDatabase.fresh("route-idle");
    Node node =
        TestNodes.start(
            db,
            TestNodes.SIMULATED_WALKS
                + "akka.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout ="
                + " 2s\n");
    try {
      Someone p = player(node);
      try (WsClient c = WsClient.hello(TestNodes.httpPort(node), p.token)) {
        assertEquals("ack", c.request("join", "\"hunt\":\"" + HUNT + "\"").path("type").asText());
        long t0 = System.currentTimeMillis() - 100_000;
        assertAck(c.request("w0", "location", fix(0, t0)));
        Thread.sleep(200); // the session has the entity's ref
        ActorRef<Player.Command> first = TestNodes.locate(node, p.id);
        double straightBefore = counter(node, "straight");
        // 6 s of reports, 3 idle timeouts: one every 100 ms, of which one per quarter of the
        // timeout (500 ms) goes through sharding, the others straight to the entity
        for (int n = 1; n <= 60; n++) {
          assertAck(c.request("w" + n, "location", fix(n, t0)));
          Thread.sleep(100);
        }
        double straight = counter(node, "straight") - straightBefore;
        assertTrue(straight >= 40 && straight <= 56, straight + " of 60 went straight");
        assertEquals(
            first, TestNodes.locate(node, p.id), "the entity was not passivated while in use");

        // the player stops reporting: its entity is passivated within the idle timeout (+ the
        // shard's check, every half timeout)
        ActorRef<Player.Command> now = first;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        while (now.equals(first) && System.nanoTime() < deadline) {
          Thread.sleep(4_000);
          now =
              TestNodes.locate(
                  node, p.id); // (this ask starts a new incarnation if it was passivated)
        }
        assertNotEquals(first, now, "an entity nobody reports to is passivated");
      }
    } finally {
      TestNodes.stop(node);
    }
  }

  // ---------------------------------------------------------------- helpers

  record Someone(String id, String token) {}

  private static Someone player(Node node) throws Exception {
    HttpClientSupport http = new HttpClientSupport(TestNodes.httpPort(node));
    assertEquals(201, http.postAdmin("/api/hunts", HttpClientSupport.oldTown(HUNT)).status());
    assertEquals(200, http.postAdmin("/api/hunts/" + HUNT + "/start", null).status());
    JsonNode r = http.post("/api/players", "{\"name\": \"ro\"}").json();
    return new Someone(r.get("playerId").asText(), r.get("token").asText());
  }

  /** th_location_route_total{route} of the node. */
  private static double counter(Node node, String route) {
    Matcher m =
        Pattern.compile("th_location_route_total\\{route=\"" + route + "\",?\\} ([0-9.E]+)")
            .matcher(Metrics.get(node.system).scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static void assertAck(JsonNode a) {
    assertEquals("ack", a.path("type").asText(), a.toString());
  }

  /**
   * The n-th fix of a slow walk north from 100 m south of the clock (no find): 10 cm and 100 ms
   * apart (at most 800 of them in a test: 80 m, and none after the server's clock).
   */
  private static String fix(int n, long t0) {
    return "\"hunt\":\""
        + HUNT
        + "\",\"lat\":"
        + (52.3702 + n * 0.0000009)
        + ",\"lon\":4.8952,\"at\":"
        + (t0 + n * 100L)
        + ",\"accuracyM\":5";
  }
}
