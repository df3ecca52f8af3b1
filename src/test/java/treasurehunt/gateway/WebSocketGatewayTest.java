package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;

/** The WebSocket protocol with real clients on a node's bound port, on a real PostgreSQL. */
class WebSocketGatewayTest {
  static Node node;
  static int port;
  static HttpClientSupport http;

  static final double LAT = 52.3702, LON = 4.8952;

  @BeforeAll
  static void start() throws Exception {
    Database db = TestDatabase.fresh("ws");
    node =
        TestNodes.start(
            db,
            "treasure-hunt.ws.hello-timeout = 1s\n"
                + "treasure-hunt.game.stream-window = 5\n"
                + "treasure-hunt.ws.outbound-buffer = 64\n"
                + "akka.http.server.socket-options.so-send-buffer-size = 16k\n");
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
  }

  @AfterAll
  static void stop() throws Exception {
    TestNodes.stop(node);
  }

  record Who(String playerId, String token) {}

  static Who register(String name) throws Exception {
    JsonNode r = http.post("/api/players", "{\"name\": \"" + name + "\"}").json();
    return new Who(r.get("playerId").asText(), r.get("token").asText());
  }

  static void liveHunt(String id) throws Exception {
    assertEquals(201, http.postAdmin("/api/hunts", HttpClientSupport.oldTown(id)).status());
    assertEquals(200, http.postAdmin("/api/hunts/" + id + "/start", null).status());
  }

  static String at(String hunt, double lat, double lon, long at) {
    return "\"hunt\":\""
        + hunt
        + "\",\"lat\":"
        + lat
        + ",\"lon\":"
        + lon
        + ",\"at\":"
        + at
        + ",\"accuracyM\":5";
  }

  static void assertAck(JsonNode frame) {
    assertEquals("ack", frame.path("type").asText(), frame.toString());
  }

  static void assertError(JsonNode frame, String code) {
    assertEquals("error", frame.path("type").asText(), frame.toString());
    assertEquals(code, frame.path("code").asText(), frame.toString());
  }

  @Test
  void aWholeGameFromJoinToFindClaimAndChat() throws Exception {
    liveHunt("game");
    Who annId = register("ann"), bobId = register("bob");
    try (WsClient ann = WsClient.hello(port, annId.token());
        WsClient bob = WsClient.hello(port, bobId.token())) {
      JsonNode joined = ann.request("join", "\"hunt\":\"game\"");
      assertAck(joined);
      assertEquals("live", joined.at("/hunt/status").asText());
      assertEquals(0, joined.at("/you/score").asInt());
      assertTrue(joined.at("/stream/epoch").isTextual());
      assertTrue(joined.get("nextPollMs").asLong() > 0);
      assertFalse(joined.toString().contains("noon"), "answers never leave the server");
      assertAck(bob.request("join", "\"hunt\":\"game\""));

      long t0 = System.currentTimeMillis() - 120_000;
      JsonNode first = ann.request("location", at("game", LAT, LON, t0));
      assertAck(first);
      assertEquals(0, first.get("found").size());
      assertTrue(first.has("nearest") && first.has("atTreasure") && first.has("nextPollMs"));

      JsonNode found = ann.request("location", at("game", 52.3711, 4.8952, t0 + 30_000));
      assertEquals("clock", found.at("/found/0").asText(), found.toString());

      JsonNode event = bob.nextEvent("treasure_found");
      assertEquals("clock", event.at("/event/treasure").asText());
      assertEquals(annId.playerId(), event.at("/event/playerId").asText());
      assertEquals(100, event.at("/event/points").asInt());
      JsonNode board = bob.nextEvent("leaderboard");
      assertEquals(event.get("seq").asLong() + 1, board.get("seq").asLong());
      assertEquals(annId.playerId(), board.at("/event/leaderboard/0/playerId").asText());
      assertEquals(100, board.at("/event/leaderboard/0/score").asInt());
      assertEquals("treasure_found", ann.nextEvent("treasure_found").at("/event/kind").asText());
      assertEquals(
          annId.playerId(),
          ann.nextEvent("leaderboard").at("/event/leaderboard/0/playerId").asText());

      assertAck(bob.request("location", at("game", LAT, LON, t0)));
      JsonNode atRiddle = bob.request("location", at("game", 52.36885, 4.8952, t0 + 30_000));
      assertEquals("riddle", atRiddle.get("atTreasure").asText(), atRiddle.toString());
      assertError(
          bob.request("claim", "\"hunt\":\"game\",\"treasure\":\"riddle\",\"answer\":\"dusk\""),
          "wrong_answer");
      JsonNode claimed =
          bob.request("claim", "\"hunt\":\"game\",\"treasure\":\"riddle\",\"answer\":\"Noon\"");
      assertAck(claimed);
      assertEquals(200, claimed.get("points").asInt());
      assertEquals(200, claimed.get("score").asInt());
      assertEquals(
          bobId.playerId(),
          ann.nextEvent("leaderboard").at("/event/leaderboard/0/playerId").asText());

      assertAck(ann.request("chat", "\"hunt\":\"game\",\"text\":\"well done\""));
      JsonNode chat = bob.nextEvent("chat");
      assertEquals("well done", chat.at("/event/text").asText());
      assertEquals("ann", chat.at("/event/name").asText());

      JsonNode pong = send(ann, "{\"type\":\"ping\"}");
      assertEquals("pong", pong.get("type").asText());
    }
  }

