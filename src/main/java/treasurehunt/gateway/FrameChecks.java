package treasurehunt.gateway;

import java.time.Duration;
import java.util.Set;

/**
 * The field checks of {@link ClientFrame}'s records, in v1's words; {@code refused}: fields Jackson
 * refused.
 */
final class FrameChecks {
  /** A field check failed: becomes a {@code bad_request} {@link ClientFrame.BadFrame}. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  final Set<String> refused;
  final Duration maxClockSkew;
  final long nowMs;

  FrameChecks(Set<String> refused, Duration maxClockSkew, long nowMs) {
    this.refused = refused;
    this.maxClockSkew = maxClockSkew;
    this.nowMs = nowMs;
  }

  boolean refused(String field) {
    return refused.contains(field);
  }

  Refused bad(String message) {
    return new Refused(message);
  }

  /** An id such as a hunt's or a treasure's: required, 1 to 64 characters. */
  void id(String field, String value) {
    if (!Ids.valid(value)) throw bad(field + ": required, 1 to 64 characters from [A-Za-z0-9_.-]");
  }

  /** A finite number in [min, max]; "required" when absent, "must be" when wrong. */
  void number(String field, Double value, double min, double max) {
    if (value == null || !Double.isFinite(value) || value < min || value > max)
      throw bad(
          field
              + (value == null && !refused(field) ? ": required, " : ": must be ")
              + "a number in ["
              + fmt(min)
              + ", "
              + fmt(max)
              + "]");
  }

  /** As {@link #number}, but absent or null is fine. */
  void optionalNumber(String field, Double value, double min, double max) {
    if (value != null || refused(field)) number(field, value, min, max);
  }

  void integer(String field, Long value, long min) {
    if (value == null || value < min) throw bad(field + ": required, an integer ≥ " + min);
  }

  /** A string of at most {@code max} characters, or absent, or null. */
  void optionalText(String field, String value, int max) {
    if (refused(field) || (value != null && value.length() > max))
      throw bad(field + ": a string of at most " + max + " characters");
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
