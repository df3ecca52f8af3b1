package treasurehunt.entities;

import treasurehunt.game.AnswerBackoff;
import treasurehunt.game.RateLimit;
import treasurehunt.game.Treasure;

/**
 * A Hunt entity's per-player limits (docs/protocol.md §9): joins and chat messages a minute ({@link
 * RateLimit}, asked by {@link HuntBatch} through {@link HuntBatch.Quotas}), and the back-off on
 * wrong answers per player and treasure ({@link AnswerBackoff}). The rules are in {@code game/};
 * this is their counting for one hunt.
 *
 * <p>Every join, chat message and claim of a hunt, from any connection on any node, comes through
 * its entity's actor, so a player cannot get round them by opening more connections. Not state, and
 * not persisted: a refusal changes nothing that a replay must rebuild, and a limit counted afresh
 * after the hunt restarts or moves to another node (rare, and not something a player can cause)
 * costs a few extra messages or guesses at most. Each count drops keys that have nothing left to
 * count and holds at most {@link #MAX_LIMITED} keys. One per entity instance, used by its actor
 * only.
 */
final class HuntQuotas implements HuntBatch.Quotas {
  /** Players (or player and treasure pairs) each limit holds at most. */
  static final int MAX_LIMITED = 100_000;

  private final RateLimit<String> joins;
  private final RateLimit<String> chats;
  private final AnswerBackoff<String> wrongAnswers;

  HuntQuotas(GameSettings settings) {
    this.joins = new RateLimit<>(settings.joinsPerMinute(), 60_000, MAX_LIMITED);
    this.chats = new RateLimit<>(settings.chatPerMinute(), 60_000, MAX_LIMITED);
    this.wrongAnswers = new AnswerBackoff<>(settings.wrongAnswers(), MAX_LIMITED);
  }

  @Override
  public long join(String playerId, long at) {
    return joins.take(playerId, at);
  }

  @Override
  public long chat(String playerId, long at) {
    return chats.take(playerId, at);
  }

  /**
   * Checks a claim's answer to {@code treasure} (one that {@link Treasure#needsAnswer()}) through
   * the back-off: while a wait is due the claim is answered {@code rate_limited} and its answer is
   * not even compared; a wrong answer counts, a right one forgets the player's wrong ones there.
   *
   * @return null when the answer is right, else why the claim is refused
   */
  @Override
  public Problem answer(String playerId, Treasure treasure, String answer, long now) {
    String guesser = playerId + "/" + treasure.id();
    long wait = wrongAnswers.waitMs(guesser, now);
    if (wait > 0)
      return Problem.rateLimited(
          "too many wrong answers for " + treasure.id() + "; try again after retryAfterMs", wait);
    if (!treasure.answerMatches(answer)) {
      wrongAnswers.wrong(guesser, now);
      return Problem.of(Problem.WRONG_ANSWER, "that is not the answer");
    }
    wrongAnswers.forget(guesser);
    return null;
  }
}
