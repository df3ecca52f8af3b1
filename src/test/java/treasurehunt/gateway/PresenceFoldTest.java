package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Hunt;

/** {@link Presence#fold}: net changes, the cap on listed entries, the count, the seq range. */
class PresenceFoldTest {

  static Hunt.StreamEntry entry(long seq, String kind, String player, int players) {
    return new Hunt.StreamEntry(
        "h",
        "e1",
        seq,
        1000 + seq,
        new Hunt.PublicEvent(kind, player, "n-" + player, null, null, null, null, players));
  }

  static JsonNode json(Presence.Run r) throws Exception {
    return Json.MAPPER.readTree(Frames.write(r.frame().tree()));
  }

  @Test
  void aRunIsOneFrameStandingForItsSeqRangeWithTheCountAfterIt() throws Exception {
    List<Hunt.StreamEntry> run = new ArrayList<>();
    for (int i = 0; i < 5; i++) run.add(entry(11 + i, "player_joined", "p" + i, 3 + i));
    run.add(entry(16, "player_left", "old", 6));
    Presence.Run r = Presence.fold(run, 100);
    JsonNode f = json(r);
    assertEquals("presence", f.path("type").asText());
    assertEquals(11, f.path("from").asLong());
    assertEquals(16, f.path("seq").asLong());
    assertEquals(1016, f.path("at").asLong());
    assertEquals(5, f.path("joined").size());
    assertEquals("n-p0", f.at("/joined/0/name").asText());
    assertEquals("old", f.at("/left/0/playerId").asText());
    assertEquals(0, f.path("more").asInt());
    assertEquals(6, f.at("/counts/players").asInt());
    assertEquals(Boolean.FALSE, r.after().get("old"));
    assertEquals(Boolean.TRUE, r.after().get("p4"));
  }

  @Test
  void aPlayerTogglingIsListedOnceByWhatChangedOrNotAtAll() throws Exception {
    List<Hunt.StreamEntry> run = new ArrayList<>();
    long seq = 1;
    for (int i = 0; i < 50; i++) {
      run.add(entry(seq++, "player_joined", "t", 1));
      run.add(entry(seq++, "player_left", "t", 0));
    }
    run.add(entry(seq++, "player_joined", "t", 1));
    JsonNode f = json(Presence.fold(run, 100));
    assertEquals(1, f.path("joined").size(), f.toString());
    assertEquals(0, f.path("left").size());
    // in before the run, out and in again 50 times: nothing changed, nothing listed
    JsonNode g = json(Presence.fold(run.subList(1, run.size()), 100));
    assertEquals(0, g.path("joined").size() + g.path("left").size(), g.toString());
    assertEquals(1, g.at("/counts/players").asInt());
  }

  @Test
  void atMostMaxEntriesAreListedTheRestCounted() throws Exception {
    List<Hunt.StreamEntry> run = new ArrayList<>();
    for (int i = 0; i < 1000; i++) run.add(entry(i + 1, "player_joined", "p" + i, i + 1));
    Presence.Run r = Presence.fold(run, 100);
    JsonNode f = json(r);
    assertEquals(100, f.path("joined").size());
    assertEquals(900, f.path("more").asInt());
    assertEquals(1000, f.at("/counts/players").asInt());
    String text = Frames.write(r.frame().tree());
    assertTrue(text.length() < 100 * 60 + 300, "bounded: " + text.length());
    assertEquals(1000, r.after().size(), "a follow still learns its own player's presence");
  }

  @Test
  void entriesStoredBefore11HaveNoCount() throws Exception {
    Hunt.StreamEntry old =
        new Hunt.StreamEntry(
            "h",
            "e1",
            4,
            9,
            new Hunt.PublicEvent("player_joined", "p", "n", null, null, null, null));
    JsonNode f = json(Presence.fold(List.of(old), 100));
    assertFalse(f.path("counts").has("players"));
    assertEquals(1, f.path("joined").size());
  }
}
