package treasurehunt.cluster;

import static org.junit.jupiter.api.Assertions.*;

import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.entities.Player;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;

/**
 * Two cluster nodes (two ActorSystems talking over Artery on loopback) on one PostgreSQL: players
 * connected to different nodes race for an exclusive treasure; a spectator on one node sees players
 * whose entities run on the other; a node that stops closes its sockets with 1001 and its players
 * resume on the other node without a gap.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoNodesTest {
  static Node first, second;
  static HttpClientSupport http1;
  static int port1, port2;

  @BeforeAll
  static void start() throws Exception {
    Database db = TestDatabase.fresh("twonodes");
    first = TestNodes.start(db, TestNodes.SIMULATED_WALKS);
    var address = Cluster.get(first.system).selfMember().address();
    second =
        TestNodes.start(
            db, TestNodes.SIMULATED_WALKS + "treasure-hunt.seed-nodes = \"" + address + "\"\n");
    long deadline = System.currentTimeMillis() + 30_000;
    while (upMembers() < 2) {
      assertTrue(System.currentTimeMillis() < deadline, "the two nodes did not form a cluster");
      Thread.sleep(200);
    }
    port1 = TestNodes.httpPort(first);
    port2 = TestNodes.httpPort(second);
    http1 = new HttpClientSupport(port1);
  }

  static long upMembers() {
    return StreamSupport.stream(Cluster.get(first.system).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }

  @AfterAll
  static void stop() throws Exception {
    if (second != null && !second.system.whenTerminated().isCompleted()) TestNodes.stop(second);
    TestNodes.stop(first);
  }

  static String[] register(String name) throws Exception {
    JsonNode r = http1.post("/api/players", "{\"name\": \"" + name + "\"}").json();
    return new String[] {r.get("playerId").asText(), r.get("token").asText()};
  }

  static String loc(String hunt, double lat, double lon, long at) {
    return "\"hunt\":\"" + hunt + "\",\"lat\":" + lat + ",\"lon\":" + lon + ",\"at\":" + at;
  }

  @Test
  @Order(1)
  void anExclusiveTreasureReachedFromTwoNodesAtOnceScoresOnce() throws Exception {
    for (int round = 1; round <= 3; round++) {
      String hunt = "race-" + round;
      assertEquals(201, http1.postAdmin("/api/hunts", HttpClientSupport.oldTown(hunt)).status());
      assertEquals(200, http1.postAdmin("/api/hunts/" + hunt + "/start", null).status());
      String[] ann = register("ann"), bob = register("bob");
      try (WsClient a = WsClient.hello(port1, ann[1]);
          WsClient b = WsClient.hello(port2, bob[1])) {
        assertEquals("ack", a.request("join", "\"hunt\":\"" + hunt + "\"").get("type").asText());
        assertEquals("ack", b.request("join", "\"hunt\":\"" + hunt + "\"").get("type").asText());
        long t0 = System.currentTimeMillis() - 30_000;
        a.request("location", loc(hunt, 52.3702, 4.8952, t0));
        b.request("location", loc(hunt, 52.3702, 4.8952, t0));
        // both step onto the gold at the same moment
        CompletableFuture<JsonNode> fa =
            CompletableFuture.supplyAsync(() -> call(a, loc(hunt, 52.3702, 4.89814, t0 + 60_000)));
        CompletableFuture<JsonNode> fb =
            CompletableFuture.supplyAsync(() -> call(b, loc(hunt, 52.3702, 4.89814, t0 + 60_000)));
        int winners = 0;
        for (JsonNode r : new JsonNode[] {fa.get(), fb.get()}) {
          assertEquals("ack", r.get("type").asText(), r.toString());
          for (JsonNode f : r.get("found")) if (f.asText().equals("gold")) winners++;
        }
        assertEquals(1, winners, "exactly one finder of the exclusive treasure");
        JsonNode view = http1.get("/api/hunts/" + hunt).json();
        for (JsonNode t : view.get("treasures"))
          if (t.get("id").asText().equals("gold")) assertEquals(1, t.get("finds").asInt());
        JsonNode board = http1.get("/api/hunts/" + hunt + "/leaderboard").json();
        assertEquals(300, board.at("/entries/0/score").asInt());
        assertEquals(0, board.at("/entries/1/score").asInt());
      }
    }
  }

  private static JsonNode call(WsClient c, String fields) {
    try {
      return c.request("location", fields);
    } catch (InterruptedException e) {
      throw new RuntimeException(e);
    }
  }

  /**
   * A spectator watching on the second node sees the positions of players whose entities run on the
   * first: a fix goes straight to each node's listening feed, which the publishing node learns from
   * the receptionist (HuntTopics), without a topic in between.
   */
  @Test
  @Order(2)
  void aSpectatorOnOneNodeSeesThePositionsOfPlayersOnTheOther() throws Exception {
    String hunt = "watched-across";
    assertEquals(201, http1.postAdmin("/api/hunts", HttpClientSupport.oldTown(hunt)).status());
    assertEquals(200, http1.postAdmin("/api/hunts/" + hunt + "/start", null).status());
    HttpClientSupport.Reply minted =
        http1.postAdmin("/api/hunts/" + hunt + "/spectators", "{\"label\": \"across\"}");
    assertEquals(201, minted.status(), minted.body());
    List<WsClient> walkers = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    try (WsClient spectator = WsClient.hello(port2, minted.json().path("token").asText())) {
      assertEquals(
          "ack", spectator.request("watch", "\"hunt\":\"" + hunt + "\"").path("type").asText());
      // players connected to the first node until one's entity runs there too (sharding decides)
      long[] at = {System.currentTimeMillis()};
      while (ids.size() < 4 || hostOf(ids, first).isEmpty()) {
        assertTrue(ids.size() < 24, "no player entity was placed on the first node");
        String[] p = register("walker" + ids.size());
        WsClient c = WsClient.hello(port1, p[1]);
        walkers.add(c);
        ids.add(p[0]);
        assertEquals("ack", c.request("join", "\"hunt\":\"" + hunt + "\"").path("type").asText());
        double lane = (ids.size() - 1) * 5e-4;
        JsonNode first = c.request("location", loc(hunt, 52.3702 + lane, 4.8952, at[0]));
        assertEquals("ack", first.path("type").asText(), first.toString());
      }
      List<String> onFirst = hostOf(ids, first);
      Set<String> seen = new HashSet<>();
      long deadline = System.currentTimeMillis() + 20_000;
      for (int step = 1; !seen.containsAll(ids); step++) {
        assertTrue(
            System.currentTimeMillis() < deadline,
            "the spectator on the second node saw only "
                + seen
                + " of "
                + ids
                + " ("
                + onFirst
                + " run on the first)");
        at[0] = Math.max(System.currentTimeMillis(), at[0] + 1);
        for (int i = 0; i < walkers.size(); i++) {
          JsonNode ack =
              walkers
                  .get(i)
                  .request("location", loc(hunt, 52.3702 + i * 5e-4 + step * 1e-5, 4.8952, at[0]));
          assertEquals("ack", ack.path("type").asText(), ack.toString());
        }
        JsonNode f;
        while ((f = spectator.poll(Duration.ofMillis(100))) != null)
          if ("positions".equals(f.path("type").asText()))
            for (JsonNode p : f.path("players")) seen.add(p.path("playerId").asText());
      }
    } finally {
      for (WsClient c : walkers) c.close();
    }
  }

  /** Which of the players' entities run on {@code node}. */
  static List<String> hostOf(List<String> playerIds, Node node) throws Exception {
    Set<String> here = TestNodes.entitiesOn(node, Player.ENTITY_KEY);
    return playerIds.stream().filter(here::contains).toList();
  }

  @Test
  @Order(3)
  void aStoppingNodeClosesWith1001AndItsPlayersResumeElsewhere() throws Exception {
    String hunt = "leave";
    assertEquals(201, http1.postAdmin("/api/hunts", HttpClientSupport.oldTown(hunt)).status());
    assertEquals(200, http1.postAdmin("/api/hunts/" + hunt + "/start", null).status());
    String[] ann = register("ann"), bob = register("bob");
    try (WsClient a = WsClient.hello(port1, ann[1])) {
      a.request("join", "\"hunt\":\"" + hunt + "\"");
      WsClient b = WsClient.hello(port2, bob[1]);
      JsonNode joined = b.request("join", "\"hunt\":\"" + hunt + "\"");
      String epoch = joined.at("/stream/epoch").asText();
      long seq = joined.at("/stream/seq").asLong();
      a.request("chat", "\"hunt\":\"" + hunt + "\",\"text\":\"before\"");
      JsonNode seen = b.nextEvent("chat");
      assertTrue(seen.get("seq").asLong() > seq);
      seq = seen.get("seq").asLong();

      TestNodes.stop(second);
      assertEquals(1001, b.awaitClose());
      // while bob is away
      a.request("chat", "\"hunt\":\"" + hunt + "\",\"text\":\"while you were away\"");

      try (WsClient again = WsClient.hello(port1, bob[1])) {
        JsonNode ack =
            again.request(
                "resume", "\"hunt\":\"" + hunt + "\",\"epoch\":\"" + epoch + "\",\"seq\":" + seq);
        assertEquals("ack", ack.get("type").asText(), ack.toString());
        JsonNode missed = again.nextOfType("event");
        assertEquals(seq + 1, missed.get("seq").asLong());
        assertEquals("while you were away", missed.at("/event/text").asText());
        JsonNode moved =
            again.request("location", loc(hunt, 52.3702, 4.8952, System.currentTimeMillis()));
        assertEquals("ack", moved.get("type").asText(), moved.toString());
      }
    }
  }
}
