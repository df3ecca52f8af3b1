package treasurehunt.gateway;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Ids on the wire: 1–64 characters from [A-Za-z0-9_.-] (PROTOCOL.md). */
public final class Ids {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789".toCharArray();

  private Ids() {}

  public static boolean valid(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** A new random id such as {@code p-7kq2m9xw4r8t}. */
  public static String random(String prefix) {
    StringBuilder b = new StringBuilder(prefix).append('-');
    for (int i = 0; i < 12; i++) b.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    return b.toString();
  }
}
