package treasurehunt.entities;

import java.util.List;
import treasurehunt.entities.Player.ClaimAck;
import treasurehunt.entities.Player.LocationAck;
import treasurehunt.game.ClaimCheck;
import treasurehunt.game.LocationCheck;

/**
 * What a {@link Player} answers when it refuses a command: the {@link Problem} for each refusal of
 * the game's checks (its code from PROTOCOL.md §3 here, its words from the check in {@code game/})
 * and the refused acks. Plain functions; the Player entity ({@link PlayerBehavior}) replies with
 * them and remembers them ({@link Refusals}).
 */
final class PlayerReplies {
  private PlayerReplies() {}

  /** A round trip to the hunt failed ({@code failure}: the ask's failure message). */
  static Problem unavailable(String failure) {
    return Problem.of(Problem.UNAVAILABLE, "the hunt did not answer in time: " + failure);
  }

  /** A location report or claim in a hunt the player has not joined. */
  static Problem notJoined(String hunt) {
    return Problem.of(Problem.NOT_JOINED, "join hunt " + hunt + " first");
  }

  /** The hunt's rules could not be loaded just now ({@link HuntLink#rulesFailed}). */
  static Problem rulesFailed(String hunt) {
    return Problem.of(Problem.UNAVAILABLE, "hunt " + hunt + " did not answer in time");
  }

  /** A refused fix ({@link LocationCheck#explain} has the arguments). */
  static Problem refused(
      LocationCheck.Refusal refusal,
      LocationCheck.Last last,
      LocationCheck.Move move,
      double maxSpeedMps,
      LocationCheck.Limits limits) {
    String code =
        switch (refusal) {
          case OUT_OF_RANGE, AHEAD -> Problem.BAD_REQUEST;
          case TOO_OLD, STALE -> Problem.STALE;
          case IMPLAUSIBLE_MOVE -> Problem.IMPLAUSIBLE_MOVE;
        };
    return Problem.of(code, LocationCheck.explain(refusal, last, move, maxSpeedMps, limits));
  }

  /** A claim refused before the hunt was asked. */
  static Problem refused(ClaimCheck.Refused refused) {
    String code =
        switch (refused.refusal()) {
          case NOT_FOUND -> Problem.NOT_FOUND;
          case ALREADY_FOUND -> Problem.ALREADY_FOUND;
          case ALREADY_CLAIMED -> Problem.ALREADY_CLAIMED;
          case TOO_FAR -> Problem.TOO_FAR;
        };
    return Problem.of(code, refused.message());
  }

  static LocationAck locationRefused(Problem problem) {
    return new LocationAck(0, null, List.of(), null, problem, List.of());
  }

  static ClaimAck claimRefused(Problem problem) {
    return new ClaimAck(0, 0, problem);
  }
}
