package treasurehunt.gateway;

import static treasurehunt.gateway.ApiErrors.failOn;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Problem;
import treasurehunt.game.HuntDefinition;
import treasurehunt.gateway.ApiErrors.ApiError;

/**
 * The hunts of PROTOCOL.md §1: the organiser creates, starts and ends one; anyone reads its public
 * view and leaderboard.
 */
final class HuntRoutes extends ApiDirectives {
  private static final int MAX_LEADERBOARD = 1_000;

  HuntRoutes(ActorSystem<?> system, GatewaySettings settings, String adminToken) {
    super(system, settings, adminToken);
  }

  /** The routes, under /api. */
  Route route() {
    return pathPrefix(
        "hunts",
        () ->
            concat(
                pathEndOrSingleSlash(() -> post(() -> admin(this::createHunt))),
                pathPrefix(
                    PathMatchers.segment(),
                    id ->
                        concat(
                            pathEndOrSingleSlash(() -> get(() -> view(id))),
                            path("start", () -> post(() -> admin(() -> startOrEnd(id, true)))),
                            path("end", () -> post(() -> admin(() -> startOrEnd(id, false)))),
                            path("leaderboard", () -> get(() -> leaderboard(id)))))));
  }

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
                      (ActorRef<Hunt.ViewReply> r) -> start ? new Hunt.Start(r) : new Hunt.End(r),
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
                      (ActorRef<Hunt.LeaderboardReply> r) -> new Hunt.GetLeaderboard(limit, r),
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
}
