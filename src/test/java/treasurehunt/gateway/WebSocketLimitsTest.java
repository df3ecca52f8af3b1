package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
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
 * The limits of docs/protocol.md §9 that end a connection, on a real socket: a node with small
 * limits on a free port, real WebSocket clients.
 */
class WebSocketLimitsTest {
  static final int CAP = 3;
  static final Duration IDLE = Duration.ofSeconds(3);
  static final Duration HEARTBEAT = Duration.ofMillis(500);
  static final Duration TOKEN_TTL = Duration.ofSeconds(3);

  /** Tokens as an identity service holding the node's secret mints them, valid for an hour. */
  static final Tokens MINT =
      new Tokens(TestNodes.TOKEN_SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofHours(1));

  static Node node;
  static int port;
  static HttpClientSupport http;

  @BeforeAll
  static void start() throws Exception {
    node =
        TestNodes.start(
            TestDatabase.fresh("limits"),
            "treasure-hunt.ws.max-connections = "
                + CAP
                + "\n"
                + "treasure-hunt.ws.idle-timeout = "
                + IDLE.toMillis()
                + "ms\n"
                + "treasure-hunt.ws.heartbeat-interval = "
                + HEARTBEAT.toMillis()
                + "ms\n"
                + "treasure-hunt.http.token-ttl = "
                + TOKEN_TTL.toMillis()
                + "ms\n");
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
  }

  @AfterAll
  static void stop() throws Exception {
    TestNodes.stop(node);
  }

  static WsClient player(String id) throws Exception {
    return WsClient.hello(port, MINT.mint(id, id));
  }

  static JsonNode ping(WsClient c) throws InterruptedException {
    c.send("{\"type\":\"ping\"}");
    return c.nextOfType("pong");
  }

