package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Problem;

/**
 * docs/asyncapi.yaml describes exactly the frames the server handles and sends: the client and
 * server frame types, the event kinds and the error codes are compared with the code, every message
 * has a payload schema, and the examples in the document and the transcript in docs/protocol.md
 * (captured from a real node) validate against those schemas.
 */
class AsyncApiTest {

  private static final Path ASYNCAPI = Path.of("docs/asyncapi.yaml");
  private static final Path PROTOCOL_MD = Path.of("docs/protocol.md");
  private static final Path GATEWAY = Path.of("src/main/java/treasurehunt/gateway");

  /** Where the Hunt entity builds its public events (the fold of its events, since issue 10). */
  private static final Path HUNT_STATE =
      Path.of("src/main/java/treasurehunt/entities/HuntState.java");

  private static JsonNode doc;

  @BeforeAll
  static void load() throws IOException {
    doc = new ObjectMapper(new YAMLFactory()).readTree(ASYNCAPI.toFile());
  }

  @Test
  void theDocumentIsAsyncApi260WithOneChannelAndAPayloadForEveryMessage() {
    assertEquals("2.6.0", doc.path("asyncapi").asText());
    assertTrue(doc.at("/channels/~1ws").isObject(), "channel /ws");
    JsonNode messages = doc.at("/components/messages");
    assertTrue(messages.size() > 0);
    Set<String> referenced = new TreeSet<>();
    referenced.addAll(messageNames("publish"));
    referenced.addAll(messageNames("subscribe"));
    for (Iterator<Map.Entry<String, JsonNode>> it = messages.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> m = it.next();
      String name = m.getValue().path("name").asText();
      assertEquals(m.getKey(), name, "message key and name");
      assertTrue(referenced.contains(name), name + " is sent by neither side");
      JsonNode payload = m.getValue().get("payload");
      assertNotNull(payload, name + " has no payload");
      // every variant of the payload is an object whose `type` is the message name
      for (JsonNode variant : variants(resolve(payload))) {
        assertEquals("object", variant.path("type").asText(), name);
        assertEquals(name, variant.at("/properties/type/const").asText(), name + ": type const");
        assertTrue(contains(variant.get("required"), "type"), name + ": type required");
      }
    }
    assertTrue(
        doc.at("/x-http-api/endpoints").size() >= 6, "the HTTP API is described in x-http-api");
  }

  @Test
  void everyClientFrameTheServerHandlesIsDescribedAndNothingElse() {
    assertSameSet(
        "client frame types (Session.CLIENT_TYPES vs channels./ws.publish)",
        Set.copyOf(Session.CLIENT_TYPES),
        messageNames("publish"));
  }

  @Test
  void everyServerFrameTheServerSendsIsDescribedAndNothingElse() {
    assertSameSet(
        "server frame types (Frames.SERVER_TYPES vs channels./ws.subscribe)",
        Set.copyOf(Frames.SERVER_TYPES),
        messageNames("subscribe"));
  }

  @Test
  void theEventKindsAreTheOnesTheHuntPublishes() throws IOException {
    // Hunt.PublicEvent kinds are string literals where HuntState builds the events, not a
    // collection: read them from the source.
    Set<String> published = new TreeSet<>();
    Matcher m =
        Pattern.compile("PublicEvent(?:\\.of|\\.presence)?\\(\\s*\"([a-z_]+)\"")
            .matcher(Files.readString(HUNT_STATE));
    while (m.find()) published.add(m.group(1));
    assertTrue(published.size() >= 7, "kinds found in HuntState.java: " + published);
    Set<String> documented = strings(doc.at("/components/schemas/EventKind/enum"));
    assertSameSet("event kinds (HuntState.java vs EventKind)", published, documented);
    Set<String> payloads = new TreeSet<>();
    for (JsonNode variant : doc.at("/components/schemas/Event/properties/event/oneOf"))
      payloads.add(resolve(variant).at("/properties/kind/const").asText());
    assertSameSet("event payload schemas (Event.event.oneOf vs EventKind)", documented, payloads);
  }

