package treasurehunt.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.RawWebSocket;
import treasurehunt.gateway.Tokens;

/**
 * A hostile client against a real node on a real socket: malformed numbers, odd ids, raw frames
 * (fragments, binary, invalid UTF-8) and forged tokens. Every case asserts the documented answer
 * (docs/protocol.md §2, §8, §9), that the node still serves an honest player normally afterwards,
 * and that the attacker's journal holds nothing it should not.
 */
class HostileClientTest {
  static final String HUNT = "hostile";
  static final double LAT = 52.3702, LON = 4.8952;
  static Database db;
  static Node node;
  static int port;
  static HttpClientSupport http;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.fresh("hostile");
    node = TestNodes.start(db);
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
    http.createHunt(HttpClientSupport.oldTown(HUNT));
    assertEquals(200, http.postAdmin("/api/hunts/" + HUNT + "/start", null).status());
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) TestNodes.stop(node);
  }

  record Who(String playerId, String token) {}

  static Who register(String name) throws Exception {
    JsonNode r = http.post("/api/players", "{\"name\": \"" + name + "\"}").json();
    return new Who(r.get("playerId").asText(), r.get("token").asText());
  }

  /** After every attack an honest player still joins, reports and is answered at once. */
  @AfterEach
  void nodeStillServesAnHonestPlayer() throws Exception {
    Who honest = register("honest");
    try (RawWebSocket ws = RawWebSocket.connect(port, "token=" + honest.token())) {
      assertEquals("welcome", ws.next().path("type").asText());
      ws.text("{\"type\":\"join\",\"id\":\"j\",\"hunt\":\"" + HUNT + "\"}");
      assertEquals("ack", ws.answer("j").path("type").asText());
      ws.text(location("l", LAT, LON, System.currentTimeMillis()));
      assertEquals("ack", ws.answer("l").path("type").asText());
    }
  }

  static String location(String id, Object lat, Object lon, long at) {
    return "{\"type\":\"location\",\"id\":\""
        + id
        + "\",\"hunt\":\""
        + HUNT
        + "\",\"lat\":"
        + lat
        + ",\"lon\":"
        + lon
        + ",\"at\":"
        + at
        + "}";
  }

  static RawWebSocket joined(Who who) throws Exception {
    RawWebSocket ws = RawWebSocket.connect(port, "token=" + who.token());
    assertEquals("welcome", ws.next().path("type").asText());
    ws.text("{\"type\":\"join\",\"id\":\"j\",\"hunt\":\"" + HUNT + "\"}");
    assertEquals("ack", ws.answer("j").path("type").asText());
    return ws;
  }

  /** The next ack or error, skipping stream events and positions. */
  static JsonNode reply(RawWebSocket ws) throws Exception {
    JsonNode f;
    while ((f = ws.next()) != null) {
      String type = f.path("type").asText();
      if (type.equals("ack") || type.equals("error")) return f;
    }
    return null;
  }

  static void assertError(JsonNode frame, String code) {
    assertNotNull(frame, "no answer: the server closed the connection");
    assertEquals("error", frame.path("type").asText(), frame.toString());
    assertEquals(code, frame.path("code").asText(), frame.toString());
  }

  /** Events the journal holds for one persistence id. */
  static int journalEvents(String persistenceId) throws Exception {
    try (Connection c = db.connect();
        PreparedStatement s =
            c.prepareStatement("SELECT count(*) FROM event_journal WHERE persistence_id = ?")) {
      s.setString(1, persistenceId);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  @Test
  void impossibleNumbersAreRefusedAndNothingIsRecorded() throws Exception {
    Who cheater = register("numbers");
    try (RawWebSocket ws = joined(cheater)) {
      int before = journalEvents("Player|" + cheater.playerId());
      long now = System.currentTimeMillis();
      Object[][] bad = {
        {"NaN", LON},
        {LAT, "Infinity"},
        {"1e400", LON},
        {LAT, "-1e400"},
        {"\"52.37\"", LON},
        {LAT, "\"4.89\""},
        {"null", LON},
        {"[52.37]", LON},
        {"91", LON},
        {LAT, "181"},
      };
      for (int i = 0; i < bad.length; i++) {
        ws.text(location("n" + i, bad[i][0], bad[i][1], now + i));
        JsonNode reply = reply(ws);
        assertError(reply, "bad_request");
        // Not JSON at all (NaN) cannot name its id: re is null; otherwise re is the id.
        assertTrue(
            reply.get("re").isNull() || reply.get("re").asText().equals("n" + i), reply.toString());
      }
      ws.text(location("at1", LAT, LON, Long.MAX_VALUE));
      assertError(ws.answer("at1"), "bad_request");
      ws.text(
          "{\"type\":\"location\",\"id\":\"at2\",\"hunt\":\""
              + HUNT
              + "\",\"lat\":52.37,\"lon\":4.89,\"at\":\"now\"}");
      assertError(ws.answer("at2"), "bad_request");
      assertEquals(before, journalEvents("Player|" + cheater.playerId()), "nothing recorded");
    }
  }

  @Test
  void oddIdsAreRefused() throws Exception {
    Who who = register("ids");
    try (RawWebSocket ws = joined(who)) {
      ws.text("{\"type\":\"ping\"}");
      assertEquals("pong", ws.next().path("type").asText());
      String longId = "x".repeat(65);
      ws.text(
          "{\"type\":\"chat\",\"id\":\""
              + longId
              + "\",\"hunt\":\""
              + HUNT
              + "\",\"text\":\"hi\"}");
      JsonNode e = reply(ws);
      assertError(e, "bad_request");
      assertTrue(e.get("re").isNull(), "an invalid id is not echoed: " + e);
      for (String odd : new String[] {"a b", "../../etc", "ü", "<script>", "a\\u0000b", ""}) {
        ws.text(
            "{\"type\":\"chat\",\"id\":\"" + odd + "\",\"hunt\":\"" + HUNT + "\",\"text\":\"hi\"}");
        JsonNode r = reply(ws);
        assertError(r, "bad_request");
        assertTrue(r.get("re").isNull(), odd + ": " + r);
      }
      for (String hunt : new String[] {"../x", "a".repeat(65), "h u n t", "%00"}) {
        ws.text("{\"type\":\"join\",\"id\":\"h\",\"hunt\":\"" + hunt + "\"}");
        assertError(ws.answer("h"), "bad_request");
      }
      // An invalid hunt id in an HTTP path is "no such hunt" (docs/protocol.md §1.1).
      assertEquals(404, http.get("/api/hunts/" + "a".repeat(65)).status());
    }
  }

  @Test
  void fragmentedTextIsReassembled() throws Exception {
    Who who = register("fragments");
    try (RawWebSocket ws = RawWebSocket.connect(port, null)) {
      byte[] hello =
          ("{\"type\":\"hello\",\"token\":\"" + who.token() + "\"}")
              .getBytes(StandardCharsets.UTF_8);
      int third = hello.length / 3;
      ws.frame(RawWebSocket.TEXT, false, java.util.Arrays.copyOfRange(hello, 0, third));
      ws.frame(
          RawWebSocket.CONTINUATION, false, java.util.Arrays.copyOfRange(hello, third, 2 * third));
      ws.frame(
          RawWebSocket.PING, true, new byte[] {1}); // a control frame between fragments is legal
      ws.frame(
          RawWebSocket.CONTINUATION,
          true,
          java.util.Arrays.copyOfRange(hello, 2 * third, hello.length));
      JsonNode welcome = ws.next();
      assertNotNull(welcome);
      assertEquals("welcome", welcome.path("type").asText(), welcome.toString());
      assertEquals(who.playerId(), welcome.path("playerId").asText());
    }
  }

  @Test
  void binaryFramesAreRefused() throws Exception {
    Who who = register("binary");
    // Before hello: not a valid first frame, 4401.
    try (RawWebSocket ws = RawWebSocket.connect(port, null)) {
      ws.frame(RawWebSocket.BINARY, true, new byte[] {(byte) 0xa1, 0x64, 0x74, 0x79, 0x70, 0x65});
      assertError(ws.next(), "unauthorized");
      assertNull(ws.next());
      assertEquals(4401, ws.closeCode);
    }
    // After hello: bad_request, the connection stays open.
    try (RawWebSocket ws = joined(who)) {
      ws.frame(RawWebSocket.BINARY, true, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
      assertError(ws.next(), "bad_request");
      ws.text("{\"type\":\"ping\"}");
      assertEquals("pong", ws.next().path("type").asText());
    }
  }

  @Test
  void invalidUtf8ClosesOnlyThatConnection() throws Exception {
    Who who = register("utf8");
    try (RawWebSocket ws = joined(who)) {
      byte[] invalid = {
        '{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'
      };
      ws.frame(RawWebSocket.TEXT, true, invalid);
      JsonNode f = ws.next();
      // Either refused as a bad frame (connection open) or closed as invalid payload (1007).
      if (f != null) {
        assertError(f, "bad_request");
        ws.text("{\"type\":\"ping\"}");
        assertEquals("pong", ws.next().path("type").asText());
      } else {
        assertEquals(1007, ws.closeCode, "closed with " + ws.closeCode);
      }
    }
  }

  @Test
  void forgedTokensAreRefusedWith4401() throws Exception {
    byte[] secret = TestNodes.TOKEN_SECRET.getBytes(StandardCharsets.UTF_8);
    byte[] foreign = "a-foreign-secret-of-at-least-32-bytes!!!".getBytes(StandardCharsets.UTF_8);
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(Tokens.ISSUER)
            .subject("p-forged")
            .claim("name", "forged")
            .expirationTime(new Date(System.currentTimeMillis() + 60_000));
    String none = new PlainJWT(claims.build()).serialize();
    String foreignSigned = sign(foreign, claims.build());
    String expired =
        sign(secret, claims.expirationTime(new Date(System.currentTimeMillis() - 1000)).build());
    String noExpiry = sign(secret, claims.expirationTime(null).build());
    for (String token : new String[] {none, foreignSigned, expired, noExpiry, "garbage"}) {
      try (RawWebSocket ws = RawWebSocket.connect(port, null)) {
        ws.text("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
        assertError(ws.next(), "unauthorized");
        assertNull(ws.next());
        assertEquals(4401, ws.closeCode, token);
      }
    }
    assertEquals(0, journalEvents("Player|p-forged"), "a forged player wrote nothing");
  }

  @Test
  void aHelloWithAnotherTokenThanTheUrlsIsRefused() throws Exception {
    Who alice = register("alice"), mallory = register("mallory");
    try (RawWebSocket ws = RawWebSocket.connect(port, "token=" + alice.token())) {
      assertEquals(alice.playerId(), ws.next().path("playerId").asText());
      ws.text("{\"type\":\"hello\",\"token\":\"" + mallory.token() + "\"}");
      assertError(ws.next(), "forbidden");
      ws.text("{\"type\":\"join\",\"id\":\"j\",\"hunt\":\"" + HUNT + "\"}");
      JsonNode ack = ws.answer("j");
      assertEquals("ack", ack.path("type").asText());
    }
    // The join was Alice's, never Mallory's.
    assertTrue(journalEvents("Player|" + alice.playerId()) >= 2);
    assertEquals(1, journalEvents("Player|" + mallory.playerId()), "only mallory's registration");
  }

  static String sign(byte[] secret, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(secret));
    return jwt.serialize();
  }
}
