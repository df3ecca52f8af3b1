package treasurehunt.entities;

import com.typesafe.config.Config;
import java.time.Duration;
import treasurehunt.game.AnswerBackoff;
import treasurehunt.game.PollAdvice;

/**
 * The game settings of treasure-hunt.game (game.conf) and the per-player limits a Hunt keeps
 * (treasure-hunt.limits in limits.conf), read once.
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
    AnswerBackoff.Settings wrongAnswers) {

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
            limits.getDuration("wrong-answers-forget-after").toMillis()));
  }
}
