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
import akka.stream.BoundedSourceQueue;
import akka.stream.SharedKillSwitch;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import treasurehunt.entities.HuntCatalog;
import treasurehunt.entities.Problem;
import treasurehunt.metrics.Metrics;

/**
 * One WebSocket connection (PROTOCOL.md §2–3): its lifecycle (hello and authentication, heartbeat,
 * idle and hello timeouts, back-pressure, close, shutdown) and the routing of each command to the
 * Player and Hunt entities wherever sharding put them.
 *
 * <p>An inbound message travels top to bottom through this class: {@link ClientFrame#parse} reads
 * and checks it; {@link #handle} answers it in the order of PROTOCOL.md §2 (frame errors,
 * authentication, the {@link TokenBucket}, routing errors, shutdown, field errors) or routes it
 * ({@link #route}); {@link EntityAsks} asks the entity and renders its reply with {@link Frames};
 * the {@link Answer} comes back on the actor's thread and goes out through {@link Outbound}. The
 * hunts this connection follows are its {@link HuntFollows}, fed by the node's {@link HuntFeeds}.
 *
 * <p>A connection speaks for one principal, fixed by its first valid token: a player (player
 * token), a spectator of one hunt (spectator token) or the organiser (the admin token, in a hello
 * frame only). Spectators and the organiser only watch and resume; what each may see of a hunt's
 * positions is decided per batch by its {@link HuntFollow} (docs/privacy.md).
 *
 * <p>Memory per connection is bounded: outbound frames wait in a bounded queue (a client that stops
 * reading is disconnected), inbound frames are back-pressured after {@code max-in-flight}
 * unanswered commands, held stream events and followed hunts are capped.
 */
public final class Session extends AbstractBehavior<Session.Msg> {

  /** Every frame type a client may send; the AsyncAPI test checks docs/asyncapi.yaml against it. */
  public static final List<String> CLIENT_TYPES = ClientFrame.TYPES;

  public static final int PROTOCOL_VERSION = 1;

  // ---- messages (all local to the node)

  /** The session's messages; {@link HuntFeeds.Delivery} is the feeds' protocol (see HuntFeeds). */
  public sealed interface Msg
      permits Init,
          Inbound,
          InboundDone,
          Answer,
          HuntFollows.Fetched,
          HuntFollows.Paged,
          HuntFollows.Snapshotted,
          HuntFollows.Presenced,
          Outbound.Drained,
          Tick,
          Expired,
          HelloTimeout,
          ForceStop,
          Shutdown,
          HuntFeeds.Delivery {}

  public enum Ack {
    INSTANCE
  }

  record Init(ActorRef<Ack> ackTo) implements Msg {}

  record Inbound(ActorRef<Ack> ackTo, WebSocketFrames.In in) implements Msg {}

  record InboundDone() implements Msg {}

  /**
   * An entity's answer to a command: the frame to send (or null), then what to do next (on the
   * actor's thread); {@code type} and {@code started} time it for the metrics.
   */
  private record Answer(ObjectNode frame, EntityAsks.Then then, String type, long started)
      implements Msg {}

  private record Tick() implements Msg {}

  private record HelloTimeout() implements Msg {}

  /** The spectator token this connection was opened with has expired. */
  private record Expired() implements Msg {}

  private record ForceStop() implements Msg {}

  /** The node is shutting down: finish in-flight commands, then close with 1001. */
  public record Shutdown(ActorRef<Done> replyTo) implements Msg {}

  /**
   * Everything a session needs from its node; {@code adminToken}: the organiser's credential, which
   * opens a watching connection when sent in a hello frame.
   */
  public record Context(
      WsSettings settings,
      Tokens tokens,
      String adminToken,
      ClusterSharding sharding,
      HuntFeeds feeds,
      HuntCatalog catalog,
      JournalStream journal,
      Duration askTimeout,
      LocationAdmission admission,
      PlayerConnections connections,
      Runnable onStop) {}