  private static JsonNode send(WsClient c, String frame) throws InterruptedException {
    c.send(frame);
    return c.nextOfType(frame.contains("\"ping\"") ? "pong" : "error");
  }

  @Test
  void aClientMustSayHelloWithAValidTokenFirst() throws Exception {
    Who ann = register("ann");
    try (WsClient c = WsClient.connect(port, null)) {
      c.send("{\"type\":\"join\",\"id\":\"j1\",\"hunt\":\"x\"}");
      assertError(c.next(), "unauthorized");
      assertEquals(4401, c.awaitClose());
    }
    try (WsClient c = WsClient.connect(port, null)) {
      c.send("{\"type\":\"hello\",\"token\":\"" + ann.token() + "x\"}");
      assertError(c.next(), "unauthorized");
      assertEquals(4401, c.awaitClose());
    }
    Tokens foreign =
        new Tokens("another-secret-that-is-long-enough-32".getBytes(), Duration.ofHours(1));
    try (WsClient c = WsClient.connect(port, null)) {
      c.send("{\"type\":\"hello\",\"token\":\"" + foreign.mint(ann.playerId(), "ann") + "\"}");
      assertError(c.next(), "unauthorized");
      assertEquals(4401, c.awaitClose());
    }
    try (WsClient c = WsClient.connect(port, "token=not-a-token")) {
      assertError(c.next(), "unauthorized");
      assertEquals(4401, c.awaitClose());
    }
    try (WsClient c = WsClient.connect(port, "token=" + ann.token())) {
      JsonNode welcome = c.next();
      assertEquals("welcome", welcome.get("type").asText());
      assertEquals(ann.playerId(), welcome.get("playerId").asText());
      assertEquals(1, welcome.get("protocol").asInt());
    }
    try (WsClient c = WsClient.connect(port, null)) {
      assertEquals(4408, c.awaitClose()); // silent: closed after the hello timeout (1 s here)
    }
  }

  @Test
  void badFramesAreAnsweredAndTheConnectionStaysOpen() throws Exception {
    liveHunt("bad");
    Who ann = register("ann");
    try (WsClient c = WsClient.hello(port, ann.token())) {
      assertAck(c.request("join", "\"hunt\":\"bad\""));
      long now = System.currentTimeMillis();
      c.send("this is not json");
      assertError(c.nextOfType("error"), "bad_request");
      c.sendBinary(new byte[] {1, 2, 3});
      assertError(c.nextOfType("error"), "bad_request");
      c.send("[1,2]");
      assertError(c.nextOfType("error"), "bad_request");
      assertError(c.request("dance", "\"hunt\":\"bad\""), "bad_request");
      assertError(
          c.request("location", "\"hunt\":\"bad\",\"lat\":\"north\",\"lon\":4.8,\"at\":" + now),
          "bad_request");
      assertError(c.request("location", at("bad", 91, LON, now)), "bad_request");
      assertError(c.request("location", at("bad", LAT, 180.5, now)), "bad_request");
      assertError(
          c.request("location", "\"hunt\":\"bad\",\"lat\":52.1,\"lon\":4.8,\"at\":\"soon\""),
          "bad_request");
      assertError(
          c.request(
              "location", "\"hunt\":\"bad\",\"lat\":52.1,\"lon\":4.8,\"at\":" + (now + 3_600_000)),
          "bad_request");
      c.send(
          "{\"type\":\"location\",\"id\":\"nan\",\"hunt\":\"bad\",\"lat\":NaN,\"lon\":4.8,\"at\":"
              + now
              + "}");
      assertError(c.nextOfType("error"), "bad_request");
      c.send(
          "{\"type\":\"location\",\"hunt\":\"bad\",\"lat\":52.1,\"lon\":4.8,\"at\":" + now + "}");
      JsonNode noId = c.nextOfType("error");
      assertError(noId, "bad_request");
      assertTrue(noId.get("re").isNull());
      assertError(
          c.request("chat", "\"hunt\":\"bad\",\"text\":\"" + "x".repeat(501) + "\""),
          "bad_request");
      assertError(c.request("join", "\"hunt\":\"no such hunt!\""), "bad_request");
      assertError(c.request("join", "\"hunt\":\"never-made\""), "not_found");
      // every frame naming a hunt that was never created (docs/protocol.md §8)
      assertError(c.request("location", at("never-made", LAT, LON, now)), "not_found");
      assertError(c.request("leave", "\"hunt\":\"never-made\""), "not_found");
      assertError(c.request("claim", "\"hunt\":\"bad\",\"treasure\":\"gold\""), "too_far");
      c.send(
          "{\"type\":\"chat\",\"id\":\"big\",\"hunt\":\"bad\",\"text\":\""
              + "y".repeat(20_000)
              + "\"}");
      assertError(c.nextOfType("error"), "too_large");
      // still open and serving
      assertEquals("pong", send(c, "{\"type\":\"ping\"}").get("type").asText());
      assertAck(c.request("location", at("bad", LAT, LON, now)));
    }
  }

