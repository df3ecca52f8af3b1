package treasurehunt.gateway;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.Cluster;
import akka.cluster.Member;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import treasurehunt.entities.EngineDb;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Problem;

/**
 * What the browser pages need beyond the organiser API of {@link HttpApi} (issue 12):
 *
 * <ul>
 *   <li>{@code GET /api/hunts} — organiser: every hunt (the 1,000 created last), newest first, each
 *       with its status, players joined now, treasure count, area and creation time.
 *   <li>{@code GET /api/live-hunts} — anyone, unless {@code TH_LIST_LIVE_HUNTS=off}: the live ones
 *       (id, name, players, area), for the player page's picker. Computed at most once every 3 s
 *       whoever asks, so it costs a node the same under a crowd.
 *   <li>{@code GET /api/cluster} — organiser: the members and, per entity type, each node's shards
 *       and entities (what the operator's {@code /cluster/members} and {@code /shards} show on the
 *       management port, which binds the cluster host only; the console reaches the node's HTTP
 *       port, so the same facts are served here behind the same admin token).
 * </ul>
 *
 * <p>Which hunts exist is read from the journal by {@link HuntIndex} (a bounded walk after the
 * first). Each hunt's status and players come from its entity (hunt entities are remembered, so
 * asking one starts nothing that was not running), eight at a time.
 */
public final class ConsoleApi extends ApiDirectives {
  static final int MAX_HUNTS = 1_000;
  private static final long LIVE_LIST_EVERY_MS = 3_000;

  private final ActorSystem<?> system;
  private final boolean listLiveHunts;
  private final Supplier<CompletionStage<Map<String, Object>>> shards;
  private final HuntIndex index;

  private CompletableFuture<List<Map<String, Object>>> liveList;
  private long liveListAt;

  public ConsoleApi(
      ActorSystem<?> system,
      GatewaySettings settings,
      String adminToken,
      boolean listLiveHunts,
      Supplier<CompletionStage<Map<String, Object>>> shards) {
    super(system, settings, adminToken);
    this.system = system;
    this.index = new HuntIndex(EngineDb.get(system), MAX_HUNTS);
    this.listLiveHunts = listLiveHunts;
    this.shards = shards;
  }

  public Route route() {
    // Path before method: a POST to a path that is not the API's stays a 404.
    return pathPrefix(
        "api",
        () ->
            concat(
                path("hunts", () -> get(() -> admin(this::hunts))),
                path("cluster", () -> get(() -> admin(this::cluster))),
                path("live-hunts", () -> get(this::liveHunts))));
  }

  private Route hunts() {
    return onSuccess(
        allHunts(),
        list -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("hunts", list);
          out.put("truncated", list.size() >= MAX_HUNTS);
          return json(StatusCodes.OK, out);
        });
  }

  private Route liveHunts() {
    if (!listLiveHunts)
      throw new ApiErrors.ApiError(
          StatusCodes.NOT_FOUND, Problem.NOT_FOUND, "the list of live hunts is switched off");
    return onSuccess(liveList(), list -> json(StatusCodes.OK, Map.of("hunts", list)));
  }

  private synchronized CompletionStage<List<Map<String, Object>>> liveList() {
    long now = System.currentTimeMillis();
    if (liveList == null
        || (liveList.isDone() && now - liveListAt > LIVE_LIST_EVERY_MS)
        || liveList.isCompletedExceptionally()) {
      liveListAt = now;
      liveList =
          allHunts()
              .thenApply(
                  all ->
                      all.stream()
                          .filter(h -> "live".equals(h.get("status")))
                          .map(
                              h -> {
                                Map<String, Object> m = new LinkedHashMap<>();
                                for (String k : List.of("huntId", "name", "players", "area"))
                                  m.put(k, h.get(k));
                                return m;
                              })
                          .collect(Collectors.toList()))
              .toCompletableFuture();
    }
    return liveList;
  }

  /** The hunts created last (at most {@link #MAX_HUNTS}), newest first, with their views. */
  CompletionStage<List<Map<String, Object>>> allHunts() {
    CompletionStage<List<HuntIndex.Created>> ids = index.newest();
    return ids.thenCompose(
        list ->
            Source.from(list)
                .mapAsync(8, this::describe)
                .runWith(Sink.seq(), system)
                .thenApply(l -> (List<Map<String, Object>>) new ArrayList<>(l)));
  }

  /** One hunt's row; a hunt that does not answer in time is listed with status null. */
  private CompletionStage<Map<String, Object>> describe(HuntIndex.Created created) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("huntId", created.huntId());
    return hunt(created.huntId())
        .ask(Hunt.GetView::new, settings.askTimeout())
        .handle(
            (reply, failure) -> {
              Hunt.View v = failure == null && reply.problem() == null ? reply.view() : null;
              row.put("name", v == null ? null : v.name());
              row.put("status", v == null ? null : v.status());
              row.put("players", v == null ? null : v.players());
              row.put("treasures", v == null ? null : v.treasures().size());
              row.put("area", v == null ? null : v.area());
              row.put("startsAt", v == null ? null : v.startsAt());
              row.put("endsAt", v == null ? null : v.endsAt());
              row.put("showPlayers", v == null ? null : v.showPlayers());
              row.put("createdAt", created.at());
              if (v == null) row.put("error", Problem.UNAVAILABLE);
              return row;
            });
  }

  private Route cluster() {
    Cluster cluster = Cluster.get(Adapter.toClassic(system));
    List<Map<String, Object>> members = new ArrayList<>();
    Set<Member> unreachable = cluster.state().getUnreachable();
    for (Member m : cluster.state().getMembers()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("address", m.address().toString());
      row.put("status", m.status().toString());
      row.put("roles", new ArrayList<>(m.getRoles()));
      row.put("reachable", !unreachable.contains(m));
      row.put("self", m.address().equals(cluster.selfAddress()));
      members.add(row);
    }
    return onSuccess(
        shards.get(),
        distribution -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("self", cluster.selfAddress().toString());
          out.put(
              "leader",
              cluster.state().getLeader() == null ? null : cluster.state().getLeader().toString());
          out.put("members", members);
          out.put("shards", distribution);
          return json(StatusCodes.OK, out);
        });
  }
}
