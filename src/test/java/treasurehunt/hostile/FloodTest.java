package treasurehunt.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.Json;
import treasurehunt.gateway.Tokens;
import treasurehunt.gateway.WsClient;

/**
 * Floods against a real node on real sockets (docs/protocol.md §9, limits per player and per
 * address): one token opening many sockets, a registration flood from one address, a chat flood
 * over several sockets of one player, guessing an answer, join/leave churn, and names and chat with
 * invisible or reordering characters. Each case asserts the documented answer and that others are
 * not affected, and after each an honest player still joins, reports and chats.
 *
 * <p>The node runs with the limits below (small, so that a flood is short), not the shipped
 * defaults; tokens are minted with the node's secret (as an identity service would) so that the
 * cases do not spend the per-address registration budget.
 */
class FloodTest {
  static final String HUNT = "flood";
  static final String LIMITS =
      """
      treasure-hunt.limits {
        connections-per-player = 5
        registrations-per-minute = 5
        chat-per-minute = 10
        joins-per-minute = 3
        wrong-answers-free = 3
        wrong-answer-wait = 2s
        wrong-answer-max-wait = 1h
      }
      """;

  /** The riddle of HttpClientSupport.oldTown: answer "noon", radius 20 m. */
  static final double RIDDLE_LAT = 52.36885, RIDDLE_LON = 4.8952;