  /** {@code meter}: counts what waits in {@code out}; the connection's flow counts it down. */
  static Behavior<Msg> create(
      Context node,
      BoundedSourceQueue<WebSocketFrames.Out> out,
      Outbound.Meter meter,
      SharedKillSwitch kill,
      String queryToken) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new Session(ctx, timers, node, out, meter, kill, queryToken)));
  }

  private final TimerScheduler<Msg> timers;
  private final Context node;
  private final WsSettings settings;
  private final Metrics metrics;
  private final Outbound outbound;

  private final EntityAsks entities;
  private final HuntFollows follows;
  private final TokenBucket bucket;

  /** The player this connection speaks for, once authenticated as one. */
  private Tokens.Identity identity;

  /** Or the spectator or organiser it speaks for. */
  private Watcher watcher;

  /** The player this connection is counted for in the node's {@link PlayerConnections}. */
  private String counted;

  private int violations;
  private long violationsSince = System.nanoTime();
  private long lastInbound = System.nanoTime();
  private int inFlight;

  /** This session's location reports admitted node-wide and not answered yet (returned at stop). */
  private int locationsAdmitted;

  private ActorRef<Ack> heldAck;
  private ActorRef<Done> shutdownReply;

  private Session(
      ActorContext<Msg> ctx,
      TimerScheduler<Msg> timers,
      Context node,
      BoundedSourceQueue<WebSocketFrames.Out> out,
      Outbound.Meter meter,
      SharedKillSwitch kill,
      String queryToken) {
    super(ctx);
    this.timers = timers;
    this.node = node;
    this.metrics = Metrics.get(ctx.getSystem());
    this.settings = node.settings();
    ActorRef<Msg> self = ctx.getSelf();
    this.outbound =
        new Outbound(
            out,
            meter,
            kill,
            metrics,
            settings.outboundBuffer(),
            settings.outboundBytes(),
            () -> self.tell(Outbound.Drained.INSTANCE));
    this.entities =
        new EntityAsks(node.sharding(), HuntDirectory.get(ctx.getSystem()), node.askTimeout());
    this.follows =
        new HuntFollows(
            ctx,
            node.feeds(),
            entities,
            node.journal(),
            node.catalog(),
            settings,
            this::send,
            outbound::room,
            () -> identity == null ? null : identity.playerId());
    this.bucket = new TokenBucket(settings.ratePerSecond(), settings.burst(), System.nanoTime());
    timers.startTimerWithFixedDelay("heartbeat", new Tick(), settings.heartbeatInterval());
    if (queryToken != null) {
      // a player or spectator token; never the admin token, which URLs would put in logs
      Tokens.Identity who = node.tokens().verify(queryToken).orElse(null);
      Watcher w =
          who != null
              ? null
              : node.tokens().verifySpectator(queryToken).map(Watcher::of).orElse(null);
      if (who == null && w == null) {
        send(Frames.error(null, "unauthorized", "the token is not valid", null));
        close(4401, "unauthorized");
      } else if (who != null) authenticated(who);
      else {
        becomeWatcher(w);
        welcome();
      }
    } else timers.startSingleTimer("hello", new HelloTimeout(), settings.helloTimeout());
  }

  @Override
  public Receive<Msg> createReceive() {
    return newReceiveBuilder()
        .onMessage(Init.class, i -> ack(i.ackTo()))
        .onMessage(Inbound.class, this::inbound)
        .onMessage(InboundDone.class, d -> Behaviors.stopped())
        .onMessage(Answer.class, this::answer)
        .onMessage(HuntFeeds.Delivery.class, d -> with(() -> follows.deliver(d)))
        .onMessage(HuntFollows.Fetched.class, f -> with(() -> follows.fetched(f)))
        .onMessage(HuntFollows.Paged.class, p -> with(() -> follows.paged(p)))
        .onMessage(Outbound.Drained.class, d -> with(follows::drained))
        .onMessage(HuntFollows.Snapshotted.class, r -> with(() -> follows.snapshotted(r)))
        .onMessage(HuntFollows.Presenced.class, r -> with(() -> follows.presenced(r)))
        .onMessage(Tick.class, t -> tick())
        .onMessage(HelloTimeout.class, t -> helloTimeout())
        .onMessage(Expired.class, t -> expired())
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

  private Behavior<Msg> inbound(Inbound m) {
    lastInbound = System.nanoTime();
    metrics.frameIn();
    if (!outbound.closed()) handle(m.in());
    return ack(m.ackTo());
  }

  /** Answers a frame in the order of PROTOCOL.md §2, or routes it to its command. */
  private void handle(WebSocketFrames.In in) {
    ClientFrame frame =
        ClientFrame.parse(
            in, settings.maxFrameBytes(), settings.maxClockSkew(), System.currentTimeMillis());
    String re = frame.id();
    if (frame instanceof ClientFrame.BadFrame bad && bad.stage() == ClientFrame.Stage.ENVELOPE) {
      if (!authenticated()) unauthorized(re);
      else reject(re, bad.code(), bad.message());
      return;
    }
    if (!authenticated()) {
      if (frame instanceof ClientFrame.Hello hello) hello(hello);
      else unauthorized(re);
      return;
    }
    if (!bucket.take(System.nanoTime())) {
      send(
          Frames.error(
              re,
              "rate_limited",
              "more than " + settings.ratePerSecond() + " frames a second",
              bucket.retryAfterMs()));
      violation();
      return;
    }
    if (frame instanceof ClientFrame.Ping) {
      send(Frames.pong(System.currentTimeMillis()));
      return;
    }
    if (frame instanceof ClientFrame.Hello hello) {
      hello(hello);
      return;
    }
    if (frame instanceof ClientFrame.BadFrame bad && bad.stage() == ClientFrame.Stage.ROUTING) {
      reject(re, bad.code(), bad.message());
      return;
    }
    if (shutdownReply != null) {
      send(
          Frames.error(
              re,
              Problem.UNAVAILABLE,
              "this node is shutting down; reconnect to another node and resume",
              1000L));
      return;
    }
    if (frame instanceof ClientFrame.BadFrame bad) reject(re, bad.code(), bad.message());
    else route((ClientFrame.Command) frame);
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

  /** A frame the session refuses: answered with {@code code} and counted as a violation. */
  private void reject(String re, String code, String message) {
    metrics.rejected(code);
    send(Frames.error(re, code, message, null));
    violation();
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

  private boolean authenticated() {
    return identity != null || watcher != null;
  }

  /**
   * A player token, a spectator token or the admin token (docs/protocol.md §2). A connection keeps
   * the principal of its first: a hello naming another is refused.
   */
  private void hello(ClientFrame.Hello hello) {
    String token = hello.token();
    Tokens.Identity player = token != null ? node.tokens().verify(token).orElse(null) : null;
    Watcher w =
        player != null || token == null
            ? null
            : Watcher.of(token, node.tokens(), node.adminToken());
    if (player == null && w == null) {
      send(Frames.error(null, "unauthorized", "the token is missing or not valid", null));
      if (!authenticated()) close(4401, "unauthorized");
      return;
    }
    if (authenticated() && !speaksFor(player, w)) {
      send(Frames.error(null, "forbidden", "this connection already speaks for " + who(), null));
      return;
    }
    timers.cancel("hello");
    if (player != null) authenticated(player);
    else {
      becomeWatcher(w);
      welcome();
    }
  }

  /**
   * The connection speaks for {@code who} from now on, unless the player already holds its maximum
   * of connections on this node: then {@code rate_limited} and close 4429 (docs/protocol.md §9).
   * {@code retryAfterMs} is the idle timeout: by then a connection the client lost without closing
   * it has been closed by the server.
   */
  private void authenticated(Tokens.Identity who) {
    if (counted == null) {
      if (!node.connections().open(who.playerId())) {
        metrics.rejected("rate_limited");
        send(
            Frames.error(
                null,
                "rate_limited",
                "this player already holds "
                    + node.connections().max()
                    + " connections to this node; close one first",
                settings.idleTimeout().toMillis()));
        close(4429, "too many connections for this player");
        return;
      }
      counted = who.playerId();
    }
    identity = who;
    welcome();
  }

  /** Whether {@code player} or {@code w} is who this connection already speaks for. */
  private boolean speaksFor(Tokens.Identity player, Watcher w) {
    if (identity != null) return player != null && identity.playerId().equals(player.playerId());
    return w != null && watcher.role().equals(w.role()) && Objects.equals(watcher.id(), w.id());
  }

  /** Becomes {@code w}'s connection, closed when its invitation expires. */
  private void becomeWatcher(Watcher w) {
    watcher = w;
    if (w.expiresAt() > 0)
      timers.startSingleTimer(
          "expiry",
          new Expired(),
          Duration.ofMillis(Math.max(0, w.expiresAt() - System.currentTimeMillis())));
  }

  private void welcome() {
    long now = System.currentTimeMillis();
    send(
        identity != null
            ? Frames.welcome(identity.playerId(), identity.name(), now, PROTOCOL_VERSION)
            : Frames.welcomeWatcher(
                watcher.role(),
                watcher.id(),
                watcher.name(),
                watcher.hunt(),
                watcher.expiresAt(),
                now,
                PROTOCOL_VERSION));
  }

  // ---------------------------------------------------------------- commands

  /**
   * A location report first passes the node's admission; then {@link EntityAsks} checks that the
   * hunt exists and asks its entity (a resume, once its hunt is found, is served by this
   * connection's {@link HuntFollows}).
   */
  private void route(ClientFrame.Command c) {
    String refusal = watcher == null ? null : watcher.refusal(c);
    if (refusal != null) {
      metrics.rejected("forbidden");
      send(Frames.error(c.id(), "forbidden", refusal, null));
      return;
    }
    if (c instanceof ClientFrame.Location && !admitLocation(c.id())) return;
    inFlight++;
    long started = System.nanoTime();
    getContext()
        .pipeToSelf(
            entities.ask(c, identity),
            (reply, failure) ->
                failure != null
                    ? new Answer(
                        Frames.error(
                            c.id(),
                            Problem.UNAVAILABLE,
                            "the entity did not answer in time; retry",
                            settings.retryAfter().toMillis()),
                        null,
                        c.type(),
                        started)
                    : new Answer(reply.frame(), reply.then(), c.type(), started));
  }

  /**
   * Sheds a report before it reaches an entity when the node is past what it can persist ({@link
   * LocationAdmission}). Not the client's fault: no violation; the same id may be sent again.
   */
  private boolean admitLocation(String re) {
    if (node.admission().tryAdmit()) {
      locationsAdmitted++;
      return true;
    }
    metrics.rejected("overloaded");
    send(
        Frames.error(
            re,
            "overloaded",
            "this node is saturated; send a newer fix after retryAfterMs",
            node.admission().retryAfterMs()));
    return false;
  }

  private void resume(ClientFrame.Resume c) {
    if (!follows.resume(c))
      reject(
          c.id(),
          Problem.BAD_REQUEST,
          "this connection already follows " + settings.maxFollows() + " hunts");
  }

  private Behavior<Msg> answer(Answer a) {
    inFlight--;
    if ("location".equals(a.type()) && locationsAdmitted > 0) {
      locationsAdmitted--;
      node.admission().done();
    }
    if (a.type() != null) metrics.command(a.type(), a.started());
    if (a.frame() != null) send(a.frame());
    if (a.then() instanceof EntityAsks.Resume r && !outbound.closed()) resume(r.command());
    else if (a.then() instanceof EntityAsks.Follow f && !outbound.closed())
      follows.follow(f.hunt(), f.sight(), f.from(), f.joined());
    else if (a.then() instanceof EntityAsks.Unfollow u && !outbound.closed())
      follows.unfollow(u.hunt());
    if (heldAck != null && inFlight < settings.maxInFlight()) {
      heldAck.tell(Ack.INSTANCE);
      heldAck = null;
    }
    if (shutdownReply != null && inFlight == 0) finishShutdown();
    return this;
  }

  // ---------------------------------------------------------------- output and lifecycle

  private void send(ObjectNode frame) {
    send(Frames.write(frame));
  }

  private void send(String json) {
    if (!outbound.send(json)) dropped();
  }

  /** Runs {@code action} and stays this behavior. */
  private Behavior<Msg> with(Runnable action) {
    action.run();
    return this;
  }

  /** The client stopped reading and its buffer is full: the connection was dropped. */
  private void dropped() {
    getContext().getLog().info("closing connection of {}: the client does not read", who());
    timers.startSingleTimer(new ForceStop(), Duration.ofSeconds(1));
  }

  private String who() {
    if (identity != null) return identity.playerId();
    if (watcher != null)
      return watcher.id() == null ? watcher.role() : watcher.role() + " " + watcher.id();
    return "an unauthenticated client";
  }

  private void close(int code, String reason) {
    if (outbound.closed()) return;
    if (!outbound.close(code, reason)) dropped();
    // the stream ends once the close handshake is done; stop anyway if it never is
    timers.startSingleTimer(new ForceStop(), Duration.ofSeconds(10));
  }

  private Behavior<Msg> tick() {
    if (outbound.closed()) return this;
    if (System.nanoTime() - lastInbound > settings.idleTimeout().toNanos())
      close(1001, "idle timeout");
    else if (!outbound.ping()) dropped();
    return this;
  }

  /** A spectator's invitation ended: the connection closes as if its token were refused. */
  private Behavior<Msg> expired() {
    if (outbound.closed()) return this;
    send(Frames.error(null, "unauthorized", "the spectator token has expired", null));
    close(4401, "token expired");
    return this;
  }

  private Behavior<Msg> helloTimeout() {
    if (!authenticated())
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
    if (counted != null) node.connections().close(counted);
    counted = null;
    node.admission().done(locationsAdmitted);
    locationsAdmitted = 0;
    follows.stop();
    outbound.complete();
    if (shutdownReply != null) shutdownReply.tell(Done.getInstance());
    node.onStop().run();
    return this;
  }
}
