package treasurehunt.metrics;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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

  /** The region did not answer within the poll interval: keep the last figures. */
  private record Failed() implements Msg {}

  public static Behavior<Msg> create(List<EntityTypeKey<?>> types, Duration every) {
    return Behaviors.<Msg>setup(
        ctx -> {
          Metrics metrics = Metrics.get(ctx.getSystem());
          ClusterSharding sharding = ClusterSharding.get(ctx.getSystem());
          Map<String, Meters> meters = new HashMap<>();
          for (EntityTypeKey<?> key : types) meters.put(key.name(), Meters.register(key, metrics));
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(new Poll(), every);
                return Behaviors.receive(Msg.class)
                    .onMessage(
                        Poll.class,
                        p -> {
                          // One ask per type: the reply carries no entity type, so each request
                          // gets
                          // its own reply address and the answer is tagged with the type it was
                          // for.
                          // (A message adapter per type would not do: adapters are keyed by the
                          // reply
                          // class, so a second one for the same class replaces the first, and every
                          // answer was booked under the last type registered.)
                          for (EntityTypeKey<?> key : types)
                            ctx.ask(
                                ShardRegion.CurrentShardRegionState.class,
                                sharding.shardState(),
                                every,
                                replyTo -> new GetShardRegionState(key, replyTo),
                                (state, failure) ->
                                    state == null ? new Failed() : new State(key.name(), state));
                          return Behaviors.same();
                        })
                    .onMessage(
                        State.class,
                        s -> {
                          meters.get(s.type()).update(s.state());
                          return Behaviors.same();
                        })
                    .onMessage(Failed.class, f -> Behaviors.same())
                    .build();
              });
        });
  }

  /** The figures of one entity type on this node. */
  private record Meters(
      AtomicInteger entities,
      AtomicInteger shards,
      Counter arrived,
      Counter left,
      Set<String> held) {

    static Meters register(EntityTypeKey<?> key, Metrics metrics) {
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
      return new Meters(
          entities,
          shards,
          Counter.builder("th.shards.arrived")
              .tag("type", type)
              .description("Shards that started on this node (allocation, rebalance, failover)")
              .register(metrics.registry()),
          Counter.builder("th.shards.left")
              .tag("type", type)
              .description("Shards handed off from this node")
              .register(metrics.registry()),
          new HashSet<>());
    }

    void update(ShardRegion.CurrentShardRegionState state) {
      Set<String> now = new HashSet<>();
      int running = 0;
      for (ShardRegion.ShardState shard : state.getShards()) {
        now.add(shard.shardId());
        running += shard.getEntityIds().size();
      }
      for (String id : now) if (!held.contains(id)) arrived.increment();
      for (String id : held) if (!now.contains(id)) left.increment();
      held.clear();
      held.addAll(now);
      entities.set(running);
      shards.set(now.size());
    }
  }
}