  @Test
  void staleOutOfOrderAndRetriedReportsChangeNothing() throws Exception {
    liveHunt("retry");
    Who ann = register("ann");
    long t0 = System.currentTimeMillis() - 600_000;
    JsonNode first;
    try (WsClient c = WsClient.hello(port, ann.token())) {
      assertAck(c.request("join", "\"hunt\":\"retry\""));
      assertAck(c.request("location", at("retry", LAT, LON, t0)));
      first = c.request("fix-2", "location", at("retry", 52.3711, 4.8952, t0 + 60_000));
      assertEquals("clock", first.at("/found/0").asText());
      assertError(c.request("location", at("retry", LAT, LON, t0 + 30_000)), "stale");
      assertError(c.request("location", at("retry", LAT, LON, t0 + 60_000)), "stale");
      // 1 km in 5 s
      assertError(
          c.request("location", at("retry", 52.3792, 4.8952, t0 + 65_000)), "implausible_move");
      c.drop();
    }
    try (WsClient c = WsClient.hello(port, ann.token())) {
      JsonNode again = c.request("fix-2", "location", at("retry", 52.3711, 4.8952, t0 + 60_000));
      assertEquals(withoutRe(first), withoutRe(again));
      assertEquals("fix-2", again.get("re").asText());
    }
    JsonNode board = http.get("/api/hunts/retry/leaderboard").json();
    assertEquals(
        100, board.at("/entries/0/score").asInt(), "the retried report must not score twice");
  }

