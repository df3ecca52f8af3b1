package treasurehunt.gateway;

import static treasurehunt.gateway.ApiErrors.failOn;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Problem;
import treasurehunt.game.Text;
import treasurehunt.gateway.ApiErrors.ApiError;

/**
 * {@code POST /api/hunts/{id}/spectators} (docs/privacy.md): the organiser invites a spectator to
 * one hunt with a spectator token that expires.
 */
final class SpectatorLinks extends ApiDirectives {

  private static final Logger log = LoggerFactory.getLogger(SpectatorLinks.class);

  /** A spectator token's lifetime when the organiser names none, and the longest it may name. */
  static final Duration SPECTATOR_TTL = Duration.ofHours(24),
      MAX_SPECTATOR_TTL = Duration.ofDays(30);

  private final Tokens tokens;

  SpectatorLinks(
      ActorSystem<?> system, GatewaySettings settings, Tokens tokens, String adminToken) {
    super(system, settings, adminToken);
    this.tokens = tokens;
  }

  /** The route, under /api. */
  Route route() {
    return pathPrefix(
        "hunts",
        () ->
            pathPrefix(
                PathMatchers.segment(),
                id ->
                    path(
                        "spectators",
                        () -> post(() -> admin(() -> existing(id, () -> spectator(id)))))));
  }

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
                "label: 1 to " + Text.MAX_NAME + " printable characters");
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
        && s.length() <= Text.MAX_NAME
        && s.chars().noneMatch(Character::isISOControl);
  }
}
