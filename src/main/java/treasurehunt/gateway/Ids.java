package treasurehunt.gateway;

import java.security.SecureRandom;

/** Ids on the wire: 1–64 characters from [A-Za-z0-9_.-] (PROTOCOL.md). */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789".toCharArray();

  private Ids() {}

  /**
   * Whether {@code id} is 1–64 characters from [A-Za-z0-9_.-]. A loop rather than a regex: it runs
   * for every frame, and a regex's matcher is an allocation each time.
   */
  public static boolean valid(String id) {
    if (id == null || id.isEmpty() || id.length() > 64) return false;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '.'
              || c == '-';
      if (!ok) return false;
    }
    return true;
  }

  /** A new random id such as {@code p-7kq2m9xw4r8t}. */
  public static String random(String prefix) {
    StringBuilder b = new StringBuilder(prefix).append('-');
    for (int i = 0; i < 12; i++) b.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    return b.toString();
  }
}
