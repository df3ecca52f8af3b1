package treasurehunt.entities;

import com.typesafe.config.Config;
import java.time.Duration;
import treasurehunt.game.AnswerBackoff;
import treasurehunt.game.LocationCheck;
import treasurehunt.game.PollAdvice;

/**
 * The game settings of treasure-hunt.game (game.conf) and the per-player limits a Hunt keeps
 * (treasure-hunt.limits in limits.conf), read once.
 *
 * @param locations the limits of location reports and claims ({@link LocationCheck.Limits}); the
 *     bound on {@code at} ahead of the server's clock is the gateway's {@code
 *     treasure-hunt.ws.max-clock-skew}, so that the gateway and the Player entity apply the same
 *     one
 * @param statusRecheck how often a node asks a hunt that is not known to have ended for its status
 *     (a hunt that starts is noticed within this time)
 * @param ackBeforeStore acknowledge an ordinary fix (one that reaches no treasure) while its
 *     journal write is under way instead of after it (game.conf, {@code ack-before-store})
 * @param writeBehind with {@code ackBeforeStore}: how long after its ack an ordinary fix is written
 *     (game.conf, {@code write-behind}; 0: at once, while the ack is on its way)
 */
public record GameSettings(
    int streamWindow,
    int idempotencyWindow,
    int snapshotEvery,
    int snapshotsKept,
    PollAdvice.Settings poll,
    Duration askTimeout,
    int huntBatchMax,
    int chatPerMinute,
    int joinsPerMinute,
    AnswerBackoff.Settings wrongAnswers,
    LocationCheck.Limits locations,
    Duration statusRecheck,
    boolean ackBeforeStore,
    Duration writeBehind) {

  public static GameSettings from(Config config) {
    Config game = config.getConfig("treasure-hunt.game");
    Config limits = config.getConfig("treasure-hunt.limits");
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
        limits.getInt("chat-per-minute"),
        limits.getInt("joins-per-minute"),
        new AnswerBackoff.Settings(
            limits.getInt("wrong-answers-free"),
            limits.getDuration("wrong-answer-wait").toMillis(),
            limits.getDuration("wrong-answer-max-wait").toMillis(),
            limits.getDuration("wrong-answers-forget-after").toMillis()),
        new LocationCheck.Limits(
            game.getDuration("location-max-age").toMillis(),
            config.getDuration("treasure-hunt.ws.max-clock-skew").toMillis(),
            game.getDuration("location-jitter").toMillis(),
            game.getDouble("max-accuracy-credit-m"),
            game.getDuration("reanchor-after").toMillis(),
            game.getDuration("claim-fix-max-age").toMillis()),
        game.getDuration("hunt-status-recheck"),
        game.getBoolean("ack-before-store"),
        game.getDuration("write-behind"));
  }
}
