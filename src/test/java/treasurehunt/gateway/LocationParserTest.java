package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The location fast path ({@link LocationParser}) answers every frame exactly as the general path
 * ({@link ClientFrame#parseTree}) does: the same record, or the same error with the same id and
 * stage. A client that lies about its fields (wrong types, duplicates, extra fields, numbers out of
 * range, a clock ahead) must not get past the checks by taking the fast path.
 */
class LocationParserTest {
  static final long NOW = 1_700_000_000_000L;
  static final Duration SKEW = Duration.ofMinutes(5);

  static ClientFrame fast(String text) {
    return ClientFrame.parse(new WebSocketFrames.Text(text), 16384, SKEW, NOW);
  }

  static ClientFrame general(String text) {
    return ClientFrame.parseTree(new WebSocketFrames.Text(text), Encoding.JSON, 16384, SKEW, NOW);
  }

  static void same(String text) {
    assertEquals(general(text), fast(text), text);
  }

  /** The frame a bot or a browser sends: taken by the fast path, and read as the tree reads it. */
  @Test
  void theCommonFrameTakesTheFastPathAndReadsTheSame() {
    String frame =
        "{\"type\":\"location\",\"id\":\"loc-17\",\"hunt\":\"h-1\",\"lat\":52.37021570812398,"
            + "\"lon\":4.895167899131775,\"accuracyM\":10,\"at\":"
            + NOW
            + "}";
    assertNotNull(LocationParser.read(frame));
    ClientFrame.Location l = assertInstanceOf(ClientFrame.Location.class, fast(frame));
    assertEquals(52.37021570812398, l.lat());
    assertEquals(4.895167899131775, l.lon());
    assertEquals(10.0, l.accuracyM());
    assertEquals(NOW, l.at());
    same(frame);
    // whitespace, another field order, no accuracy, a null accuracy, integers for degrees
    same(
        " { \"at\" : 1 , \"lon\":-180,\"lat\":-90,\"hunt\":\"h\",\"id\":\"c1\",\"type\":\"location\"}\n");
    same("{\"type\":\"location\",\"id\":\"c1\",\"hunt\":\"h\",\"lat\":1,\"lon\":2,\"at\":3}");
    same(
        "{\"type\":\"location\",\"id\":\"c1\",\"hunt\":\"h\",\"lat\":1,\"lon\":2,\"at\":3,"
            + "\"accuracyM\":null}");
    same("{\"type\":\"location\",\"id\":\"c\\u0031\",\"hunt\":\"h\",\"lat\":1,\"lon\":2,\"at\":3}");
  }

  /** What the checks refuse is refused on the fast path too, with the same words. */
  @Test
  void wrongValuesAreRefusedAsBefore() {
    for (String fields :
        List.of(
            "\"lat\":91,\"lon\":0,\"at\":1",
            "\"lat\":-90.0000001,\"lon\":0,\"at\":1",
            "\"lat\":0,\"lon\":180.5,\"at\":1",
            "\"lat\":0,\"lon\":0,\"at\":-1",
            "\"lat\":0,\"lon\":0,\"at\":" + (NOW + SKEW.toMillis() + 1),
            "\"lat\":0,\"lon\":0,\"at\":1,\"accuracyM\":-1",
            "\"lat\":0,\"lon\":0,\"at\":1,\"accuracyM\":100001",
            "\"lon\":0,\"at\":1",
            "\"lat\":0,\"at\":1",
            "\"lat\":0,\"lon\":0")) {
      String frame = "{\"type\":\"location\",\"id\":\"c1\",\"hunt\":\"h\"," + fields + "}";
      assertInstanceOf(ClientFrame.BadFrame.class, fast(frame), frame);
      same(frame);
    }
    same("{\"type\":\"location\",\"id\":\"c1\",\"hunt\":\"no hunt\",\"lat\":0,\"lon\":0,\"at\":1}");
    same("{\"type\":\"location\",\"id\":\"c1\",\"lat\":0,\"lon\":0,\"at\":1}");
  }

  /** Frames the fast path leaves to the general one: each answered as the general path answers. */
  @Test
  void unusualFramesAreAnsweredAsBefore() {
    String head = "{\"type\":\"location\",\"id\":\"c1\",\"hunt\":\"h\",";
    List<String> frames =
        List.of(
            head + "\"lat\":\"52\",\"lon\":0,\"at\":1}",
            head + "\"lat\":null,\"lon\":0,\"at\":1}",
            head + "\"lat\":[1],\"lon\":0,\"at\":1}",
            head + "\"lat\":{\"v\":1},\"lon\":0,\"at\":1}",
            head + "\"lat\":true,\"lon\":0,\"at\":1}",
            head + "\"lat\":1e999,\"lon\":0,\"at\":1}",
            head + "\"lat\":0,\"lon\":0,\"at\":1.5}",
            head + "\"lat\":0,\"lon\":0,\"at\":1e3}",
            head + "\"lat\":0,\"lon\":0,\"at\":18446744073709551617}",
            head + "\"lat\":0,\"lon\":0,\"at\":\"1\"}",
            head + "\"lat\":0,\"lon\":0,\"at\":1,\"accuracyM\":\"5\"}",
            head + "\"lat\":0,\"lon\":0,\"at\":1,\"accuracyM\":\" \"}",
            head + "\"lat\":0,\"lon\":0,\"at\":1,\"lat\":89}",
            head + "\"lat\":99,\"lon\":0,\"at\":1,\"lat\":1}",
            head + "\"lat\":0,\"lon\":0,\"at\":1,\"extra\":[1,2]}",
            head + "\"lat\":0,\"lon\":0,\"at\":1} {}",
            head + "\"lat\":0,\"lon\":0,\"at\":1}x",
            head + "\"lat\":0,\"lon\":0,\"at\":1",
            head + "\"lat\":NaN,\"lon\":0,\"at\":1}",
            head + "\"lat\":0,\"lon\":0,\"at\":1,\"hunt\":\"h2\"}",
            head + "\"lat\":0,\"lon\":0,\"at\":1,\"type\":\"join\"}",
            head + "\"lat\":0,\"lon\":0,\"at\":1,\"id\":\"c2\"}",
            "{\"type\":\"Location\",\"id\":\"c1\",\"hunt\":\"h\",\"lat\":0,\"lon\":0,\"at\":1}",
            "{\"type\":\"location\",\"id\":\"c 1\",\"hunt\":\"h\",\"lat\":0,\"lon\":0,\"at\":1}",
            "{\"type\":\"location\",\"id\":5,\"hunt\":\"h\",\"lat\":0,\"lon\":0,\"at\":1}",
            "{\"type\":\"location\",\"hunt\":\"h\",\"lat\":0,\"lon\":0,\"at\":1}",
            "{\"type\":\"location\",\"id\":\"" + "x".repeat(65) + "\",\"hunt\":\"h\"}",
            "{\"type\":\"location\",\"id\":\"c1\",\"hunt\":7,\"lat\":0,\"lon\":0,\"at\":1}",
            "{\"type\":\"location\",\"id\":\"c1\",\"hunt\":null,\"lat\":0,\"lon\":0,\"at\":1}",
            "{\"type\":null,\"id\":\"c1\"}",
            "[\"location\"]",
            "\"location\"",
            "",
            "{}");
    for (String frame : frames) {
      assertNull(LocationParser.read(frame), frame);
      same(frame);
    }
  }

  /**
   * Random edits of real frames (characters dropped, doubled, swapped for JSON's own) are answered
   * the same way on both paths, and some of them still take the fast path.
   */
  @Test
  void randomEditsAreAnsweredTheSameOnBothPaths() {
    List<String> seeds = new ArrayList<>();
    seeds.add(
        "{\"type\":\"location\",\"id\":\"loc-1\",\"hunt\":\"h-1\",\"lat\":52.3702157,"
            + "\"lon\":4.8951679,\"accuracyM\":10,\"at\":"
            + NOW
            + "}");
    seeds.add(
        "{\"at\":0,\"lat\":-89.9,\"lon\":179.99,\"id\":\"a\",\"hunt\":\"b\",\"type\":\"location\"}");
    String pool = "{}[]\",:0123456789.-eE ntrualsfx\\";
    Random r = new Random(11);
    int fastTaken = 0;
    for (int n = 0; n < 20_000; n++) {
      StringBuilder b = new StringBuilder(seeds.get(r.nextInt(seeds.size())));
      int edits = 1 + r.nextInt(3);
      for (int e = 0; e < edits; e++) {
        int at = r.nextInt(b.length());
        switch (r.nextInt(3)) {
          case 0 -> b.deleteCharAt(at);
          case 1 -> b.insert(at, pool.charAt(r.nextInt(pool.length())));
          default -> b.setCharAt(at, pool.charAt(r.nextInt(pool.length())));
        }
      }
      String frame = b.toString();
      if (LocationParser.read(frame) != null) fastTaken++;
      same(frame);
    }
    assertTrue(fastTaken > 1000, "edited frames that still took the fast path: " + fastTaken);
  }
}
