package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import treasurehunt.gateway.ClientFrame.BadFrame;
import treasurehunt.gateway.ClientFrame.Stage;

/** Parsing and checking of client frames, with the exact answers of docs/protocol.md §4–§7. */
class ClientFrameTest {
  static final long NOW = 1_700_000_000_000L;
  static final Duration SKEW = Duration.ofMinutes(5);

  static ClientFrame parse(String text) {
    return ClientFrame.parse(new WebSocketFrames.Text(text), 16384, SKEW, NOW);
  }

  static <T extends ClientFrame> T parse(String text, Class<T> type) {
    ClientFrame f = parse(text);
    assertInstanceOf(type, f, text + " -> " + f);
    return type.cast(f);
  }

  static void assertBad(String text, Stage stage, String re, String message) {
    BadFrame bad = parse(text, BadFrame.class);
    assertEquals("bad_request", bad.code(), text);
    assertEquals(stage, bad.stage(), text);
    assertEquals(re, bad.id(), text);
    assertEquals(message, bad.message(), text);
  }

  static void assertField(String frame, String message) {
    assertBad(frame, Stage.FIELDS, "c1", message);
  }

  // ---------------------------------------------------------------- each frame type

  @Test
  void helloAndPing() {
    ClientFrame.Hello hello =
        parse("{\"type\":\"hello\",\"token\":\"t.k\"}", ClientFrame.Hello.class);
    assertEquals("t.k", hello.token());
    assertNull(hello.id());
    assertNull(parse("{\"type\":\"hello\",\"token\":5}", ClientFrame.Hello.class).token());
    assertNull(parse("{\"type\":\"hello\"}", ClientFrame.Hello.class).token());
    assertEquals("p1", parse("{\"type\":\"ping\",\"id\":\"p1\"}", ClientFrame.Ping.class).id());
    assertNull(parse("{\"type\":\"ping\",\"id\":\"not valid\"}", ClientFrame.Ping.class).id());
  }

  @Test
  void commands() {
    assertEquals(
        new ClientFrame.Join("c1", "h1"),
        parse("{\"type\":\"join\",\"id\":\"c1\",\"hunt\":\"h1\",\"extra\":[1]}"));
    ClientFrame.Location l =
        parse(
            "{\"type\":\"location\",\"id\":\"c1\",\"hunt\":\"h1\",\"lat\":52,\"lon\":4.9,\"at\":"
                + NOW
                + ",\"accuracyM\":5}",
            ClientFrame.Location.class);
    assertEquals(52.0, l.lat());
    assertEquals(4.9, l.lon());
    assertEquals(NOW, l.at());
    assertEquals(5.0, l.accuracy());
    assertTrue(
        Double.isNaN(
            parse(
                    "{\"type\":\"location\",\"id\":\"c1\",\"hunt\":\"h1\",\"lat\":1,\"lon\":1,\"at\":1,\"accuracyM\":null}",
                    ClientFrame.Location.class)
                .accuracy()));
    assertEquals(
        new ClientFrame.Claim("c1", "h1", "t1", null),
        parse("{\"type\":\"claim\",\"id\":\"c1\",\"hunt\":\"h1\",\"treasure\":\"t1\"}"));
    assertEquals(
        new ClientFrame.Chat("c1", "h1", "hi"),
        parse("{\"type\":\"chat\",\"id\":\"c1\",\"hunt\":\"h1\",\"text\":\"hi\"}"));
    assertEquals(
        new ClientFrame.Leave("c1", "h1"),
        parse("{\"type\":\"leave\",\"id\":\"c1\",\"hunt\":\"h1\"}"));
    assertNull(
        parse(
                "{\"type\":\"watch\",\"id\":\"c1\",\"hunt\":\"h1\",\"from\":null}",
                ClientFrame.Watch.class)
            .since());
    ClientFrame.Watch w =
        parse(
            "{\"type\":\"watch\",\"id\":\"c1\",\"hunt\":\"h1\",\"from\":{\"epoch\":\"e1\",\"seq\":4}}",
            ClientFrame.Watch.class);
    assertEquals("e1", w.since().epoch());
    assertEquals(4, w.since().seq());
    assertEquals(
        new ClientFrame.Resume("c1", "h1", "e1", 0L),
        parse("{\"type\":\"resume\",\"id\":\"c1\",\"hunt\":\"h1\",\"epoch\":\"e1\",\"seq\":0}"));
    for (String type : ClientFrame.TYPES)
      if (!type.equals("hello") && !type.equals("ping"))
        assertEquals(type, ((ClientFrame.Command) parse(minimal(type))).type(), type);
  }

