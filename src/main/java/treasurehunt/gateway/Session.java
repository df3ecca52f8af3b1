package treasurehunt.gateway;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.stream.BoundedSourceQueue;
import akka.stream.QueueOfferResult;
import akka.stream.SharedKillSwitch;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntCatalog;
import treasurehunt.entities.Player;
import treasurehunt.entities.Problem;

/**
 * One WebSocket connection (PROTOCOL.md §2–3): hello and authentication, validation of every frame,
 * the per-connection rate limit, commands routed to the Player and Hunt entities wherever sharding
 * put them, and the hunt streams this connection follows, delivered gap-free and in order.
 *
 * <p>Stream delivery: for each followed hunt the session knows the next {@code seq} it owes the
 * client. A live event with that seq goes out at once; an older one is a duplicate and is dropped;
 * a newer one means something was missed (a resume, a join racing the subscription, a lost
 * message), so it is held while the missing range is fetched from the hunt's window, or from the
 * journal, or — when neither can serve it — replaced by a {@code snapshot} with {@code reset:
 * true}. Nothing is ever skipped silently.
 *
 * <p>Memory per connection is bounded: outbound frames wait in a bounded queue (a client that stops
 * reading is disconnected), inbound frames are back-pressured after {@code max-in-flight}
 * unanswered commands, held stream events and followed hunts are capped.
 */
public final class Session extends AbstractBehavior<Session.Msg> {

  /** Every frame type a client may send; the AsyncAPI test checks docs/asyncapi.yaml against it. */
  public static final List<String> CLIENT_TYPES =
      List.of("hello", "join", "location", "claim", "chat", "leave", "watch", "resume", "ping");

  public static final int PROTOCOL_VERSION = 1;

  // ---- messages (all local to the node)

  public sealed interface Msg {}

  public enum Ack {
    INSTANCE
  }

  record Init(ActorRef<Ack> ackTo) implements Msg {}

  record Inbound(ActorRef<Ack> ackTo, WebSocketFrames.In in) implements Msg {}

  record InboundDone() implements Msg {}

  /** A stream event rendered once by the node's feed. */
  public record Live(String hunt, String epoch, long seq, String json) implements Msg {}

  public record PositionsBatch(String hunt, String json) implements Msg {}

  /**
   * The hunt's stream head as this node's feed last asked it: a session behind it fetches what it
   * lacks (a live event can be lost while a new subscription spreads through the cluster).
   */
  public record Head(String hunt, String epoch, long seq) implements Msg {}

  /** The answer to one command: the frame to send, then what to do next (on the actor's thread). */
  /**
   * An entity's answer to a client command; {@code type} and {@code started} time it for the
   * metrics.
   */
  private record Answer(ObjectNode frame, Runnable then, String type, long started) implements Msg {
    Answer(ObjectNode frame, Runnable then) {
      this(frame, then, null, 0);
    }
  }

  private record Filled(
      String hunt, String resumeRe, List<Hunt.StreamEntry> entries, String failure)
      implements Msg {}

  private record Reset(
      String hunt, String resumeRe, Hunt.View view, Player.Progress you, String failure)
      implements Msg {}

  private record Tick() implements Msg {}

  private record HelloTimeout() implements Msg {}

  private record ForceStop() implements Msg {}

  /** The node is shutting down: finish in-flight commands, then close with 1001. */
  public record Shutdown(ActorRef<Done> replyTo) implements Msg {}

  // ---- per-hunt delivery state

  private static final class Follow {
    final String hunt;
    boolean positions;
    String epoch;
    long next;
    boolean filling;
    final TreeMap<Long, Live> held = new TreeMap<>();

    Follow(String hunt) {
      this.hunt = hunt;
    }
  }

  /** Everything a session needs from its node. */
  public record Context(
      WsSettings settings,
      Tokens tokens,
      ClusterSharding sharding,
      HuntFeeds feeds,
      HuntCatalog catalog,
      JournalStream journal,
      Duration askTimeout,
      LocationAdmission admission,
      Runnable onStop) {}

