package treasurehunt.journal;

import com.typesafe.config.Config;
import treasurehunt.entities.GameSettings;

/**
 * The two game settings the event handlers take: the hunt's stream window and the player's
 * idempotency window. A replay uses the node's values (game.conf, TH_STREAM_WINDOW) so that its
 * state equals the entity's, snapshots included.
 */
record ReplaySettings(int streamWindow, int idempotencyWindow) {
  static ReplaySettings from(Config config, Integer streamWindow, Integer idempotencyWindow) {
    GameSettings game = GameSettings.from(config);
    return new ReplaySettings(
        streamWindow != null ? streamWindow : game.streamWindow(),
        idempotencyWindow != null ? idempotencyWindow : game.idempotencyWindow());
  }
}
