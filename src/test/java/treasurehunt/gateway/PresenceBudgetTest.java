package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Node;

/**
 * The presence budget (treasure-hunt.ws.presence.frames-per-second, docs/protocol.md §13.2): a hunt
 * with more followers on a node than the budget gets its presence frames less often, each still
 * listing every change once and the exact count. Here the budget is 5 frames a second, so with 25
 * followers one frame every 5 s instead of every second. A real node, real sockets.
 */
class PresenceBudgetTest {
  static Node node;
  static int port;
  static HttpClientSupport http;

  @BeforeAll
  static void start() throws Exception {
    node =
        TestNodes.start(
            TestDatabase.fresh("presencebudget"),
            "treasure-hunt.ws.presence.frames-per-second = 5\n"
                + "treasure-hunt.ws.presence.max-entries = 1000\n");
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
  }

  @AfterAll
  static void stop() throws Exception {
    TestNodes.stop(node);
  }

  /** A 1.1 player that said hello and joined {@code hunt}; its socket stays open (a follower). */
  static RawWebSocket follower(String hunt, String playerId) throws Exception {
    RawWebSocket s = RawWebSocket.connect(port, null);
    s.text(
        "{\"type\":\"hello\",\"token\":\""
            + PresenceTest.TOKENS.mint(playerId, "n-" + playerId)
            + "\",\"protocol\":\"1.1\"}");
    assertEquals("welcome", s.next().path("type").asText());
    PresenceTest.joinAll(List.of(s), hunt);
    return s;
  }

  @Test
  void aHuntWithMoreFollowersThanTheBudgetGetsFewerPresenceFramesAndEveryJoinOnce()
      throws Exception {
    assertEquals(201, http.postAdmin("/api/hunts", HttpClientSupport.oldTown("crowd")).status());
    assertEquals(200, http.postAdmin("/api/hunts/crowd/start", null).status());
    List<RawWebSocket> sockets = new ArrayList<>();
    WsClient watcher = WsClient.connect(port, null);
    try {
      watcher.send(
          "{\"type\":\"hello\",\"token\":\""
              + PresenceTest.TOKENS.mint("p-watch", "watch")
              + "\",\"protocol\":\"1.1\"}");
      assertEquals("welcome", watcher.next().path("type").asText());
      JsonNode ack = watcher.request("join", "\"hunt\":\"crowd\"");
      PresenceTest.Held held = new PresenceTest.Held(ack);
      // 24 followers besides the watcher: 25 on the node, a budget of 5 a second → one every 5 s
      for (int i = 0; i < 24; i++) sockets.add(follower("crowd", "p-crowd-" + i));
      held.until(watcher, 25);

      // then 10 joins, one every 0.6 s: at the configured interval (1 s) that is ~6 frames
      int framesBefore = held.presenceFrames;
      List<Long> frameTimes = new ArrayList<>();
      List<String> late = new ArrayList<>();
      long readUntil = 0;
      for (int i = 0; i < 10; i++) {
        String id = "p-late-" + i;
        sockets.add(follower("crowd", id));
        late.add(id);
        readUntil = System.nanoTime() + Duration.ofMillis(600).toNanos();
        while (System.nanoTime() < readUntil) {
          JsonNode f = watcher.poll(Duration.ofMillis(100));
          if (f != null) {
            if (f.path("type").asText().equals("presence")) frameTimes.add(System.nanoTime());
            held.apply(f);
          }
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (held.players != 35 && System.nanoTime() < deadline) {
        JsonNode f = watcher.poll(Duration.ofMillis(200));
        if (f != null) {
          if (f.path("type").asText().equals("presence")) frameTimes.add(System.nanoTime());
          held.apply(f);
        }
      }
      assertEquals(35, held.players, "the count reaches the follower");
      assertTrue(held.present.containsAll(late), "every late join listed: " + held.present);
      int frames = held.presenceFrames - framesBefore;
      System.out.printf(
          "PresenceBudgetTest: 10 joins over 6 s with 25-35 followers reached the watcher as %d"
              + " presence frames%n",
          frames);
      assertTrue(frames <= 3, "10 joins over 6 s came as " + frames + " frames, not stretched");
      for (int i = 1; i < frameTimes.size(); i++) {
        long gapMs = (frameTimes.get(i) - frameTimes.get(i - 1)) / 1_000_000;
        assertTrue(gapMs >= 3_500, "presence frames " + gapMs + " ms apart with 25+ followers");
      }
    } finally {
      watcher.close();
      for (RawWebSocket s : sockets) s.close();
    }
  }
}
