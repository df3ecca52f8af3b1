package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link Ids#valid} is PROTOCOL.md's id rule, 1–64 characters from [A-Za-z0-9_.-], as a loop. */
class IdsTest {
  private static final Pattern RULE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  @Test
  void acceptsTheProtocolsAlphabetUpTo64Characters() {
    assertTrue(Ids.valid("a"));
    assertTrue(Ids.valid("Loc-42_b.c"));
    assertTrue(Ids.valid("x".repeat(64)));
    assertFalse(Ids.valid(null));
    assertFalse(Ids.valid(""));
    assertFalse(Ids.valid("x".repeat(65)));
    for (String bad : List.of("a b", "a/b", "é", "a\u0000", "ａ", "a:b", "a+b", "\u0661", "a\n"))
      assertFalse(Ids.valid(bad), bad);
  }

  /** Every string of the characters around the alphabet's edges is judged as the regex does. */
  @Test
  void agreesWithTheRegexOnRandomStrings() {
    String pool = "azAZ09_.-/:@[`{ \u00e9\u0660" + (char) ('a' - 1) + (char) ('z' + 1);
    Random r = new Random(7);
    for (int n = 0; n < 20_000; n++) {
      StringBuilder b = new StringBuilder();
      int len = r.nextInt(70);
      for (int i = 0; i < len; i++) b.append(pool.charAt(r.nextInt(pool.length())));
      String s = b.toString();
      assertEquals(RULE.matcher(s).matches(), Ids.valid(s), s);
    }
  }
}
