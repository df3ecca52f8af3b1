package treasurehunt.game;

import java.util.Collection;

/**
 * Whether a player may claim a treasure, as far as the player's own record tells, before the hunt
 * is asked (the hunt alone knows the answer and who else found it): the treasure exists, the player
 * has not settled it (found it, or reached it after another player found it exclusively) and the
 * player's last accepted fix reaches it ({@link LocationCheck#reach}: not an anchor, recent by the
 * server's clock, within the radius). The checks are made in that order; the first that fails is
 * the answer.
 *
 * <p>Plain Java, no clock: the Player entity passes its clock's reading ({@code serverNow}).
 */
public final class ClaimCheck {
  private ClaimCheck() {}

  /** Why a claim is refused before the hunt is asked. */
  public enum Refusal {
    /** no such treasure in the hunt. */
    NOT_FOUND,
    /** the player already found it. */
    ALREADY_FOUND,
    /** another player found it first, and it counts for one player only. */
    ALREADY_CLAIMED,
    /** the last accepted fix does not reach it ({@link LocationCheck.Reach}). */
    TOO_FAR
  }

  /** A refused claim, with why in words for the player. */
  public record Refused(Refusal refusal, String message) {}

  /**
   * Judges a claim of {@code treasureId} in {@code hunt}.
   *
   * @param treasure the treasure of that id in the hunt's layout, or null when there is none
   * @param found treasures of this hunt the player found
   * @param missed exclusive treasures of this hunt the player reached after someone else found them
   * @param last the player's last accepted fix, or null
   * @return null when the claim may go to the hunt
   */
  public static Refused check(
      String hunt,
      String treasureId,
      Treasure treasure,
      Collection<String> found,
      Collection<String> missed,
      LocationCheck.Last last,
      long serverNow,
      LocationCheck.Limits limits) {
    if (treasure == null)
      return new Refused(Refusal.NOT_FOUND, "no treasure " + treasureId + " in " + hunt);
    if (found.contains(treasure.id()))
      return new Refused(Refusal.ALREADY_FOUND, "you already found " + treasure.id());
    if (missed.contains(treasure.id()))
      return new Refused(Refusal.ALREADY_CLAIMED, treasure.id() + " was claimed by another player");
    String tooFar = explain(LocationCheck.reach(last, treasure, serverNow, limits), limits);
    return tooFar == null ? null : new Refused(Refusal.TOO_FAR, tooFar);
  }

  /** Why a claim cannot be made from the last accepted fix, in words; null when it can. */
  public static String explain(LocationCheck.Reach reach, LocationCheck.Limits limits) {
    return switch (reach) {
      case WITHIN -> null;
      case NO_FIX -> "send a location within the treasure's radius first";
      case ANCHOR ->
          "your last location anchored you (a first location, or one after a long gap) and cannot"
              + " score; send another";
      case OLD ->
          "your last location is more than "
              + limits.claimMaxAgeMs() / 1000
              + " s old; send a fresh one";
      case OUTSIDE -> "your last location is not within the treasure's radius";
    };
  }
}
