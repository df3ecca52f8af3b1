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
 *
 * <p>It also keeps what the node last learnt of each hunt's status, which does change (created →
 * live → ended): a Player entity gives location advice only while the hunt is live. The status is
 * learnt with the rules ({@link Hunt.RulesReply}) and from join replies; while a hunt has not
 * ended, one player of the node at a time asks it again every {@code hunt-status-recheck} ({@link
 * #recheckDue}), without waiting for the answer, so a hunt that starts is noticed within that time.
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

  /**
   * The status last learnt of a hunt, when it was learnt and when a player of this node last asked
   * the hunt for it (epoch ms, the players' clock).
   */
  private record Seen(Hunt.Status status, long learntAt, long askedAt) {}

  private final Cache<String, Seen> statuses =
      Caffeine.newBuilder().maximumSize(CAPACITY).executor(Runnable::run).build();

  HuntCatalog() {}

  /** The status last learnt of a hunt, or null. */
  public Hunt.Status status(String huntId) {
    Seen s = statuses.getIfPresent(huntId);
    return s == null ? null : s.status();
  }

  /**
   * Records a hunt's status learnt at {@code now}. A status never goes back (created → live →
   * ended): an answer overtaken by a later one changes nothing.
   */
  public void learnt(String huntId, Hunt.Status status, long now) {
    statuses
        .asMap()
        .compute(
            huntId,
            (id, s) ->
                s == null || status.ordinal() > s.status().ordinal()
                    ? new Seen(status, now, 0)
                    : status == s.status() ? new Seen(status, now, s.askedAt()) : s);
  }

  /**
   * Whether the caller should ask the hunt for its status now: it is known, has not ended, was
   * learnt at least {@code everyMs} ago and no player of this node asked within {@code everyMs}.
   * True for one caller at a time, which is then counted as asking.
   */
  public boolean recheckDue(String huntId, long now, long everyMs) {
    // A plain read first: on almost every report nothing is due, and Caffeine's compute allocates
    // and locks even when it returns the entry unchanged (BENCHMARKS.md, issue 13, "fewer hops and
    // allocations per report").
    Seen seen = statuses.getIfPresent(huntId);
    if (seen == null || !due(seen, now, everyMs)) return false;
    boolean[] due = {false};
    statuses
        .asMap()
        .computeIfPresent(
            huntId,
            (id, s) -> {
              if (!due(s, now, everyMs)) return s;
              due[0] = true;
              return new Seen(s.status(), s.learntAt(), now);
            });
    return due[0];
  }

  private static boolean due(Seen s, long now, long everyMs) {
    return s.status() != Hunt.Status.ENDED
        && now - s.learntAt() >= everyMs
        && now - s.askedAt() >= everyMs;
  }

  /** The hunt answered as if its status had changed: ask it again at the next chance. */
  public void doubt(String huntId) {
    statuses.asMap().computeIfPresent(huntId, (id, s) -> new Seen(s.status(), 0, 0));
  }

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
