package treasurehunt.entities;

import com.typesafe.config.Config;
import java.time.Duration;
import treasurehunt.game.PollAdvice;

/** The game settings of treasure-hunt.game (game.conf), read once. */
public record GameSettings(
    int streamWindow,
    int idempotencyWindow,
    int snapshotEvery,
    int snapshotsKept,
    PollAdvice.Settings poll,
    Duration askTimeout,
    int huntBatchMax) {

  public static GameSettings from(Config config) {
    Config game = config.getConfig("treasure-hunt.game");
    return new GameSettings(
        game.getInt("stream-window"),
        game.getInt("idempotency-window"),
        game.getInt("snapshot-every"),
        game.getInt("snapshots-kept"),
        new PollAdvice.Settings(
            game.getDuration("poll-min").toMillis(),
            game.getDuration("poll-max").toMillis(),
            game.getDouble("parked-speed-mps")),
        config.getDuration("treasure-hunt.http.ask-timeout"),
        game.getInt("hunt-batch-max"));
  }
}
