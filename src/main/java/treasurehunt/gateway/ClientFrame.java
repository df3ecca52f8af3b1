package treasurehunt.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Problem;
import treasurehunt.game.PositionGrid;
import treasurehunt.game.Text;

/**
 * A frame from the client, parsed and checked (PROTOCOL.md §2, docs/protocol.md §4–§7): one record
 * per frame type with its field checks, and {@link BadFrame} for a frame that is refused.
 *
 * <p>{@link #parse} reads the text with the strict mapper of {@link Json} (the one the HTTP API
 * uses) and binds it to the records below ({@link #parseTree}); a well-formed location frame, most
 * of the traffic, is read by {@link LocationParser} without the tree, with the same answer. It
 * never throws and has no clock or state of its own, so {@code ClientFrameTest} covers every answer
 * without a socket.
 *
 * <p>Error order is part of the wire: a frame with several faults is answered with the first in the
 * order of the record's checks, with v1's messages. So a field that Jackson refuses (wrong type) is
 * noted and the frame is bound again without it ({@link #bind}); the checks then run in their order
 * and report a refused field with the message of a wrong value.
 */
sealed interface ClientFrame {

  /** Every frame type a client may send; the AsyncAPI test checks docs/asyncapi.yaml against it. */
  List<String> TYPES =
      List.of(
          "hello", "join", "location", "claim", "chat", "leave", "watch", "resume", "ping", "view");

  /** The frame's id when it has a valid one (the {@code re} of any answer to it), else null. */
  String id();

  /**
   * Authentication; {@code token} is null when missing or not a string. {@code protocol}: the JSON
   * text of the version asked for (1.1: {@code "\"1.1\""}), null when absent or null ({@link
   * Protocol#asked}).
   */
  record Hello(String id, String token, String protocol) implements ClientFrame {
    Hello(String id, String token) {
      this(id, token, null);
    }
  }

  record Ping(String id) implements ClientFrame {}

  /** A frame answered by an entity: it has a valid id and names a hunt. */
  sealed interface Command extends ClientFrame {
    /** The frame type, as the metrics name it. */
    String type();

    String hunt();
  }

  record Join(String id, String hunt) implements Command {
    public String type() {
      return "join";
    }

    void check(FrameChecks c) {
      c.id("hunt", hunt);
    }
  }

  /**
   * A location report. A {@code null} lat or lon is a wrong value, not a missing one (v1 answered
   * "must be"); {@code accuracyM} may be null or absent.
   */
  record Location(
      String id,
      String hunt,
      @JsonDeserialize(using = NumberNotNull.class) Double lat,
      @JsonDeserialize(using = NumberNotNull.class) Double lon,
      Long at,
      @JsonDeserialize(using = NumberOnly.class) Double accuracyM)
      implements Command {
    public String type() {
      return "location";
    }

    void check(FrameChecks c) {
      c.id("hunt", hunt);
      c.number("lat", lat, -90, 90);
      c.number("lon", lon, -180, 180);
      c.integer("at", at, 0);
      if (at > c.nowMs + c.maxClockSkew.toMillis())
        throw c.bad(
            "at: in the future (more than "
                + c.maxClockSkew.toSeconds()
                + " s ahead of the server)");
      c.optionalNumber("accuracyM", accuracyM, 0, 100_000);
    }

    /** The reported accuracy in metres, NaN when the client sent none. */
    double accuracy() {
      return accuracyM == null ? Double.NaN : accuracyM;
    }
  }

  /** {@code answer}: for a treasure that needs one, else null. */
  record Claim(String id, String hunt, String treasure, String answer) implements Command {
    public String type() {
      return "claim";
    }

    void check(FrameChecks c) {
      c.id("hunt", hunt);
      c.id("treasure", treasure);
      c.optionalText("answer", answer, 200);
    }
  }

  record Chat(String id, String hunt, String text) implements Command {
    public String type() {
      return "chat";
    }

