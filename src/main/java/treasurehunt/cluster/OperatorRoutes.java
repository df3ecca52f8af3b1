package treasurehunt.cluster;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.Cluster;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.GetClusterShardingStats;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.management.cluster.javadsl.ClusterHttpManagementRoutes;
import akka.management.javadsl.ManagementRouteProvider;
import akka.management.javadsl.ManagementRouteProviderSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Player;
import treasurehunt.gateway.Json;
import treasurehunt.metrics.Metrics;

/**
 * The operator's routes on the Akka Management port (next to the probes {@code /ready} and {@code
 * /alive}), registered in cluster.conf under {@code akka.management.http.routes}:
 *
 * <ul>
 *   <li>{@code GET /metrics} — Prometheus text format (JVM, GC, connections, frames, latencies,
 *       shards). Open, like the probes, for the scraper (k8s/networkpolicy.yaml decides who reaches
 *       it).
 *   <li>{@code GET /shards} — the cluster's shard distribution: for each entity type, each node's
 *       shards and the number of entities in each. Needs the operator credential.
 *   <li>{@code /cluster/...} — Akka Management's cluster routes (members, leave, down), served here
 *       behind the operator credential instead of by their own provider (switched off in
 *       cluster.conf), because Akka Management's own authentication would cover the probes too.
 * </ul>
 *
 * The operator credential is {@code Authorization: Bearer <admin token>}, the organiser's token
 * (TH_ADMIN_TOKEN): whoever may create and end hunts may also read the cluster's layout. The
 * management port binds the node's cluster host, never a public interface.
 */
public final class OperatorRoutes extends AllDirectives implements ManagementRouteProvider {
  private static final List<EntityTypeKey<?>> TYPES = List.of(Hunt.ENTITY_KEY, Player.ENTITY_KEY);
  private static final Duration STATS_TIMEOUT = Duration.ofSeconds(5);

  private final ActorSystem<?> system;
  private final Cluster cluster;

  public OperatorRoutes(ExtendedActorSystem classic) {
    this.system = Adapter.toTyped(classic);
    this.cluster = Cluster.get(classic);
  }

  /**
   * The node's operator token, handed over by {@link Node} before Akka Management starts (Akka
   * Management creates this provider itself, by reflection). Unset: every guarded route is refused.
   */
  public static final class Credential implements Extension {
    private final AtomicReference<byte[]> token = new AtomicReference<>();

    public static final ExtensionId<Credential> ID =
        new ExtensionId<>() {
          @Override
          public Credential createExtension(ActorSystem<?> system) {
            return new Credential();
          }
        };

    public void set(String operatorToken) {
      token.set(operatorToken.getBytes(StandardCharsets.UTF_8));
    }

    boolean accepts(Optional<String> authorization) {
      byte[] expected = token.get();
      if (expected == null || authorization.isEmpty()) return false;
      String header = authorization.get();
      if (!header.startsWith("Bearer ")) return false;
      byte[] given = header.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8);
      return MessageDigest.isEqual(expected, given); // constant time
    }
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    Credential credential = Credential.ID.apply(system);
    Route guarded =
        concat(
            path(
                "shards",
                () ->
                    get(
                        () ->
                            onSuccess(
                                distribution(system),
                                d ->
                                    complete(StatusCodes.OK, d, Jackson.marshaller(Json.MAPPER))))),
            settings.readOnly()
                ? ClusterHttpManagementRoutes.readOnly(cluster)
                : ClusterHttpManagementRoutes.all(cluster));
    return concat(
        path(
            "metrics",
            () ->
                get(
                    () ->
                        complete(
                            HttpEntities.create(
                                MediaTypes.TEXT_PLAIN.toContentType(HttpCharsets.UTF_8),
                                Metrics.get(system).scrape())))),
        pathPrefixTest("shards", () -> operator(credential, guarded)),
        pathPrefixTest("cluster", () -> operator(credential, guarded)));
  }

  /** {@code inner} for the operator; 401 unauthorized for anyone else. */
  private Route operator(Credential credential, Route inner) {
    return optionalHeaderValueByName(
        "Authorization",
        auth ->
            credential.accepts(auth)
                ? inner
                : complete(
                    StatusCodes.UNAUTHORIZED,
                    Map.of(
                        "error",
                        Map.of(
                            "code",
                            "unauthorized",
                            "message",
                            "operator routes need Authorization: Bearer <admin token>")),
                    Jackson.marshaller(Json.MAPPER)));
  }

  /**
   * {type: {node address: {shards: n, entities: n, perShard: {shardId: entities}}}}; also behind
   * the admin token on the HTTP port ({@code GET /api/cluster}, for the console's cluster panel).
   */
  public static CompletionStage<Map<String, Object>> distribution(ActorSystem<?> system) {
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