  static String minimal(String type) {
    String base = "{\"type\":\"" + type + "\",\"id\":\"c1\",\"hunt\":\"h1\"";
    return switch (type) {
      case "location" -> base + ",\"lat\":1,\"lon\":1,\"at\":1}";
      case "claim" -> base + ",\"treasure\":\"t\"}";
      case "chat" -> base + ",\"text\":\"x\"}";
      case "resume" -> base + ",\"epoch\":\"e\",\"seq\":1}";
      default -> base + "}";
    };
  }

  // ---------------------------------------------------------------- not a frame

  @Test
  void whatIsNotAFrameIsRefusedBeforeAnythingElse() {
    assertBad("this is not json", Stage.ENVELOPE, null, "malformed JSON");
    assertBad("{\"type\":\"ping\"} {}", Stage.ENVELOPE, null, "malformed JSON");
    assertBad("{\"type\":\"location\",\"lat\":NaN}", Stage.ENVELOPE, null, "malformed JSON");
    assertBad("[1,2]", Stage.ENVELOPE, null, "a frame is one JSON object");
    assertBad("", Stage.ENVELOPE, null, "a frame is one JSON object");
    assertBad("{\"id\":\"a1\"}", Stage.ENVELOPE, "a1", "type: required, a string");
    assertBad("{\"type\":5,\"id\":\"a1\"}", Stage.ENVELOPE, "a1", "type: required, a string");
    assertBad("{\"type\":null}", Stage.ENVELOPE, null, "type: required, a string");

    BadFrame binary =
        (BadFrame)
            ClientFrame.parse(
                new WebSocketFrames.Binary(akka.util.ByteString.emptyByteString()),
                16384,
                SKEW,
                NOW);
    assertEquals(
        new BadFrame(
            "bad_request",
            "binary frames are not part of the protocol; send JSON text frames",
            null,
            Stage.ENVELOPE),
        binary);
  }

  @Test
  void anOversizeFrameIsTooLarge() {
    assertEquals(
        new BadFrame(
            "too_large", "frame of 20000 characters; the limit is 16384", null, Stage.ENVELOPE),
        ClientFrame.parse(new WebSocketFrames.TooLarge(20_000), 16384, SKEW, NOW));
  }

  // ---------------------------------------------------------------- routing

  @Test
  void unknownTypesAndBadIds() {
    assertBad("{\"type\":\"dance\",\"id\":\"a1\"}", Stage.ROUTING, "a1", "unknown type dance");
    assertBad(
        "{\"type\":\"" + "d".repeat(50) + "\"}",
        Stage.ROUTING,
        null,
        "unknown type " + "d".repeat(40) + "…");
    assertBad(
        "{\"type\":\"join\",\"hunt\":\"h1\"}",
        Stage.ROUTING,
        null,
        "id: required, 1 to 64 characters");
    assertBad(
        "{\"type\":\"join\",\"id\":null}", Stage.ROUTING, null, "id: required, 1 to 64 characters");
    assertBad(
        "{\"type\":\"join\",\"id\":\"has space\"}", Stage.ROUTING, null, "id: 1 to 64 characters");
    assertBad("{\"type\":\"join\",\"id\":7}", Stage.ROUTING, null, "id: 1 to 64 characters");
    assertBad(
        "{\"type\":\"join\",\"id\":\"" + "i".repeat(65) + "\"}",
        Stage.ROUTING,
        null,
        "id: 1 to 64 characters");
  }