    /** The text counts as {@link Text} keeps it: code points, control and format ones dropped. */
    void check(FrameChecks c) {
      c.id("hunt", hunt);
      String kept = Text.clean(text);
      if (c.refused("text") || (kept != null && Text.length(kept) > Text.MAX_CHAT))
        throw c.bad("text: a string of at most " + Text.MAX_CHAT + " characters");
      if (kept == null || kept.isEmpty())
        throw c.bad("text: required, 1 to " + Text.MAX_CHAT + " characters");
    }
  }

  record Leave(String id, String hunt) implements Command {
    public String type() {
      return "leave";
    }

    void check(FrameChecks c) {
      c.id("hunt", hunt);
    }
  }

  /** {@code from}: the position the client holds, or null for the hunt's head. */
  record Watch(String id, String hunt, From from) implements Command {
    public String type() {
      return "watch";
    }

    void check(FrameChecks c) {
      c.id("hunt", hunt);
      if (c.refused("from")) throw c.bad("from: an object {epoch, seq}");
      if (from == null) return;
      if (from.epoch() == null) throw c.bad("from.epoch: required, a string");
      c.integer("seq", from.seq(), 0); // v1 names the field "seq" in this message
    }

    Hunt.StreamPos since() {
      return from == null ? null : new Hunt.StreamPos(from.epoch(), from.seq());
    }
  }

  record From(String epoch, Long seq) {}

  /** The client holds every event up to {@code seq} of {@code epoch}. */
  record Resume(String id, String hunt, String epoch, Long seq) implements Command {
    public String type() {
      return "resume";
    }

    void check(FrameChecks c) {
      c.id("hunt", hunt);
      if (epoch == null || epoch.length() > 64) throw c.bad("epoch: required, a string");
      c.integer("seq", seq, 0);
    }
  }

  /**
   * Protocol 1.1: the part of a followed hunt's map this client shows (docs/protocol.md §7.1);
   * {@code box} null or absent: no viewport, {@code positions} again.
   */
  record View(String id, String hunt, ViewBox box) implements Command {
    public String type() {
      return "view";
    }

    void check(FrameChecks c) {
      c.id("hunt", hunt);
      if (c.refused("box"))
        throw c.bad("box: an object {south, west, north, east} in degrees, or null");
      if (box != null) box.check(c);
    }

    PositionGrid.Box area() {
      return box == null ? null : box.area();
    }
  }

  /**
   * A refused frame, answered {@code error} with {@code code} and {@code message}; {@code stage}
   * says how far the frame got, which decides where the session answers it.
   */
  record BadFrame(String code, String message, String id, Stage stage) implements ClientFrame {}

  /** Where a frame was refused, in the order the session answers (PROTOCOL.md §2). */
  enum Stage {
    /**
     * Not a frame at all (binary, too large, not JSON, not an object, no type): answered before
     * authentication and the rate limit, and never takes a token.
     */
    ENVELOPE,
    /** An unknown type, or a command without a valid id: answered after the rate limit. */
    ROUTING,
    /** A command whose fields fail their checks: answered after the shutdown check. */
    FIELDS
  }

  /**
   * Parses one inbound message. {@code maxFrameBytes} names the limit in the {@code too_large}
   * message; {@code nowMs} and {@code maxClockSkew} bound a location's {@code at}.
   */
  static ClientFrame parse(
      WebSocketFrames.In in, int maxFrameBytes, Duration maxClockSkew, long nowMs) {
    return parse(in, Encoding.JSON, maxFrameBytes, maxClockSkew, nowMs);
  }

  /**
   * Parses one inbound message of a connection that speaks {@code encoding}: a CBOR frame is read
   * into the tree its JSON would give, and from there both are bound and checked alike.
   */
  static ClientFrame parse(
      WebSocketFrames.In in,
      Encoding encoding,
      int maxFrameBytes,
      Duration maxClockSkew,
      long nowMs) {
    if (encoding == Encoding.JSON && in instanceof WebSocketFrames.Text text) {
      Location fast = LocationParser.read(text.text());
      if (fast != null) {
        try {
          fast.check(new FrameChecks(Set.of(), maxClockSkew, nowMs));
          return fast;
        } catch (FrameChecks.Refused r) {
          return new BadFrame(Problem.BAD_REQUEST, r.getMessage(), fast.id(), Stage.FIELDS);
        }
      }
    }
    return parseTree(in, encoding, maxFrameBytes, maxClockSkew, nowMs);
  }

