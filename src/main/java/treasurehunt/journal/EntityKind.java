package treasurehunt.journal;

import akka.persistence.typed.PersistenceId;
import java.util.Locale;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Player;
import treasurehunt.entities.PlayerTrail;

/** The kinds of persistence ids in the journal, told apart by their prefix. */
enum EntityKind {
  HUNT("hunt"),
  PLAYER("player"),
  /**
   * A player's trail: its ordinary location fixes, written in batches outside its own journal
   * (entities/PlayerTrail.java), {@code PlayerTrail|<player id>}.
   */
  TRAIL("trail"),
  /** Cluster Sharding's own bookkeeping (remembered entities, coordinator state). */
  SHARDING("sharding"),
  OTHER("other");

  final String label;

  EntityKind(String label) {
    this.label = label;
  }

  private static final String HUNT_PREFIX = PersistenceId.of(Hunt.ENTITY_KEY.name(), "").id();
  private static final String PLAYER_PREFIX = PersistenceId.of(Player.ENTITY_KEY.name(), "").id();
  private static final String TRAIL_PREFIX = PlayerTrail.persistenceId("");

  static EntityKind of(String persistenceId) {
    if (persistenceId.startsWith(HUNT_PREFIX)) return HUNT;
    if (persistenceId.startsWith(PLAYER_PREFIX)) return PLAYER;
    if (persistenceId.startsWith(TRAIL_PREFIX)) return TRAIL;
    if (persistenceId.startsWith("/sharding/")) return SHARDING;
    return OTHER;
  }

  static EntityKind parse(String label) {
    for (EntityKind k : values()) if (k.label.equalsIgnoreCase(label)) return k;
    throw new JournalException(
        "unknown entity type " + label + " (hunt, player, trail, sharding or other)");
  }

  /** The entity id inside a persistence id: {@code old-town} of {@code Hunt|old-town}. */
  static String entityId(String persistenceId) {
    int bar = persistenceId.indexOf(PersistenceId.DefaultSeparator());
    return bar < 0 ? persistenceId : persistenceId.substring(bar + 1);
  }

  static String huntPid(String huntId) {
    return PersistenceId.of(Hunt.ENTITY_KEY.name(), huntId).id();
  }

  static String playerPid(String playerId) {
    return PersistenceId.of(Player.ENTITY_KEY.name(), playerId).id();
  }

  /**
   * The persistence ids an entity name may mean: {@code Hunt|old-town} as it is, {@code
   * hunt:old-town}, {@code player:p-xyz} and {@code trail:p-xyz} shorthands, or a bare id (a hunt
   * or a player of that id).
   */
  static java.util.List<String> candidates(String name) {
    if (name.indexOf(PersistenceId.DefaultSeparator()) >= 0) return java.util.List.of(name);
    int colon = name.indexOf(':');
    if (colon > 0) {
      String type = name.substring(0, colon).toLowerCase(Locale.ROOT);
      String id = name.substring(colon + 1);
      if (type.equals("hunt")) return java.util.List.of(huntPid(id));
      if (type.equals("player")) return java.util.List.of(playerPid(id));
      if (type.equals("trail")) return java.util.List.of(PlayerTrail.persistenceId(id));
    }
    return java.util.List.of(huntPid(name), playerPid(name), name);
  }
}