  // ---------------------------------------------------------------- fields

  static final String HUNT_MESSAGE = "hunt: required, 1 to 64 characters from [A-Za-z0-9_.-]";

  @Test
  void missingAndWrongTypedIds() {
    assertField("{\"type\":\"join\",\"id\":\"c1\"}", HUNT_MESSAGE);
    assertField("{\"type\":\"join\",\"id\":\"c1\",\"hunt\":5}", HUNT_MESSAGE);
    assertField("{\"type\":\"join\",\"id\":\"c1\",\"hunt\":\"no such hunt!\"}", HUNT_MESSAGE);
    assertField(
        "{\"type\":\"claim\",\"id\":\"c1\",\"hunt\":\"h\",\"treasure\":{}}",
        "treasure: required, 1 to 64 characters from [A-Za-z0-9_.-]");
  }

  static String location(String fields) {
    return "{\"type\":\"location\",\"id\":\"c1\"," + fields + "}";
  }

  @Test
  void locationNumbers() {
    assertField(
        location("\"hunt\":\"h\",\"lon\":1,\"at\":1"), "lat: required, a number in [-90, 90]");
    assertField(
        location("\"hunt\":\"h\",\"lat\":null,\"lon\":1,\"at\":1"),
        "lat: must be a number in [-90, 90]");
    assertField(
        location("\"hunt\":\"h\",\"lat\":\"north\",\"lon\":1,\"at\":1"),
        "lat: must be a number in [-90, 90]");
    assertField(
        location("\"hunt\":\"h\",\"lat\":\"  \",\"lon\":1,\"at\":1"),
        "lat: must be a number in [-90, 90]");
    assertField(
        location("\"hunt\":\"h\",\"lat\":91,\"lon\":1,\"at\":1"),
        "lat: must be a number in [-90, 90]");
    assertField(
        location("\"hunt\":\"h\",\"lat\":1e999,\"lon\":1,\"at\":1"),
        "lat: must be a number in [-90, 90]");
    assertField(
        location("\"hunt\":\"h\",\"lat\":1,\"lon\":180.5,\"at\":1"),
        "lon: must be a number in [-180, 180]");
    assertField(
        location("\"hunt\":\"h\",\"lat\":1,\"lon\":1,\"at\":\"soon\""),
        "at: required, an integer ≥ 0");
    assertField(
        location("\"hunt\":\"h\",\"lat\":1,\"lon\":1,\"at\":1.5"), "at: required, an integer ≥ 0");
    assertField(
        location("\"hunt\":\"h\",\"lat\":1,\"lon\":1,\"at\":-1"), "at: required, an integer ≥ 0");
    assertField(
        location("\"hunt\":\"h\",\"lat\":1,\"lon\":1,\"at\":18446744073709551617"),
        "at: required, an integer ≥ 0");
    assertField(
        location("\"hunt\":\"h\",\"lat\":1,\"lon\":1,\"at\":" + (NOW + SKEW.toMillis() + 1)),
        "at: in the future (more than 300 s ahead of the server)");
    assertInstanceOf(
        ClientFrame.Location.class,
        parse(location("\"hunt\":\"h\",\"lat\":1,\"lon\":1,\"at\":" + (NOW + SKEW.toMillis()))));
    assertField(
        location("\"hunt\":\"h\",\"lat\":1,\"lon\":1,\"at\":1,\"accuracyM\":\"5\""),
        "accuracyM: must be a number in [0, 100000]");
    assertField(
        location("\"hunt\":\"h\",\"lat\":1,\"lon\":1,\"at\":1,\"accuracyM\":-1"),
        "accuracyM: must be a number in [0, 100000]");
  }

