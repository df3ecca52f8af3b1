package treasurehunt.journal;

import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntState;
import treasurehunt.entities.Player;

/**
 * One entity's state rebuilt event by event through the entity's own event handler ({@link
 * HuntState#apply}, {@link Player.State#apply}): the same code the engine runs on recovery, so the
 * state is the one the entity had.
 */
final class Replay {
  final String persistenceId;
  final EntityKind kind;
  private final ReplaySettings settings;
  private Object state;

  /** Sequence number of the last event applied (or of the snapshot started from). */
  long seq;

  /** Write timestamp of the last event applied. */
  long timestamp;

  /** Events applied. */
  long applied;

  Replay(String persistenceId, ReplaySettings settings) {
    this.persistenceId = persistenceId;
    this.kind = EntityKind.of(persistenceId);
    this.settings = settings;
    this.state =
        switch (kind) {
          case HUNT -> new HuntState();
          // a trail replays as the player's state with only its ordinary fixes: where it was
          case PLAYER, TRAIL -> Player.State.EMPTY;
          default ->
              throw new JournalException(
                  persistenceId + " is neither a hunt nor a player: nothing to replay");
        };
  }

  static boolean replayable(String persistenceId) {
    EntityKind k = EntityKind.of(persistenceId);
    return k == EntityKind.HUNT || k == EntityKind.PLAYER || k == EntityKind.TRAIL;
  }

  /** Whether {@code event} belongs to this kind of entity. */
  boolean accepts(Object event) {
    if (kind == EntityKind.TRAIL) return event instanceof Player.Moved;
    return kind == EntityKind.HUNT ? event instanceof Hunt.Event : event instanceof Player.Event;
  }

  void apply(Object event, long seq, long timestamp) {
    if (kind == EntityKind.HUNT)
      state = ((HuntState) state).apply((Hunt.Event) event, settings.streamWindow());
    else state = ((Player.State) state).apply((Player.Event) event, settings.idempotencyWindow());
    this.seq = seq;
    this.timestamp = timestamp;
    applied++;
  }

  /** Continues from a snapshot instead of from the first event. */
  void startFrom(Object snapshot, long seq) {
    if (kind == EntityKind.HUNT && !(snapshot instanceof HuntState)
        || kind != EntityKind.HUNT && !(snapshot instanceof Player.State))
      throw new IllegalArgumentException("the snapshot is a " + snapshot.getClass().getName());
    state = snapshot;
    this.seq = seq;
  }

  Object state() {
    return state;
  }

  HuntState hunt() {
    return (HuntState) state;
  }

  Player.State player() {
    return (Player.State) state;
  }
}
