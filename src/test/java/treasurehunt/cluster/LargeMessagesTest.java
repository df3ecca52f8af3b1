package treasurehunt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.MemberStatus;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import akka.pattern.AskTimeoutException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.entities.Hunt;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;

/**
 * A big hunt (5,000 treasures, 10,000 members) across two nodes: its public view, fetched through
 * either node, and a player's join reply arrive whole. Akka remoting drops any message over its
 * frame size (256 KiB by default) with nothing but a log line, so without the settings in
 * cluster.conf and serialization.conf these requests time out as 503.
 */
class LargeMessagesTest {
  static final int TREASURES = 5_000, MEMBERS = 10_000, HUNTS = 4;
  static Node first, second;

  @BeforeAll
  static void start() throws Exception {
    Database db = TestDatabase.fresh("large");
    first = TestNodes.start(db);
    second =
        TestNodes.start(
            db,
            "treasure-hunt.seed-nodes = \""
                + Cluster.get(first.system).selfMember().address()
                + "\"\n");
    long deadline = System.currentTimeMillis() + 60_000;
    while (StreamSupport.stream(Cluster.get(first.system).state().getMembers().spliterator(), false)
            .filter(m -> m.status() == MemberStatus.up())
            .count()
        < 2) {
      assertTrue(System.currentTimeMillis() < deadline, "the two nodes did not form a cluster");
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (second != null) TestNodes.stop(second);
    if (first != null) TestNodes.stop(first);
  }

  /** The node whose shard region runs the hunt's entity. */
  static Node hostOf(String huntId) throws Exception {
    for (Node node : List.of(first, second))
      if (TestNodes.entitiesOn(node, Hunt.ENTITY_KEY).contains(huntId)) return node;
    throw new AssertionError(huntId + " runs on neither node");
  }

  static String bigHunt(String id) {
    return "{\"huntId\":\""
        + id
        + "\",\"name\":\"Big\",\"area\":{\"lat\":52.37,\"lon\":4.89,\"radiusM\":20000},"
        + "\"generate\":{\"count\":"
        + TREASURES
        + ",\"seed\":7,\"points\":10,\"radiusM\":20},\"maxPlayers\":20000}";
  }

  @Test
  void aBigHuntsViewAndJoinReplyCrossNodesWhole() throws Exception {
    HttpClientSupport http1 = new HttpClientSupport(TestNodes.httpPort(first));
    HttpClientSupport http2 = new HttpClientSupport(TestNodes.httpPort(second));
    for (int h = 0; h < HUNTS; h++) {
      http1.createHunt(bigHunt("big-" + h));
      assertEquals(200, http1.postAdmin("/api/hunts/big-" + h + "/start", null).status());
    }
    // 10,000 members in the first hunt, joined 100 at a time on the node that holds it (group
    // commit stores each wave in one or two writes); the cross-node replies are checked below. The
    // second node has just joined, so the hunt's shard may be handed off to it meanwhile: a region
    // drops what it buffered for a shard in hand-off, so a wave that timed out is sent again (a
    // join of a member is answered like the first one).
    ClusterSharding sharding = ClusterSharding.get(hostOf("big-0").system);
    for (int wave = 0; wave < MEMBERS / 100; wave++) {
      for (int attempt = 1; ; attempt++) {
        List<CompletableFuture<Hunt.JoinReply>> joins = new ArrayList<>();
        for (int i = wave * 100; i < (wave + 1) * 100; i++) {
          String player = "p-m" + i, name = "member " + i;
          joins.add(
              sharding
                  .entityRefFor(Hunt.ENTITY_KEY, "big-0")
                  .<Hunt.JoinReply>ask(
                      replyTo -> new Hunt.Join(player, name, replyTo), Duration.ofSeconds(10))
                  .toCompletableFuture());
        }
        try {
          for (CompletableFuture<Hunt.JoinReply> j : joins)
            assertNull(j.get(30, TimeUnit.SECONDS).problem(), "a member's join was refused");
          break;
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof AskTimeoutException) || attempt == 3) throw e;
        }
      }
    }

    // Every hunt's view through both nodes: with four hunts on two nodes, some of these requests
    // cross from one node to the other.
    for (int h = 0; h < HUNTS; h++)
      for (HttpClientSupport via : List.of(http1, http2)) {
        HttpClientSupport.Reply r = via.get("/api/hunts/big-" + h);
        assertEquals(200, r.status(), "big-" + h + ": " + r.body());
        JsonNode view = r.json();
        assertEquals(TREASURES, view.get("treasures").size());
        if (h == 0) assertEquals(MEMBERS, view.get("players").asInt());
      }

