package treasurehunt.gateway;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.event.Logging;
import akka.event.LoggingAdapter;
import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.ws.WebSocketUpgrade;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.stream.KillSwitches;
import akka.stream.SharedKillSwitch;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import treasurehunt.entities.HuntCatalog;
import treasurehunt.metrics.Metrics;

/**
 * {@code GET /ws}: upgrades to a WebSocket and runs one {@link Session} per connection. Enforces
 * the node's connection cap ({@code overloaded}, closed with 1013), holds the count of each
 * player's connections that the sessions keep within their cap ({@link PlayerConnections}) and, at
 * shutdown, lets every session finish its in-flight commands and close with 1001 before the HTTP
 * server stops.
 */
public final class WebSocketGateway extends AllDirectives {

  private final ActorSystem<?> system;
  private final WsSettings settings;
  private final Session.Context sessionContext;
  private final WebSocketFrames.Stack frames;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong counter = new AtomicLong();
  private final Set<ActorRef<Session.Msg>> sessions = ConcurrentHashMap.newKeySet();

  /** {@code adminToken}: lets the organiser open a watching connection (docs/privacy.md). */
  public WebSocketGateway(
      ActorSystem<?> system,
      WsSettings settings,
      Tokens tokens,
      String adminToken,
      Duration askTimeout) {
    this.system = system;
    this.settings = settings;
    LoggingAdapter log =
        Logging.getLogger(Adapter.toClassic(system), "treasurehunt.gateway.WebSocket");
    this.frames = new WebSocketFrames.Stack(log);
    LocationAdmission admission =
        new LocationAdmission(settings.maxLocationsInFlight(), settings.retryAfter().toMillis());
    this.sessionContext =
        new Session.Context(
            settings,
            tokens,
            adminToken,
            ClusterSharding.get(system),
            HuntFeeds.get(system),
            HuntCatalog.get(system),
            new JournalStream(system, settings),
            askTimeout,
            admission,
            new ArrivalAdmission(
                admission,
                settings.arrivalsBusyInFlight(),
                settings.arrivalsPerSecond(),
                settings.arrivalsBurst(),
                settings.retryAfter().toMillis(),
                System.nanoTime()),
            new PlayerConnections(settings.connectionsPerPlayer()),
            null);
    Gauge.builder(
            "th.ws.locations.in.flight", sessionContext.admission(), LocationAdmission::inFlight)
        .description(
            "Location reports from this node's sessions waiting for their Player entities (admission limit: treasure-hunt.ws.max-locations-in-flight)")
        .register(Metrics.get(system).registry());
    Gauge.builder("th.ws.connections", connections, AtomicInteger::get)
        .description("WebSocket connections open on this node")
        .register(Metrics.get(system).registry());
    ClientFrame.prepare();
    CoordinatedShutdown.get(Adapter.toClassic(system))
        .addTask(CoordinatedShutdown.PhaseServiceUnbind(), "close-websockets", this::closeAll);
  }

  /**
   * The node's count of location reports waiting for their Player entities: the load that decides
   * whether arrivals are paced ({@link ArrivalAdmission}).
   */
  public LocationAdmission admission() {
    return sessionContext.admission();
  }

  /** Connections open on this node now. */
  public int connections() {
    return connections.get();
  }

  public Route route() {
    return path(
        "ws",
        () ->
            get(
                () ->
                    parameterOptional(
                        "token",
                        token ->
                            extractRequest(
                                request ->
                                    request
                                        .getAttribute(AttributeKeys.webSocketUpgrade)
                                        .map(up -> complete(connection(up, token.orElse(null))))
                                        .orElseGet(
                                            () ->
                                                complete(
                                                    ApiErrors.errorResponse(
                                                        StatusCodes.BAD_REQUEST,
                                                        "bad_request",
                                                        "GET /ws expects a WebSocket upgrade")))))));
  }

  /**
   * Accepts the upgrade with a new session, or refuses it past the node's connection cap or while
   * the node is busy with the players already in ({@link ArrivalAdmission}).
   */
  private HttpResponse connection(WebSocketUpgrade upgrade, String token) {
    long wait = sessionContext.arrivals().tryAdmit(System.nanoTime());
    if (wait > 0)
      return refuse(
          upgrade, "this node is busy with the players already in; connect again later", wait);
    if (connections.incrementAndGet() > settings.maxConnections()) {
      connections.decrementAndGet();
      return refuse(
          upgrade,
          "this node holds its maximum of connections; try another node",
          settings.retryAfter().toMillis());
    }
    Encoding.Choice encoding = Encoding.negotiate(upgrade.getRequestedProtocols());
    long n = counter.incrementAndGet();
    // the session's frames wait in this queue, which the connection's own stage reads
    // (SessionBridge)
    SessionBridge.Outbox queue = new SessionBridge.Outbox(settings.outboundBuffer());
    SharedKillSwitch kill = KillSwitches.shared("ws-" + n);
    Outbound.Meter meter = new Outbound.Meter();
    ActorRef<Session.Msg>[] self = new ActorRef[1];
    Session.Context ctx =
        new Session.Context(
            sessionContext.settings(),
            sessionContext.tokens(),
            sessionContext.adminToken(),
            sessionContext.sharding(),
            sessionContext.feeds(),
            sessionContext.catalog(),
            sessionContext.journal(),
            sessionContext.askTimeout(),
            sessionContext.admission(),
            sessionContext.arrivals(),
            sessionContext.connections(),
            () -> {
              connections.decrementAndGet();
              if (self[0] != null) sessions.remove(self[0]);
            });
    SessionBridge.Credit credit = new SessionBridge.Credit();
    ActorRef<Session.Msg> session =
        system.systemActorOf(
            Session.create(ctx, credit, queue, meter, kill, token, encoding.encoding()),
            "ws-" + n,
            Props.empty());
    self[0] = session;
    sessions.add(session);
    SessionBridge bridge =
        new SessionBridge(
            session, credit, queue, meter, settings.maxFrameBytes(), WebSocketFrames.CLOSE_TIMEOUT);
    return WebSocketFrames.upgrade(upgrade, encoding.subprotocol(), bridge, frames, kill);
  }

  /** An upgrade that only says {@code overloaded} (with {@code retryAfterMs}) and closes 1013. */
  private HttpResponse refuse(WebSocketUpgrade upgrade, String message, long retryAfterMs) {
    Encoding.Choice encoding = Encoding.negotiate(upgrade.getRequestedProtocols());
    WebSocketFrames.Send error =
        encoding.encoding().render(Frames.error(null, "overloaded", message, retryAfterMs));
    SessionBridge.Outbox last = new SessionBridge.Outbox(2);
    last.offer(error);
    last.offer(new WebSocketFrames.Close(1013, "overloaded"));
    SessionBridge bridge =
        new SessionBridge(
            null,
            new SessionBridge.Credit(),
            last,
            new Outbound.Meter(),
            settings.maxFrameBytes(),
            WebSocketFrames.CLOSE_TIMEOUT);
    return WebSocketFrames.upgrade(upgrade, encoding.subprotocol(), bridge, frames);
  }

  /** Shutdown: every session finishes its in-flight commands, then closes with 1001. */
  private CompletionStage<Done> closeAll() {
    Duration grace = settings.shutdownGrace();
    CompletableFuture<?>[] all =
        sessions.stream()
            .map(
                s ->
                    AskPattern.<Session.Msg, Done>ask(
                            s, Session.Shutdown::new, grace, system.scheduler())
                        .exceptionally(e -> Done.getInstance())
                        .toCompletableFuture())
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all).thenApply(v -> Done.getInstance());
  }
}