  @Test
  void theErrorCodesAreTheOnesTheServerSends() throws IOException {
    Set<String> documented = strings(doc.at("/components/schemas/ErrorCode/enum"));
    // Codes of entity replies (Problem's constants) and the ones the gateway writes itself.
    Set<String> problems = new TreeSet<>();
    for (Field f : Problem.class.getFields())
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
        problems.add(readString(f));
    Set<String> gateway = new TreeSet<>();
    Pattern literal =
        Pattern.compile("(?:Frames\\.error\\(\\s*[^,()]+,\\s*|BadFrame\\(\\s*)\"([a-z_]+)\"\\s*,");
    try (var files = Files.list(GATEWAY)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = literal.matcher(Files.readString(p));
        while (m.find()) gateway.add(m.group(1));
      }
    }
    assertTrue(
        gateway.containsAll(Set.of("unauthorized", "rate_limited", "overloaded", "too_large")),
        "gateway codes found: " + gateway);
    // `conflict` answers organiser HTTP requests only (hunt id taken, start of an ended hunt).
    Set<String> httpOnly = Set.of(Problem.CONFLICT);
    // `internal` is listed by PROTOCOL.md §3; this server never sends it over the WebSocket.
    Set<String> reserved = Set.of("internal");
    Set<String> sent = new TreeSet<>(problems);
    sent.addAll(gateway);
    sent.removeAll(httpOnly);
    Set<String> expected = new TreeSet<>(sent);
    expected.addAll(reserved);
    assertSameSet("error codes (code vs ErrorCode)", expected, documented);
    assertTrue(
        strings(doc.at("/x-http-api/errorBody/properties/error/properties/code/enum"))
            .containsAll(httpOnly));
  }

  @Test
  void theExamplesInTheDocumentMatchTheirSchemas() {
    int checked = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.at("/components/messages").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> m = it.next();
      for (JsonNode example : m.getValue().path("examples")) {
        assertValid(
            m.getValue().get("payload"), example.get("payload"), "example of " + m.getKey());
        checked++;
      }
    }
    assertTrue(checked >= 15, "examples checked: " + checked);
  }

  @Test
  void theEncodingsAreTheSubprotocolsTheServerKnows() {
    assertFalse(
        doc.at("/channels/~1ws/bindings/ws/headers/properties/Sec-WebSocket-Protocol")
            .isMissingNode(),
        "the ws binding describes Sec-WebSocket-Protocol");
    Set<String> inDoc = new TreeSet<>();
    for (JsonNode c : doc.at("/channels/~1ws/x-content-types"))
      if (c.hasNonNull("subprotocol")) inDoc.add(c.get("subprotocol").asText());
    Set<String> inCode = new TreeSet<>();
    for (Encoding e : Encoding.values()) inCode.add(e.subprotocol);
    assertSameSet("subprotocols", inCode, inDoc);
  }

  @Test
  void theTranscriptInProtocolMdMatchesTheSchemas() throws IOException {
    Set<String> client = messageNames("publish"), server = messageNames("subscribe");
    Pattern line = Pattern.compile("^(→|←) \\S+\\s+(\\{.*\\})\\s*$");
    ObjectMapper json = new ObjectMapper();
    Set<String> seen = new TreeSet<>();
    int frames = 0;
    for (String l : Files.readAllLines(PROTOCOL_MD)) {
      Matcher m = line.matcher(l);
      if (!m.matches()) continue;
      JsonNode frame = json.readTree(m.group(2));
      String type = frame.path("type").asText();
      boolean sent = m.group(1).equals("→");
      assertTrue(
          (sent ? client : server).contains(type),
          (sent ? "client" : "server") + " frame of unknown type: " + l);
      assertValid(
          doc.at("/components/messages/" + type + "/payload"), frame, "docs/protocol.md: " + l);
      seen.add((sent ? "→" : "←") + type);
      frames++;
    }
    assertTrue(frames >= 40, "frames in the transcript: " + frames);
    for (String t :
        List.of(
            "→hello",
            "→join",
            "→location",
            "→claim",
            "→chat",
            "→resume",
            "←welcome",
            "←ack",
            "←error",
            "←event",
            "←snapshot",
            "←presence")) assertTrue(seen.contains(t), "the transcript shows " + t);
  }

  /**
   * Validates a frame a real node sent against the schema of its type in docs/asyncapi.yaml: the
   * 1.1 frames of PresenceTest (welcome "1.1", presence, the v1 snapshots above the size) are
   * checked with this.
   */
  static void assertServerFrameValid(JsonNode frame) {
    try {
      if (doc == null) load();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String type = frame.path("type").asText();
    assertTrue(messageNames("subscribe").contains(type), "server frame of unknown type: " + frame);
    assertValid(doc.at("/components/messages/" + type + "/payload"), frame, "a frame: " + frame);
  }

  // ---------------------------------------------------------------- helpers

  private static String readString(Field f) {
    try {
      return (String) f.get(null);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The names of the messages of channel /ws's publish (client → server) or subscribe operation.
   */
  private static Set<String> messageNames(String operation) {
    JsonNode message = doc.at("/channels/~1ws/" + operation + "/message");
    assertFalse(message.isMissingNode(), "channels./ws." + operation + ".message");
    Set<String> names = new TreeSet<>();
    for (JsonNode m : message.has("oneOf") ? message.get("oneOf") : List.of(message)) {
      String name = resolve(m).path("name").asText();
      assertFalse(name.isEmpty(), "a message without a name in " + operation);
      assertTrue(names.add(name), "message " + name + " listed twice in " + operation);
    }
    return names;
  }

  private static void assertSameSet(String what, Set<String> inCode, Set<String> inDoc) {
    Set<String> undocumented = new TreeSet<>(inCode);
    undocumented.removeAll(inDoc);
    Set<String> unknown = new TreeSet<>(inDoc);
    unknown.removeAll(inCode);
    if (!undocumented.isEmpty() || !unknown.isEmpty())
      fail(
          what
              + ": in the code but not in docs/asyncapi.yaml "
              + undocumented
              + "; in docs/asyncapi.yaml but not in the code "
              + unknown);
  }

  private static Set<String> strings(JsonNode array) {
    assertTrue(array.isArray(), "an array expected");
    Set<String> out = new TreeSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static boolean contains(JsonNode array, String value) {
    if (array == null) return false;
    for (JsonNode n : array) if (n.asText().equals(value)) return true;
    return false;
  }

  private static JsonNode resolve(JsonNode node) {
    int hops = 0;
    while (node.has("$ref")) {
      String ref = node.get("$ref").asText();
      assertTrue(ref.startsWith("#/"), "only local references: " + ref);
      node = doc.at(ref.substring(1));
      assertFalse(node.isMissingNode(), "dangling reference " + ref);
      assertTrue(++hops < 20, "reference loop at " + ref);
    }
    return node;
  }

  /** The alternatives of a schema: its oneOf branches (resolved), or the schema itself. */
  private static List<JsonNode> variants(JsonNode schema) {
    if (!schema.has("oneOf")) return List.of(schema);
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode v : schema.get("oneOf")) out.addAll(variants(resolve(v)));
    return out;
  }

  /**
   * Checks a frame a real server sent against its message's payload schema (ViewportTest uses it
   * for the frames of protocol 1.1).
   */
  static void assertFrameValid(JsonNode frame) throws IOException {
    if (doc == null) load();
    String type = frame.path("type").asText();
    JsonNode schema = doc.at("/components/messages/" + type + "/payload");
    assertFalse(schema.isMissingNode(), "no message " + type + " in docs/asyncapi.yaml");
    assertValid(schema, frame, "a " + type + " frame the server sent: " + frame);
  }

  private static void assertValid(JsonNode schema, JsonNode value, String what) {
    List<String> errors = new ArrayList<>();
    validate(schema, value, "$", errors);
    if (!errors.isEmpty()) fail(what + "\n  " + String.join("\n  ", errors));
  }

  private static final Set<String> ANNOTATIONS =
      Set.of("description", "title", "examples", "default", "format");

  /**
   * A JSON Schema validator for the keywords docs/asyncapi.yaml uses. An unknown keyword fails, so
   * the document cannot carry a constraint this test silently ignores.
   */
  private static void validate(JsonNode schema, JsonNode value, String path, List<String> errors) {
    schema = resolve(schema);
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> k = it.next();
      JsonNode s = k.getValue();
      switch (k.getKey()) {
        case "type" -> {
          boolean ok = false;
          for (JsonNode t : s.isArray() ? s : List.of(s)) ok |= hasType(value, t.asText());
          if (!ok) errors.add(path + ": " + value + " is not " + s);
        }
        case "const" -> {
          if (!same(s, value)) errors.add(path + ": " + value + " is not " + s);
        }
        case "enum" -> {
          boolean ok = false;
          for (JsonNode e : s) ok |= same(e, value);
          if (!ok) errors.add(path + ": " + value + " not in " + s);
        }
        case "required" -> {
          if (value.isObject())
            for (JsonNode r : s)
              if (!value.has(r.asText())) errors.add(path + ": " + r.asText() + " missing");
        }
        case "properties" -> {
          if (value.isObject())
            for (Iterator<Map.Entry<String, JsonNode>> p = s.fields(); p.hasNext(); ) {
              Map.Entry<String, JsonNode> prop = p.next();
              if (value.has(prop.getKey()))
                validate(
                    prop.getValue(), value.get(prop.getKey()), path + "." + prop.getKey(), errors);
            }
        }
        case "additionalProperties" -> {
          if (!s.isBoolean())
            errors.add(path + ": additionalProperties must be true or false here");
          else if (!s.asBoolean() && value.isObject())
            for (Iterator<String> n = value.fieldNames(); n.hasNext(); ) {
              String name = n.next();
              if (!schema.path("properties").has(name))
                errors.add(path + ": undocumented field " + name);
            }
        }
        case "items" -> {
          if (value.isArray())
            for (int i = 0; i < value.size(); i++)
              validate(s, value.get(i), path + "[" + i + "]", errors);
        }
        case "oneOf" -> {
          int matching = 0;
          List<String> closest = null;
          for (JsonNode branch : s) {
            List<String> e = new ArrayList<>();
            validate(branch, value, path, e);
            if (e.isEmpty()) matching++;
            else if (closest == null || e.size() < closest.size()) closest = e;
          }
          if (matching == 0)
            errors.add(path + ": matches none of the oneOf branches; the closest: " + closest);
          else if (matching > 1)
            errors.add(path + ": matches " + matching + " of the oneOf branches, not 1");
        }
        case "minimum" -> {
          if (value.isNumber() && value.asDouble() < s.asDouble())
            errors.add(path + ": " + value + " < " + s);
        }
        case "maximum" -> {
          if (value.isNumber() && value.asDouble() > s.asDouble())
            errors.add(path + ": " + value + " > " + s);
        }
        case "exclusiveMinimum" -> {
          if (value.isNumber() && value.asDouble() <= s.asDouble())
            errors.add(path + ": " + value + " ≤ " + s);
        }
        case "minLength" -> {
          if (value.isTextual() && value.asText().length() < s.asInt())
            errors.add(path + ": shorter than " + s);
        }
        case "maxLength" -> {
          if (value.isTextual() && value.asText().length() > s.asInt())
            errors.add(path + ": longer than " + s);
        }
        case "pattern" -> {
          if (value.isTextual() && !Pattern.compile(s.asText()).matcher(value.asText()).find())
            errors.add(path + ": " + value + " does not match " + s);
        }
        case "minItems" -> {
          if (value.isArray() && value.size() < s.asInt())
            errors.add(path + ": fewer than " + s + " items");
        }
        default -> {
          if (!ANNOTATIONS.contains(k.getKey()) && !k.getKey().startsWith("x-"))
            errors.add(
                path + ": the schema uses " + k.getKey() + ", which this test does not check");
        }
      }
    }
  }

  private static boolean hasType(JsonNode v, String type) {
    return switch (type) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "integer" -> v.isIntegralNumber();
      case "number" -> v.isNumber();
      case "boolean" -> v.isBoolean();
      case "null" -> v.isNull();
      default -> throw new IllegalArgumentException("unknown JSON type " + type);
    };
  }

  private static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) return a.decimalValue().compareTo(b.decimalValue()) == 0;
    return a.equals(b);
  }
}
