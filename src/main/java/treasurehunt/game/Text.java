package treasurehunt.game;

import java.lang.Character.UnicodeScript;
import java.text.Normalizer;
import java.util.Set;

/**
 * Text that players write and everyone sees: display names and chat messages (docs/protocol.md §1.2
 * and §3.1). What the server keeps of such a text, and how long it may be.
 *
 * <p>{@link #clean} keeps what a reader can see and drops what can only hide or rearrange it:
 *
 * <ul>
 *   <li>control characters (Unicode category Cc: NUL, ESC, DEL, C1 controls) are dropped; line
 *       breaks, tabs and every other kind of space (Zs, Zl, Zp, NEL, the Hangul fillers and the
 *       blank Braille pattern, which render as nothing) become one space: runs collapse to one,
 *       none at either end. Names and chat messages are one line.
 *   <li>format characters (Cf: the bidirectional overrides, embeddings and isolates such as U+202E,
 *       LRM/RLM, zero-width space U+200B, word joiner, BOM U+FEFF, soft hyphen, invisible
 *       operators, tag characters) are dropped, with one exception: a zero-width joiner U+200D or
 *       non-joiner U+200C is kept where it shapes the text — ZWJ between two emoji (👩‍💻, 🏳️‍🌈,
 *       ❤️‍🔥, also after a variation selector or skin tone), ZWJ or ZWNJ between two letters of
 *       one script that uses them (Arabic, Persian, the Indic scripts…). Between Latin, Greek or
 *       Cyrillic letters, where they only make two names that look alike differ, they go too.
 *   <li>lone surrogates (half of a UTF-16 pair, which JSON's {@code \ud800} can carry) and
 *       noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF…) are dropped.
 *   <li>the result is in Unicode NFC, so one letter has one spelling whatever the keyboard sent.
 * </ul>
 *
 * <p>Lengths count Unicode code points of the cleaned text (an emoji is one, 👩‍💻 is three).
 * Everything else, emoji, accents, any script, right-to-left text included, is kept as sent: the
 * reading order of right-to-left text comes from the letters themselves, which no name or message
 * can override any more. Plain Java, no Akka: the gateway and the Hunt entity both call it, and
 * cleaning twice changes nothing.
 */
public final class Text {
  private Text() {}

  /** Longest display name, in code points after cleaning. */
  public static final int MAX_NAME = 64;

  /** Longest chat message, in code points after cleaning. */
  public static final int MAX_CHAT = 500;

  private static final int ZWNJ = 0x200C, ZWJ = 0x200D, VS16 = 0xFE0F;

  /** Scripts whose letters never need a joiner; one there only makes look-alike names. */
  private static final Set<UnicodeScript> NO_JOINERS =
      Set.of(
          UnicodeScript.LATIN,
          UnicodeScript.GREEK,
          UnicodeScript.CYRILLIC,
          UnicodeScript.COMMON,
          UnicodeScript.INHERITED,
          UnicodeScript.UNKNOWN);

  /** The text as the server keeps it (rules above); null stays null. */
  public static String clean(String raw) {
    if (raw == null) return null;
    int[] cps = raw.codePoints().toArray();
    StringBuilder out = new StringBuilder(raw.length());
    boolean space = false;
    for (int i = 0; i < cps.length; i++) {
      int c = cps[i];
      if (isSpace(c)) {
        space = true;
        continue;
      }
      if (hidden(c) && !shapingJoiner(cps, i)) continue;
      if (space && out.length() > 0) out.append(' ');
      space = false;
      out.appendCodePoint(c);
    }
    return Normalizer.normalize(out, Normalizer.Form.NFC);
  }

  /** Length in code points. */
  public static int length(String s) {
    return s.codePointCount(0, s.length());
  }

  /**
   * A display name as kept, or null when nothing is left or it is longer than {@link #MAX_NAME}.
   */
  public static String name(String raw) {
    return within(clean(raw), MAX_NAME);
  }

  /**
   * A chat message as kept, or null when nothing is left or it is longer than {@link #MAX_CHAT}.
   */
  public static String chat(String raw) {
    return within(clean(raw), MAX_CHAT);
  }

  /**
   * A name from elsewhere (a token minted by another service): cleaned, cut to {@link #MAX_NAME}
   * code points rather than refused, {@code fallback} when nothing is left.
   */
  public static String fitName(String raw, String fallback) {
    String s = clean(raw);
    if (s == null || s.isEmpty()) return fallback;
    if (length(s) > MAX_NAME) s = clean(s.substring(0, s.offsetByCodePoints(0, MAX_NAME)));
    return s.isEmpty() ? fallback : s;
  }

  private static String within(String s, int max) {
    return s == null || s.isEmpty() || length(s) > max ? null : s;
  }

  /** Whitespace of any kind, and the characters that render as blank space. */
  static boolean isSpace(int c) {
    return Character.isWhitespace(c)
        || Character.isSpaceChar(c)
        || c == 0x0085 // NEL
        || c == 0x115F
        || c == 0x1160
        || c == 0x3164
        || c == 0xFFA0 // Hangul fillers
        || c == 0x2800; // Braille pattern blank
  }

  /** Control, format, surrogate and noncharacter code points. */
  static boolean hidden(int c) {
    int type = Character.getType(c);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.SURROGATE
        || (c >= 0xFDD0 && c <= 0xFDEF)
        || (c & 0xFFFE) == 0xFFFE;
  }

  /** Whether the code point at {@code i} is a ZWJ/ZWNJ that shapes its neighbours (rules above). */
  private static boolean shapingJoiner(int[] cps, int i) {
    int c = cps[i];
    if ((c != ZWJ && c != ZWNJ) || i == 0 || i == cps.length - 1) return false;
    int before = cps[i - 1], after = cps[i + 1];
    if (c == ZWJ && isEmoji(after)) {
      if (isEmoji(before)) return true;
      if ((before == VS16 || isSkinTone(before)) && i >= 2 && isEmoji(cps[i - 2])) return true;
    }
    return sameJoiningScript(cps, i - 1, after);
  }

  /** Emoji and other pictographs are "other symbols" (So). */
  private static boolean isEmoji(int c) {
    return Character.getType(c) == Character.OTHER_SYMBOL;
  }

  private static boolean isSkinTone(int c) {
    return c >= 0x1F3FB && c <= 0x1F3FF;
  }

  /**
   * The letter before (its combining marks skipped back to the letter they sit on) and the letter
   * after are of one script that uses joiners.
   */
  private static boolean sameJoiningScript(int[] cps, int beforeAt, int after) {
    int j = beforeAt;
    while (j > 0 && UnicodeScript.of(cps[j]) == UnicodeScript.INHERITED && isMark(cps[j])) j--;
    int before = cps[j];
    if (!Character.isLetter(before) && !isMark(before)) return false;
    if (!Character.isLetter(after) && !isMark(after)) return false;
    UnicodeScript script = UnicodeScript.of(before);
    return script == UnicodeScript.of(after) && !NO_JOINERS.contains(script);
  }

  private static boolean isMark(int c) {
    int type = Character.getType(c);
    return type == Character.NON_SPACING_MARK
        || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK;
  }
}
