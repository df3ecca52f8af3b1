package treasurehunt.entities;

import com.typesafe.config.Config;
import java.time.Duration;
import treasurehunt.game.LocationCheck;
import treasurehunt.game.PollAdvice;

/**
 * The game settings of treasure-hunt.game (game.conf), read once.
 *
 * @param locations the limits of location reports and claims ({@link LocationCheck.Limits}); the
 *     bound on {@code at} ahead of the server's clock is the gateway's {@code
 *     treasure-hunt.ws.max-clock-skew}, so that the gateway and the Player entity apply the same
 *     one
 * @param statusRecheck how often a node asks a hunt that is not known to have ended for its status
 *     (a hunt that starts is noticed within this time)
 */
public record GameSettings(
    int streamWindow,
    int idempotencyWindow,
    int snapshotEvery,
    int snapshotsKept,
    PollAdvice.Settings poll,
    Duration askTimeout,
    int huntBatchMax,
    LocationCheck.Limits locations,
    Duration statusRecheck) {

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
        game.getInt("hunt-batch-max"),
        new LocationCheck.Limits(
            game.getDuration("location-max-age").toMillis(),
            config.getDuration("treasure-hunt.ws.max-clock-skew").toMillis(),
            game.getDuration("location-jitter").toMillis(),
            game.getDouble("max-accuracy-credit-m"),
            game.getDuration("reanchor-after").toMillis(),
            game.getDuration("claim-fix-max-age").toMillis()),
        game.getDuration("hunt-status-recheck"));
  }
}
