package treasurehunt.game;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class TextTest {

  @Test
  void plainTextIsKeptAsSent() {
    for (String s :
        new String[] {
          "alice", "Zoë", "Łódź", "東京の宝", "مرحبا", "שלום", "नमस्ते", "found the clock!", "a - b"
        }) assertEquals(s, Text.clean(s), s);
  }

  @Test
  void bidiOverridesAndIsolatesAreDropped() {
    // "evil\u202Egnp.exe" shows as "evilexe.png" in a viewer that honours the override.
    assertEquals("evilgnp.exe", Text.clean("evil\u202Egnp.exe"));
    assertEquals("ab", Text.clean("a\u202Ab\u202C"));
    assertEquals("ab", Text.clean("\u2066a\u2069b\u2067\u2068"));
    assertEquals("ab", Text.clean("a\u200E\u200Fb\u061C"));
  }

  @Test
  void zeroWidthCharactersAndTheBomAreDropped() {
    assertEquals("admin", Text.clean("ad\u200Bmin"));
    assertEquals("admin", Text.clean("\uFEFFadmin\u2060"));
    assertEquals("admin", Text.clean("ad\u00ADmin")); // soft hyphen
    // a joiner between Latin (or Greek, Cyrillic) letters shapes nothing: only a look-alike
    assertEquals("admin", Text.clean("ad\u200Dmin"));
    assertEquals("admin", Text.clean("ad\u200Cmin"));
    assertEquals("", Text.clean("\u200B\u200C\u200D\uFEFF"));
  }

  @Test
  void tagCharactersAreDropped() {
    // Invisible ASCII smuggled as tags; the subdivision flag of England becomes a black flag.
    assertEquals("hi", Text.clean("hi\uDB40\uDC41\uDB40\uDC42"));
    assertEquals(
        "\uD83C\uDFF4",
        Text.clean(
            "\uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC65\uDB40\uDC6E\uDB40\uDC67\uDB40\uDC7F"));
  }

  @Test
  void controlCharactersAreDroppedAndLineBreaksBecomeOneSpace() {
    assertEquals("ab", Text.clean("a\u0000b"));
    assertEquals("a[31mb", Text.clean("a\u001B[31mb")); // an ANSI escape loses its ESC
    assertEquals("ab", Text.clean("a\u007Fb\u0090"));
    assertEquals("line one line two", Text.clean("line one\r\nline two"));
    assertEquals("a b c", Text.clean("a\tb\u000B\u000Cc"));
    assertEquals("a b", Text.clean("a\u0085b"));
    assertEquals("a b", Text.clean("a\u2028\u2029b"));
    assertEquals("a b", Text.clean("  a \u00A0\u3000 b\n"));
  }

  @Test
  void blankLookingLettersCountAsSpace() {
    assertEquals("", Text.clean("\u3164\u3164"));
    assertEquals("", Text.clean("\u2800"));
    assertEquals("a b", Text.clean("a\u115F\u1160b"));
    assertNull(Text.name("\u3164"));
  }

  @Test
  void loneSurrogatesAndNoncharactersAreDropped() {
    assertEquals("ab", Text.clean("a\uD800b"));
    assertEquals("ab", Text.clean("a\uDC00b"));
    assertEquals("ab", Text.clean("a\uFFFEb\uFFFF"));
    assertEquals("ab", Text.clean("a\uFDD0b"));
    assertEquals("a😀", Text.clean("a\uD83D\uDE00\uD83D")); // the pair stays, the half goes
  }

  @Test
  void emojiAndTheirJoinersAreKept() {
    String[] kept = {
      "🔥",
      "👍🏽",
      "👩\u200D💻", // woman technologist
      "👨\u200D👩\u200D👧", // family
      "🏳\uFE0F\u200D🌈", // rainbow flag: ZWJ after a variation selector
      "👩🏽\u200D💻", // ZWJ after a skin tone
      "❤\uFE0F\u200D🔥",
      "🇳🇱",
      "1\uFE0F\u20E3" // keycap
    };
    for (String s : kept) assertEquals(s, Text.clean(s), s);
    // a joiner with no emoji on one side is not part of a sequence
    assertEquals("👩 x", Text.clean("👩\u200D x"));
    assertEquals("x💻", Text.clean("x\u200D💻"));
    assertEquals("👩", Text.clean("👩\u200D"));
  }

  @Test
  void joinersAreKeptWhereTheyShapeAScript() {
    String persian = "می\u200Cخواهم"; // ZWNJ inside a Persian word
    assertEquals(persian, Text.clean(persian));
    String devanagari = "क्\u200Dष"; // ZWJ after a virama
    assertEquals(devanagari, Text.clean(devanagari));
    String sinhala = "ශ්\u200Dරී";
    assertEquals(sinhala, Text.clean(sinhala));
    // not between two scripts
    assertEquals("یa", Text.clean("ی\u200Ca"));
  }

  @Test
  void theResultIsNfc() {
    assertEquals("\u00E9", Text.clean("e\u0301"));
    assertEquals("\u00E9", Text.clean("e\u200B\u0301"));
  }

  @Test
  void cleaningTwiceChangesNothing() {
    String[] samples = {
      "evil\u202Egnp",
      "a\u200D\u200Db",
      "👩\u200D\u200D💻",
      "  x\n\ny ",
      "می\u200C\u200Cخ",
      "e\u0301\u200B"
    };
    for (String s : samples) assertEquals(Text.clean(s), Text.clean(Text.clean(s)), s);
  }

  @Test
  void lengthsCountCodePointsOfTheCleanedText() {
    assertEquals(1, Text.length("😀"));
    assertEquals("x".repeat(64), Text.name(" " + "x".repeat(64) + "\u200B "));
    assertNull(Text.name("x".repeat(65)));
    assertEquals(64, Text.length(Text.name("😀".repeat(64)))); // 128 UTF-16 units
    assertNull(Text.name(""));
    assertNull(Text.name("   "));
    assertNull(Text.name("\u0000\u202E"));
    assertNull(Text.name(null));
    assertEquals("bob", Text.name("\u202Ebob\n"));
    assertNotNull(Text.chat("x".repeat(500)));
    assertNull(Text.chat("x".repeat(501)));
    assertEquals("x".repeat(500), Text.chat("x".repeat(500) + "\u200B\u200B"));
    assertNull(Text.chat("\n\t "));
  }

  @Test
  void aNameFromATokenIsCutNotRefused() {
    assertEquals("x".repeat(64), Text.fitName("x".repeat(100), "p-1"));
    assertEquals("p-1", Text.fitName("\u202E\u200B", "p-1"));
    assertEquals("p-1", Text.fitName(null, "p-1"));
    assertEquals("alice", Text.fitName("ali\u0000ce", "p-1"));
    // a cut inside a sequence leaves no dangling joiner or half pair
    String cut = Text.fitName("x".repeat(63) + "👩\u200D💻", "p-1");
    assertEquals("x".repeat(63) + "👩", cut);
    String spaced = Text.fitName("x".repeat(63) + " y", "p-1");
    assertEquals("x".repeat(63), spaced);
  }
}
