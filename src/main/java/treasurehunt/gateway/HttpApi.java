package treasurehunt.gateway;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;

/**
 * The HTTP API of PROTOCOL.md §1, one group of routes per file: {@link Registration} (players),
 * {@link HuntRoutes} (hunts: create, start, end, public view, leaderboard) and {@link
 * SpectatorLinks} (the organiser's spectator invitations, docs/privacy.md). Routes are thin: parse
 * and check the request, ask the entity, map the reply ({@link ApiDirectives}). Every failure
 * answers {@code {"error": {"code", "message"}}} with the matching status ({@link ApiErrors}), and
 * a rejected request persists nothing.
 */
public final class HttpApi extends AllDirectives {

  private final Registration registration;
  private final HuntRoutes hunts;
  private final SpectatorLinks spectatorLinks;

  public HttpApi(
      ActorSystem<?> system, GatewaySettings settings, Tokens tokens, String adminToken) {
    this.registration = new Registration(system, settings, tokens, adminToken);
    this.hunts = new HuntRoutes(system, settings, adminToken);
    this.spectatorLinks = new SpectatorLinks(system, settings, tokens, adminToken);
  }

  /**
   * The API under /api, plus {@code more} routes (the WebSocket endpoint), with JSON errors for
   * all. A new group of routes is one more entry here.
   */
  public Route route(Route... more) {
    Route api =
        pathPrefix(
            "api", () -> concat(registration.route(), hunts.route(), spectatorLinks.route()));
    return ApiErrors.handled(() -> concat(api, more));
  }
}