  static Database db;
  static Node node;
  static int port;
  static HttpClientSupport http;
  static Tokens tokens;
  static final AtomicInteger players = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.fresh("flood");
    node = TestNodes.start(db, LIMITS);
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
    http.createHunt(HttpClientSupport.oldTown(HUNT));
    assertEquals(200, http.postAdmin("/api/hunts/" + HUNT + "/start", null).status());
    tokens =
        new Tokens(TestNodes.TOKEN_SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofHours(1));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) TestNodes.stop(node);
  }

  /** A token for a new player, as an identity service holding the secret would mint it. */
  static String mint(String name) {
    return tokens.mint("p-flood-" + players.incrementAndGet(), name);
  }

  /** After every flood an honest player still connects, joins, reports and chats at once. */
  @AfterEach
  void nodeStillServesAnHonestPlayer() throws Exception {
    try (WsClient honest = WsClient.connect(port, "token=" + mint("honest"))) {
      assertEquals("welcome", honest.next().path("type").asText());
      assertAck(honest.request("join", "\"hunt\":\"" + HUNT + "\""));
      assertAck(honest.request("location", location(52.3702, 4.8952, System.currentTimeMillis())));
      assertAck(honest.request("chat", "\"hunt\":\"" + HUNT + "\",\"text\":\"all fine\""));
    }
  }

  static String location(double lat, double lon, long at) {
    return String.format(
        Locale.ROOT, "\"hunt\":\"%s\",\"lat\":%.6f,\"lon\":%.6f,\"at\":%d", HUNT, lat, lon, at);
  }

  static void assertAck(JsonNode frame) {
    assertEquals("ack", frame.path("type").asText(), frame.toString());
  }

  static long assertRateLimited(JsonNode frame) {
    assertEquals("error", frame.path("type").asText(), frame.toString());
    assertEquals("rate_limited", frame.path("code").asText(), frame.toString());
    long retry = frame.path("retryAfterMs").asLong(-1);
    assertTrue(retry > 0, "retryAfterMs: " + frame);
    return retry;
  }

  static WsClient joined(String token) throws Exception {
    WsClient c = WsClient.connect(port, "token=" + token);
    assertEquals("welcome", c.next().path("type").asText());
    assertAck(c.request("join", "\"hunt\":\"" + HUNT + "\""));
    return c;
  }

  // ---------------------------------------------------------------- sockets

  @Test
  void oneTokenOpeningManySocketsKeepsItsFirstFive() throws Exception {
    String token = mint("many-sockets");
    List<WsClient> first = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        WsClient c = WsClient.connect(port, "token=" + token);
        assertEquals("welcome", c.next().path("type").asText(), "connection " + (i + 1));
        first.add(c);
      }
      // the excess, by ?token= and by hello: rate_limited, then closed with 4429
      for (int i = 0; i < 20; i++) {
        try (WsClient extra = WsClient.connect(port, i % 2 == 0 ? "token=" + token : null)) {
          if (i % 2 == 1) extra.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
          JsonNode refused = extra.next();
          assertRateLimited(refused);
          assertTrue(refused.get("re").isNull(), refused.toString());
          assertEquals(4429, extra.awaitClose());
        }
      }
      // the first five keep working
      for (WsClient c : first) {
        c.send("{\"type\":\"ping\"}");
        assertEquals("pong", c.nextOfType("pong").path("type").asText());
      }
      assertAck(first.get(0).request("join", "\"hunt\":\"" + HUNT + "\""));
      assertAck(first.get(4).request("chat", "\"hunt\":\"" + HUNT + "\",\"text\":\"five\""));
      // one closes: its place is free again (the server counts it out when its session stops)
      first.remove(0).close();
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      JsonNode answer = null;
      while (System.nanoTime() < deadline) {
        try (WsClient again = WsClient.connect(port, "token=" + token)) {
          answer = again.next();
          if ("welcome".equals(answer.path("type").asText())) break;
        }
        Thread.sleep(200);
      }
      assertNotNull(answer);
      assertEquals("welcome", answer.path("type").asText(), answer.toString());
    } finally {
      for (WsClient c : first) c.close();
    }
  }

  // ---------------------------------------------------------------- registrations

  record Response(int status, Map<String, String> headers, String body) {
    JsonNode json() throws Exception {
      return Json.MAPPER.readTree(body);
    }
  }

  /**
   * {@code POST path} from the local address {@code from} (any 127.x.y.z reaches the node on
   * 127.0.0.1), on a bare socket: the JDK's client cannot choose its source address.
   */
  static Response postFrom(String from, String path, String body, String... headers)
      throws Exception {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(from, 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(20_000);
      byte[] content = body.getBytes(StandardCharsets.UTF_8);
      StringBuilder req =
          new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n")
              .append("Content-Type: application/json\r\nConnection: close\r\n")
              .append("Content-Length: ")
              .append(content.length)
              .append("\r\n");
      for (String h : headers) req.append(h).append("\r\n");
      OutputStream out = s.getOutputStream();
      out.write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      String[] head = text.substring(0, split).split("\r\n");
      Map<String, String> hs = new LinkedHashMap<>();
      for (int i = 1; i < head.length; i++) {
        int colon = head[i].indexOf(':');
        hs.put(
            head[i].substring(0, colon).toLowerCase(Locale.ROOT),
            head[i].substring(colon + 1).strip());
      }
      return new Response(Integer.parseInt(head[0].split(" ")[1]), hs, text.substring(split + 4));
    }
  }

  @Test
  void aRegistrationFloodFromOneAddressGets429WithRetryAfter() throws Exception {
    String flood = "127.0.0.2";
    int created = 0, refused = 0;
    long started = System.nanoTime();
    for (int i = 0; i < 25; i++) {
      // a different X-Forwarded-For each time: not trusted by default, so it changes nothing
      Response r =
          postFrom(
              flood, "/api/players", "{\"name\":\"bot" + i + "\"}", "X-Forwarded-For: 10.9.8." + i);
      if (r.status() == 201) {
        created++;
        continue;
      }
      assertEquals(429, r.status(), r.toString());
      assertEquals("rate_limited", r.json().at("/error/code").asText(), r.body());
      assertFalse(r.json().at("/error/message").asText().isEmpty());
      String retryAfter = r.headers().get("retry-after");
      assertNotNull(retryAfter, "Retry-After: " + r.headers());
      long wait = Long.parseLong(retryAfter);
      assertTrue(wait >= 1 && wait <= 12, "one registration every 12 s: " + wait);
      refused++;
    }
    long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
    // 5 a minute: the first five, then one more every 12 s
    assertTrue(
        created >= 5 && created <= 5 + seconds / 12, created + " created in " + seconds + " s");
    assertEquals(25, created + refused);
    // another address is not affected
    HttpClientSupport.Reply other = http.post("/api/players", "{\"name\":\"neighbour\"}");
    assertEquals(201, other.status(), other.body());
  }

  // ---------------------------------------------------------------- chat

  @Test
  void aChatFloodOverSeveralSocketsIsLimitedPerPlayer() throws Exception {
    String token = mint("chatty");
    try (WsClient watcher = joined(mint("watcher"));
        WsClient a = joined(token);
        WsClient b = WsClient.connect(port, "token=" + token);
        WsClient c = WsClient.connect(port, "token=" + token)) {
      assertEquals("welcome", b.next().path("type").asText());
      assertEquals("welcome", c.next().path("type").asText());
      WsClient[] sockets = {a, b, c};
      long started = System.nanoTime();
      int acks = 0, limited = 0;
      for (int i = 0; i < 30; i++) {
        JsonNode r =
            sockets[i % 3].request("chat", "\"hunt\":\"" + HUNT + "\",\"text\":\"spam " + i + "\"");
        if ("ack".equals(r.path("type").asText())) acks++;
        else {
          assertRateLimited(r);
          limited++;
        }
      }
      long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
      // 10 a minute per player, whichever socket: one more token every 6 s
      assertTrue(acks >= 10 && acks <= 10 + seconds / 6 + 1, acks + " acks in " + seconds + " s");
      assertEquals(30, acks + limited);
      // other players still chat, and the refused messages were never posted
      assertAck(watcher.request("chat", "\"hunt\":\"" + HUNT + "\",\"text\":\"marker\""));
      int posted = 0;
      while (true) {
        JsonNode e = watcher.nextEvent("chat");
        if ("marker".equals(e.at("/event/text").asText())) break;
        if (e.at("/event/text").asText().startsWith("spam ")) posted++;
      }
      assertEquals(acks, posted);
    }
  }

  // ---------------------------------------------------------------- answers

  @Test
  void guessingAnAnswerBacksOffAndTheRightAnswerStillScores() throws Exception {
    String token = mint("guesser");
    long now = System.currentTimeMillis();
    try (WsClient g = joined(token)) {
      g.request("location", location(RIDDLE_LAT, RIDDLE_LON, now)); // the first fix only anchors
      JsonNode there = g.request("location", location(RIDDLE_LAT, RIDDLE_LON, now + 1));
      assertEquals("riddle", there.path("atTreasure").asText(), there.toString());
      for (int i = 0; i < 3; i++)
        assertEquals("wrong_answer", claim(g, "guess" + i).path("code").asText());
      long first = assertRateLimited(claim(g, "guess3"));
      assertTrue(first <= 2_000, "the first wait: " + first);
      Thread.sleep(first + 100);
      assertEquals("wrong_answer", claim(g, "guess4").path("code").asText());
      long second = assertRateLimited(claim(g, "guess5"));
      assertTrue(second > 2_000 && second <= 4_000, "the wait doubles: " + second);
    }
    // a new connection is the same player: the wait holds
    try (WsClient again = WsClient.connect(port, "token=" + token)) {
      assertEquals("welcome", again.next().path("type").asText());
      long left = assertRateLimited(claim(again, "guess6"));
      assertTrue(left <= 4_000, "still waiting: " + left);
      Thread.sleep(left + 100);
      JsonNode scored = claim(again, "noon");
      assertAck(scored);
      assertEquals(200, scored.path("points").asInt(), scored.toString());
    }
    // another player at the same treasure is not slowed down
    try (WsClient other = joined(mint("other"))) {
      long t = System.currentTimeMillis();
      assertAck(other.request("location", location(RIDDLE_LAT, RIDDLE_LON, t))); // anchors
      assertAck(other.request("location", location(RIDDLE_LAT, RIDDLE_LON, t + 1)));
      assertEquals("wrong_answer", claim(other, "nope").path("code").asText());
      JsonNode scored = claim(other, "noon");
      assertAck(scored);
      assertEquals(200, scored.path("points").asInt());
    }
  }

  /** A claim of the riddle with {@code answer}. */
  static JsonNode claim(WsClient c, String answer) throws InterruptedException {
    return c.request(
        "claim", "\"hunt\":\"" + HUNT + "\",\"treasure\":\"riddle\",\"answer\":\"" + answer + "\"");
  }

  // ---------------------------------------------------------------- join/leave churn

  @Test
  void joinLeaveChurnIsLimitedAndLeavingIsNot() throws Exception {
    try (WsClient c = WsClient.connect(port, "token=" + mint("churn"))) {
      assertEquals("welcome", c.next().path("type").asText());
      String hunt = "\"hunt\":\"" + HUNT + "\"";
      for (int i = 0; i < 3; i++) {
        assertAck(c.request("join", hunt));
        assertAck(c.request("join", hunt)); // a join while joined is free
        assertAck(c.request("leave", hunt));
      }
      long wait = assertRateLimited(c.request("join", hunt));
      assertTrue(wait <= 20_000, "3 a minute: one every 20 s; " + wait);
      assertAck(c.request("leave", hunt)); // leaving is never refused
    }
  }

  // ---------------------------------------------------------------- text

  @Test
  void namesAndChatWithInvisibleCharactersArriveCleaned() throws Exception {
    // registration over HTTP: cleaned, or refused when nothing is left
    HttpClientSupport.Reply r =
        http.post("/api/players", "{\"name\":\"\\u202Eevil\\u0000\\u200Bname\\n\"}");
    assertEquals(201, r.status(), r.body());
    assertEquals("evilname", r.json().get("name").asText());
    HttpClientSupport.Reply blank =
        http.post("/api/players", "{\"name\":\"\\u200B\\u202E\\u0000\"}");
    assertEquals(400, blank.status(), blank.body());
    assertEquals("bad_request", blank.errorCode());

    try (WsClient watcher = joined(mint("reader"))) {
      // the name claim of a token minted elsewhere is cleaned too
      try (WsClient dirty = WsClient.connect(port, "token=" + mint("\u202Emallory\u200D\uFEFF"))) {
        JsonNode welcome = dirty.next();
        assertEquals("mallory", welcome.path("name").asText(), welcome.toString());
        assertAck(dirty.request("join", "\"hunt\":\"" + HUNT + "\""));
        JsonNode joined = watcher.nextEvent("player_joined");
        assertEquals("mallory", joined.at("/event/name").asText(), joined.toString());

        assertAck(
            dirty.request(
                "chat",
                "\"hunt\":\""
                    + HUNT
                    + "\",\"text\":\"pay\\u202Eevil\\u0000 me\\u200B\\r\\nnow \\ud800👩\\u200D💻\""));
        JsonNode chat = watcher.nextEvent("chat");
        assertEquals("payevil me now 👩\u200D💻", chat.at("/event/text").asText(), chat.toString());
        assertEquals("mallory", chat.at("/event/name").asText());

        JsonNode invisible =
            dirty.request("chat", "\"hunt\":\"" + HUNT + "\",\"text\":\"\\u200B\\u202E\\n\"");
        assertEquals("bad_request", invisible.path("code").asText(), invisible.toString());
      }
      // the registered player appears under the name as kept
      try (WsClient registered = joined(r.json().get("token").asText())) {
        JsonNode joined = watcher.nextEvent("player_joined");
        assertEquals("evilname", joined.at("/event/name").asText(), joined.toString());
      }
    }
  }
}
