package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Node;

/**
 * Protocol 1.1 on a real node and real sockets (docs/protocol.md, "Version 1.1"): the hello
 * negotiates it; joins and leaves reach a 1.1 follower folded into a few {@code presence} frames
 * that keep its seq rule; a resume ends where a follower that never left is; a version 1 follower
 * sees what it always saw up to v1-max-players (here 50) and unasked snapshots with the count
 * above. Above fold-finds-above-players (here 30) a 1.1 follower gets finds and leaderboards folded
 * into the presence frames too, a v1 follower every one as an event; below it, events for both.
 */
class PresenceTest {
  static Node node;
  static int port;
  static HttpClientSupport http;
  static final Tokens TOKENS =
      new Tokens(TestNodes.TOKEN_SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofHours(1));

  @BeforeAll
  static void start() throws Exception {
    node =
        TestNodes.start(
            TestDatabase.fresh("presence"),
            "treasure-hunt.ws.presence.v1-max-players = 50\n"
                + "treasure-hunt.ws.presence.max-entries = 1000\n"
                + "treasure-hunt.ws.presence.fold-finds-above-players = 30\n"
                + "treasure-hunt.game.stream-window = 2000\n");
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

  /** A connection that said hello asking for {@code protocol} (null: none) and was welcomed. */
  static WsClient hello(String playerId, String protocol) throws Exception {
    WsClient c = WsClient.connect(port, null);
    c.send(
        "{\"type\":\"hello\",\"token\":\""
            + token(playerId)
            + "\""
            + (protocol == null ? "" : ",\"protocol\":" + protocol)
            + "}");
    JsonNode welcome = c.next();
    assertEquals("welcome", welcome.path("type").asText(), welcome.toString());
    AsyncApiTest.assertServerFrameValid(welcome);
    return c;
  }

  /**
   * {@code n} players join {@code hunt} at once, each on its own raw socket speaking 1.1; returns
   * their ids.
   */
  static List<String> joinAtOnce(String hunt, String prefix, int n) throws Exception {
    List<RawWebSocket> sockets = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        String id = prefix + i;
        // 1.1 joiners: what they follow of the hunt meanwhile is a few small presence frames
        RawWebSocket s = RawWebSocket.connect(port, null);
        s.text("{\"type\":\"hello\",\"token\":\"" + token(id) + "\",\"protocol\":\"1.1\"}");
        assertEquals("welcome", s.next().path("type").asText());
        sockets.add(s);
        ids.add(id);
      }
      joinAll(sockets, hunt);
    } finally {
      for (RawWebSocket s : sockets) s.close();
    }
    return ids;
  }

  /** What a 1.1 client holds of a hunt by the client rule: seq, the players it knows, the count. */
  static final class Held {
    String epoch;
    long seq;
    final Set<String> present = new HashSet<>();
    int players = -1;
    int presenceFrames, events, listed, more;

    /** Finds: as events, folded into presence frames (listed + moreFound); the last leaderboard. */
    int foundEvents, foundFolded;

    JsonNode leaderboard;

    /** The hunt is big: a find or leaderboard as an event is a failure. */
    boolean big;

    Held(JsonNode ack) {
      epoch = ack.at("/stream/epoch").asText();
      seq = ack.at("/stream/seq").asLong();
    }

    /** Applies one frame; fails on a gap or on a frame a 1.1 client must not get. */
    void apply(JsonNode f) {
      AsyncApiTest.assertServerFrameValid(f); // docs/asyncapi.yaml describes every 1.1 frame
      String type = f.path("type").asText();
      if (type.equals("event")) {
        String kind = f.at("/event/kind").asText();
        assertFalse(
            kind.equals("player_joined") || kind.equals("player_left"), "1.1 got an event " + f);
        if (f.path("seq").asLong() <= seq) return;
        assertEquals(seq + 1, f.path("seq").asLong(), "gap before " + f);
        seq++;
        events++;
        if (kind.equals("treasure_found") || kind.equals("leaderboard"))
          assertFalse(big, "a big hunt's finds are folded: " + f);
        if (kind.equals("treasure_found")) foundEvents++;
        if (kind.equals("leaderboard")) leaderboard = f.at("/event/leaderboard");
      } else if (type.equals("presence")) {
        assertEquals(epoch, f.path("epoch").asText());
        if (f.path("seq").asLong() <= seq) return;
        assertEquals(seq + 1, f.path("from").asLong(), "gap before " + f);
        seq = f.path("seq").asLong();
        presenceFrames++;
        for (JsonNode j : f.path("joined")) assertTrue(present.add(j.path("playerId").asText()));
        for (JsonNode l : f.path("left")) assertTrue(present.remove(l.path("playerId").asText()));
        listed += f.path("joined").size() + f.path("left").size();
        more += f.path("more").asInt();
        if (f.at("/counts").has("players")) players = f.at("/counts/players").asInt();
        foundFolded += f.path("found").size() + f.path("moreFound").asInt();
        if (f.has("leaderboard")) leaderboard = f.path("leaderboard");
      }
    }

    /** Reads frames until the count is {@code players} and no frame comes for a while. */
    void until(WsClient c, int expected) throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        JsonNode f = c.poll(Duration.ofMillis(1500));
        if (f == null && players == expected) return;
        if (f != null) apply(f);
      }
      fail("count " + players + ", expected " + expected);
    }
  }

  @Test
  void theHelloNegotiatesTheVersionAndRefusesOthersClearly() throws Exception {
    liveHunt("nego");
    try (WsClient c = WsClient.connect(port, null)) {
      for (String asked : List.of("\"99\"", "\"2\"", "1.1", "{\"v\":1}", "[\"1.1\"]", "\"1.10\"")) {
        c.send(
            "{\"type\":\"hello\",\"token\":\""
                + token("p-nego")
                + "\",\"protocol\":"
                + asked
                + "}");
        JsonNode e = c.next();
        assertEquals("error", e.path("type").asText(), e.toString());
        assertEquals("unsupported_protocol", e.path("code").asText(), e.toString());
        assertTrue(e.path("message").asText().contains("1.1"), e.toString());
      }
      // not authenticated by any of them, still open: a hello the server speaks is welcomed
      c.send("{\"type\":\"hello\",\"token\":\"" + token("p-nego") + "\",\"protocol\":\"1.1\"}");
      JsonNode w = c.next();
      assertEquals("welcome", w.path("type").asText(), w.toString());
      assertEquals("1.1", w.path("protocol").asText());
      assertTrue(w.path("protocol").isTextual());
      // the version is fixed by the first welcome
      c.send("{\"type\":\"hello\",\"token\":\"" + token("p-nego") + "\"}");
      assertEquals("unsupported_protocol", c.next().path("code").asText());
      c.send("{\"type\":\"hello\",\"token\":\"" + token("p-nego") + "\",\"protocol\":\"1.1\"}");
      assertEquals("1.1", c.next().path("protocol").asText());
    }
    try (WsClient v1 = WsClient.connect(port, null)) {
      v1.send("{\"type\":\"hello\",\"token\":\"" + token("p-nego1") + "\",\"protocol\":1}");
      JsonNode w = v1.next();
      assertEquals(1, w.path("protocol").asInt());
      assertTrue(w.path("protocol").isInt(), "version 1 stays the number 1: " + w);
    }
  }

  @Test
  void a11ClientThenJunkGetsClearErrorsAndTheNodeServesOthers() throws Exception {
    liveHunt("junk");
    try (WsClient c = hello("p-junk", "\"1.1\"");
        WsClient other = hello("p-junk2", "\"1.1\"")) {
      for (String junk :
          List.of(
              "{", "[]", "{\"type\":\"presence\",\"id\":\"x1\"}", "{\"type\":\"join\"}", "42")) {
        c.send(junk);
        assertEquals("bad_request", c.next().path("code").asText(), junk);
      }
      c.send("{\"type\":\"hello\",\"token\":\"" + token("p-junk") + "\",\"protocol\":null}");
      assertEquals("unsupported_protocol", c.next().path("code").asText());
      assertEquals("ack", c.request("join", "\"hunt\":\"junk\"").path("type").asText());
      assertEquals("ack", other.request("join", "\"hunt\":\"junk\"").path("type").asText());
      other.send("{\"type\":\"ping\"}");
      assertEquals("pong", other.nextOfType("pong").path("type").asText());
    }
  }

  @Test
  void threeHundredJoinsReachA11FollowerAsAFewPresenceFramesAndAV1FollowerAsSnapshots()
      throws Exception {
    liveHunt("hot");
    try (WsClient watcher = hello("p-w11", "\"1.1\"");
        WsClient old = hello("p-w1", null)) {
      JsonNode ack = watcher.request("join", "\"hunt\":\"hot\"");
      Held held = new Held(ack);
      JsonNode oldAck = old.request("join", "\"hunt\":\"hot\"");
      List<String> joined = joinAtOnce("hot", "p-hot-", 300);
      held.until(watcher, 302);
      assertTrue(held.present.containsAll(joined), "every join listed once");
      assertTrue(held.present.contains("p-w1"));
      assertEquals(301, held.listed, "the joins after the watcher's, each once");
      assertTrue(
          held.presenceFrames <= 15,
          "300 joins within seconds came as " + held.presenceFrames + " presence frames");

      // the v1 follower: player_joined one by one up to 50 players, then snapshots with the count
      long seq = oldAck.at("/stream/seq").asLong();
      int joinedEvents = 0, snapshots = 0, players = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (players != 302 && System.nanoTime() < deadline) {
        JsonNode f = old.poll(Duration.ofMillis(500));
        if (f == null) continue;
        AsyncApiTest.assertServerFrameValid(f);
        assertNotEquals("presence", f.path("type").asText(), "v1 never gets presence");
        if (f.path("type").asText().equals("event")) {
          assertEquals(seq + 1, f.path("seq").asLong(), "v1 gap before " + f);
          seq++;
          if (f.at("/event/kind").asText().equals("player_joined")) joinedEvents++;
        } else if (f.path("type").asText().equals("snapshot")) {
          assertFalse(f.has("re"));
          assertTrue(f.at("/stream/seq").asLong() > seq);
          seq = f.at("/stream/seq").asLong();
          players = f.at("/hunt/players").asInt();
          snapshots++;
        }
      }
      System.out.printf(
          "PresenceTest: 301 joins reached the 1.1 follower as %d presence frames; the v1"
              + " follower got %d player_joined events and %d snapshots%n",
          held.presenceFrames, joinedEvents, snapshots);
      assertEquals(302, players, "the count reaches the v1 follower in a snapshot");
      assertTrue(joinedEvents <= 50, joinedEvents + " player_joined events above 50 players");
      assertTrue(snapshots >= 1 && snapshots <= 15, snapshots + " snapshots");
    }
  }

  @Test
  void leavesAreSaidOnceAndAResumeEndsWhereAFollowerThatStayedIs() throws Exception {
    liveHunt("res");
    try (WsClient stayed = hello("p-stay", "\"1.1\"")) {
      Held s = new Held(stayed.request("join", "\"hunt\":\"res\""));
      WsClient gone = hello("p-gone", "\"1.1\"");
      Held g = new Held(gone.request("join", "\"hunt\":\"res\""));
      List<String> first = joinAtOnce("res", "p-res-a-", 60);
      g.until(gone, 62);
      gone.drop();
      List<String> second = joinAtOnce("res", "p-res-b-", 60);
      for (String id : first.subList(0, 20)) leave("res", id);
      s.until(stayed, 102);
      // the stayer's view: every join once, the 20 leaves once
      Set<String> expected = new HashSet<>(first.subList(20, 60));
      expected.addAll(second);
      expected.add("p-gone");
      assertEquals(expected, s.present);
      try (WsClient back = hello("p-gone", "\"1.1\"")) {
        JsonNode r =
            back.request(
                "resume", "\"hunt\":\"res\",\"epoch\":\"" + g.epoch + "\",\"seq\":" + g.seq);
        assertEquals("ack", r.path("type").asText(), r.toString());
        g.until(back, 102);
        assertEquals(s.players, g.players);
        assertEquals(s.seq, g.seq, "both hold the same position");
        // each knows the players who joined after itself: the stayer also knows p-gone
        Set<String> stayerSet = new HashSet<>(s.present);
        stayerSet.remove("p-gone");
        assertEquals(stayerSet, g.present, "the same players known after the resume");
      }
    }
  }

  static void leave(String hunt, String playerId) throws Exception {
    try (RawWebSocket s = RawWebSocket.connect(port, "token=" + token(playerId))) {
      s.next();
      s.text("{\"type\":\"leave\",\"id\":\"l1\",\"hunt\":\"" + hunt + "\"}");
      assertEquals("ack", s.answer("l1").path("type").asText());
    }
  }

  @Test
  void aV1FollowerBelowTheSizeGetsEveryJoinAsAnEvent() throws Exception {
    liveHunt("small");
    try (WsClient old = hello("p-small", null)) {
      long seq = old.request("join", "\"hunt\":\"small\"").at("/stream/seq").asLong();
      List<String> ids = joinAtOnce("small", "p-small-", 20);
      Set<String> seen = new HashSet<>();
      while (seen.size() < 20) {
        JsonNode e = old.next();
        assertEquals("event", e.path("type").asText(), e.toString());
        assertEquals(seq + 1, e.path("seq").asLong());
        seq++;
        assertEquals("player_joined", e.at("/event/kind").asText());
        assertFalse(e.path("event").has("players"), "v1 events are unchanged: " + e);
        seen.add(e.at("/event/playerId").asText());
      }
      assertEquals(Set.copyOf(ids), seen);
      assertNull(old.poll(Duration.ofMillis(1500)), "nothing else");
    }
  }

  @Test
  void aPlayerTogglingJoinAndLeaveCostsFollowersAtMostOneEntryAFrame() throws Exception {
    liveHunt("toggle");
    try (WsClient watcher = hello("p-tw", "\"1.1\"");
        WsClient toggler = hello("p-toggler", "\"1.1\"")) {
      Held held = new Held(watcher.request("join", "\"hunt\":\"toggle\""));
      long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      int sent = 0;
      // far past the rate limit: the connection is closed for it (1008) before long
      while (System.nanoTime() < end && toggler.isOpen()) {
        try {
          toggler.send("{\"type\":\"join\",\"id\":\"t" + sent++ + "\",\"hunt\":\"toggle\"}");
          toggler.send("{\"type\":\"leave\",\"id\":\"t" + sent++ + "\",\"hunt\":\"toggle\"}");
        } catch (RuntimeException closed) {
          break;
        }
        Thread.sleep(10);
      }
      int frames = 0;
      JsonNode f;
      while ((f = watcher.poll(Duration.ofMillis(2500))) != null) {
        if (!f.path("type").asText().equals("presence")) continue;
        held.apply(f);
        frames++;
        int mine = 0;
        for (JsonNode e : f.path("joined"))
          if (e.path("playerId").asText().equals("p-toggler")) mine++;
        for (JsonNode e : f.path("left"))
          if (e.path("playerId").asText().equals("p-toggler")) mine++;
        assertTrue(mine <= 1, "one entry at most: " + f);
      }
      assertTrue(frames <= 8, sent + " toggles came as " + frames + " presence frames");
    }
  }

  /** {@code playerId}, in {@code hunt} already, walks from the centre to the clock and finds it. */
  static void findClock(String hunt, String playerId) throws Exception {
    try (WsClient c = hello(playerId, "\"1.1\"")) {
      long t0 = System.currentTimeMillis() - 60_000;
      JsonNode anchor = c.request("location", WebSocketGatewayTest.at(hunt, 52.3702, 4.8952, t0));
      assertEquals("ack", anchor.path("type").asText(), anchor.toString());
      JsonNode found =
          c.request("location", WebSocketGatewayTest.at(hunt, 52.3711, 4.8952, t0 + 30_000));
      assertEquals("clock", found.at("/found/0").asText(), "the finder's own ack: " + found);
    }
  }

  @Test
  void aBigHuntsFindsReachA11FollowerFoldedAV1FollowerAsEventsAndAResumeEndsTheSame()
      throws Exception {
    liveHunt("bigfind");
    try (WsClient watcher = hello("p-bf11", "\"1.1\"");
        WsClient old = hello("p-bf1", null)) {
      Held w = new Held(watcher.request("join", "\"hunt\":\"bigfind\""));
      long oldSeq = old.request("join", "\"hunt\":\"bigfind\"").at("/stream/seq").asLong();
      WsClient gone = hello("p-bfgone", "\"1.1\"");
      Held g = new Held(gone.request("join", "\"hunt\":\"bigfind\""));
      List<String> ids = joinAtOnce("bigfind", "p-bf-", 40); // 43 players: above 30
      g.until(gone, 43);
      gone.drop();
      w.big = g.big = true;
      for (String id : ids.subList(0, 6)) findClock("bigfind", id);
      w.until(watcher, 43);
      assertEquals(6, w.foundFolded, "every find, folded");
      assertEquals(0, w.foundEvents);
      assertEquals(100, w.leaderboard.at("/5/score").asInt(), "the last leaderboard: 6 on top");
      assertEquals(0, w.leaderboard.at("/6/score").asInt(), w.leaderboard.toString());

      // the v1 follower: every join, find and leaderboard as an event, no gap (43 < 50)
      int finds = 0, boards = 0;
      JsonNode lastBoard = null;
      while (oldSeq < w.seq) {
        JsonNode f = old.next();
        AsyncApiTest.assertServerFrameValid(f);
        assertEquals("event", f.path("type").asText(), f.toString());
        assertEquals(oldSeq + 1, f.path("seq").asLong(), "v1 gap before " + f);
        oldSeq++;
        String kind = f.at("/event/kind").asText();
        if (kind.equals("treasure_found")) finds++;
        if (kind.equals("leaderboard")) {
          boards++;
          lastBoard = f.at("/event/leaderboard");
        }
      }
      assertEquals(6, finds);
      assertEquals(6, boards);
      assertEquals(w.leaderboard, lastBoard);

      // the 1.1 client that was away resumes: the same seq, count and leaderboard
      try (WsClient back = hello("p-bfgone", "\"1.1\"")) {
        JsonNode r =
            back.request(
                "resume", "\"hunt\":\"bigfind\",\"epoch\":\"" + g.epoch + "\",\"seq\":" + g.seq);
        assertEquals("ack", r.path("type").asText(), r.toString());
        g.until(back, 43);
        assertEquals(w.seq, g.seq, "both hold the same position");
        assertEquals(w.players, g.players);
        assertEquals(6, g.foundFolded, "the finds it missed, folded");
        assertEquals(w.leaderboard, g.leaderboard);
      }
      System.out.printf(
          "PresenceTest: 6 finds in a hunt of 43 reached the 1.1 follower in %d presence frames"
              + " (%d events), the v1 follower as %d events%n",
          w.presenceFrames, w.events, finds + boards);
    }
  }

  @Test
  void aSmallHuntsFindsStillComeAtOnceAsEvents() throws Exception {
    liveHunt("smallfind");
    try (WsClient watcher = hello("p-sf11", "\"1.1\"")) {
      Held w = new Held(watcher.request("join", "\"hunt\":\"smallfind\""));
      joinAtOnce("smallfind", "p-sf-", 3);
      w.until(watcher, 4);
      long before = System.nanoTime();
      findClock("smallfind", "p-sf-0");
      JsonNode found = watcher.next();
      w.apply(found);
      assertEquals("treasure_found", found.at("/event/kind").asText(), found.toString());
      JsonNode board = watcher.next();
      w.apply(board);
      assertEquals("leaderboard", board.at("/event/kind").asText(), board.toString());
      long ms = (System.nanoTime() - before) / 1_000_000;
      assertTrue(ms < 1000, "at once, not at the presence interval: " + ms + " ms");
      assertEquals(1, w.foundEvents);
      assertEquals(0, w.foundFolded);
    }
  }

  /**
   * Every socket joins {@code hunt} at once. A busy node paces joins ({@code overloaded}) or
   * answers late ({@code unavailable}: a hunt's stash holds 100 commands while it writes): a client
   * sends the same frame again, as these do, together.
   */
  static void joinAll(List<RawWebSocket> sockets, String hunt) throws Exception {
    String join = "{\"type\":\"join\",\"id\":\"j1\",\"hunt\":\"" + hunt + "\"}";
    for (RawWebSocket s : sockets) s.text(join);
    List<RawWebSocket> pending = sockets;
    for (int round = 0; !pending.isEmpty() && round < 20; round++) {
      List<RawWebSocket> again = new ArrayList<>();
      for (RawWebSocket s : pending) {
        JsonNode a = s.answer("j1");
        assertNotNull(a, "the socket was closed: " + s.closeCode);
        if (Set.of("overloaded", "unavailable").contains(a.path("code").asText())) again.add(s);
        else assertEquals("ack", a.path("type").asText(), a.toString());
      }
      if (!again.isEmpty()) Thread.sleep(1000);
      for (RawWebSocket s : again) s.text(join);
      pending = again;
    }
    assertTrue(pending.isEmpty(), pending.size() + " joins not answered");
  }
}
