package treasurehunt.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
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

/**
 * A hostile client that asked for CBOR (docs/protocol.md §2.1), on a bare socket against a real
 * node: malformed, deeply nested, oversized and lying CBOR, what JSON could not say (non-string
 * keys, tags, indefinite lengths, byte strings), text frames on a CBOR connection. Each is answered
 * with an {@code error} in CBOR, the connection goes on, and an honest JSON player is served after
 * every attack.
 */
class HostileCborTest {
  static final String HUNT = "hostile-cbor";
  static final String CBOR = "treasure-hunt.v1.cbor";
  static Node node;
  static int port;
  static HttpClientSupport http;

  @BeforeAll
  static void start() throws Exception {
    Database db = TestDatabase.fresh("hostilecbor");
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

  static String token(String name) throws Exception {
    return http.post("/api/players", "{\"name\": \"" + name + "\"}").json().get("token").asText();
  }

  /** After every attack an honest JSON player still joins and is answered at once. */
  @AfterEach
  void nodeStillServesAnHonestPlayer() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(port, "token=" + token("honest"))) {
      assertEquals("welcome", ws.next().path("type").asText());
      ws.text("{\"type\":\"join\",\"id\":\"j\",\"hunt\":\"" + HUNT + "\"}");
      assertEquals("ack", ws.answer("j").path("type").asText());
    }
  }

  static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  /** {"type": "ping"} */
  static final byte[] PING = hex("a1 6474797065 6470696e67");

  /** A CBOR connection past its welcome. */
  static RawWebSocket welcomed(String name) throws Exception {
    RawWebSocket ws = RawWebSocket.connect(port, "token=" + token(name), CBOR);
    assertEquals(CBOR, ws.subprotocol);
    assertEquals("welcome", ws.next().path("type").asText());
    assertEquals(RawWebSocket.BINARY, ws.lastOpcode);
    return ws;
  }

  /** The next frame is a CBOR error {@code code} whose message mentions {@code why}. */
  static void assertError(RawWebSocket ws, String code, String why) throws Exception {
    JsonNode e = ws.next();
    assertEquals("error", e.path("type").asText(), String.valueOf(e));
    assertEquals(RawWebSocket.BINARY, ws.lastOpcode, "answered in the connection's encoding");
    assertEquals(code, e.path("code").asText(), e.toString());
    assertTrue(e.path("message").asText().contains(why), e.toString());
    assertTrue(e.get("re").isNull(), e.toString());
  }

  /** The connection still works: a ping is answered. */
  static void stillServed(RawWebSocket ws) throws Exception {
    ws.frame(RawWebSocket.BINARY, true, PING);
    assertEquals("pong", ws.next().path("type").asText());
  }

  @Test
  void everyKindOfBadCborIsAnsweredAndTheConnectionGoesOn() throws Exception {
    try (RawWebSocket ws = welcomed("liar")) {
      for (List<String> attack :
          List.of(
              List.of("a1 6474797065", "ends in the middle"),
              List.of("a1 01 6470696e67", "map keys must be text strings"),
              List.of("a1 f5 6470696e67", "map keys must be text strings"),
              List.of("d9d9f7 a1 6474797065 6470696e67", "tags are not used"),
              List.of("a1 6474797065 c2 41 01", "tags are not used"),
              List.of("bf 6474797065 6470696e67 ff", "indefinite lengths"),
              List.of("a1 6474797065 7f 6270 69 ff", "indefinite lengths"),
              List.of("a1 6474797065 44 70696e67", "byte strings"),
              List.of("a1 6474797065 6470696e67 a0", "bytes after"),
              List.of("a1 6474797065 7b 7fffffffffffffff", "runs past the end"),
              List.of("bb ffffffffffffffff", "runs past the end"),
              List.of("83 01 02 03", "a frame is one CBOR map"),
              List.of("a1 6474797065 62 c328", "not valid UTF-8"),
              List.of("ff", "break"),
              List.of("", "empty"))) {
        ws.frame(RawWebSocket.BINARY, true, hex(attack.get(0)));
        assertError(ws, "bad_request", attack.get(1));
      }
      stillServed(ws);
    }
  }

  @Test
  void deepNestingIsRefusedWithoutRecursingIntoIt() throws Exception {
    try (RawWebSocket ws = welcomed("deep")) {
      byte[] deep = new byte[16_000]; // within the size limit: 15,997 arrays of one
      deep[0] = (byte) 0xa1;
      deep[1] = 0x61;
      deep[2] = 'a';
      for (int i = 3; i < deep.length - 1; i++) deep[i] = (byte) 0x81;
      ws.frame(RawWebSocket.BINARY, true, deep);
      assertError(ws, "bad_request", "nested deeper than");
      stillServed(ws);
    }
  }

  @Test
  void theFrameSizeLimitAppliesToBinaryFrames() throws Exception {
    try (RawWebSocket ws = welcomed("huge")) {
      // a valid frame, a chat of 20,000 bytes: over the 16 KiB limit, in three fragments
      byte[] text = "x".repeat(20_000).getBytes(StandardCharsets.US_ASCII);
      byte[] head =
          hex(
              "a4 6474797065 6463686174 626964 626331 6468756e74 6c686f7374696c652d63626f72 6474657874 794e20");
      byte[] frame = new byte[head.length + text.length];
      System.arraycopy(head, 0, frame, 0, head.length);
      System.arraycopy(text, 0, frame, head.length, text.length);
      int third = frame.length / 3;
      ws.frame(RawWebSocket.BINARY, false, java.util.Arrays.copyOfRange(frame, 0, third));
      ws.frame(
          RawWebSocket.CONTINUATION, false, java.util.Arrays.copyOfRange(frame, third, 2 * third));
      ws.frame(
          RawWebSocket.CONTINUATION,
          true,
          java.util.Arrays.copyOfRange(frame, 2 * third, frame.length));
      assertError(ws, "too_large", "bytes; the limit is 16384");
      stillServed(ws);
    }
  }

  @Test
  void aTextFrameOnACborConnectionIsRefusedInCbor() throws Exception {
    try (RawWebSocket ws = welcomed("texter")) {
      ws.text("{\"type\":\"ping\"}");
      assertError(ws, "bad_request", "send each frame as one CBOR map in a binary frame");
      stillServed(ws);
    }
  }

  @Test
  void garbageBeforeHelloClosesWith4401AsInJson() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(port, null, CBOR)) {
      ws.frame(RawWebSocket.BINARY, true, hex("a1 01 02"));
      JsonNode e = ws.next();
      assertEquals("unauthorized", e.path("code").asText(), String.valueOf(e));
      assertEquals(RawWebSocket.BINARY, ws.lastOpcode);
      assertNull(ws.next());
      assertEquals(4401, ws.closeCode);
    }
  }

  @Test
  void aFloodOfBadCborClosesTheConnectionWith1008() throws Exception {
    try (RawWebSocket ws = welcomed("flood")) {
      for (int i = 0; i < 80; i++) ws.frame(RawWebSocket.BINARY, true, hex("c0 00"));
      JsonNode f;
      int errors = 0;
      while ((f = ws.next()) != null) if ("error".equals(f.path("type").asText())) errors++;
      assertEquals(1008, ws.closeCode, "the rule for garbage holds for CBOR too");
      assertTrue(errors > 0);
    }
  }
}
