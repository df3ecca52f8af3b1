package treasurehunt.entities;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answers to a Player's recently refused commands by command id, so that the same id sent again
 * (a retry after a reconnect) gets the same answer (PROTOCOL.md §2) even if the reason has gone
 * away meanwhile. In memory only: a refusal changed nothing, so there is nothing to persist; after
 * the entity restarts a retried refused command is judged afresh. {@code unavailable} and {@code
 * rate_limited} are not remembered: they ask for the retry (after {@code retryAfterMs}). Holds the
 * last {@code capacity} refusals, oldest dropped first. One per entity instance, used by its actor
 * only: not thread-safe.
 */
final class Refusals {
  private final LinkedHashMap<String, Object> answers;

  Refusals(int capacity) {
    this.answers =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
            return size() > capacity;
          }
        };
  }

  /** The answer given to a refused command with this id, or null. */
  Object get(String cmdId) {
    return answers.get(cmdId);
  }

  /** Remembers the answer to a refused command ({@code code}: its problem code). */
  void remember(String cmdId, Object answer, String code) {
    if (cmdId != null
        && !Problem.UNAVAILABLE.equals(code)
        && !Problem.RATE_LIMITED.equals(code)
        && !Problem.OVERLOADED.equals(code)) answers.put(cmdId, answer);
  }
}
