package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Node;
import treasurehunt.metrics.Metrics;

/**
 * Fills served by the node's feed (docs/architecture.md, "Where a fill comes from"), on a real node
 * and real sockets: while a hunt fills quickly, every new follower starts a few events behind the
 * live feed; its fill comes from the feed's window ({@code th_stream_fills_total{source="feed"}})
 * and the Hunt entity is asked only for the few the feed does not hold. Every follower, joined or
 * resumed, still gets the stream gap-free by the client rule of docs/protocol.md §6; a resume from
 * beyond the feed's window (here 40 entries) is served by the hunt.
 */
class FeedFillTest {
  static Node node;
  static int port;
  static HttpClientSupport http;
  static final Tokens TOKENS =
      new Tokens(TestNodes.TOKEN_SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofHours(1));

  @BeforeAll
  static void start() throws Exception {
    node =
        TestNodes.start(
            TestDatabase.fresh("feedfill"),
            "treasure-hunt.ws.feed-window = 40\n"
                // version 1 followers get every join as an event (no snapshots standing for them)
                + "treasure-hunt.ws.presence.v1-max-players = 100000\n");
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
  }

  @AfterAll
  static void stop() throws Exception {
    TestNodes.stop(node);
  }

  static void liveHunt(String id) throws Exception {
    assertEquals(201, http.postAdmin("/api/hunts", HttpClientSupport.oldTown(id)).status());
    assertEquals(200, http.postAdmin("/api/hunts/" + id + "/start", null).status());
  }

  static String token(String playerId) {
    return TOKENS.mint(playerId, "n-" + playerId);
  }

  static double fills(String source) {
    return Metrics.get(node.system).registry().counter("th.stream.fills", "source", source).count();
  }

  static long head(String hunt) throws Exception {
    return http.get("/api/hunts/" + hunt).json().at("/stream/seq").asLong();
  }

  /** A version 1 client's hold on the stream by the client rule (§6): no gap, no reset. */
  static final class Stream {
    final String epoch;
    long seq;
    int events;

    Stream(JsonNode ack) {
      assertEquals("ack", ack.path("type").asText(), ack.toString());
      epoch = ack.at("/stream/epoch").asText();
      seq = ack.at("/stream/seq").asLong();
    }

    void apply(JsonNode f) {
      String type = f.path("type").asText();
      assertNotEquals("snapshot", type, "a reset: " + f);
      if (!type.equals("event")) return;
      assertEquals(epoch, f.path("epoch").asText(), f.toString());
      if (f.path("seq").asLong() <= seq) return; // a duplicate: dropped by the rule
      assertEquals(seq + 1, f.path("seq").asLong(), "gap before " + f);
      seq++;
      events++;
    }

    /** Reads until the client holds {@code head}. */
    void until(WsClient c, long head) throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (seq < head && System.nanoTime() < deadline) {
        JsonNode f = c.poll(Duration.ofMillis(200));
        if (f != null) apply(f);
      }
      assertEquals(head, seq, "the follower reached the head");
    }

    /** Reads what has come so far. */
    void drain(WsClient c) throws Exception {
      JsonNode f;
      while ((f = c.poll(Duration.ofMillis(20))) != null) apply(f);
    }
  }

  /** {@code n} players join {@code hunt} at once, each on its own socket (1.1: light streams). */
  static void joinAtOnce(String hunt, String prefix, int n) throws Exception {
    List<RawWebSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        RawWebSocket s = RawWebSocket.connect(port, null);
        s.text("{\"type\":\"hello\",\"token\":\"" + token(prefix + i) + "\",\"protocol\":\"1.1\"}");
        assertEquals("welcome", s.next().path("type").asText());
        sockets.add(s);
      }
      PresenceTest.joinAll(sockets, hunt);
    } finally {
      for (RawWebSocket s : sockets) s.close();
    }
  }

  static WsClient hello(String playerId) throws Exception {
    return WsClient.hello(port, token(playerId));
  }

  @Test
  void followersJoiningAndResumingWhileAHuntFillsGetEveryEventAndFewAsksReachTheHunt()
      throws Exception {
    liveHunt("busy");
    double feedBefore = fills("feed"), huntBefore = fills("hunt");
    try (WsClient first = hello("p-first")) {
      Stream firstStream = new Stream(first.request("join", "\"hunt\":\"busy\""));
      CompletableFuture<Void> joins =
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (int wave = 0; wave < 6; wave++) joinAtOnce("busy", "p-b" + wave + "-", 40);
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      // meanwhile followers join, and some drop and resume, while the hunt fills
      List<WsClient> clients = new ArrayList<>();
      List<Stream> streams = new ArrayList<>();
      try {
        for (int i = 0; i < 12; i++) {
          WsClient c = hello("p-f" + i);
          Stream s = new Stream(c.request("join", "\"hunt\":\"busy\""));
          Thread.sleep(150);
          s.drain(c);
          if (i % 2 == 1) { // drops and comes back on a new connection, resuming
            c.drop();
            Thread.sleep(100);
            c = hello("p-f" + i);
            JsonNode r =
                c.request(
                    "resume", "\"hunt\":\"busy\",\"epoch\":\"" + s.epoch + "\",\"seq\":" + s.seq);
            assertEquals("ack", r.path("type").asText(), r.toString());
            assertEquals(s.seq, r.at("/stream/seq").asLong());
          }
          clients.add(c);
          streams.add(s);
        }
        joins.get();
        long head = head("busy");
        firstStream.until(first, head);
        for (int i = 0; i < clients.size(); i++) streams.get(i).until(clients.get(i), head);
        assertTrue(firstStream.events >= 240, firstStream.events + " events");
      } finally {
        for (WsClient c : clients) c.close();
      }
    }
    double feed = fills("feed") - feedBefore, hunt = fills("hunt") - huntBefore;
    System.out.printf(
        "FeedFillTest: %.0f fill pages served by the node's feed, %.0f asked of the hunt%n",
        feed, hunt);
    assertTrue(feed >= 100, "fills served by the feed: " + feed);
    assertTrue(hunt * 4 <= feed, "the hunt was asked " + hunt + " times, the feed " + feed);
  }

  @Test
  void aResumeFromBeyondTheFeedsWindowIsServedByTheHunt() throws Exception {
    liveHunt("far");
    try (WsClient stays = hello("p-stays")) { // keeps the hunt's feed on this node
      Stream staying = new Stream(stays.request("join", "\"hunt\":\"far\""));
      Stream gone;
      try (WsClient c = hello("p-gone")) {
        gone = new Stream(c.request("join", "\"hunt\":\"far\""));
      }
      joinAtOnce("far", "p-far-", 100); // more than the feed's window of 40
      long head = head("far");
      staying.until(stays, head);
      double huntBefore = fills("hunt");
      try (WsClient back = hello("p-gone")) {
        JsonNode r =
            back.request(
                "resume", "\"hunt\":\"far\",\"epoch\":\"" + gone.epoch + "\",\"seq\":" + gone.seq);
        assertEquals("ack", r.path("type").asText(), r.toString());
        gone.until(back, head);
        assertTrue(gone.events >= 100, gone.events + " events");
      }
      assertTrue(fills("hunt") > huntBefore, "the hunt served what the feed no longer held");
    }
  }
}
