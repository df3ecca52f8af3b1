package treasurehunt.entities;

import treasurehunt.CborSerializable;

/**
 * Why an entity refused a command: a {@code code} from PROTOCOL.md §3 and a human-readable message.
 * Replies carry {@code problem == null} on success. {@code retryAfterMs}: when waiting helps, how
 * long (a {@link #RATE_LIMITED} answer always has it), else null.
 */
public record Problem(String code, String message, Long retryAfterMs) implements CborSerializable {
  public static final String BAD_REQUEST = "bad_request";
  public static final String NOT_FOUND = "not_found";
  public static final String CONFLICT = "conflict";
  public static final String NOT_JOINED = "not_joined";
  public static final String HUNT_NOT_LIVE = "hunt_not_live";
  public static final String HUNT_FULL = "hunt_full";
  public static final String STALE = "stale";
  public static final String IMPLAUSIBLE_MOVE = "implausible_move";
  public static final String TOO_FAR = "too_far";
  public static final String WRONG_ANSWER = "wrong_answer";
  public static final String ALREADY_FOUND = "already_found";
  public static final String ALREADY_CLAIMED = "already_claimed";
  public static final String RATE_LIMITED = "rate_limited";
  public static final String UNAVAILABLE = "unavailable";

  /**
   * The hunt is too busy to hold the command ({@link DroppedCommands}): the same command may be
   * sent again after {@code retryAfterMs}, and nothing of it was decided.
   */
  public static final String OVERLOADED = "overloaded";

  public static Problem of(String code, String message) {
    return new Problem(code, message, null);
  }

  /** A per-player limit was reached (docs/protocol.md §9): try again after {@code waitMs}. */
  public static Problem rateLimited(String message, long waitMs) {
    return new Problem(RATE_LIMITED, message, Math.max(1, waitMs));
  }
}
