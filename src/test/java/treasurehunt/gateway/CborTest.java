package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import treasurehunt.gateway.ClientFrame.BadFrame;
import treasurehunt.gateway.ClientFrame.Stage;

/**
 * The CBOR encoding without a socket: a server frame reads back as the tree its JSON gives, a
 * client frame in CBOR is the same record as in JSON, and each kind of CBOR that JSON could not say
 * is refused with its reason (docs/protocol.md §2.1).
 */
class CborTest {
  static final long NOW = 1_700_000_000_000L;
  static final Duration SKEW = Duration.ofMinutes(5);

  static JsonNode json(String text) throws Exception {
    return Json.MAPPER.readTree(text);
  }

  static ClientFrame parseCbor(byte[] bytes) {
    return ClientFrame.parse(
        new WebSocketFrames.Binary(ByteString.fromArray(bytes)), Encoding.CBOR, 16384, SKEW, NOW);
  }

  static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  @Test
  void serverFramesReadBackAsTheirJson() throws Exception {
    for (String frame :
        List.of(
            "{\"type\":\"welcome\",\"playerId\":\"p-1\",\"name\":\"añn 😀\",\"serverTime\":1796058411656,\"protocol\":1}",
            "{\"type\":\"ack\",\"re\":\"a2\",\"nextPollMs\":1000,\"nearest\":null,\"found\":[],\"atTreasure\":null}",
            "{\"type\":\"positions\",\"hunt\":\"h\",\"at\":1,\"players\":[{\"playerId\":\"p\",\"lat\":52.3702,\"lon\":-4.5,\"x\":1500.0}]}",
            "{\"type\":\"error\",\"re\":null,\"code\":\"x\",\"message\":\"m\",\"retryAfterMs\":-70000000000,\"ok\":true}")) {
      JsonNode tree = json(frame);
      ByteString cbor = Cbor.write(tree);
      assertEquals(tree, Cbor.read(cbor), frame);
      // and any CBOR library reads it: Jackson's own reader gives the same tree
      assertEquals(tree.toString(), new CBORMapper().readTree(cbor.toArray()).toString(), frame);
    }
  }

  @Test
  void mapsHaveDefiniteLengthsAndFloatsTheirShortestExactForm() throws Exception {
    byte[] b = Cbor.write(json("{\"a\":1500.0,\"b\":52.3702}")).toArray();
    assertEquals(0xa2, b[0] & 0xff, "a map of 2, not an indefinite map");
    assertEquals(0xfa, b[3] & 0xff, "1500.0 fits a float32");
    assertEquals(0xfb, b[10] & 0xff, "52.3702 needs a float64");
  }

  @Test
  void aClientFrameInCborIsTheSameCommandAsInJson() throws Exception {
    String text =
        "{\"type\":\"location\",\"id\":\"l1\",\"hunt\":\"h\",\"lat\":52.37,\"lon\":4,\"at\":1700000000000,\"accuracyM\":5}";
    ClientFrame fromJson = ClientFrame.parse(new WebSocketFrames.Text(text), 16384, SKEW, NOW);
    ClientFrame fromCbor = parseCbor(Cbor.write(json(text)).toArray());
    assertInstanceOf(ClientFrame.Location.class, fromCbor);
    assertEquals(fromJson, fromCbor);
    // the same field checks, with the same words
    String wrong = text.replace("\"lat\":52.37", "\"lat\":\"52.37\"");
    BadFrame bad = (BadFrame) parseCbor(Cbor.write(json(wrong)).toArray());
    assertEquals(
        ((BadFrame) ClientFrame.parse(new WebSocketFrames.Text(wrong), 16384, SKEW, NOW)).message(),
        bad.message());
    assertEquals(Stage.FIELDS, bad.stage());
  }

  @Test
  void aWholeNumberAsAFloatIsAnIntegerAsJavaScriptEncodersWriteIt() throws Exception {
    // {"type":"location","id":"l1","hunt":"h","lat":52.5,"lon":4,"at":1700000000000.0 (float64)}
    String head =
        "a6 6474797065 686c6f636174696f6e 626964 626c31 6468756e74 6168 636c6174 fb404a400000000000 636c6f6e 04 626174";
    ClientFrame.Location l =
        assertInstanceOf(ClientFrame.Location.class, parseCbor(hex(head + " fb 4278BCFE56800000")));
    assertEquals(1_700_000_000_000L, l.at());
    assertEquals(52.5, l.lat());
    // not a whole number: refused as in JSON
    BadFrame bad = (BadFrame) parseCbor(hex(head + " fb 4278BCFE56800800"));
    assertEquals("at: required, an integer ≥ 0", bad.message());
    // and the reader of server frames keeps floats as floats (1500.0 stays 1500.0)
    assertTrue(Cbor.read(ByteString.fromArray(hex("a1 6161 f9 65dc"))).get("a").isDouble());
  }

  @Test
  void halfFloatsAndEveryIntegerWidthAreRead() throws Exception {
    // {"a": 1.5 (half), "b": 1000000 (uint32), "c": -1 (negint)}
    JsonNode n = Cbor.read(ByteString.fromArray(hex("a3 6161 f93e00 6162 1a000f4240 6163 20")));
    assertEquals(json("{\"a\":1.5,\"b\":1000000,\"c\":-1}"), n);
  }

