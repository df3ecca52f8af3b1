package treasurehunt.entities;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import java.util.LinkedHashMap;
import java.util.Map;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.TreasureLayout;

/**
 * Node-local cache of hunt rules (definition plus its spatial index), shared by all Player entities
 * of a node: a hunt with 100,000 treasures is indexed once per node, not once per player. A hunt's
 * treasures never change after it is defined, so an entry never goes stale; the least recently used
 * hunts are dropped past {@link #CAPACITY}.
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

  private final Map<String, Rules> rules =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Rules> eldest) {
          return size() > CAPACITY;
        }
      };

  private HuntCatalog() {}

  /** The cached rules of a hunt, or null. */
  public synchronized Rules get(String huntId) {
    return rules.get(huntId);
  }

  /** Caches and returns the rules of a definition (indexing it only if not cached yet). */
  public Rules put(HuntDefinition definition) {
    Rules existing = get(definition.huntId());
    if (existing != null) return existing;
    Rules built = new Rules(definition, definition.layout()); // built outside the lock
    synchronized (this) {
      return rules.computeIfAbsent(definition.huntId(), id -> built);
    }
  }
}