  @Test
  void resumeDeliversExactlyTheMissedEventsInOrder() throws Exception {
    liveHunt("resume");
    Who sam = register("sam"), bob = register("bob");
    try (WsClient chatter = WsClient.hello(port, bob.token())) {
      assertAck(chatter.request("join", "\"hunt\":\"resume\""));
      String epoch;
      long last;
      try (WsClient watcher = WsClient.hello(port, sam.token())) {
        JsonNode watching = watcher.request("watch", "\"hunt\":\"resume\"");
        assertAck(watching);
        epoch = watching.at("/stream/epoch").asText();
        last = watching.at("/stream/seq").asLong();
        assertAck(chatter.request("chat", "\"hunt\":\"resume\",\"text\":\"seen\""));
        JsonNode seen = watcher.nextEvent("chat");
        assertEquals(last + 1, seen.get("seq").asLong());
        last = seen.get("seq").asLong();
        watcher.drop();
      }
      // missed while away: within the hunt's window of 5
      for (int i = 1; i <= 3; i++)
        assertAck(chatter.request("chat", "\"hunt\":\"resume\",\"text\":\"missed " + i + "\""));
      try (WsClient watcher = WsClient.hello(port, sam.token())) {
        JsonNode ack =
            watcher.request(
                "resume", "\"hunt\":\"resume\",\"epoch\":\"" + epoch + "\",\"seq\":" + last);
        assertAck(ack);
        assertEquals(last, ack.at("/stream/seq").asLong());
        List<JsonNode> events = events(watcher, 3);
        for (int i = 0; i < 3; i++) {
          assertEquals(last + 1 + i, events.get(i).get("seq").asLong());
          assertEquals("missed " + (i + 1), events.get(i).at("/event/text").asText());
        }
        assertAck(chatter.request("chat", "\"hunt\":\"resume\",\"text\":\"live\""));
        JsonNode live = watcher.nextOfType("event");
        assertEquals(last + 4, live.get("seq").asLong());
        last = live.get("seq").asLong();
        watcher.drop();
      }
      // missed more than the window holds: served from the journal, still complete
      for (int i = 1; i <= 8; i++)
        assertAck(chatter.request("chat", "\"hunt\":\"resume\",\"text\":\"old " + i + "\""));
      try (WsClient watcher = WsClient.hello(port, sam.token())) {
        JsonNode ack =
            watcher.request(
                "resume", "\"hunt\":\"resume\",\"epoch\":\"" + epoch + "\",\"seq\":" + last);
        assertAck(ack);
        List<JsonNode> events = events(watcher, 8);
        for (int i = 0; i < 8; i++) {
          assertEquals(last + 1 + i, events.get(i).get("seq").asLong());
          assertEquals("old " + (i + 1), events.get(i).at("/event/text").asText());
        }
        assertNull(
            nextEventWithin(watcher, Duration.ofMillis(500)), "no duplicates after the resume");
      }
      // another epoch: a snapshot with reset, then the stream goes on from it
      try (WsClient watcher = WsClient.hello(port, sam.token())) {
        String id = watcher.nextId();
        watcher.send(
            "{\"type\":\"resume\",\"id\":\""
                + id
                + "\",\"hunt\":\"resume\",\"epoch\":\"e-old\",\"seq\":3}");
        JsonNode snapshot = watcher.answerTo(id);
        assertEquals("snapshot", snapshot.get("type").asText(), snapshot.toString());
        assertTrue(snapshot.get("reset").asBoolean());
        assertEquals(epoch, snapshot.at("/stream/epoch").asText());
        long head = snapshot.at("/stream/seq").asLong();
        assertEquals("live", snapshot.at("/hunt/status").asText());
        assertAck(chatter.request("chat", "\"hunt\":\"resume\",\"text\":\"after reset\""));
        assertEquals(head + 1, watcher.nextOfType("event").get("seq").asLong());
      }
    }
  }