  static void refused(String hex, String why) {
    ClientFrame f = parseCbor(hex(hex));
    BadFrame bad = assertInstanceOf(BadFrame.class, f, hex);
    assertEquals("bad_request", bad.code());
    assertEquals(Stage.ENVELOPE, bad.stage(), "answered like garbage JSON");
    assertTrue(bad.message().contains(why), hex + " -> " + bad.message());
  }

  @Test
  void whatJsonCouldNotSayIsRefusedWithItsReason() {
    refused("", "empty");
    refused("a1 6474797065", "ends in the middle"); // {"type": <nothing>}
    refused("a1 6474797065 6470696e", "runs past the end"); // a text cut short
    refused("a1 01 6470696e67", "map keys must be text strings"); // {1: "ping"}
    refused("a1 40 6470696e67", "map keys must be text strings"); // {h'': "ping"}
    refused("a1 6474797065 c1 6470696e67", "tags are not used"); // {"type": 1("ping")}
    refused("c0 a0", "tags are not used");
    refused("bf 6474797065 6470696e67 ff", "indefinite lengths"); // {_ "type": "ping"}
    refused("a1 6474797065 7f 6270 69 ff", "indefinite lengths");
    refused("a1 6474797065 44 70696e67", "byte strings are not used");
    refused("a1 6161 f7", "undefined");
    refused("a1 6161 f0", "simple values");
    refused("a1 6161 f97e00", "NaN"); // half NaN
    refused("a1 6161 fb7ff0000000000000", "NaN"); // +infinity
    refused("a1 6474797065 6470696e67 00", "1 bytes after"); // a second data item
    refused("a2 6161 01 6161 02", "repeats the key a");
    refused("a1 6161 62 c328", "not valid UTF-8");
    refused("a1 6161 1c", "reserved");
    refused("ff", "break");
    // lengths that the frame cannot hold allocate nothing
    refused("a1 6161 7b 7fffffffffffffff", "runs past the end of the frame");
    refused("a1 6161 9b ffffffffffffffff", "runs past the end of the frame");
    refused("ba ffffffff", "runs past the end of the frame");
    refused("83 010203", "a frame is one CBOR map");
    refused("6470696e67", "a frame is one CBOR map");
  }

  @Test
  void nestingIsBounded() {
    StringBuilder deep = new StringBuilder("a1 6161");
    for (int i = 0; i < 10_000; i++) deep.append(" 81");
    deep.append(" 00");
    refused(deep.toString(), "nested deeper than " + Cbor.MAX_DEPTH);
  }

  @Test
  void textFramesOnACborConnectionAndBinaryOnAJsonOneAreRefused() {
    BadFrame text =
        (BadFrame)
            ClientFrame.parse(
                new WebSocketFrames.Text("{\"type\":\"ping\"}"), Encoding.CBOR, 16384, SKEW, NOW);
    assertTrue(text.message().contains("binary frame"), text.message());
    assertEquals(Stage.ENVELOPE, text.stage());
    BadFrame binary =
        (BadFrame)
            ClientFrame.parse(
                new WebSocketFrames.Binary(ByteString.fromArray(hex("a1 6474797065 6470696e67"))),
                Encoding.JSON,
                16384,
                SKEW,
                NOW);
    assertEquals(
        "binary frames are not part of the protocol; send JSON text frames", binary.message());
    BadFrame large =
        (BadFrame)
            ClientFrame.parse(
                new WebSocketFrames.TooLarge(20_000, true), Encoding.CBOR, 16384, SKEW, NOW);
    assertEquals("too_large", large.code());
    assertEquals("frame of 20000 bytes; the limit is 16384", large.message());
  }

  @Test
  void negotiationPicksTheFirstEncodingTheClientOffers() {
    assertEquals(Encoding.PLAIN, Encoding.negotiate(List.of()));
    assertEquals(Encoding.PLAIN, Encoding.negotiate(List.of("chat", "treasure-hunt.v2.cbor")));
    assertEquals(
        new Encoding.Choice(Encoding.CBOR, "treasure-hunt.v1.cbor"),
        Encoding.negotiate(List.of("chat", "treasure-hunt.v1.cbor", "treasure-hunt.v1.json")));
    assertEquals(
        new Encoding.Choice(Encoding.JSON, "treasure-hunt.v1.json"),
        Encoding.negotiate(List.of("treasure-hunt.v1.json", "treasure-hunt.v1.cbor")));
  }

  @Test
  void aSharedFrameIsRenderedOncePerEncoding() {
    ObjectNode tree = Frames.pong(42);
    ServerFrame f = ServerFrame.of(tree);
    assertSame(f.in(Encoding.JSON), f.in(Encoding.JSON));
    assertSame(f.in(Encoding.CBOR), f.in(Encoding.CBOR));
    assertFalse(f.in(Encoding.JSON).binary());
    assertTrue(f.in(Encoding.CBOR).binary());
    assertEquals("{\"type\":\"pong\",\"serverTime\":42}", f.in(Encoding.JSON).data().utf8String());
  }
}
