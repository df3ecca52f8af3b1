package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;

/**
 * Viewports (protocol 1.1, docs/protocol.md §7.1) on a real node with real sockets: a watcher that
 * sends {@code view} gets {@code moves} frames for the players inside its box only, a player who
 * leaves the box is said gone once, ids stay, a moved box is sent in full, a reconnect starts with
 * a full picture, bytes follow the box and not the hunt, and the privacy rules of §7 still hold.
 */
class ViewportTest {
  static final String HUNT = "aoi-hidden";
  static final String SHOWN = "aoi-shown";
  static final String CROWD = "aoi-crowd";
  static final double LAT = 52.3702, LON = 4.8952;

  /** Quiet time that ends a drain: several position intervals with nothing sent. */
  static final Duration QUIET = Duration.ofMillis(700);

  static Database db;
  static Node node;
  static int port;
  static HttpClientSupport http;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.fresh("viewport");
    node = TestNodes.start(db, TestNodes.SIMULATED_WALKS);
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
    for (String hunt : List.of(HUNT, SHOWN, CROWD)) {
      String definition =
          HttpClientSupport.oldTown(hunt)
              .replace("\"maxSpeedMps\": 50", "\"maxSpeedMps\": 1000")
              .replace("\"radiusM\": 1500", "\"radiusM\": 3000");
      if (hunt.equals(SHOWN))
        definition = definition.replace("\"showPlayers\": false", "\"showPlayers\": true");
      http.createHunt(definition);
      assertEquals(200, http.postAdmin("/api/hunts/" + hunt + "/start", null).status());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) TestNodes.stop(node);
  }

  // ---------------------------------------------------------------- what arrives

  @Test
  void onlyPlayersInsideTheBoxArriveAndOneWhoLeavesIsGoneOnceWithAStableId() throws Exception {
    try (Mover alice = Mover.joined("alice", HUNT);
        Mover bob = Mover.joined("bob", HUNT);
        WsClient watcher = organiser(HUNT)) {
      alice.moveTo(LAT, LON);
      bob.moveTo(LAT + 0.01, LON); // 1.1 km north
      assertAck(watcher.request("view", view(HUNT, box(LAT, LON, 0.002))));
      walk(8, alice, bob);
      List<JsonNode> first = moves(drain(watcher));
      assertFalse(first.isEmpty(), "no moves frame");
      assertTrue(first.get(0).path("full").asBoolean(), "the first frame is a full picture");
      Map<Integer, String> ids = ids(first);
      assertEquals(Set.of(alice.playerId), Set.copyOf(ids.values()), first.toString());
      int n = ids.keySet().iterator().next();
      assertEquals(Set.of(n), movedIds(first), "only Alice moves inside the box: " + first);

      // Alice walks out: gone once, then nothing of her while she stays out.
      alice.moveTo(LAT - 0.01, LON);
      walk(8, alice, bob);
      List<JsonNode> out = moves(drain(watcher));
      assertEquals(1, goneCount(out, n), "gone exactly once: " + out);
      assertTrue(movedIds(out).isEmpty(), "nobody moved inside: " + out);

      // She comes back: the same id, introduced again.
      alice.moveTo(LAT, LON);
      walk(3, alice, bob);
      List<JsonNode> back = moves(drain(watcher));
      assertEquals(Map.of(n, alice.playerId), ids(back), back.toString());
      assertEquals(Set.of(n), movedIds(back));

      // The box moves to Bob: Alice is gone once, Bob arrives in full without moving.
      assertAck(watcher.request("view", view(HUNT, box(LAT + 0.01, LON, 0.002))));
      List<JsonNode> moved = moves(drain(watcher));
      assertEquals(1, goneCount(moved, n), moved.toString());
      Map<Integer, String> bobs = ids(moved);
      assertEquals(Set.of(bob.playerId), Set.copyOf(bobs.values()), moved.toString());
      assertEquals(bobs.keySet(), movedIds(moved));
      assertFalse(moved.get(0).path("full").asBoolean(), "a moved box is a delta");

      // Leaving the hunt is gone too.
      int b = bobs.keySet().iterator().next();
      assertAck(bob.client.request("leave", hunt(HUNT)));
      assertEquals(1, goneCount(moves(drain(watcher)), b));

      // No box: positions, as in v1, for everyone.
      assertAck(watcher.request("view", hunt(HUNT) + ",\"box\":null"));
      drain(watcher);
      walk(5, alice);
      List<JsonNode> v1 = drain(watcher);
      assertTrue(moves(v1).isEmpty(), v1.toString());
      assertTrue(count(v1, "positions") > 0, v1.toString());
    }
  }

  @Test
  void aReconnectedWatcherStartsWithAFullPictureOfItsBox() throws Exception {
    // Another watcher keeps this node's feed listening to positions (a node where nobody watches
    // positions forgets them: docs/protocol.md §7.1).
    try (Mover carol = Mover.joined("carol", HUNT);
        WsClient other = organiser(HUNT)) {
      assertAck(other.request("view", view(HUNT, box(LAT, LON, 0.1))));
      carol.moveTo(LAT + 0.001, LON + 0.001);
      int n;
      try (WsClient first = organiser(HUNT)) {
        assertAck(first.request("view", view(HUNT, box(LAT, LON, 0.003))));
        walk(3, carol);
        Map<Integer, String> ids = ids(moves(drain(first)));
        assertTrue(ids.containsValue(carol.playerId), ids.toString());
        n = key(ids, carol.playerId);
        first.drop();
      }
      // Carol stands still; the new connection still sees her at once, with the same id.
      try (WsClient again = organiser(HUNT)) {
        assertAck(again.request("view", view(HUNT, box(LAT, LON, 0.003))));
        List<JsonNode> got = moves(drain(again));
        assertTrue(got.get(0).path("full").asBoolean(), got.toString());
        assertEquals(n, key(ids(got), carol.playerId), "the hunt's ids are kept on this node");
        assertTrue(movedIds(got).contains(n), got.toString());
      }
    }
  }

  @Test
  void bytesFollowTheBoxNotTheHunt() throws Exception {
    List<Mover> crowd = new ArrayList<>();
    try (WsClient big = organiser(CROWD);
        WsClient small = organiser(CROWD);
        WsClient v1 = organiser(CROWD)) {
      // 300 players over about 2.2 km x 2 km; the small box is about 330 m x 300 m.
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<Mover>> joining = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        String name = "crowd" + i;
        joining.add(pool.submit(() -> Mover.joined(name, CROWD)));
      }
      for (Future<Mover> f : joining) crowd.add(f.get());
      pool.shutdown();
      assertAck(big.request("view", view(CROWD, box(LAT, LON, 0.015))));
      assertAck(small.request("view", view(CROWD, box(LAT, LON, 0.0015))));
      for (WsClient c : List.of(big, small, v1)) drain(c);
      Random random = new Random(7);
      for (int round = 0; round < 3; round++) {
        for (Mover m : crowd)
          m.sendMoveTo(
              LAT + (random.nextDouble() - 0.5) * 0.02, LON + (random.nextDouble() - 0.5) * 0.03);
        Thread.sleep(300);
      }
      long bigBytes = bytes(moves(drain(big)));
      long smallBytes = bytes(moves(drain(small)));
      long v1Bytes = bytes(drain(v1));
      System.out.printf(
          "viewport bytes for 900 reports of 300 players: v1 %d, big box %d, small box %d%n",
          v1Bytes, bigBytes, smallBytes);
      assertTrue(smallBytes > 0, "the small box saw someone");
      assertTrue(smallBytes * 10 < bigBytes, smallBytes + " vs " + bigBytes);
      assertTrue(bigBytes < v1Bytes, "the big box is more compact than v1: " + bigBytes);
    } finally {
      for (Mover m : crowd) m.close();
    }
  }

  // ---------------------------------------------------------------- privacy

  @Test
  void aViewportNeverWidensWhoSeesPositions() throws Exception {
    try (Mover dave = Mover.joined("dave", HUNT);
        Mover erin = Mover.joined("erin", SHOWN);
        Mover frank = Mover.joined("frank", SHOWN)) {
      // A player of a hunt that does not show players: forbidden.
      assertError(dave.client.request("view", view(HUNT, box(LAT, LON, 0.01))), "forbidden");
      // A hunt this connection does not follow: refused, whatever the box.
      assertError(dave.client.request("view", view(SHOWN, box(LAT, LON, 0.01))), "bad_request");
      // A spectator of one hunt: another hunt is forbidden.
      String spectator = mint(HUNT, "{\"label\": \"screen\"}");
      try (WsClient s = WsClient.hello(port, spectator)) {
        assertError(s.request("view", view(SHOWN, box(LAT, LON, 0.01))), "forbidden");
      }

      // A registered player watching a hunt that shows players, not joined: acked, nothing.
      Mover grace = Mover.registered("grace");
      try (grace) {
        assertAck(grace.client.request("watch", hunt(SHOWN)));
        assertAck(grace.client.request("view", view(SHOWN, box(LAT, LON, 0.01))));
        walk(10, erin, frank);
        List<JsonNode> seen = drain(grace.client);
        assertTrue(moves(seen).isEmpty(), "moves leaked to a player not joined: " + seen);
        assertEquals(0, count(seen, "positions"), seen.toString());
        // Once joined it sees them, starting from a full picture.
        assertAck(grace.client.request("join", hunt(SHOWN)));
        walk(6, erin, frank);
        List<JsonNode> now = moves(drain(grace.client));
        assertFalse(now.isEmpty(), "a joined player of a showPlayers hunt sees its box");
        assertTrue(now.get(0).path("full").asBoolean(), now.toString());
        assertTrue(ids(now).values().containsAll(Set.of(erin.playerId, frank.playerId)));
        // And after leaving, nothing again.
        assertAck(grace.client.request("leave", hunt(SHOWN)));
        drain(grace.client);
        walk(6, erin, frank);
        assertTrue(moves(drain(grace.client)).isEmpty());
      }
    }
  }

  @Test
  void anExpiredSpectatorIsCutOffEvenWithAViewport() throws Exception {
    try (Mover hank = Mover.joined("hank", HUNT);
        WsClient s = WsClient.hello(port, mint(HUNT, "{\"ttlSeconds\": 3}"))) {
      assertAck(s.request("watch", hunt(HUNT)));
      assertAck(s.request("view", view(HUNT, box(LAT, LON, 0.01))));
      walk(3, hank);
      assertFalse(moves(drain(s)).isEmpty(), "the spectator sees its box while invited");
      assertEquals(4401, s.awaitClose());
      walk(3, hank);
      assertTrue(moves(drain(s)).isEmpty());
    }
  }

  // ---------------------------------------------------------------- hostile

  @Test
  void junkBoxesAndMadeUpHuntsAreRefusedClearly() throws Exception {
    try (WsClient w = organiser(HUNT)) {
      Map<String, String> junk = new HashMap<>();
      junk.put("\"box\":5", "box: an object");
      junk.put(
          "\"box\":{\"south\":\"x\",\"west\":4,\"north\":53,\"east\":5}", "box.south: must be");
      junk.put("\"box\":{\"west\":4,\"north\":53,\"east\":5}", "box.south: required");
      junk.put("\"box\":{\"south\":91,\"west\":4,\"north\":92,\"east\":5}", "box.south: must be");
      junk.put(
          "\"box\":{\"south\":52,\"west\":4,\"north\":51,\"east\":5}", "south must be ≤ north");
      junk.put(
          "\"box\":{\"south\":52,\"west\":179.9,\"north\":52.1,\"east\":-179.9}", "antimeridian");
      junk.put("\"box\":{\"south\":0,\"west\":0,\"north\":10,\"east\":10}", "at most 0.5°");
      junk.put(
          "\"box\":{\"south\":52,\"west\":null,\"north\":52.1,\"east\":5}", "box.west: must be");
      junk.put("\"box\":{\"south\":1e400,\"west\":4,\"north\":52.1,\"east\":5}", "box.south");
      for (Map.Entry<String, String> j : junk.entrySet()) {
        JsonNode answer = w.request("view", hunt(HUNT) + "," + j.getKey());
        assertError(answer, "bad_request");
        assertTrue(
            answer.path("message").asText().contains(j.getValue()), j.getKey() + " → " + answer);
      }
      assertError(w.request("view", "\"box\":null"), "bad_request"); // no hunt
      int feeds = HuntFeeds.get(node.system).size();
      for (int i = 0; i < 100; i++) {
        assertError(w.request("view", view("made-up-" + i, box(LAT, LON, 0.01))), "bad_request");
        Thread.sleep(50); // under the rate limit: each is refused for what it is
      }
      assertEquals(feeds, HuntFeeds.get(node.system).size(), "no feed for a made-up hunt");
      assertAck(w.request("view", view(HUNT, box(LAT, LON, 0.01))));
      w.send("{\"type\":\"ping\"}");
      assertEquals("pong", w.nextOfType("pong").path("type").asText());
    }
  }

  @Test
  void boxChangesAreConflatedAndAFloodIsRateLimited() throws Exception {
    try (Mover ivan = Mover.joined("ivan", HUNT);
        WsClient w = organiser(HUNT)) {
      ivan.moveTo(LAT, LON);
      // 30 boxes in a burst, one every millisecond: acked, applied once per interval.
      for (int i = 0; i < 30; i++) {
        w.send(frame("view", "v" + i, view(HUNT, box(LAT + (i % 2 == 0 ? 0.05 : 0), LON, 0.002))));
        Thread.sleep(1);
      }
      List<JsonNode> got = drain(w);
      assertEquals(30, count(got, "ack"), got.toString());
      assertTrue(moves(got).size() <= 10, "at most a frame per interval: " + moves(got).size());
      // The last box (i = 29, odd) is Ivan's: the picture ends with him in it.
      walk(2, ivan);
      assertFalse(movedIds(moves(drain(w))).isEmpty(), "the last box counts");

      // A box every millisecond for long: rate limited, then closed as any flood (1008).
      for (int i = 0; i < 300 && w.isOpen(); i++) {
        try {
          w.send(frame("view", "f" + i, view(HUNT, box(LAT, LON, 0.002))));
        } catch (RuntimeException closed) {
          break;
        }
        Thread.sleep(1);
      }
      List<JsonNode> flood = drain(w);
      assertTrue(
          flood.stream().anyMatch(f -> "rate_limited".equals(f.path("code").asText())),
          "rate limited");
      assertEquals(1008, w.awaitClose());
    }
    // The node still serves a watcher.
    try (WsClient w = organiser(HUNT)) {
      assertAck(w.request("view", view(HUNT, box(LAT, LON, 0.002))));
    }
  }

  // ---------------------------------------------------------------- helpers

  /** A registered player on its own connection, reporting where the test puts it. */
  static final class Mover implements AutoCloseable {
    final String playerId;
    final WsClient client;
    double lat = LAT, lon = LON;
    long lastAt;

    Mover(String playerId, WsClient client) {
      this.playerId = playerId;
      this.client = client;
    }

    static Mover registered(String name) throws Exception {
      JsonNode r = http.post("/api/players", "{\"name\": \"" + name + "\"}").json();
      return new Mover(r.get("playerId").asText(), WsClient.hello(port, r.get("token").asText()));
    }

    static Mover joined(String name, String hunt) throws Exception {
      Mover m = registered(name);
      assertAck(m.client.request("join", hunt(hunt)));
      m.hunt = hunt;
      return m;
    }

    String hunt;

    /**
     * Jumps there, with a fix 5 s after the last one (the hunt allows 1000 m/s, the node a fix up
     * to 5 minutes ahead of its clock).
     */
    void moveTo(double lat, double lon) throws Exception {
      this.lat = lat;
      this.lon = lon;
      assertAck(report(5000));
    }

    /** The same without waiting for the answer. */
    void sendMoveTo(double lat, double lon) {
      this.lat = lat;
      this.lon = lon;
      lastAt = Math.max(System.currentTimeMillis(), lastAt + 5000);
      client.send(frame("location", client.nextId(), where()));
    }

    /** Reports the current position moved by {@code d} degrees north-east, a fix 100 ms later. */
    void step(double d) throws Exception {
      lat += d;
      lon += d;
      assertAck(report(100));
    }

    private JsonNode report(long afterMs) throws Exception {
      lastAt = Math.max(System.currentTimeMillis(), lastAt + afterMs);
      return client.request("location", where());
    }

    private String where() {
      return hunt(hunt) + ",\"lat\":" + lat + ",\"lon\":" + lon + ",\"at\":" + lastAt;
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /** {@code steps} reports from each mover, a metre or so apart, 60 ms apart. */
  static void walk(int steps, Mover... movers) throws Exception {
    for (int i = 0; i < steps; i++) {
      for (Mover m : movers) m.step(1e-5);
      Thread.sleep(60);
    }
  }

  static WsClient organiser(String hunt) throws Exception {
    WsClient c = WsClient.hello(port, TestNodes.ADMIN_TOKEN);
    assertAck(c.request("watch", hunt(hunt)));
    return c;
  }

  static String mint(String hunt, String body) throws Exception {
    HttpClientSupport.Reply r = http.postAdmin("/api/hunts/" + hunt + "/spectators", body);
    assertEquals(201, r.status(), r.body());
    return r.json().path("token").asText();
  }

  static String frame(String type, String id, String fields) {
    return "{\"type\":\"" + type + "\",\"id\":\"" + id + "\"," + fields + "}";
  }

  static String hunt(String hunt) {
    return "\"hunt\":\"" + hunt + "\"";
  }

  /** A box {@code half} degrees each side of a point. */
  static String box(double lat, double lon, double half) {
    return "{\"south\":%s,\"west\":%s,\"north\":%s,\"east\":%s}"
        .formatted(lat - half, lon - half, lat + half, lon + half);
  }

  static String view(String hunt, String box) {
    return hunt(hunt) + ",\"box\":" + box;
  }

  static List<JsonNode> drain(WsClient c) throws InterruptedException {
    List<JsonNode> frames = new ArrayList<>();
    JsonNode f;
    while ((f = c.poll(QUIET)) != null) frames.add(f);
    return frames;
  }

  /** The {@code moves} frames, each checked against docs/asyncapi.yaml. */
  static List<JsonNode> moves(List<JsonNode> frames) {
    List<JsonNode> moves =
        frames.stream().filter(f -> "moves".equals(f.path("type").asText())).toList();
    try {
      for (JsonNode m : moves) AsyncApiTest.assertFrameValid(m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return moves;
  }

  static long count(List<JsonNode> frames, String type) {
    return frames.stream().filter(f -> type.equals(f.path("type").asText())).count();
  }

  static Map<Integer, String> ids(List<JsonNode> frames) {
    Map<Integer, String> ids = new HashMap<>();
    for (JsonNode f : frames)
      for (JsonNode i : f.path("ids")) ids.put(i.path("n").asInt(), i.path("playerId").asText());
    return ids;
  }

  static int key(Map<Integer, String> ids, String playerId) {
    return ids.entrySet().stream()
        .filter(e -> e.getValue().equals(playerId))
        .findFirst()
        .orElseThrow()
        .getKey();
  }

  static Set<Integer> movedIds(List<JsonNode> frames) {
    Set<Integer> ids = new HashSet<>();
    for (JsonNode f : frames) for (JsonNode m : f.path("moved")) ids.add(m.get(0).asInt());
    return ids;
  }

  static int goneCount(List<JsonNode> frames, int n) {
    int c = 0;
    for (JsonNode f : frames) for (JsonNode g : f.path("gone")) if (g.asInt() == n) c++;
    return c;
  }

  static long bytes(List<JsonNode> frames) {
    long b = 0;
    for (JsonNode f : frames) b += f.toString().getBytes(StandardCharsets.UTF_8).length;
    return b;
  }

  static void assertAck(JsonNode frame) {
    assertEquals("ack", frame.path("type").asText(), frame.toString());
  }

  static void assertError(JsonNode frame, String code) {
    assertEquals("error", frame.path("type").asText(), frame.toString());
    assertEquals(code, frame.path("code").asText(), frame.toString());
  }
}