  /**
   * The general path: every frame as a Jackson tree, bound to its record. {@link #parse} takes a
   * well-formed location frame past it ({@link LocationParser}); the result is the same.
   */
  static ClientFrame parseTree(
      WebSocketFrames.In in,
      Encoding encoding,
      int maxFrameBytes,
      Duration maxClockSkew,
      long nowMs) {
    if (in instanceof WebSocketFrames.TooLarge t)
      return new BadFrame(
          "too_large",
          "frame of "
              + t.size()
              + (t.binary() ? " bytes" : " characters")
              + "; the limit is "
              + maxFrameBytes,
          null,
          Stage.ENVELOPE);
    JsonNode tree;
    if (encoding == Encoding.CBOR) {
      if (!(in instanceof WebSocketFrames.Binary b))
        return envelope(
            null,
            "text frames are not used on a "
                + Encoding.CBOR.subprotocol
                + " connection; send each frame as one CBOR map in a binary frame");
      try {
        tree = Cbor.readClientFrame(b.bytes());
      } catch (Cbor.Malformed e) {
        return envelope(null, "malformed CBOR: " + e.getMessage());
      }
      if (!(tree instanceof ObjectNode)) return envelope(null, "a frame is one CBOR map");
    } else {
      if (in instanceof WebSocketFrames.Binary)
        return envelope(null, "binary frames are not part of the protocol; send JSON text frames");
      try {
        tree = Json.MAPPER.readTree(((WebSocketFrames.Text) in).text());
      } catch (JsonProcessingException e) {
        return envelope(null, "malformed JSON");
      }
      if (!(tree instanceof ObjectNode)) return envelope(null, "a frame is one JSON object");
    }
    ObjectNode frame = (ObjectNode) tree;

    Set<String> refused = new HashSet<>();
    Envelope env;
    try {
      env = bind(frame, Envelope.class, refused);
    } catch (FrameChecks.Refused r) {
      return envelope(null, r.getMessage());
    }
    String id = Ids.valid(env.id()) ? env.id() : null;
    if (env.type() == null) return envelope(id, "type: required, a string");
    switch (env.type()) {
      case "hello":
        JsonNode asked = frame.get("protocol");
        String protocol = asked == null || asked.isNull() ? null : abbreviate(asked.toString());
        frame.remove("protocol"); // read here; its JSON type is part of what is asked
        try {
          return new Hello(id, bind(frame, Hello.class, new HashSet<>()).token(), protocol);
        } catch (FrameChecks.Refused r) {
          return new Hello(id, null, protocol);
        }
      case "ping":
        return new Ping(id);
      default:
        break;
    }
    Class<? extends Command> type = COMMANDS.get(env.type());
    if (type == null) return routing(id, "unknown type " + abbreviate(env.type()));
    if (env.id() == null && !refused.contains("id"))
      return routing(null, "id: required, 1 to 64 characters");
    if (id == null) return routing(null, "id: 1 to 64 characters");

    FrameChecks checks = new FrameChecks(new HashSet<>(), maxClockSkew, nowMs);
    try {
      Command command = bind(frame, type, checks.refused);
      if (command instanceof Join j) j.check(checks);
      else if (command instanceof Location l) l.check(checks);
      else if (command instanceof Claim c) c.check(checks);
      else if (command instanceof Chat c) c.check(checks);
      else if (command instanceof Leave l) l.check(checks);
      else if (command instanceof Watch w) w.check(checks);
      else if (command instanceof Resume r) r.check(checks);
      else if (command instanceof View v) v.check(checks);
      return command;
    } catch (FrameChecks.Refused r) {
      return new BadFrame(Problem.BAD_REQUEST, r.getMessage(), id, Stage.FIELDS);
    }
  }