    // A real player joins the 10,000-member hunt through each node: the join reply (the view with
    // every treasure) travels Hunt -> Player -> session, across nodes for one of the two.
    for (HttpClientSupport via : List.of(http1, http2)) {
      JsonNode reg = via.post("/api/players", "{\"name\": \"late\"}").json();
      int port = via == http1 ? TestNodes.httpPort(first) : TestNodes.httpPort(second);
      try (WsClient ws = WsClient.hello(port, reg.get("token").asText())) {
        JsonNode ack = ws.request("join", "\"hunt\":\"big-0\"");
        assertEquals("ack", ack.get("type").asText(), ack.toString());
        assertEquals(TREASURES, ack.get("hunt").get("treasures").size());
      }
    }
  }

  /**
   * Joins and reads (anyone may GET a hunt's view) that arrive while a hunt writes wait in the
   * entity's stash. Akka 2.8 takes them out one inside the other as long as none of them persists,
   * so a few thousand of them overflowed the stack and the JVM exited (akka/akka-core#29933). Here
   * the node lives on, and every command of the flood is answered: what the hunt held, by the hunt;
   * what its full stash dropped, at once with {@code overloaded} and a {@code retryAfterMs}
   * (DroppedCommands), not by its caller's ask timing out; a join refused so succeeds when sent
   * again.
   */
  @Test
  void aFloodOfReadsAndJoinsWhileAHuntWritesIsAnsweredWholeAndTheNodeLivesOn() throws Exception {
    HttpClientSupport http1 = new HttpClientSupport(TestNodes.httpPort(first));
    http1.createHunt(HttpClientSupport.oldTown("flood"));
    assertEquals(200, http1.postAdmin("/api/hunts/flood/start", null).status());
    ClusterSharding sharding = ClusterSharding.get(first.system);
    // far longer than the flood takes to answer, far shorter than the 60 s the test waits: a
    // dropped command that nobody answered would fail its ask
    Duration timeout = Duration.ofSeconds(30);
    List<CompletableFuture<Hunt.JoinReply>> joins = new ArrayList<>();
    List<CompletableFuture<Hunt.ViewReply>> views = new ArrayList<>();
    for (int i = 0; i < 6_000; i++) {
      String player = "p-f" + i;
      if (i % 3 == 0)
        joins.add(
            sharding
                .entityRefFor(Hunt.ENTITY_KEY, "flood")
                .<Hunt.JoinReply>ask(replyTo -> new Hunt.Join(player, player, replyTo), timeout)
                .toCompletableFuture());
      else
        views.add(
            sharding
                .entityRefFor(Hunt.ENTITY_KEY, "flood")
                .<Hunt.ViewReply>ask(Hunt.GetView::new, timeout)
                .toCompletableFuture());
    }
    List<String> refusedJoins = new ArrayList<>();
    int overloaded = 0;
    for (int i = 0; i < joins.size(); i++) {
      Hunt.JoinReply r = joins.get(i).get(60, TimeUnit.SECONDS); // throws if never answered
      if (r.problem() != null) {
        assertEquals("overloaded", r.problem().code(), r.problem().message());
        assertTrue(r.problem().retryAfterMs() != null && r.problem().retryAfterMs() > 0);
        refusedJoins.add("p-f" + (i * 3));
        overloaded++;
      }
    }
    for (CompletableFuture<Hunt.ViewReply> v : views) {
      Hunt.ViewReply r = v.get(60, TimeUnit.SECONDS);
      if (r.problem() != null) {
        assertEquals("overloaded", r.problem().code(), r.problem().message());
        overloaded++;
      } else assertEquals("flood", r.view().huntId());
    }
    assertTrue(overloaded > 0, "the flood never filled the hunt's stash: the test proves nothing");
    assertTrue(overloaded < 6_000, "nothing was answered by the hunt");
    // a refused join, sent again, gets in
    if (!refusedJoins.isEmpty()) {
      String player = refusedJoins.get(0);
      Hunt.JoinReply again =
          sharding
              .entityRefFor(Hunt.ENTITY_KEY, "flood")
              .<Hunt.JoinReply>ask(replyTo -> new Hunt.Join(player, player, replyTo), timeout)
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
      assertNull(again.problem());
    }
    // The node is alive and the hunt still answers.
    assertEquals(200, http1.get("/api/hunts/flood").status());
  }
}
