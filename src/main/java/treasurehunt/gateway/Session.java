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
import treasurehunt.entities.HuntCatalog;
import treasurehunt.entities.Problem;
import treasurehunt.metrics.Metrics;

/**
 * One WebSocket connection (PROTOCOL.md §2–3): its lifecycle (heartbeat, idle timeout,
 * back-pressure, close, shutdown) and the routing of each command to the Player and Hunt entities
 * wherever sharding put them.
 *
 * <p>An inbound message travels top to bottom through this class: {@link ClientFrame#parse} reads
 * and checks it; {@link #handle} answers it in the order of PROTOCOL.md §2 (frame errors,
 * authentication, the {@link TokenBucket}, routing errors, shutdown, field errors) or routes it
 * ({@link #route}); {@link EntityAsks} asks the entity and renders its reply with {@link Frames};
 * the {@link Answer} comes back on the actor's thread and goes out through {@link Outbound}. The
 * hunts this connection follows are its {@link HuntFollows}, fed by the node's {@link HuntFeeds}.
 *
 * <p>A connection speaks for one principal, fixed by its first valid token: a player, a spectator
 * of one hunt or the organiser. Its {@link Authentication} reads the hello and the tokens, counts
 * the player's connections and welcomes it; what a spectator or the organiser may send is its
 * {@link Watcher}'s, what each may see of a hunt's positions its {@link HuntFollow}'s
 * (docs/privacy.md).
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
      permits Inbound,
          InboundDone,
          Answer,
          HuntFollows.Fetched,
          HuntFollows.Paged,
          HuntFollows.Snapshotted,
          HuntFollows.Presenced,
          Outbound.Drained,
          Tick,
          Authentication.Expired,
          Authentication.HelloTimeout,
          ForceStop,
          Shutdown,
          PlayerRoute.Located,
          PlayerRoute.Stopped,
          HuntFeeds.Delivery {}

  /** A client message, from the connection's {@link SessionBridge}. */
  record Inbound(WebSocketFrames.In in) implements Msg {}

  record InboundDone() implements Msg {}

  /**
   * An entity's answer to a command: the frame to send (or null), then what to do next (on the
   * actor's thread); {@code type} and {@code started} time it for the metrics.
   */
  private record Answer(
      ObjectNode frame, EntityAsks.Then then, String type, long started, Object leg)
      implements Msg {}

  private record Tick() implements Msg {}

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
      ArrivalAdmission arrivals,
      PlayerConnections connections,
      Runnable onStop) {}

  /**
   * {@code meter}: counts what waits in {@code out}; the connection's flow counts it down. {@code
   * credit}: given back to the connection's {@link SessionBridge} for every frame taken.
   */
  static Behavior<Msg> create(
      Context node,
      SessionBridge.Credit credit,
      BoundedSourceQueue<WebSocketFrames.Out> out,
      Outbound.Meter meter,
      SharedKillSwitch kill,
      String queryToken,
      Encoding encoding) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new Session(
                        ctx, timers, node, credit, out, meter, kill, queryToken, encoding)));
  }

  private final TimerScheduler<Msg> timers;
  private final Context node;
  private final WsSettings settings;
  private final Metrics metrics;
  private final Outbound outbound;

  /** JSON or CBOR, as the upgrade negotiated (docs/protocol.md §2.1). */
  private final Encoding encoding;

  private final Authentication auth;
  private final EntityAsks entities;
  private final PlayerRoute route;
  private final HuntFollows follows;
  private final TokenBucket bucket;
  private final Violations violations;

  /** This session's location reports admitted node-wide and not answered yet (returned at stop). */
  private final LocationAdmission.Share admitted;

  private long lastInbound = System.nanoTime();
  private int inFlight;

  private final SessionBridge.Credit credit;

  /**
   * Frames taken while {@code max-in-flight} commands waited: their credit is given back as answers
   * come, so a client that pipelines past the limit is not read meanwhile.
   */
  private int heldCredit;

  private ActorRef<Done> shutdownReply;

  private Session(
      ActorContext<Msg> ctx,
      TimerScheduler<Msg> timers,
      Context node,
      SessionBridge.Credit credit,
      BoundedSourceQueue<WebSocketFrames.Out> out,
      Outbound.Meter meter,
      SharedKillSwitch kill,
      String queryToken,
      Encoding encoding) {
    super(ctx);
    this.credit = credit;
    this.encoding = encoding;
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
    this.auth = new Authentication(node, metrics, timers, this::send, this::close);
    this.entities =
        new EntityAsks(
            node.sharding(),
            HuntDirectory.get(ctx.getSystem()),
            node.askTimeout(),
            ctx.getSystem().scheduler(),
            metrics);
    this.route = new PlayerRoute(ctx, entities, settings);
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
            auth::playerId,
            auth::protocol);
    this.bucket = new TokenBucket(settings.ratePerSecond(), settings.burst(), System.nanoTime());
    this.violations = new Violations(settings.maxViolations(), System.nanoTime());
    this.admitted = node.admission().share();
    timers.startTimerWithFixedDelay("heartbeat", new Tick(), settings.heartbeatInterval());
    auth.open(queryToken);
  }

  @Override
  public Receive<Msg> createReceive() {
    return newReceiveBuilder()
        .onMessage(Inbound.class, this::inbound)
        .onMessage(InboundDone.class, d -> Behaviors.stopped())
        .onMessage(Answer.class, this::answer)
        .onMessage(HuntFeeds.Delivery.class, d -> with(() -> follows.deliver(d)))
        .onMessage(HuntFollows.Fetched.class, f -> with(() -> follows.fetched(f)))
        .onMessage(HuntFollows.Paged.class, p -> with(() -> follows.paged(p)))
        .onMessage(Outbound.Drained.class, d -> with(follows::drained))
        .onMessage(HuntFollows.Snapshotted.class, r -> with(() -> follows.snapshotted(r)))
        .onMessage(HuntFollows.Presenced.class, r -> with(() -> follows.presenced(r)))
        .onMessage(PlayerRoute.Located.class, l -> with(() -> route.located(l)))
        .onMessage(PlayerRoute.Stopped.class, s -> with(() -> route.stopped(s)))
        .onMessage(Tick.class, t -> tick())
        .onMessage(Authentication.HelloTimeout.class, t -> with(auth::helloTimeout))
        .onMessage(Authentication.Expired.class, t -> expired())
        .onMessage(Shutdown.class, this::shutdown)
        .onMessage(ForceStop.class, f -> Behaviors.stopped())
        .onSignal(PostStop.class, s -> stopped())
        .build();
  }

  /**
   * The protocol version this connection negotiated in its hello (1 until then): what other parts
   * ask before sending a 1.1 frame.
   */
  Protocol protocol() {
    return auth.protocol();
  }

  // ---------------------------------------------------------------- inbound

  private Behavior<Msg> inbound(Inbound m) {
    lastInbound = System.nanoTime();
    metrics.frameIn();
    if (!outbound.closed()) handle(m.in());
    if (inFlight < settings.maxInFlight()) credit.giveBack();
    else heldCredit++;
    return this;
  }

  /** Answers a frame in the order of PROTOCOL.md §2, or routes it to its command. */
  private void handle(WebSocketFrames.In in) {
    ClientFrame frame =
        ClientFrame.parse(
            in,
            encoding,
            settings.maxFrameBytes(),
            settings.maxClockSkew(),
            System.currentTimeMillis());
    String re = frame.id();
    if (frame instanceof ClientFrame.BadFrame bad && bad.stage() == ClientFrame.Stage.ENVELOPE) {
      if (!auth.authenticated()) auth.unauthorized(re);
      else reject(re, bad.code(), bad.message());
      return;
    }
    if (!auth.authenticated()) {
      if (frame instanceof ClientFrame.Hello hello) auth.hello(hello);
      else auth.unauthorized(re);
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
      auth.hello(hello);
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
    if (violations.count(System.nanoTime()))
      close(1008, "policy violation: too many bad or rate-limited frames");
  }

  // ---------------------------------------------------------------- commands

  /**
   * A location report first passes the node's admission; then {@link EntityAsks} checks that the
   * hunt exists and asks its entity (a resume, once its hunt is found, is served by this
   * connection's {@link HuntFollows}).
   */
  private void route(ClientFrame.Command c) {
    String refusal = auth.refusal(c);
    if (refusal != null) {
      metrics.rejected("forbidden");
      send(Frames.error(c.id(), "forbidden", refusal, null));
      return;
    }
    if (c instanceof ClientFrame.View v) {
      send(follows.view(v)); // served by this node: no entity to ask
      return;
    }
    if (c instanceof ClientFrame.Location && !admitLocation(c.id())) return;
    if (c instanceof ClientFrame.Join && !admitJoin(c.id())) return;
    inFlight++;
    long started = System.nanoTime();
    Object leg = route.leg(c, auth.identity(), started);
    getContext()
        .pipeToSelf(
            entities.ask(c, auth.identity(), leg),
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
                        started,
                        leg)
                    : new Answer(reply.frame(), reply.then(), c.type(), started, leg));
  }

  /**
   * Sheds a report before it reaches an entity when the node is past what it can persist ({@link
   * LocationAdmission}). Not the client's fault: no violation; the same id may be sent again.
   */
  private boolean admitLocation(String re) {
    if (admitted.tryAdmit()) return true;
    metrics.rejected("overloaded");
    send(
        Frames.error(
            re,
            "overloaded",
            "this node is saturated; send a newer fix after retryAfterMs",
            node.admission().retryAfterMs()));
    return false;
  }

  /**
   * A join waits its turn while the players already in wait for their acks ({@link
   * ArrivalAdmission}); the same id may be sent again after {@code retryAfterMs}.
   */
  private boolean admitJoin(String re) {
    long retryAfterMs = node.arrivals().tryAdmit(System.nanoTime());
    if (retryAfterMs == 0) return true;
    metrics.rejected("overloaded");
    send(
        Frames.error(
            re,
            "overloaded",
            "this node is busy with the players already in; join again after retryAfterMs",
            retryAfterMs));
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
    route.answered(a.leg());
    if ("location".equals(a.type())) admitted.answered();
    if (a.type() != null) metrics.command(a.type(), a.started());
    if (a.frame() != null) send(a.frame());
    if (a.then() instanceof EntityAsks.Resume r && !outbound.closed()) resume(r.command());
    else if (a.then() instanceof EntityAsks.Follow f && !outbound.closed())
      follows.follow(f.hunt(), f.sight(), f.from(), f.joined());
    else if (a.then() instanceof EntityAsks.Unfollow u && !outbound.closed())
      follows.unfollow(u.hunt());
    if (heldCredit > 0 && inFlight < settings.maxInFlight()) {
      heldCredit--;
      credit.giveBack();
    }
    if (shutdownReply != null && inFlight == 0) finishShutdown();
    return this;
  }

  // ---------------------------------------------------------------- output and lifecycle

  /** A frame of this connection only: rendered in its encoding, once. */
  private void send(ObjectNode frame) {
    if (!outbound.send(encoding.render(frame))) dropped();
  }

  /** A frame shared with other connections: rendered once per encoding for all of them. */
  private void send(ServerFrame frame) {
    if (!outbound.send(frame.in(encoding))) dropped();
  }

  /** Runs {@code action} and stays this behavior. */
  private Behavior<Msg> with(Runnable action) {
    action.run();
    return this;
  }

  /** The client stopped reading and its buffer is full: the connection was dropped. */
  private void dropped() {
    getContext().getLog().info("closing connection of {}: the client does not read", auth.who());
    timers.startSingleTimer(new ForceStop(), Duration.ofSeconds(1));
  }

  private void close(int code, String reason) {
    if (outbound.closed()) return;
    if (!outbound.close(code, reason)) dropped();
    // the stream ends once the close handshake is done; stop anyway if it never is
    timers.startSingleTimer(new ForceStop(), Duration.ofSeconds(10));
  }

  private Behavior<Msg> tick() {
    if (outbound.closed()) return this;
    long now = System.nanoTime();
    if (now - lastInbound > settings.idleTimeout().toNanos()) close(1001, "idle timeout");
    // a ping only after half an interval without any frame to the client: at most 1.5 intervals of
    // silence (30 s by default), and none of the pings a busy connection never needed
    else if (!outbound.heartbeat(now, settings.heartbeatInterval().toNanos() / 2)) dropped();
    return this;
  }

  /** A spectator's invitation ended, unless the connection is closing already. */
  private Behavior<Msg> expired() {
    if (!outbound.closed()) auth.expired();
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
    auth.stop();
    admitted.release();
    follows.stop();
    outbound.complete();
    if (shutdownReply != null) shutdownReply.tell(Done.getInstance());
    node.onStop().run();
    return this;
  }
}
