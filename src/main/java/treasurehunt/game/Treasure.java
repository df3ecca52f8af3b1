package treasurehunt.game;

import java.text.Normalizer;
import java.util.Locale;

/**
 * A treasure: found by walking within {@code radiusM} of it; one with an {@code answer} is scored
 * only by a claim with the right answer while the player is within the radius. An {@code exclusive}
 * treasure scores for its first finder only.
 */
public record Treasure(
    String id,
    double lat,
    double lon,
    double radiusM,
    int points,
    String hint,
    String answer,
    boolean exclusive) {

  public boolean needsAnswer() {
    return answer != null && !answer.isBlank();
  }

  /** Answers compare trimmed, Unicode-normalised (NFKC) and case-insensitively. */
  public boolean answerMatches(String given) {
    if (!needsAnswer()) return true;
    if (given == null) return false;
    return normalise(answer).equals(normalise(given));
  }

  static String normalise(String s) {
    return Normalizer.normalize(s.trim(), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
  }
}