  // ---------------------------------------------------------------- parsing

  /**
   * Parses one frame of each type, so that Jackson builds its binders for the records when the node
   * starts rather than while the first client waits (hello-timeout).
   */
  static void prepare() {
    for (String type : TYPES)
      parse(
          new WebSocketFrames.Text("{\"type\":\"" + type + "\",\"id\":\"warm-up\"}"),
          0,
          Duration.ZERO,
          0);
  }

  /** The commands by type; {@code hello} and {@code ping} are not commands. */
  Map<String, Class<? extends Command>> COMMANDS =
      Map.of(
          "join", Join.class,
          "location", Location.class,
          "claim", Claim.class,
          "chat", Chat.class,
          "leave", Leave.class,
          "watch", Watch.class,
          "resume", Resume.class,
          "view", View.class);

  /** What every frame has: its type and (for commands) its id. */
  record Envelope(String type, String id) {}

  private static BadFrame envelope(String id, String message) {
    return new BadFrame(Problem.BAD_REQUEST, message, id, Stage.ENVELOPE);
  }

  private static BadFrame routing(String id, String message) {
    return new BadFrame(Problem.BAD_REQUEST, message, id, Stage.ROUTING);
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  /**
   * Binds {@code frame} to {@code type} with the strict mapper. A field Jackson refuses (a string
   * where a number belongs, an object where a string belongs, a null lat) is added to {@code
   * refused} (as {@code from.epoch} for a nested one) and the frame is bound again without it, so
   * that the checks, not Jackson's document order, decide which fault is reported first.
   */
  private static <T> T bind(ObjectNode frame, Class<T> type, Set<String> refused) {
    ObjectNode left = frame;
    while (true) {
      try {
        return Json.MAPPER.treeToValue(left, type);
      } catch (JsonProcessingException e) {
        if (left == frame) left = frame.deepCopy();
        String path = removeRefused(left, e);
        // A refusal of these records of scalars always names its field; should one not, the frame
        // is refused as it stands rather than failing the session.
        if (path == null) throw new FrameChecks.Refused(Json.describe(e));
        refused.add(path);
      }
    }
  }

  /** Removes the field {@code e} names from {@code frame}; returns its dotted path, or null. */
  private static String removeRefused(ObjectNode frame, JsonProcessingException e) {
    if (!(e instanceof JsonMappingException m) || m.getPath().isEmpty()) return null;
    List<JsonMappingException.Reference> path = m.getPath();
    ObjectNode parent = frame;
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < path.size(); i++) {
      String field = path.get(i).getFieldName();
      if (field == null || !parent.has(field)) return null;
      if (name.length() > 0) name.append('.');
      name.append(field);
      if (i == path.size() - 1) parent.remove(field);
      else if (parent.get(field) instanceof ObjectNode child) parent = child;
      else return null;
    }
    return name.toString();
  }

  /**
   * A JSON number and nothing else. Jackson 2.13 turns a blank string into null for a {@code
   * Double} whatever the coercion settings; v1 refused it as a wrong value.
   */
  class NumberOnly extends StdScalarDeserializer<Double> {
    NumberOnly() {
      super(Double.class);
    }

    @Override
    public Double deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.hasToken(JsonToken.VALUE_NUMBER_INT) || p.hasToken(JsonToken.VALUE_NUMBER_FLOAT))
        return p.getDoubleValue();
      return (Double) ctxt.handleUnexpectedToken(Double.class, p);
    }
  }

  /** As {@link NumberOnly}, and an explicit {@code null} is refused too (absent stays null). */
  class NumberNotNull extends NumberOnly {
    @Override
    public Double getNullValue(DeserializationContext ctxt) throws JsonMappingException {
      throw JsonMappingException.from(ctxt, "null where a number belongs");
    }

    @Override
    public Object getAbsentValue(DeserializationContext ctxt) {
      return null;
    }
  }
}
