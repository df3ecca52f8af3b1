package treasurehunt.gateway;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.RemoteAddress;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.http.scaladsl.model.EntityStreamSizeException;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.duration.FiniteDuration;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Player;
import treasurehunt.entities.Problem;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.RateLimit;
import treasurehunt.game.Text;

/**
 * The organiser HTTP API of PROTOCOL.md §1: players, hunts, start, end, public view, leaderboard,
 * and the organiser's spectator invitations (docs/privacy.md). Routes are thin: parse and check the
 * request, ask the entity, map the reply. Every failure answers {@code {"error": {"code",
 * "message"}}} with the matching status, and a rejected request persists nothing. A route naming a
 * hunt asks the node's {@link HuntDirectory} first: a hunt that was never created is {@code 404}
 * without its entity ever being started.
 */
public final class HttpApi extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final int MAX_NAME = Text.MAX_NAME;
  private static final int MAX_LEADERBOARD = 1_000;

  /** A spectator token's lifetime when the organiser names none, and the longest it may name. */
  static final Duration SPECTATOR_TTL = Duration.ofHours(24),
      MAX_SPECTATOR_TTL = Duration.ofDays(30);

  private final ClusterSharding sharding;
  private final HuntDirectory directory;
  private final GatewaySettings settings;
  private final Tokens tokens;
  private final byte[] adminToken;

  /**
   * Registrations per client address and minute, on this node ({@link ClientAddress};
   * treasure-hunt.limits.registrations-per-minute). Routes run on many threads: used under its
   * lock, a few map operations per registration.
   */
  private final RateLimit<String> registrations;

  public HttpApi(
      ActorSystem<?> system, GatewaySettings settings, Tokens tokens, String adminToken) {
    this.sharding = ClusterSharding.get(system);
    this.directory = HuntDirectory.get(system);
    this.settings = settings;
    this.tokens = tokens;
    this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
    this.registrations = new RateLimit<>(settings.registrationsPerMinute(), 60_000, 100_000);
  }

  /** Thrown inside a route to answer with an error body. */
  static final class ApiError extends RuntimeException {
    final StatusCode status;
    final String code;

    ApiError(StatusCode status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  /**
   * The API under /api, plus {@code more} routes (the WebSocket endpoint), with JSON errors for
   * all.
   */
  public Route route(Route... more) {
    Route api =
        pathPrefix(
            "api",
            () ->
                concat(
                    path("players", () -> post(this::createPlayer)),
                    pathPrefix("hunts", this::hunts)));
    return handleExceptions(
        exceptions(), () -> handleRejections(rejections(), () -> concat(api, more)));
  }

  private Route hunts() {
    return concat(
        pathEndOrSingleSlash(() -> post(() -> admin(this::createHunt))),
        pathPrefix(
            PathMatchers.segment(),
            id ->
                concat(
                    pathEndOrSingleSlash(() -> get(() -> view(id))),
                    path("start", () -> post(() -> admin(() -> startOrEnd(id, true)))),
                    path("end", () -> post(() -> admin(() -> startOrEnd(id, false)))),
                    path(
                        "spectators",
                        () -> post(() -> admin(() -> existing(id, () -> spectator(id))))),
                    path("leaderboard", () -> get(() -> leaderboard(id))))));
  }

  // ---- players

  private record NameBody(String name) {}

  /**
   * Registration: within the client address's registrations a minute (429 with Retry-After, before
   * the body is read), then a name as {@link Text#name} keeps it.
   */
  private Route createPlayer() {
    if (!settings.openRegistration())
      throw new ApiError(
          StatusCodes.FORBIDDEN, "forbidden", "registration is switched off on this node");
    return extractRequest(
        request -> {
          long wait = registrationWait(request);
          if (wait > 0)
            return complete(
                errorResponse(
                        StatusCodes.TOO_MANY_REQUESTS,
                        Problem.RATE_LIMITED,
                        "more than "
                            + settings.registrationsPerMinute()
                            + " registrations a minute from this address")
                    .addHeader(RetryAfter.create((wait + 999) / 1000)));
          return register();
        });
  }

  /** 0, or how long the request's client address must wait for its next registration. */
  private long registrationWait(HttpRequest request) {
    if (!registrations.limits()) return 0;
    String client =
        ClientAddress.key(
            request.getAttribute(AttributeKeys.remoteAddress).flatMap(RemoteAddress::getAddress),
            request.getHeader("X-Forwarded-For").map(HttpHeader::value),
            settings.trustForwardedFor());
    synchronized (registrations) {
      return registrations.take(client, System.currentTimeMillis());
    }
  }

  private Route register() {
    return body(
        NameBody.class,
        body -> {
          String name = Text.name(body.name());
          if (name == null)
            throw new ApiError(
                StatusCodes.BAD_REQUEST,
                Problem.BAD_REQUEST,
                "name: 1 to " + MAX_NAME + " printable characters");
          String playerId = Ids.random("p");
          CompletionStage<Player.Profile> reply =
              player(playerId)
                  .ask(replyTo -> new Player.Register(name, replyTo), settings.askTimeout());
          return onSuccess(
              reply,
              profile -> {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("playerId", playerId);
                out.put("name", profile.name());
                out.put("token", tokens.mint(playerId, profile.name()));
                return json(StatusCodes.CREATED, out);
              });
        });
  }

  // ---- spectators (docs/privacy.md)

  private record SpectatorBody(Long ttlSeconds, String label) {}

  /**
   * A spectator token for one hunt: whoever holds it may watch the hunt with everyone's exact
   * positions until it expires. The hunt must exist; the body is optional.
   */
  private Route spectator(String id) {
    checkId(id);
    return optionalBody(
        SpectatorBody.class,
        new SpectatorBody(null, null),
        body -> {
          long ttl = body.ttlSeconds() == null ? SPECTATOR_TTL.toSeconds() : body.ttlSeconds();
          if (ttl < 1 || ttl > MAX_SPECTATOR_TTL.toSeconds())
            throw new ApiError(
                StatusCodes.BAD_REQUEST,
                Problem.BAD_REQUEST,
                "ttlSeconds: an integer from 1 to " + MAX_SPECTATOR_TTL.toSeconds());
          String label = body.label() == null ? "spectator" : body.label().strip();
          if (!printable(label))
            throw new ApiError(
                StatusCodes.BAD_REQUEST,
                Problem.BAD_REQUEST,
                "label: 1 to " + MAX_NAME + " printable characters");
          return onSuccess(
              hunt(id).ask(Hunt.GetView::new, settings.askTimeout()),
              r -> {
                failOn(r.problem());
                Tokens.SpectatorToken minted =
                    tokens.mintSpectator(id, label, Duration.ofSeconds(ttl));
                log.info(
                    "spectator token {} minted for hunt {}, label {}, expires at {}",
                    minted.spectator().spectatorId(),
                    id,
                    label,
                    minted.spectator().expiresAt());
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("token", minted.token());
                out.put("spectatorId", minted.spectator().spectatorId());
                out.put("hunt", id);
                out.put("label", label);
                out.put("expiresAt", minted.spectator().expiresAt());
                return json(StatusCodes.CREATED, out);
              });
        });
  }

  private static boolean printable(String s) {
    return s != null
        && !s.isEmpty()
        && s.length() <= MAX_NAME
        && s.chars().noneMatch(Character::isISOControl);
  }

  // ---- hunts

  private Route createHunt() {
    return body(
        HuntBody.class,
        body -> {
          String id = body.huntId() == null ? Ids.random("h") : body.huntId();
          if (!Ids.valid(id))
            throw new ApiError(
                StatusCodes.BAD_REQUEST,
                Problem.BAD_REQUEST,
                "huntId: 1 to 64 characters from [A-Za-z0-9_.-]");
          List<String> problems = new ArrayList<>();
          HuntDefinition definition = body.toDefinition(id, problems);
          if (definition != null) problems.addAll(definition.problems());
          if (!problems.isEmpty())
            throw new ApiError(
                StatusCodes.BAD_REQUEST, Problem.BAD_REQUEST, String.join("; ", problems));
          return onSuccess(
              hunt(id)
                  .<Hunt.ViewReply>ask(
                      replyTo -> new Hunt.Define(definition, replyTo), settings.askTimeout()),
              reply -> {
                // Stored (or there before: 409): every node's directory learns it before the
                // answer, so the hunt is found through any node as soon as the client has it.
                if (reply.problem() != null && !Problem.CONFLICT.equals(reply.problem().code()))
                  failOn(reply.problem());
                return onSuccess(
                    directory.created(id),
                    done -> {
                      failOn(reply.problem());
                      return json(StatusCodes.CREATED, Map.of("huntId", id));
                    });
              });
        });
  }

  private Route startOrEnd(String id, boolean start) {
    return existing(
        id,
        () -> {
          CompletionStage<Hunt.ViewReply> reply =
              hunt(id)
                  .ask(
                      (akka.actor.typed.ActorRef<Hunt.ViewReply> r) ->
                          start ? new Hunt.Start(r) : new Hunt.End(r),
                      settings.askTimeout());
          return onSuccess(reply, r -> json(StatusCodes.OK, failOn(r.problem(), r.view())));
        });
  }

  private Route view(String id) {
    return existing(
        id,
        () ->
            onSuccess(
                hunt(id).ask(Hunt.GetView::new, settings.askTimeout()),
                r -> json(StatusCodes.OK, failOn(r.problem(), r.view()))));
  }

  private Route leaderboard(String id) {
    return existing(id, () -> leaderboardOf(id));
  }

  private Route leaderboardOf(String id) {
    return parameterOptional(
        "limit",
        limitParam -> {
          int limit = parseLimit(limitParam);
          return onSuccess(
              hunt(id)
                  .ask(
                      (akka.actor.typed.ActorRef<Hunt.LeaderboardReply> r) ->
                          new Hunt.GetLeaderboard(limit, r),
                      settings.askTimeout()),
              r -> {
                failOn(r.problem());
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("hunt", r.hunt());
                out.put("entries", r.entries());
                return json(StatusCodes.OK, out);
              });
        });
  }

  private static int parseLimit(Optional<String> param) {
    if (param.isEmpty()) return 10;
    try {
      int limit = Integer.parseInt(param.get());
      if (limit >= 1 && limit <= MAX_LEADERBOARD) return limit;
    } catch (NumberFormatException ignored) {
      // answered below
    }
    throw new ApiError(
        StatusCodes.BAD_REQUEST,
        Problem.BAD_REQUEST,
        "limit: an integer from 1 to " + MAX_LEADERBOARD);
  }

  // ---- helpers

  private EntityRef<Hunt.Command> hunt(String id) {
    return sharding.entityRefFor(Hunt.ENTITY_KEY, id);
  }

  private EntityRef<Player.Command> player(String id) {
    return sharding.entityRefFor(Player.ENTITY_KEY, id);
  }

  private static void checkId(String id) {
    if (!Ids.valid(id))
      throw new ApiError(StatusCodes.NOT_FOUND, Problem.NOT_FOUND, "no hunt " + abbreviate(id));
  }

  /** {@code inner} for a hunt that exists; 404 (its entity untouched) for one never created. */
  private Route existing(String id, Supplier<Route> inner) {
    checkId(id);
    return onSuccess(
        directory.exists(id),
        exists -> {
          if (!exists)
            throw new ApiError(StatusCodes.NOT_FOUND, Problem.NOT_FOUND, "no hunt " + id);
          return inner.get();
        });
  }

  private static String abbreviate(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }

  private static void failOn(Problem problem) {
    if (problem != null)
      throw new ApiError(status(problem.code()), problem.code(), problem.message());
  }

  private static <T> T failOn(Problem problem, T value) {
    failOn(problem);
    return value;
  }

  /** The HTTP status of an entity's problem code. */
  static StatusCode status(String code) {
    return switch (code) {
      case Problem.NOT_FOUND -> StatusCodes.NOT_FOUND;
      case Problem.CONFLICT, Problem.HUNT_NOT_LIVE, Problem.HUNT_FULL -> StatusCodes.CONFLICT;
      case Problem.UNAVAILABLE -> StatusCodes.SERVICE_UNAVAILABLE;
      default -> StatusCodes.BAD_REQUEST;
    };
  }

  private Route admin(Supplier<Route> inner) {
    return optionalHeaderValueByName(
        "Authorization",
        header -> {
          String given =
              header
                  .filter(h -> h.startsWith("Bearer "))
                  .map(h -> h.substring(7).trim())
                  .orElse(null);
          if (given == null)
            throw new ApiError(
                StatusCodes.UNAUTHORIZED,
                "unauthorized",
                "organiser endpoints need Authorization: Bearer <admin token>");
          if (!MessageDigest.isEqual(adminToken, given.getBytes(StandardCharsets.UTF_8)))
            throw new ApiError(StatusCodes.UNAUTHORIZED, "unauthorized", "wrong admin token");
          return inner.get();
        });
  }

  /** Reads a JSON body of at most max-body-bytes into {@code type}. */
  private <T> Route body(Class<T> type, Function<T, Route> inner) {
    return optionalBody(type, null, inner);
  }

  /** As {@link #body}; an empty body is {@code absent} (null: a body is required). */
  private <T> Route optionalBody(Class<T> type, T absent, Function<T, Route> inner) {
    return withSizeLimit(
        settings.maxBodyBytes(),
        () ->
            extractStrictEntity(
                FiniteDuration.create(5, TimeUnit.SECONDS),
                settings.maxBodyBytes(),
                entity -> {
                  String text = entity.getData().utf8String();
                  if (text.isBlank() && absent != null) return inner.apply(absent);
                  if (text.isBlank())
                    throw new ApiError(
                        StatusCodes.BAD_REQUEST, Problem.BAD_REQUEST, "a JSON body is required");
                  T value;
                  try {
                    value = Json.MAPPER.readValue(text, type);
                  } catch (JsonProcessingException e) {
                    throw new ApiError(
                        StatusCodes.BAD_REQUEST, Problem.BAD_REQUEST, Json.describe(e));
                  }
                  if (value == null)
                    throw new ApiError(
                        StatusCodes.BAD_REQUEST,
                        Problem.BAD_REQUEST,
                        "the body must be a JSON object");
                  return inner.apply(value);
                }));
  }

  private Route json(StatusCode status, Object value) {
    return complete(status, value, Jackson.marshaller(Json.MAPPER));
  }

  static HttpResponse errorResponse(StatusCode status, String code, String message) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", message);
    byte[] body;
    try {
      body = Json.MAPPER.writeValueAsBytes(Map.of("error", error));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(ApiError.class, e -> complete(errorResponse(e.status, e.code, e.getMessage())))
        .match(CompletionException.class, e -> complete(fromThrowable(e.getCause())))
        .matchAny(e -> complete(fromThrowable(e)))
        .build();
  }

  private static HttpResponse fromThrowable(Throwable e) {
    if (e instanceof ApiError a) return errorResponse(a.status, a.code, a.getMessage());
    if (e instanceof EntityStreamSizeException)
      return errorResponse(
          StatusCodes.PAYLOAD_TOO_LARGE, "too_large", "the body is larger than the limit");
    if (e instanceof akka.http.scaladsl.model.IllegalRequestException ire) {
      // Akka HTTP's own verdict on the request (e.g. a body over the limit while made strict).
      int status = ire.status().intValue();
      String code =
          status == 413 || ire.getMessage().contains("too large")
              ? "too_large"
              : Problem.BAD_REQUEST;
      return errorResponse(
          status == 413 || code.equals("too_large")
              ? StatusCodes.PAYLOAD_TOO_LARGE
              : StatusCodes.BAD_REQUEST,
          code,
          ire.info().summary());
    }
    if (e instanceof TimeoutException)
      return errorResponse(
              StatusCodes.SERVICE_UNAVAILABLE,
              Problem.UNAVAILABLE,
              "the entity did not answer in time; retry")
          .addHeader(RetryAfter.create(1L));
    log.error("request failed", e);
    return errorResponse(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "internal error");
  }

  /** Akka HTTP's own rejections (unknown path, wrong method, size), wrapped in the error body. */
  static RejectionHandler rejections() {
    return RejectionHandler.defaultHandler()
        .mapRejectionResponse(
            response -> {
              int status = response.status().intValue();
              String code =
                  switch (status) {
                    case 404 -> Problem.NOT_FOUND;
                    case 401 -> "unauthorized";
                    case 403 -> "forbidden";
                    case 413 -> "too_large";
                    case 503 -> Problem.UNAVAILABLE;
                    default -> status >= 500 ? "internal" : Problem.BAD_REQUEST;
                  };
              String message =
                  response.entity() instanceof HttpEntity.Strict s
                      ? s.getData().utf8String()
                      : response.status().reason();
              return errorResponse(response.status(), code, message);
            });
  }
}