  /** The cap counts the node's sockets: start when the other tests' sockets are gone. */
  static void awaitNoConnections() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (node.ws.connections() > 0 && System.nanoTime() < deadline) Thread.sleep(50);
    assertEquals(0, node.ws.connections(), "sockets of other tests still open");
  }

  static void assertRefusedAsOverloaded(WsClient c) throws Exception {
    JsonNode error = c.next();
    assertEquals("error", error.path("type").asText(), error.toString());
    assertEquals("overloaded", error.path("code").asText(), error.toString());
    assertTrue(error.get("re").isNull(), error.toString());
    assertEquals(1000, error.path("retryAfterMs").asLong(), error.toString());
    assertEquals(1013, c.awaitClose());
  }

  @Test
  void pastTheCapANewConnectionIsToldOverloadedAndClosedWith1013() throws Exception {
    awaitNoConnections();
    List<WsClient> inside = new ArrayList<>();
    try {
      for (int i = 0; i < CAP; i++) inside.add(player("cap-" + i));
      try (WsClient refused = WsClient.connect(port, null)) {
        assertRefusedAsOverloaded(refused);
      }
      // the ones inside are served as before
      for (WsClient c : inside) assertEquals("pong", ping(c).get("type").asText());

      // one leaves: its place is free again once its session has stopped
      inside.remove(0).close();
      WsClient admitted = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (admitted == null && System.nanoTime() < deadline) {
        WsClient c = WsClient.connect(port, "token=" + MINT.mint("cap-late", "late"));
        JsonNode first = c.next();
        if ("welcome".equals(first.path("type").asText())) admitted = c;
        else {
          assertEquals("overloaded", first.path("code").asText(), first.toString());
          c.close();
          for (WsClient in : inside) ping(in); // not idle meanwhile
          Thread.sleep(100);
        }
      }
      assertNotNull(admitted, "a place freed by a leaving client is given to a new one");
      inside.add(admitted);
      try (WsClient refused = WsClient.connect(port, "token=" + MINT.mint("cap-x", "x"))) {
        assertRefusedAsOverloaded(refused);
      }
    } finally {
      for (WsClient c : inside) c.close();
    }
  }

  @Test
  void aConnectionSilentForTheIdleTimeoutIsClosedWith1001() throws Exception {
    long quietSince = System.nanoTime(); // before its hello, the last frame it sends
    try (WsClient silent = player("idle-silent");
        WsClient chatty = player("idle-chatty")) {
      long deadline = quietSince + IDLE.plus(Duration.ofSeconds(10)).toNanos();
      // the other one sends a ping now and then, as docs/protocol.md §9 asks of a quiet client
      while (!silent.closeCode.isDone() && System.nanoTime() < deadline) {
        assertEquals("pong", ping(chatty).get("type").asText());
        Thread.sleep(IDLE.toMillis() / 4);
      }
      assertTrue(
          silent.closeCode.isDone(),
          "still open after " + (System.nanoTime() - quietSince) / 1_000_000 + " ms of silence");
      assertEquals(1001, silent.awaitClose());
      assertEquals("idle timeout", silent.closeReason);
      long quietFor = System.nanoTime() - quietSince;
      assertTrue(quietFor >= IDLE.toNanos(), "closed after " + quietFor / 1e6 + " ms of silence");
      // The node's heartbeat pings were answered by the client's automatic pongs; those do not
      // count as frames from the client.
      assertTrue(silent.pings.get() >= 1, "heartbeat pings received: " + silent.pings.get());
      assertTrue(chatty.isOpen(), "a client that pings is kept");
      assertEquals("pong", ping(chatty).get("type").asText());
    }
  }

  /**
   * Heartbeat pings go only to a connection the node has sent nothing for half an interval: a
   * client answered every 100 ms gets none (its phone's radio is not woken for nothing), a quiet
   * one beside it gets one every interval (500 ms here).
   */
  @Test
  void aConnectionThatIsAnsweredAnywayGetsNoHeartbeatPings() throws Exception {
    awaitNoConnections();
    try (WsClient busy = player("beat-busy");
        WsClient quiet = player("beat-quiet")) {
      int busyBefore = busy.pings.get(), quietBefore = quiet.pings.get();
      long until = System.nanoTime() + HEARTBEAT.multipliedBy(6).toNanos();
      while (System.nanoTime() < until) {
        assertEquals("pong", ping(busy).get("type").asText());
        Thread.sleep(100);
      }
      int quietPings = quiet.pings.get() - quietBefore;
      assertTrue(quietPings >= 3, "a quiet connection is pinged every interval: " + quietPings);
      assertEquals(0, busy.pings.get() - busyBefore, "pings to a connection answered meanwhile");
    }
  }

  @Test
  void anExpiredTokenIsRefusedWith4401() throws Exception {
    long issued = System.currentTimeMillis();
    JsonNode registered = http.post("/api/players", "{\"name\": \"late\"}").json();
    String token = registered.get("token").asText();
    try (WsClient c = WsClient.hello(port, token)) {
      // The same hello again on the open connection: welcome while the token is valid, then (the
      // node's token-ttl is 3 s) unauthorized, and the connection stays open (protocol §2).
      long refusedAt = 0;
      long deadline = issued + TOKEN_TTL.toMillis() + 5_000;
      while (refusedAt == 0 && System.currentTimeMillis() < deadline) {
        c.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
        JsonNode answer = c.next();
        if ("welcome".equals(answer.path("type").asText())) Thread.sleep(250);
        else {
          assertEquals("unauthorized", answer.path("code").asText(), answer.toString());
          refusedAt = System.currentTimeMillis();
        }
      }
      assertTrue(refusedAt > 0, "the token was still accepted " + (deadline - issued) + " ms on");
      // JWT expiry is in whole seconds: at most one second early
      assertTrue(
          refusedAt - issued >= TOKEN_TTL.toMillis() - 1000,
          "refused " + (refusedAt - issued) + " ms after it was issued");
      assertEquals("pong", ping(c).get("type").asText());
    }
    // a new connection with the expired token: unauthorized, closed with 4401
    try (WsClient c = WsClient.connect(port, null)) {
      c.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
      JsonNode error = c.next();
      assertEquals("unauthorized", error.path("code").asText(), error.toString());
      assertTrue(error.get("re").isNull());
      assertEquals(4401, c.awaitClose());
    }
    try (WsClient c = WsClient.connect(port, "token=" + token)) {
      assertEquals("unauthorized", c.next().path("code").asText());
      assertEquals(4401, c.awaitClose());
    }
    // minted elsewhere with the node's secret, expired a minute ago
    Tokens expired =
        new Tokens(TestNodes.TOKEN_SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(-1));
    try (WsClient c = WsClient.connect(port, null)) {
      c.send("{\"type\":\"hello\",\"token\":\"" + expired.mint("old", "old") + "\"}");
      assertEquals("unauthorized", c.next().path("code").asText());
      assertEquals(4401, c.awaitClose());
    }
  }
}
