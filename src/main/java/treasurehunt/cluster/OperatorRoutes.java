package treasurehunt.cluster;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.GetClusterShardingStats;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.management.javadsl.ManagementRouteProvider;
import akka.management.javadsl.ManagementRouteProviderSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Player;
import treasurehunt.gateway.Json;
import treasurehunt.metrics.Metrics;

/**
 * The operator's routes on the Akka Management port (next to {@code /cluster/members}, {@code
 * /ready} and {@code /alive}), registered in cluster.conf under {@code
 * akka.management.http.routes}:
 *
 * <ul>
 *   <li>{@code GET /metrics} — Prometheus text format (JVM, GC, connections, frames, latencies,
 *       shards);
 *   <li>{@code GET /shards} — the cluster's shard distribution: for each entity type, each node's
 *       shards and the number of entities in each.
 * </ul>
 *
 * The management port is for operators and Prometheus, not for players: do not expose it publicly.
 */
public final class OperatorRoutes extends AllDirectives implements ManagementRouteProvider {
  private static final List<EntityTypeKey<?>> TYPES = List.of(Hunt.ENTITY_KEY, Player.ENTITY_KEY);
  private static final Duration STATS_TIMEOUT = Duration.ofSeconds(5);

  private final ActorSystem<?> system;

  public OperatorRoutes(ExtendedActorSystem classic) {
    this.system = Adapter.toTyped(classic);
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return concat(
        path(
            "metrics",
            () ->
                get(
                    () ->
                        complete(
                            HttpEntities.create(
                                akka.http.javadsl.model.MediaTypes.TEXT_PLAIN.toContentType(
                                    akka.http.javadsl.model.HttpCharsets.UTF_8),
                                Metrics.get(system).scrape())))),
        path(
            "shards",
            () ->
                get(
                    () ->
                        onSuccess(
                            distribution(),
                            d ->
                                complete(
                                    akka.http.javadsl.model.StatusCodes.OK,
                                    d,
                                    Jackson.marshaller(Json.MAPPER))))));
  }

  /** {type: {node address: {shards: n, entities: n, perShard: {shardId: entities}}}}. */
  CompletionStage<Map<String, Object>> distribution() {
    ClusterSharding sharding = ClusterSharding.get(system);
    Map<String, Object> out = new TreeMap<>();
    CompletableFuture<?>[] all = new CompletableFuture<?>[TYPES.size()];
    for (int i = 0; i < TYPES.size(); i++) {
      EntityTypeKey<?> key = TYPES.get(i);
      all[i] =
          AskPattern
              .<akka.cluster.sharding.typed.ClusterShardingQuery, ShardRegion.ClusterShardingStats>
                  ask(
                      sharding.shardState(),
                      replyTo -> new GetClusterShardingStats(key, STATS_TIMEOUT, replyTo),
                      STATS_TIMEOUT.plusSeconds(1),
                      system.scheduler())
              .thenAccept(
                  stats -> {
                    Map<String, Object> nodes = new TreeMap<>();
                    stats
                        .getRegions()
                        .forEach(
                            (address, region) -> {
                              Map<String, Integer> perShard = new TreeMap<>();
                              region
                                  .getStats()
                                  .forEach((shard, n) -> perShard.put(shard, (Integer) n));
                              int entities =
                                  perShard.values().stream().mapToInt(Integer::intValue).sum();
                              nodes.put(
                                  address.toString(),
                                  Map.of(
                                      "shards",
                                      perShard.size(),
                                      "entities",
                                      entities,
                                      "perShard",
                                      perShard));
                            });
                    synchronized (out) {
                      out.put(key.name(), nodes);
                    }
                  })
              .toCompletableFuture();
    }
    return CompletableFuture.allOf(all).thenApply(v -> out);
  }
}