  @Test
  void theFirstFaultInCheckOrderIsReportedWhateverTheOrderOfTheFields() {
    // hunt is checked first, even when a wrong-typed field comes before it in the text
    assertField(location("\"lat\":\"north\",\"at\":\"x\",\"hunt\":\"bad hunt\""), HUNT_MESSAGE);
    assertField(
        location("\"at\":\"x\",\"lon\":\"y\",\"hunt\":\"h\",\"lat\":\"z\""),
        "lat: must be a number in [-90, 90]");
    assertField(
        location("\"at\":\"x\",\"hunt\":\"h\",\"lat\":2"),
        "lon: required, a number in [-180, 180]");
    // the clock check comes before the accuracy
    assertField(
        location("\"accuracyM\":\"bad\",\"hunt\":\"h\",\"lat\":1,\"lon\":1,\"at\":" + (NOW * 2)),
        "at: in the future (more than 300 s ahead of the server)");
  }

  @Test
  void texts() {
    assertField(
        "{\"type\":\"chat\",\"id\":\"c1\",\"hunt\":\"h\",\"text\":\"" + "x".repeat(501) + "\"}",
        "text: a string of at most 500 characters");
    assertField(
        "{\"type\":\"chat\",\"id\":\"c1\",\"hunt\":\"h\",\"text\":5}",
        "text: a string of at most 500 characters");
    assertField(
        "{\"type\":\"chat\",\"id\":\"c1\",\"hunt\":\"h\",\"text\":\"  \"}",
        "text: required, 1 to 500 characters");
    assertField(
        "{\"type\":\"chat\",\"id\":\"c1\",\"hunt\":\"h\"}", "text: required, 1 to 500 characters");
    // lengths count the text as kept (game.Text): code points, control and format ones dropped
    assertField(
        "{\"type\":\"chat\",\"id\":\"c1\",\"hunt\":\"h\",\"text\":\"\\u200B\\u202E\\u0000\\n\"}",
        "text: required, 1 to 500 characters");
    parse(
        "{\"type\":\"chat\",\"id\":\"c1\",\"hunt\":\"h\",\"text\":\""
            + "x".repeat(500)
            + "\\u200B".repeat(100)
            + "\"}",
        ClientFrame.Chat.class);
    parse(
        "{\"type\":\"chat\",\"id\":\"c1\",\"hunt\":\"h\",\"text\":\"" + "😀".repeat(500) + "\"}",
        ClientFrame.Chat.class);
    assertField(
        "{\"type\":\"claim\",\"id\":\"c1\",\"hunt\":\"h\",\"treasure\":\"t\",\"answer\":[\"Noon\"]}",
        "answer: a string of at most 200 characters");
  }

  @Test
  void watchFromAndResume() {
    String watch = "{\"type\":\"watch\",\"id\":\"c1\",\"hunt\":\"h\",\"from\":";
    assertField(watch + "5}", "from: an object {epoch, seq}");
    assertField(watch + "[]}", "from: an object {epoch, seq}");
    assertField(watch + "{\"seq\":1}}", "from.epoch: required, a string");
    assertField(watch + "{\"epoch\":1,\"seq\":1}}", "from.epoch: required, a string");
    assertField(watch + "{\"seq\":\"x\",\"epoch\":\"e\"}}", "seq: required, an integer ≥ 0");
    assertField(watch + "{\"epoch\":\"e\",\"seq\":-1}}", "seq: required, an integer ≥ 0");

    String resume = "{\"type\":\"resume\",\"id\":\"c1\",\"hunt\":\"h\"";
    assertField(resume + ",\"seq\":1}", "epoch: required, a string");
    assertField(
        resume + ",\"epoch\":\"" + "e".repeat(65) + "\",\"seq\":1}", "epoch: required, a string");
    assertField(resume + ",\"epoch\":\"e\"}", "seq: required, an integer ≥ 0");
    assertField(resume + ",\"epoch\":\"e\",\"seq\":2.0}", "seq: required, an integer ≥ 0");
  }
}
