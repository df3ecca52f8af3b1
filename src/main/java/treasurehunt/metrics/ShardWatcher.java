package treasurehunt.metrics;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Polls this node's shard regions every few seconds and publishes what they hold: {@code
 * th_entities} and {@code th_shards} per entity type, and {@code th_shards_arrived_total} / {@code
 * th_shards_left_total} (rebalances and handoffs seen from this node). Asking the local region is
 * cheap and never blocks.
 */
public final class ShardWatcher {
  private ShardWatcher() {}

  public interface Msg {}

  private record Poll() implements Msg {}

  private record State(String type, ShardRegion.CurrentShardRegionState state) implements Msg {}

  public static Behavior<Msg> create(List<EntityTypeKey<?>> types, Duration every) {
    return Behaviors.<Msg>setup(
        ctx -> {
          Metrics metrics = Metrics.get(ctx.getSystem());
          ClusterSharding sharding = ClusterSharding.get(ctx.getSystem());
          record Meters(
              AtomicInteger entities,
              AtomicInteger shards,
              Counter arrived,
              Counter left,
              Set<String> held) {}
          java.util.Map<String, Meters> meters = new java.util.HashMap<>();
          java.util.Map<String, ActorRef<ShardRegion.CurrentShardRegionState>> adapters =
              new java.util.HashMap<>();
          for (EntityTypeKey<?> key : types) {
            String type = key.name();
            AtomicInteger entities = new AtomicInteger();
            AtomicInteger shards = new AtomicInteger();
            Gauge.builder("th.entities", entities, AtomicInteger::get)
                .tag("type", type)
                .description("Entities running on this node")
                .register(metrics.registry());
            Gauge.builder("th.shards", shards, AtomicInteger::get)
                .tag("type", type)
                .description("Shards hosted by this node")
                .register(metrics.registry());
            meters.put(
                type,
                new Meters(
                    entities,
                    shards,
                    Counter.builder("th.shards.arrived")
                        .tag("type", type)
                        .description(
                            "Shards that started on this node (allocation, rebalance, failover)")
                        .register(metrics.registry()),
                    Counter.builder("th.shards.left")
                        .tag("type", type)
                        .description("Shards handed off from this node")
                        .register(metrics.registry()),
                    new HashSet<>()));
            adapters.put(
                type,
                ctx.messageAdapter(
                    ShardRegion.CurrentShardRegionState.class, s -> new State(type, s)));
          }
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(new Poll(), every);
                return Behaviors.receive(Msg.class)
                    .onMessage(
                        Poll.class,
                        p -> {
                          for (EntityTypeKey<?> key : types)
                            sharding
                                .shardState()
                                .tell(new GetShardRegionState(key, adapters.get(key.name())));
                          return Behaviors.same();
                        })
                    .onMessage(
                        State.class,
                        s -> {
                          Meters m = meters.get(s.type());
                          Set<String> now = new HashSet<>();
                          int entities = 0;
                          for (ShardRegion.ShardState shard : s.state().getShards()) {
                            now.add(shard.shardId());
                            entities += shard.getEntityIds().size();
                          }
                          for (String id : now) if (!m.held().contains(id)) m.arrived().increment();
                          for (String id : m.held()) if (!now.contains(id)) m.left().increment();
                          m.held().clear();
                          m.held().addAll(now);
                          m.entities().set(entities);
                          m.shards().set(now.size());
                          return Behaviors.same();
                        })
                    .build();
              });
        });
  }
}
