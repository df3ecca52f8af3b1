package treasurehunt.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.ActorIdentity;
import akka.actor.Identify;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.GetClusterShardingStats;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.entities.Hunt;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;

/**
 * Made-up hunt ids, a few thousand, over every HTTP route that names a hunt and every WebSocket
 * frame that does, against a real node: each is answered {@code not_found} and leaves nothing
 * behind — no Hunt entity, no remembered entity (none comes back after a restart on the same
 * database), no topic and no feed actor (docs/protocol.md §1.1, §8). Counted from the node itself:
 * the sharding statistics, the actors under /system, the remember-entities rows of the journal.
 */
class JunkIdsTest {
  static final String HUNT = "real";
  static final int HTTP_JUNK = 2_000;
  static final int WS_JUNK_PER_TYPE = 400;
  static final int WINDOW = 16;

  /** The attacker's frame rate is not what this test is about. */
  static final String NODE =
      "treasure-hunt.ws.rate-per-second = 100000\n"
          + "treasure-hunt.ws.burst = 100000\n"
          + "treasure-hunt.ws.max-violations = 1000000\n"
          // one attacker token on many sockets: the per-player socket limit is FloodTest's subject
          + "treasure-hunt.limits.connections-per-player = 0\n";

  Database db;
  Node node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) TestNodes.stop(node);
  }

  @Test
  void madeUpIdsAreNotFoundAndLeaveNothingBehind() throws Exception {
    db = TestDatabase.fresh("junk");
    node = TestNodes.start(db, NODE);
    int port = TestNodes.httpPort(node);
    HttpClientSupport http = new HttpClientSupport(port);
    http.createHunt(HttpClientSupport.oldTown(HUNT));
    assertEquals(200, http.postAdmin("/api/hunts/" + HUNT + "/start", null).status());
    JsonNode player = http.post("/api/players", "{\"name\": \"honest\"}").json();
    String token = player.get("token").asText();

    try (WsClient honest = WsClient.hello(port, token)) {
      assertEquals("ack", honest.request("join", "\"hunt\":\"" + HUNT + "\"").get("type").asText());
      int entities = huntEntities(node);
      assertEquals(1, entities, "the real hunt");
      Map<String, Integer> actors = hostActors(node);

      httpJunk(http);
      assertEquals(entities, huntEntities(node), "HTTP: no Hunt entity for a made-up id");
      assertEquals(0, rememberedJunk(), "HTTP: no made-up id in the remember-entities store");

      wsJunk(port, token);
      assertEquals(entities, huntEntities(node), "WebSocket: no Hunt entity for a made-up id");
      assertEquals(actors, hostActors(node), "WebSocket: no topic or feed actor for one");
      assertEquals(0, rememberedJunk(), "WebSocket: no made-up id remembered");
      // the honest player is served as before
      assertEquals(
          "ack",
          honest
              .request("chat", "\"hunt\":\"" + HUNT + "\",\"text\":\"still here\"")
              .get("type")
              .asText());
    }

    TestNodes.stop(node);
    node = TestNodes.start(db, NODE);
    // The real hunt is remembered: it comes back by itself. Nothing else may.
    long deadline = System.currentTimeMillis() + 30_000;
    while (huntEntities(node) < 1) {
      assertTrue(System.currentTimeMillis() < deadline, "the real hunt did not restart");
      Thread.sleep(250);
    }
    Thread.sleep(3_000);
    assertEquals(1, huntEntities(node), "after a restart only the real hunt runs");
  }

  /**
   * The feed and topics of a real hunt go once nobody on the node follows it or publishes to it
   * ({@code hunt-idle-timeout}, 1 s here), and come back for the next follower, who gets every
   * event.
   */
  @Test
  void feedsAndTopicsOfAHuntNobodyFollowsStopAndComeBack() throws Exception {
    db = TestDatabase.fresh("idle");
    node = TestNodes.start(db, NODE + "treasure-hunt.ws.hunt-idle-timeout = 1s\n");
    int port = TestNodes.httpPort(node);
    HttpClientSupport http = new HttpClientSupport(port);
    http.createHunt(HttpClientSupport.oldTown(HUNT));
    Map<String, Integer> none = Map.of("hunt-stream-", 0, "hunt-positions-", 0, "feed-", 0);
    String token = http.post("/api/players", "{\"name\": \"ann\"}").json().get("token").asText();
    try (WsClient ws = WsClient.hello(port, token)) {
      assertEquals("ack", ws.request("join", "\"hunt\":\"" + HUNT + "\"").get("type").asText());
      // a fix starts the hunt's position listing on the node (HuntTopics)
      JsonNode moved =
          ws.request(
              "location",
              "\"hunt\":\""
                  + HUNT
                  + "\",\"lat\":52.3702,\"lon\":4.8952,\"at\":"
                  + System.currentTimeMillis());
      assertEquals("ack", moved.get("type").asText(), moved.toString());
      assertEquals(Map.of("hunt-stream-", 1, "hunt-positions-", 1, "feed-", 1), hostActors(node));
      ws.request("leave", "\"hunt\":\"" + HUNT + "\"");
      long deadline = System.currentTimeMillis() + 15_000;
      while (!hostActors(node).equals(none)) {
        assertTrue(System.currentTimeMillis() < deadline, "still there: " + hostActors(node));
        Thread.sleep(500);
      }
    }
    String bob = http.post("/api/players", "{\"name\": \"bob\"}").json().get("token").asText();
    try (WsClient watcher = WsClient.hello(port, token);
        WsClient player = WsClient.hello(port, bob)) {
      JsonNode watched = watcher.request("watch", "\"hunt\":\"" + HUNT + "\"");
      long head = watched.at("/stream/seq").asLong();
      assertEquals("ack", player.request("join", "\"hunt\":\"" + HUNT + "\"").get("type").asText());
      JsonNode joined = watcher.nextEvent("player_joined");
      assertEquals(head + 1, joined.get("seq").asLong(), "the new feed delivers from the head on");
    }
  }

  /** Every /api/hunts/{id} route, anonymous and organiser, with made-up ids: 404 not_found. */
  static void httpJunk(HttpClientSupport http) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < HTTP_JUNK; i++) {
        int n = i;
        answers.add(
            pool.submit(
                () -> {
                  String id = "junk-http-" + n;
                  HttpClientSupport.Reply r =
                      switch (n % 4) {
                        case 0 -> http.get("/api/hunts/" + id);
                        case 1 -> http.get("/api/hunts/" + id + "/leaderboard?limit=5");
                        case 2 -> http.postAdmin("/api/hunts/" + id + "/start", null);
                        default -> http.postAdmin("/api/hunts/" + id + "/end", null);
                      };
                  return r.status() + " " + r.errorCode();
                }));
      }
      for (Future<String> a : answers) assertEquals("404 not_found", a.get(60, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
  }

  /** Every WebSocket frame naming a hunt, with made-up ids: not_found, re = the frame's id. */
  static void wsJunk(int port, String token) throws Exception {
    long now = System.currentTimeMillis();
    Map<String, String> fields = new HashMap<>();
    fields.put("join", "");
    fields.put("watch", "");
    fields.put("chat", ",\"text\":\"hello?\"");
    fields.put("resume", ",\"epoch\":\"e1\",\"seq\":0");
    fields.put("location", ",\"lat\":52.37,\"lon\":4.89,\"at\":" + now);
    fields.put("claim", ",\"treasure\":\"clock\",\"answer\":\"noon\"");
    fields.put("leave", "");
    ExecutorService pool = Executors.newFixedThreadPool(fields.size());
    try {
      List<Future<?>> done = new ArrayList<>();
      for (Map.Entry<String, String> f : fields.entrySet())
        done.add(
            pool.submit(
                () -> {
                  try (WsClient ws = WsClient.hello(port, token)) {
                    for (int i = 0; i < WS_JUNK_PER_TYPE; i += WINDOW) {
                      List<String> ids = new ArrayList<>();
                      for (int j = i; j < Math.min(i + WINDOW, WS_JUNK_PER_TYPE); j++) {
                        String id = f.getKey() + j;
                        ids.add(id);
                        ws.send(
                            "{\"type\":\""
                                + f.getKey()
                                + "\",\"id\":\""
                                + id
                                + "\",\"hunt\":\"junk-ws-"
                                + f.getKey()
                                + "-"
                                + j
                                + "\""
                                + f.getValue()
                                + "}");
                      }
                      // answers come in the order the commands complete: match them by re
                      while (!ids.isEmpty()) {
                        JsonNode answer = ws.next();
                        if (!ids.remove(answer.path("re").asText())) continue;
                        assertEquals("error", answer.path("type").asText(), answer.toString());
                        assertEquals("not_found", answer.path("code").asText(), answer.toString());
                      }
                    }
                  }
                  return null;
                }));
      for (Future<?> d : done) d.get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Hunt entities running in the cluster, from the sharding statistics. */
  static int huntEntities(Node node) throws Exception {
    ShardRegion.ClusterShardingStats stats =
        AskPattern
            .<akka.cluster.sharding.typed.ClusterShardingQuery, ShardRegion.ClusterShardingStats>
                ask(
                    ClusterSharding.get(node.system).shardState(),
                    replyTo ->
                        new GetClusterShardingStats(
                            Hunt.ENTITY_KEY, Duration.ofSeconds(5), replyTo),
                    Duration.ofSeconds(10),
                    node.system.scheduler())
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
    int n = 0;
    for (ShardRegion.ShardRegionStats region : stats.getRegions().values())
      for (Object entities : region.getStats().values()) n += (Integer) entities;
    return n;
  }

  /** The hunts' topic and feed actors running on the node, by kind. */
  static Map<String, Integer> hostActors(Node node) throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    for (String kind : List.of("hunt-stream-", "hunt-positions-", "feed-"))
      counts.put(kind, countActors(node, "/system/" + kind + "*"));
    return counts;
  }

  /** Actors matching a path pattern: each answers Identify; a second of silence ends the count. */
  static int countActors(Node node, String pattern) throws Exception {
    LinkedBlockingQueue<ActorIdentity> replies = new LinkedBlockingQueue<>();
    ActorRef<Object> collector =
        node.system.systemActorOf(
            Behaviors.receiveMessage(
                m -> {
                  if (m instanceof ActorIdentity a) replies.add(a);
                  return Behaviors.same();
                }),
            "identify-" + COLLECTORS.incrementAndGet(),
            akka.actor.typed.Props.empty());
    Adapter.toClassic(node.system)
        .actorSelection(pattern)
        .tell(new Identify(pattern), Adapter.toClassic(collector));
    int n = 0;
    ActorIdentity reply;
    while ((reply = replies.poll(1, TimeUnit.SECONDS)) != null)
      if (reply.getActorRef().isPresent()) n++;
    Adapter.toClassic(collector).tell(akka.actor.PoisonPill.getInstance(), null);
    return n;
  }

  static final AtomicInteger COLLECTORS = new AtomicInteger();

  /** Rows of the Hunt shards' remember-entities store that name a made-up id. */
  int rememberedJunk() throws Exception {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT count(*) FROM event_journal WHERE persistence_id LIKE '/sharding/Hunt%'"
                    + " AND position(convert_to('junk-', 'UTF8') in event_payload) > 0")) {
      r.next();
      return r.getInt(1);
    }
  }
}