  private static List<JsonNode> events(WsClient c, int n) throws InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    while (out.size() < n) out.add(c.nextOfType("event"));
    return out;
  }

  private static JsonNode nextEventWithin(WsClient c, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode n = c.poll(Duration.ofMillis(50));
      if (n != null && "event".equals(n.path("type").asText())) return n;
    }
    return null;
  }

  @Test
  void aClientFloodingFramesIsLimitedThenClosedWith1008() throws Exception {
    Who ann = register("ann");
    try (WsClient c = WsClient.hello(port, ann.token())) {
      for (int i = 0; i < 200; i++) c.send("{\"type\":\"ping\"}");
      int limited = 0, pongs = 0;
      JsonNode n;
      while ((n = c.poll(Duration.ofSeconds(2))) != null) {
        if ("pong".equals(n.path("type").asText())) pongs++;
        else if ("rate_limited".equals(n.path("code").asText())) {
          limited++;
          assertTrue(n.get("retryAfterMs").asLong() > 0);
        }
      }
      assertTrue(pongs >= 40 && pongs < 200, "burst served, the rest limited: " + pongs);
      assertTrue(limited > 0);
      assertEquals(1008, c.awaitClose());
    }
    // the node keeps serving others
    try (WsClient other = WsClient.hello(port, register("bob").token())) {
      assertEquals("pong", send(other, "{\"type\":\"ping\"}").get("type").asText());
    }
  }

  @Test
  void aClientThatNeverReadsIsDisconnectedAndOthersCarryOn() throws Exception {
    liveHunt("slow");
    Who sloth = register("sloth"), bob = register("bob"), ann = register("ann");
    int before = node.ws.connections();
    try (Socket raw = new Socket()) {
      raw.setReceiveBufferSize(4096);
      raw.connect(new java.net.InetSocketAddress("127.0.0.1", port));
      OutputStream out = raw.getOutputStream();
      out.write(
          ("GET /ws?token="
                  + sloth.token()
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // Wait for the 101 before the first frame (a frame glued to the request would read as a
      // second request).
      InputStream handshake = raw.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int ch = handshake.read();
        assertTrue(ch >= 0, "connection closed during the handshake: " + head);
        head.append((char) ch);
      }
      assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
      out.write(maskedText("{\"type\":\"watch\",\"id\":\"w1\",\"hunt\":\"slow\"}"));
      out.flush();
      try (WsClient b = WsClient.hello(port, bob.token());
          WsClient a = WsClient.hello(port, ann.token())) {
        assertAck(b.request("join", "\"hunt\":\"slow\""));
        assertAck(a.request("join", "\"hunt\":\"slow\""));
        String text = "z".repeat(480);
        long deadline = System.currentTimeMillis() + 30_000;
        while (node.ws.connections() > before + 2 && System.currentTimeMillis() < deadline) {
          for (int i = 0; i < 10; i++) {
            b.request("chat", "\"hunt\":\"slow\",\"text\":\"" + text + "\"");
            a.request("chat", "\"hunt\":\"slow\",\"text\":\"" + text + "\"");
          }
          Thread.sleep(1000); // stay under the rate limit
        }
        assertEquals(
            before + 2, node.ws.connections(), "the client that never reads was disconnected");
        assertEquals("pong", send(b, "{\"type\":\"ping\"}").get("type").asText());
        assertAck(a.request("chat", "\"hunt\":\"slow\",\"text\":\"still here\""));
      }
      InputStream in = raw.getInputStream();
      raw.setSoTimeout(10_000);
      byte[] buf = new byte[65536];
      try {
        while (in.read(buf) >= 0) {
          // drain until the server's close shows
        }
      } catch (java.io.IOException closedByServer) {
        // reset by the server: closed as well
      }
    }
  }

  @Test
  void garbageBeforeHelloIsUnauthorizedAndClosed() throws Exception {
    for (String first : List.of("not json", "{\"foo\":1}", "[1,2]")) {
      try (WsClient c = WsClient.connect(port, null)) {
        c.send(first);
        assertError(c.next(), "unauthorized");
        assertEquals(4401, c.awaitClose(), first);
      }
    }
    try (WsClient c = WsClient.connect(port, null)) {
      c.sendBinary(new byte[] {1, 2, 3});
      assertError(c.next(), "unauthorized");
      assertEquals(4401, c.awaitClose());
    }
  }

  @Test
  void aRefusedCommandRetriedWithItsIdGetsTheSameAnswer() throws Exception {
    liveHunt("refused");
    Who ann = register("ann");
    long t0 = System.currentTimeMillis();
    try (WsClient c = WsClient.hello(port, ann.token())) {
      assertError(c.request("z1", "location", at("refused", 52.3711, 4.8952, t0)), "not_joined");
      assertAck(c.request("join", "\"hunt\":\"refused\""));
      // the same id after joining: still the first answer, and nothing found
      assertError(c.request("z1", "location", at("refused", 52.3711, 4.8952, t0)), "not_joined");
      JsonNode fresh = c.request("z2", "location", at("refused", 52.3711, 4.8952, t0));
      assertAck(fresh);
      assertEquals("clock", fresh.get("found").get(0).asText());
      // ids outside [A-Za-z0-9_.-] are refused
      JsonNode badId =
          send(c, "{\"type\":\"chat\",\"id\":\"has space\",\"hunt\":\"refused\",\"text\":\"hi\"}");
      assertError(badId, "bad_request");
    }
  }

  @Test
  void aSecondPlayerReachingAnExclusiveTreasureIsToldItIsTaken() throws Exception {
    liveHunt("taken");
    Who ann = register("ann"), bob = register("bob");
    long t0 = System.currentTimeMillis();
    try (WsClient a = WsClient.hello(port, ann.token());
        WsClient b = WsClient.hello(port, bob.token())) {
      assertAck(a.request("join", "\"hunt\":\"taken\""));
      assertAck(b.request("join", "\"hunt\":\"taken\""));
      JsonNode first = a.request("location", at("taken", 52.3702, 4.89814, t0));
      assertEquals("gold", first.get("found").get(0).asText(), first.toString());
      JsonNode second = b.request("location", at("taken", 52.3702, 4.89814, t0));
      assertAck(second);
      assertEquals(0, second.get("found").size());
      assertEquals("gold", second.get("alreadyClaimed").get(0).asText(), second.toString());
      assertError(
          b.request("claim", "\"hunt\":\"taken\",\"treasure\":\"gold\""), "already_claimed");
    }
  }

  /** One masked text frame, as a client must send it (RFC 6455 §5.3). */
  static byte[] maskedText(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    byte[] mask = {1, 2, 3, 4};
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.write(0x81);
    if (payload.length < 126) b.write(0x80 | payload.length);
    else {
      b.write(0x80 | 126);
      b.write(payload.length >> 8);
      b.write(payload.length & 0xff);
    }
    b.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) b.write(payload[i] ^ mask[i % 4]);
    return b.toByteArray();
  }

  private static JsonNode withoutRe(JsonNode frame) {
    return ((com.fasterxml.jackson.databind.node.ObjectNode) frame.deepCopy()).without("re");
  }
}
