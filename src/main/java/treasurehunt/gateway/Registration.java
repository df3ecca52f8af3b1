package treasurehunt.gateway;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.RemoteAddress;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.server.Route;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import treasurehunt.entities.Player;
import treasurehunt.entities.Problem;
import treasurehunt.game.RateLimit;
import treasurehunt.game.Text;
import treasurehunt.gateway.ApiErrors.ApiError;

/**
 * {@code POST /api/players} (PROTOCOL.md §1): a player registers with a name and gets a player
 * token. Open registration can be switched off per node, and each client address may register a few
 * players a minute.
 */
final class Registration extends ApiDirectives {

  private final Tokens tokens;

  /**
   * Registrations per client address and minute, on this node ({@link ClientAddress};
   * treasure-hunt.limits.registrations-per-minute). Routes run on many threads: used under its
   * lock, a few map operations per registration.
   */
  private final RateLimit<String> registrations;

  Registration(ActorSystem<?> system, GatewaySettings settings, Tokens tokens, String adminToken) {
    super(system, settings, adminToken);
    this.tokens = tokens;
    this.registrations = new RateLimit<>(settings.registrationsPerMinute(), 60_000, 100_000);
  }

  /** The route, under /api. */
  Route route() {
    return path("players", () -> post(this::createPlayer));
  }

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
                ApiErrors.errorResponse(
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
                "name: 1 to " + Text.MAX_NAME + " printable characters");
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
}
