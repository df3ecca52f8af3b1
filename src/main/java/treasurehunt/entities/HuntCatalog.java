package treasurehunt.entities;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.TreasureLayout;

/**
 * Node-local cache of hunt rules (definition plus its spatial index), shared by all Player entities
 * of a node: a hunt with 100,000 treasures is indexed once per node, not once per player. A hunt's
 * treasures never change after it is defined, so an entry never goes stale; past {@link #CAPACITY}
 * hunts the least used are dropped (and loaded again from the Hunt entity when next needed).
 */
public final class HuntCatalog implements Extension {

  public record Rules(HuntDefinition definition, TreasureLayout layout) {}

  static final int CAPACITY = 1_000;

  private static final ExtensionId<HuntCatalog> ID =
      new ExtensionId<>() {
        @Override
        public HuntCatalog createExtension(ActorSystem<?> system) {
          return new HuntCatalog();
        }
      };

  public static HuntCatalog get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /*
   * Read on every location report and claim of every player of the node, so a read takes no lock
   * (it was a synchronized LinkedHashMap in access order, where even a read is a write). Caffeine
   * rather than a ConcurrentHashMap: the catalog must stay bounded at CAPACITY hunts, and a
   * ConcurrentHashMap has no eviction. What changes is which hunt goes first once the bound is
   * reached: Caffeine's W-TinyLFU (a recency window plus frequency) instead of strict LRU, since
   * strict LRU needs every read to take a lock. A hunt just put stays (it enters the recency
   * window), and an evicted hunt costs one more ask to its Hunt entity. Maintenance (eviction)
   * runs on the calling thread, as the LinkedHashMap's did, not on the common ForkJoinPool: it is
   * O(1) amortised and never blocks (a reader that finds it under way skips it).
   */
  private final Cache<String, Rules> rules =
      Caffeine.newBuilder().maximumSize(CAPACITY).executor(Runnable::run).build();

  HuntCatalog() {}

  /** The cached rules of a hunt, or null. */
  public Rules get(String huntId) {
    return rules.getIfPresent(huntId);
  }

  /** Caches and returns the rules of a definition (indexing it only if not cached yet). */
  public Rules put(HuntDefinition definition) {
    Rules existing = get(definition.huntId());
    if (existing != null) return existing;
    // Built outside the map: Cache.get(key, loader) would index up to 100,000 treasures while
    // holding a lock of the underlying ConcurrentHashMap. Two players of a node may both index a
    // hunt on a cold start; the first one stored wins, as before.
    Rules built = new Rules(definition, definition.layout());
    Rules raced = rules.asMap().putIfAbsent(definition.huntId(), built);
    return raced != null ? raced : built;
  }
}