  public static Behavior<Msg> create(
      Context node,
      BoundedSourceQueue<WebSocketFrames.Out> out,
      SharedKillSwitch kill,
      String queryToken) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(timers -> new Session(ctx, timers, node, out, kill, queryToken)));
  }

  private final TimerScheduler<Msg> timers;
  private final Context node;
  private final WsSettings settings;
  private final BoundedSourceQueue<WebSocketFrames.Out> out;
  private final SharedKillSwitch kill;
  private final Map<String, Follow> follows = new HashMap<>();

  private Tokens.Identity identity;
  private double tokens;
  private long refilledAt = System.nanoTime();
  private int violations;
  private long violationsSince = System.nanoTime();
  private long lastInbound = System.nanoTime();
  private int inFlight;

  /** This session's location reports admitted node-wide and not answered yet (returned at stop). */
  private int locationsAdmitted;

  private ActorRef<Ack> heldAck;
  private boolean closed;
  private ActorRef<Done> shutdownReply;

  /** The outbound queue was completed or failed: offers would throw. */
  private boolean queueDone;

  private final treasurehunt.metrics.Metrics metrics;

  /** The type and arrival time of the command being dispatched (read by {@link #ask}). */
  private String currentType;

  private long currentStarted;

  private Session(
      ActorContext<Msg> ctx,
      TimerScheduler<Msg> timers,
      Context node,
      BoundedSourceQueue<WebSocketFrames.Out> out,
      SharedKillSwitch kill,
      String queryToken) {
    super(ctx);
    this.timers = timers;
    this.node = node;
    this.metrics = treasurehunt.metrics.Metrics.get(ctx.getSystem());
    this.settings = node.settings();
    this.out = out;
    this.kill = kill;
    this.tokens = settings.burst();
    timers.startTimerWithFixedDelay("heartbeat", new Tick(), settings.heartbeatInterval());
    if (queryToken != null) {
      identity = node.tokens().verify(queryToken).orElse(null);
      if (identity == null) {
        send(Frames.error(null, "unauthorized", "the token is not valid", null));
        close(4401, "unauthorized");
      } else welcome();
    } else timers.startSingleTimer("hello", new HelloTimeout(), settings.helloTimeout());
  }

  @Override
  public Receive<Msg> createReceive() {
    return newReceiveBuilder()
        .onMessage(Init.class, i -> ack(i.ackTo()))
        .onMessage(Inbound.class, this::inbound)
        .onMessage(InboundDone.class, d -> Behaviors.stopped())
        .onMessage(Answer.class, this::answer)
        .onMessage(Live.class, this::live)
        .onMessage(PositionsBatch.class, this::positions)
        .onMessage(Head.class, this::head)
        .onMessage(Filled.class, this::filled)
        .onMessage(Reset.class, this::reset)
        .onMessage(Tick.class, t -> tick())
        .onMessage(HelloTimeout.class, t -> helloTimeout())
        .onMessage(Shutdown.class, this::shutdown)
        .onMessage(ForceStop.class, f -> Behaviors.stopped())
        .onSignal(PostStop.class, s -> stopped())
        .build();
  }

  // ---------------------------------------------------------------- inbound

  private Behavior<Msg> ack(ActorRef<Ack> ackTo) {
    if (inFlight < settings.maxInFlight()) ackTo.tell(Ack.INSTANCE);
    else heldAck = ackTo;
    return this;
  }

  /** A frame the session refuses: answered with {@code bad_request} and counted as a violation. */
  private static final class BadFrame extends RuntimeException {
    final String code;

    BadFrame(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    BadFrame(String message) {
      this(Problem.BAD_REQUEST, message);
    }
  }

  private Behavior<Msg> inbound(Inbound m) {
    lastInbound = System.nanoTime();
    metrics.frameIn();
    if (!closed) {
      try {
        handle(m.in());
      } catch (BadFrame e) {
        if (identity == null) unauthorized(null);
        else reject(null, e.code, e.getMessage());
      }
    }
    return ack(m.ackTo());
  }

  private void handle(WebSocketFrames.In in) {
    if (in instanceof WebSocketFrames.Binary)
      throw new BadFrame("binary frames are not part of the protocol; send JSON text frames");
    if (in instanceof WebSocketFrames.TooLarge t)
      throw new BadFrame(
          "too_large",
          "frame of " + t.bytes() + " characters; the limit is " + settings.maxFrameBytes());
    String text = ((WebSocketFrames.Text) in).text();
    JsonNode frame;
    try {
      frame = Json.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new BadFrame("malformed JSON");
    }
    if (frame == null || !frame.isObject()) throw new BadFrame("a frame is one JSON object");
    JsonNode idNode = frame.get("id");
    String id =
        idNode != null && idNode.isTextual() && validCommandId(idNode.asText())
            ? idNode.asText()
            : null;
    try {
      dispatch(frame, id);
    } catch (BadFrame e) {
      if (identity == null && !closed) unauthorized(id);
      else reject(id, e.code, e.getMessage());
    }
  }

  /** PROTOCOL.md §2: 1 to 64 characters from [A-Za-z0-9_.-]. */
  private static final java.util.regex.Pattern COMMAND_ID =
      java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private static boolean validCommandId(String id) {
    return COMMAND_ID.matcher(id).matches();
  }

  private void dispatch(JsonNode frame, String id) {
    JsonNode typeNode = frame.get("type");
    if (typeNode == null || !typeNode.isTextual()) throw new BadFrame("type: required, a string");
    String type = typeNode.asText();
    if (identity == null) {
      if (type.equals("hello")) hello(frame);
      else unauthorized(id);
      return;
    }
    if (!takeToken()) {
      long wait = (long) Math.ceil((1 - tokens) * 1000 / settings.ratePerSecond());
      send(
          Frames.error(
              id,
              "rate_limited",
              "more than " + settings.ratePerSecond() + " frames a second",
              Math.max(1, wait)));
      violation();
      return;
    }
    if (type.equals("ping")) {
      ObjectNode pong = Frames.object("pong");
      pong.put("serverTime", System.currentTimeMillis());
      send(pong);
      return;
    }
    if (type.equals("hello")) {
      hello(frame);
      return;
    }
    if (!CLIENT_TYPES.contains(type)) throw new BadFrame("unknown type " + abbreviate(type));
    if (idNode(frame) == null) throw new BadFrame("id: required, 1 to 64 characters");
    if (id == null) throw new BadFrame("id: 1 to 64 characters");
    if (shutdownReply != null) {
      send(
          Frames.error(
              id,
              Problem.UNAVAILABLE,
              "this node is shutting down; reconnect to another node and resume",
              1000L));
      return;
    }
    currentType = type;
    currentStarted = System.nanoTime();
    switch (type) {
      case "join" -> join(id, frame);
      case "location" -> location(id, frame);
      case "claim" -> claim(id, frame);
      case "chat" -> chat(id, frame);
      case "leave" -> leave(id, frame);
      case "watch" -> watch(id, frame);
      case "resume" -> resume(id, frame);
      default -> throw new BadFrame("unknown type " + abbreviate(type));
    }
  }

  /**
   * PROTOCOL.md §2: anything but a valid hello first is answered unauthorized and closed with 4401.
   */
  private void unauthorized(String re) {
    metrics.rejected("unauthorized");
    send(
        Frames.error(re, "unauthorized", "the first frame must be hello with a valid token", null));
    close(4401, "unauthorized");
  }

  private static JsonNode idNode(JsonNode frame) {
    JsonNode n = frame.get("id");
    return n == null || n.isNull() ? null : n;
  }

  private void reject(String re, String code, String message) {
    metrics.rejected(code);
    send(Frames.error(re, code, message, null));
    violation();
  }

  private boolean takeToken() {
    long now = System.nanoTime();
    tokens =
        Math.min(settings.burst(), tokens + (now - refilledAt) / 1e9 * settings.ratePerSecond());
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }

  /**
   * Garbage or frames over the rate limit; too many within ten seconds close the connection (1008).
   */
  private void violation() {
    long now = System.nanoTime();
    if (now - violationsSince > 10_000_000_000L) {
      violationsSince = now;
      violations = 0;
    }
    if (++violations > settings.maxViolations())
      close(1008, "policy violation: too many bad or rate-limited frames");
  }

  // ---------------------------------------------------------------- field checks

  private static String requiredId(JsonNode frame, String field) {
    JsonNode n = frame.get(field);
    if (n == null || !n.isTextual() || !Ids.valid(n.asText()))
      throw new BadFrame(field + ": required, 1 to 64 characters from [A-Za-z0-9_.-]");
    return n.asText();
  }

  private static double number(JsonNode frame, String field, double min, double max) {
    JsonNode n = frame.get(field);
    if (n == null
        || !n.isNumber()
        || !Double.isFinite(n.asDouble())
        || n.asDouble() < min
        || n.asDouble() > max)
      throw new BadFrame(
          field
              + (n == null ? ": required, " : ": must be ")
              + "a number in ["
              + fmt(min)
              + ", "
              + fmt(max)
              + "]");
    return n.asDouble();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static String optionalText(JsonNode frame, String field, int max) {
    JsonNode n = frame.get(field);
    if (n == null || n.isNull()) return null;
    if (!n.isTextual() || n.asText().length() > max)
      throw new BadFrame(field + ": a string of at most " + max + " characters");
    return n.asText();
  }

  private static long integer(JsonNode frame, String field, long min) {
    JsonNode n = frame.get(field);
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < min)
      throw new BadFrame(field + ": required, an integer ≥ " + min);
    return n.asLong();
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  // ---------------------------------------------------------------- commands

  private void hello(JsonNode frame) {
    JsonNode t = frame.get("token");
    Tokens.Identity who =
        t != null && t.isTextual() ? node.tokens().verify(t.asText()).orElse(null) : null;
    if (who == null) {
      send(Frames.error(null, "unauthorized", "the token is missing or not valid", null));
      if (identity == null) close(4401, "unauthorized");
      return;
    }
    if (identity != null && !identity.playerId().equals(who.playerId())) {
      send(
          Frames.error(
              null,
              "forbidden",
              "this connection already speaks for " + identity.playerId(),
              null));
      return;
    }
    identity = who;
    timers.cancel("hello");
    welcome();
  }

  private void welcome() {
    ObjectNode w = Frames.object("welcome");
    w.put("playerId", identity.playerId());
    w.put("name", identity.name());
    w.put("serverTime", System.currentTimeMillis());
    w.put("protocol", PROTOCOL_VERSION);
    send(w);
  }

  private EntityRef<Player.Command> player() {
    return node.sharding().entityRefFor(Player.ENTITY_KEY, identity.playerId());
  }

  private EntityRef<Hunt.Command> hunt(String id) {
    return node.sharding().entityRefFor(Hunt.ENTITY_KEY, id);
  }

  /** Sends an entity's answer when it comes; a timeout is answered {@code unavailable}. */
  private <T> void ask(String re, CompletionStage<T> reply, Function<T, Answer> onReply) {
    inFlight++;
    String type = currentType;
    long started = currentStarted;
    getContext()
        .pipeToSelf(
            reply,
            (value, failure) -> {
              Answer a =
                  failure != null
                      ? new Answer(
                          Frames.error(
                              re,
                              Problem.UNAVAILABLE,
                              "the entity did not answer in time; retry",
                              settings.retryAfter().toMillis()),
                          null)
                      : onReply.apply(value);
              return new Answer(a.frame(), a.then(), type, started);
            });
  }

  private static Answer failed(String re, Problem p) {
    Long retry = Problem.UNAVAILABLE.equals(p.code()) ? 1000L : null;
    return new Answer(Frames.error(re, p.code(), p.message(), retry), null);
  }

  private void join(String id, JsonNode frame) {
    String hunt = requiredId(frame, "hunt");
    String name = identity.name();
    ask(
        id,
        player().ask(r -> new Player.Join(id, hunt, name, r), node.askTimeout()),
        (Player.JoinAck a) -> {
          if (a.problem() != null) return failed(id, a.problem());
          ObjectNode ack = Frames.ack(id);
          ack.set("hunt", Json.MAPPER.valueToTree(a.view()));
          ack.set("you", Frames.you(a.you()));
          ack.set("stream", Frames.stream(a.stream()));
          ack.put("nextPollMs", a.nextPollMs());
          return new Answer(ack, () -> follow(hunt, a.view().showPlayers(), a.stream()));
        });
  }

  private void location(String id, JsonNode frame) {
    String hunt = requiredId(frame, "hunt");
    double lat = number(frame, "lat", -90, 90);
    double lon = number(frame, "lon", -180, 180);
    long at = integer(frame, "at", 0);
    if (at > System.currentTimeMillis() + settings.maxClockSkew().toMillis())
      throw new BadFrame(
          "at: in the future (more than "
              + settings.maxClockSkew().toSeconds()
              + " s ahead of the server)");
    double accuracy =
        frame.has("accuracyM") && !frame.get("accuracyM").isNull()
            ? number(frame, "accuracyM", 0, 100_000)
            : Double.NaN;
    if (!node.admission().tryAdmit()) {
      // Shed before it reaches an entity: the node is past what it can persist (LocationAdmission).
      // Not the client's fault: no violation; the same id may be sent again (nothing was recorded).
      metrics.rejected("overloaded");
      send(
          Frames.error(
              id,
              "overloaded",
              "this node is saturated; send a newer fix after retryAfterMs",
              node.admission().retryAfterMs()));
      return;
    }
    locationsAdmitted++;
    ask(
        id,
        player()
            .ask(
                r -> new Player.ReportLocation(id, hunt, lat, lon, accuracy, at, r),
                node.askTimeout()),
        (Player.LocationAck a) -> {
          if (a.problem() != null) return failed(id, a.problem());
          ObjectNode ack = Frames.ack(id);
          ack.put("nextPollMs", a.nextPollMs());
          if (a.nearest() == null) ack.putNull("nearest");
          else ack.put("nearest", a.nearest());
          var found = ack.putArray("found");
          a.found().forEach(found::add);
          if (a.atTreasure() == null) ack.putNull("atTreasure");
          else ack.put("atTreasure", a.atTreasure());
          if (!a.alreadyClaimed().isEmpty()) {
            // extension: exclusive treasures reached here that another player found first
            var claimed = ack.putArray("alreadyClaimed");
            a.alreadyClaimed().forEach(claimed::add);
          }
          return new Answer(ack, null);
        });
  }

  private void claim(String id, JsonNode frame) {
    String hunt = requiredId(frame, "hunt");
    String treasure = requiredId(frame, "treasure");
    String answer = optionalText(frame, "answer", 200);
    ask(
        id,
        player().ask(r -> new Player.Claim(id, hunt, treasure, answer, r), node.askTimeout()),
        (Player.ClaimAck a) -> {
          if (a.problem() != null) return failed(id, a.problem());
          ObjectNode ack = Frames.ack(id);
          ack.put("points", a.points());
          ack.put("score", a.score());
          return new Answer(ack, null);
        });
  }

  private void chat(String id, JsonNode frame) {
    String hunt = requiredId(frame, "hunt");
    String text = optionalText(frame, "text", 500);
    if (text == null || text.isBlank()) throw new BadFrame("text: required, 1 to 500 characters");
    String playerId = identity.playerId();
    ask(
        id,
        hunt(hunt).ask(r -> new Hunt.Chat(playerId, id, text, r), node.askTimeout()),
        (Hunt.Ack a) ->
            a.problem() != null ? failed(id, a.problem()) : new Answer(Frames.ack(id), null));
  }

  private void leave(String id, JsonNode frame) {
    String hunt = requiredId(frame, "hunt");
    ask(
        id,
        player().ask(r -> new Player.Leave(id, hunt, r), node.askTimeout()),
        (Hunt.Ack a) ->
            a.problem() != null
                ? failed(id, a.problem())
                : new Answer(Frames.ack(id), () -> unfollow(hunt)));
  }

  private void watch(String id, JsonNode frame) {
    String hunt = requiredId(frame, "hunt");
    JsonNode from = frame.get("from");
    Hunt.StreamPos since = null;
    if (from != null && !from.isNull()) {
      if (!from.isObject()) throw new BadFrame("from: an object {epoch, seq}");
      JsonNode epoch = from.get("epoch");
      if (epoch == null || !epoch.isTextual()) throw new BadFrame("from.epoch: required, a string");
      since = new Hunt.StreamPos(epoch.asText(), integer(from, "seq", 0));
    }
    Hunt.StreamPos asked = since;
    ask(
        id,
        hunt(hunt).ask(Hunt.GetView::new, node.askTimeout()),
        (Hunt.ViewReply r) -> {
          if (r.problem() != null) return failed(id, r.problem());
          Hunt.StreamPos pos =
              asked != null
                      && asked.epoch().equals(r.view().stream().epoch())
                      && asked.seq() <= r.view().stream().seq()
                  ? asked
                  : r.view().stream();
          ObjectNode ack = Frames.ack(id);
          ack.set("hunt", Json.MAPPER.valueToTree(r.view()));
          ack.set("stream", Frames.stream(pos));
          return new Answer(ack, () -> follow(hunt, true, pos));
        });
  }

  private void resume(String id, JsonNode frame) {
    String hunt = requiredId(frame, "hunt");
    JsonNode epochNode = frame.get("epoch");
    if (epochNode == null || !epochNode.isTextual() || epochNode.asText().length() > 64)
      throw new BadFrame("epoch: required, a string");
    long seq = integer(frame, "seq", 0);
    Follow f = follows.get(hunt);
    // A resume restores the numbered stream. Positions come with it on a fresh connection only when
    // the
    // hunt shows players to players (PROTOCOL.md §2); a spectator gets them back with watch {from}.
    boolean positions = f != null ? f.positions : showsPlayers(hunt);
    if (f == null && follows.size() >= settings.maxFollows())
      throw new BadFrame("this connection already follows " + settings.maxFollows() + " hunts");
    f = follows.computeIfAbsent(hunt, Follow::new);
    f.positions = positions;
    f.epoch = epochNode.asText();
    f.next = seq + 1;
    f.held.clear();
    node.feeds().feed(hunt).tell(new HuntFeeds.Subscribe(getContext().getSelf(), positions));
    fill(f, id);
  }

  private boolean showsPlayers(String hunt) {
    treasurehunt.entities.HuntCatalog.Rules rules = node.catalog().get(hunt);
    return rules != null && rules.definition().showPlayers();
  }

  // ---------------------------------------------------------------- the hunt streams

  private void follow(String hunt, boolean positions, Hunt.StreamPos from) {
    if (!follows.containsKey(hunt) && follows.size() >= settings.maxFollows()) {
      send(
          Frames.error(
              null,
              Problem.BAD_REQUEST,
              "this connection already follows "
                  + settings.maxFollows()
                  + " hunts; not streaming "
                  + hunt,
              null));
      return;
    }
    Follow f = follows.computeIfAbsent(hunt, Follow::new);
    f.positions = f.positions || positions;
    if (f.epoch == null || !f.epoch.equals(from.epoch()) || f.next <= from.seq()) {
      f.epoch = from.epoch();
      f.next = from.seq() + 1;
    }
    node.feeds().feed(hunt).tell(new HuntFeeds.Subscribe(getContext().getSelf(), f.positions));
    // Events published between the entity's answer and the subscription are fetched, never skipped.
    fill(f, null);
  }

  private void unfollow(String hunt) {
    if (follows.remove(hunt) != null)
      node.feeds().feed(hunt).tell(new HuntFeeds.Unsubscribe(getContext().getSelf()));
  }

  private Behavior<Msg> live(Live e) {
    Follow f = follows.get(e.hunt());
    if (f == null || !e.epoch().equals(f.epoch) || e.seq() < f.next) return this;
    if (f.filling || e.seq() > f.next) {
      f.held.put(e.seq(), e);
      if (f.held.size() > settings.maxHeldEvents()) startReset(f, null);
      else if (!f.filling) fill(f, null);
      return this;
    }
    send(e.json());
    f.next++;
    return this;
  }

  private Behavior<Msg> head(Head h) {
    Follow f = follows.get(h.hunt());
    if (f != null
        && f.epoch != null
        && !f.filling
        && (h.seq() >= f.next || !h.epoch().equals(f.epoch))) fill(f, null);
    return this;
  }

  private Behavior<Msg> positions(PositionsBatch p) {
    Follow f = follows.get(p.hunt());
    if (f != null && f.positions) send(p.json());
    return this;
  }

  /** Fetches the events after {@code next - 1}: window, then journal, else a snapshot reset. */
  private void fill(Follow f, String resumeRe) {
    f.filling = true;
    String hunt = f.hunt;
    String epoch = f.epoch;
    long after = f.next - 1;
    CompletionStage<List<Hunt.StreamEntry>> entries =
        hunt(hunt)
            .ask(
                (ActorRef<Hunt.StreamReply> r) -> new Hunt.StreamSince(epoch, after, r),
                node.askTimeout())
            .thenCompose(
                reply -> {
                  if (reply.complete())
                    return java.util.concurrent.CompletableFuture.completedFuture(reply.entries());
                  if (reply.problem() != null
                      || !epoch.equals(reply.epoch())
                      || after > reply.seq())
                    return java.util.concurrent.CompletableFuture.completedFuture(null);
                  return node.journal()
                      .entriesAfter(hunt, epoch, after, reply.seq(), settings.maxResumeEvents());
                });
    getContext()
        .pipeToSelf(
            entries,
            (list, failure) ->
                new Filled(
                    hunt,
                    resumeRe,
                    list,
                    failure == null ? null : String.valueOf(failure.getMessage())));
  }

  private Behavior<Msg> filled(Filled r) {
    Follow f = follows.get(r.hunt());
    if (f == null) return this;
    if (r.failure() != null) {
      f.filling = false;
      if (r.resumeRe() != null) {
        unfollow(r.hunt());
        send(
            Frames.error(
                r.resumeRe(),
                Problem.UNAVAILABLE,
                "the hunt did not answer in time; retry",
                settings.retryAfter().toMillis()));
      }
      return this;
    }
    if (r.entries() == null) {
      startReset(f, r.resumeRe());
      return this;
    }
    if (r.resumeRe() != null) {
      ObjectNode ack = Frames.ack(r.resumeRe());
      ack.set("stream", Frames.stream(new Hunt.StreamPos(f.epoch, f.next - 1)));
      send(ack);
    }
    for (Hunt.StreamEntry e : r.entries()) {
      if (e.seq() == f.next) {
        send(Frames.event(e));
        f.next++;
      }
    }
    drainHeld(f);
    return this;
  }

  /** Sends held live events that are next in line; fetches again if a gap remains. */
  private void drainHeld(Follow f) {
    while (!f.held.isEmpty() && f.held.firstKey() <= f.next) {
      Live e = f.held.pollFirstEntry().getValue();
      if (e.seq() == f.next) {
        send(e.json());
        f.next++;
      }
    }
    if (f.held.isEmpty()) f.filling = false;
    else fill(f, null);
  }

  /**
   * The missing events can no longer be served: send the current state with {@code reset: true}.
   */
  private void startReset(Follow f, String resumeRe) {
    f.filling = true;
    f.held.clear();
    String hunt = f.hunt;
    CompletionStage<Hunt.ViewReply> view = hunt(hunt).ask(Hunt.GetView::new, node.askTimeout());
    CompletionStage<Player.Profile> profile =
        player().ask(Player.GetProfile::new, node.askTimeout());
    getContext()
        .pipeToSelf(
            view.thenCombine(
                profile,
                (v, p) ->
                    new Reset(
                        hunt,
                        resumeRe,
                        v.view(),
                        p.hunts().get(hunt),
                        v.problem() == null ? null : v.problem().message())),
            (reset, failure) ->
                failure == null
                    ? reset
                    : new Reset(hunt, resumeRe, null, null, String.valueOf(failure.getMessage())));
  }

  private Behavior<Msg> reset(Reset r) {
    Follow f = follows.get(r.hunt());
    if (f == null) return this;
    if (r.view() == null) {
      unfollow(r.hunt());
      boolean missing = r.failure() != null && r.failure().contains("no hunt");
      // retryAfterMs only where retrying makes sense (PROTOCOL.md §3): not for a hunt that does not
      // exist
      send(
          Frames.error(
              r.resumeRe(),
              missing ? Problem.NOT_FOUND : Problem.UNAVAILABLE,
              "cannot resume " + r.hunt() + ": " + r.failure(),
              missing ? null : settings.retryAfter().toMillis()));
      return this;
    }
    ObjectNode snapshot = Frames.object("snapshot");
    if (r.resumeRe() != null) snapshot.put("re", r.resumeRe());
    snapshot.put("reset", true);
    snapshot.set("hunt", Json.MAPPER.valueToTree(r.view()));
    if (r.you() != null) snapshot.set("you", Frames.you(r.you()));
    snapshot.set("stream", Frames.stream(r.view().stream()));
    send(snapshot);
    f.epoch = r.view().stream().epoch();
    f.next = r.view().stream().seq() + 1;
    drainHeld(f);
    return this;
  }

  // ---------------------------------------------------------------- answers, output, lifecycle

  private Behavior<Msg> answer(Answer a) {
    inFlight--;
    if ("location".equals(a.type()) && locationsAdmitted > 0) {
      locationsAdmitted--;
      node.admission().done();
    }
    if (a.type() != null) metrics.command(a.type(), a.started());
    send(a.frame());
    if (a.then() != null && !closed) a.then().run();
    if (heldAck != null && inFlight < settings.maxInFlight()) {
      heldAck.tell(Ack.INSTANCE);
      heldAck = null;
    }
    if (shutdownReply != null && inFlight == 0) finishShutdown();
    return this;
  }

  private void send(ObjectNode frame) {
    send(Frames.write(frame));
  }

  private void send(String json) {
    if (closed) return;
    offer(new WebSocketFrames.Send(json));
  }

  private void offer(WebSocketFrames.Out frame) {
    if (queueDone) return;
    QueueOfferResult result;
    try {
      result = out.offer(frame);
    } catch (IllegalStateException completedOrFailed) {
      queueDone = true; // the connection's stream has ended: nothing more to send
      return;
    }
    if (result == QueueOfferResult.enqueued()) {
      if (frame instanceof WebSocketFrames.Send) metrics.frameOut();
    } else if (result == QueueOfferResult.dropped()) {
      // The client stopped reading and its buffer is full: drop the connection, keep the node's
      // memory.
      getContext().getLog().info("closing connection of {}: the client does not read", who());
      closed = true;
      queueDone = true;
      kill.abort(new IllegalStateException("client does not read its frames"));
      timers.startSingleTimer(new ForceStop(), Duration.ofSeconds(1));
    }
  }

  private void completeQueue() {
    if (queueDone) return;
    queueDone = true;
    try {
      out.complete();
    } catch (IllegalStateException alreadyEnded) {
      // the connection's stream failed or ended first: nothing to complete
    }
  }

  private String who() {
    return identity == null ? "an unauthenticated client" : identity.playerId();
  }

  private void close(int code, String reason) {
    if (closed) return;
    offer(new WebSocketFrames.Close(code, reason));
    closed = true;
    completeQueue();
    // the stream ends once the close handshake is done; stop anyway if it never is
    timers.startSingleTimer(new ForceStop(), Duration.ofSeconds(10));
  }

  private Behavior<Msg> tick() {
    if (closed) return this;
    if (System.nanoTime() - lastInbound > settings.idleTimeout().toNanos())
      close(1001, "idle timeout");
    else offer(new WebSocketFrames.Ping());
    return this;
  }

  private Behavior<Msg> helloTimeout() {
    if (identity == null)
      close(4408, "no hello within " + settings.helloTimeout().toSeconds() + " s");
    return this;
  }

  private Behavior<Msg> shutdown(Shutdown s) {
    shutdownReply = s.replyTo();
    if (inFlight == 0) finishShutdown();
    return this;
  }

  private void finishShutdown() {
    close(1001, "node shutting down; reconnect and resume");
    shutdownReply.tell(Done.getInstance());
  }

  private Behavior<Msg> stopped() {
    node.admission().done(locationsAdmitted);
    locationsAdmitted = 0;
    for (String hunt : follows.keySet())
      node.feeds().feed(hunt).tell(new HuntFeeds.Unsubscribe(getContext().getSelf()));
    completeQueue();
    if (shutdownReply != null) shutdownReply.tell(Done.getInstance());
    node.onStop().run();
    return this;
  }
}
