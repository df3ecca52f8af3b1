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

  static Hunt.StreamEntry find(long seq, String player, String treasure, int players) {
    return new Hunt.StreamEntry(
        "h",
        "e1",
        seq,
        1000 + seq,
        new Hunt.PublicEvent(
            "treasure_found", player, "n-" + player, treasure, 50, null, null, players));
  }

  static Hunt.StreamEntry board(long seq, String leader, int players) {
    return new Hunt.StreamEntry(
        "h",
        "e1",
        seq,
        1000 + seq,
        new Hunt.PublicEvent(
            "leaderboard",
            null,
            null,
            null,
            null,
            null,
            List.of(new Hunt.LeaderboardEntry(1, leader, "n-" + leader, 50, 1)),
            players));
  }

  @Test
  void findsAndLeaderboardsFoldIntoTheRangeTheLastLeaderboardWinsPresenceUnchanged()
      throws Exception {
    List<Hunt.StreamEntry> run =
        List.of(
            entry(11, "player_joined", "a", 301),
            find(12, "a", "t1", 301),
            board(13, "a", 301),
            entry(14, "player_left", "b", 300),
            find(15, "c", "t2", 300),
            board(16, "c", 300));
    Presence.Run r = Presence.fold(run, 100);
    JsonNode f = json(r);
    assertEquals(11, f.path("from").asLong());
    assertEquals(16, f.path("seq").asLong());
    assertEquals(1016, f.path("at").asLong());
    assertEquals(300, f.at("/counts/players").asInt());
    assertEquals("a", f.at("/joined/0/playerId").asText());
    assertEquals("b", f.at("/left/0/playerId").asText());
    assertEquals(0, f.path("more").asInt());
    assertEquals(2, f.path("found").size());
    assertEquals(12, f.at("/found/0/seq").asLong());
    assertEquals(1012, f.at("/found/0/at").asLong());
    assertEquals("a", f.at("/found/0/playerId").asText());
    assertEquals("n-a", f.at("/found/0/name").asText());
    assertEquals("t1", f.at("/found/0/treasure").asText());
    assertEquals(50, f.at("/found/0/points").asInt());
    assertEquals("t2", f.at("/found/1/treasure").asText());
    assertEquals(0, f.path("moreFound").asInt());
    assertEquals(1, f.path("leaderboard").size());
    assertEquals("c", f.at("/leaderboard/0/playerId").asText(), "the last leaderboard wins");
    assertEquals(1, f.at("/leaderboard/0/rank").asInt());
    // finds say nothing about who is in: the players of finds are not in `after`
    assertEquals(java.util.Map.of("a", true, "b", false), r.after());
    AsyncApiTest.assertServerFrameValid(f);
  }

  @Test
  void aFrameWithoutFindsHasNoNewFields() throws Exception {
    JsonNode f = json(Presence.fold(List.of(entry(3, "player_joined", "p", 1)), 100));
    assertFalse(f.has("found") || f.has("moreFound") || f.has("leaderboard"), f.toString());
  }

  @Test
  void atMostMaxEntriesFindsAreListedTheRestCounted() throws Exception {
    List<Hunt.StreamEntry> run = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      run.add(find(2 * i + 1, "p" + i, "t" + i, 500));
      run.add(board(2 * i + 2, "p" + i, 500));
    }
    JsonNode f = json(Presence.fold(run, 10));
    assertEquals(1, f.path("from").asLong());
    assertEquals(50, f.path("seq").asLong());
    assertEquals(10, f.path("found").size());
    assertEquals("t0", f.at("/found/0/treasure").asText(), "in the order they happened");
    assertEquals(15, f.path("moreFound").asInt());
    assertEquals("p24", f.at("/leaderboard/0/playerId").asText());
    assertEquals(500, f.at("/counts/players").asInt(), "the count finds carry");
    assertEquals(0, f.path("joined").size() + f.path("left").size());
    assertTrue(Presence.fold(run, 10).after().isEmpty());
  }

  @Test
  void aPartOfARunFromInsideItFoldsOnlyWhatFollows() throws Exception {
    List<Hunt.StreamEntry> run =
        List.of(find(7, "a", "t1", 300), board(8, "a", 300), find(9, "b", "t2", 300));
    Presence.Run whole = Presence.fold(run, 100);
    JsonNode f = json(whole.from(8, 100));
    assertEquals(8, f.path("from").asLong());
    assertEquals(9, f.path("seq").asLong());
    assertEquals(1, f.path("found").size());
    assertEquals("t2", f.at("/found/0/treasure").asText());
    assertEquals("a", f.at("/leaderboard/0/playerId").asText());
    JsonNode g = json(whole.from(9, 100));
    assertEquals(9, g.path("from").asLong());
    assertFalse(g.has("leaderboard"));
  }

  @Test
  void findsFoldOnlyAboveTheSizeAndOnlyFor11() {
    Presence.Fold fold = new Presence.Fold(100, 200);
    assertTrue(fold.folds(entry(1, "player_joined", "p", 5)));
    assertFalse(fold.folds(find(2, "p", "t", 200)), "at the size: an event");
    assertTrue(fold.folds(find(2, "p", "t", 201)));
    assertTrue(fold.folds(board(3, "p", 201)));
    Hunt.StreamEntry old =
        new Hunt.StreamEntry(
            "h", "e1", 4, 9, new Hunt.PublicEvent("treasure_found", "p", "n", "t", 5, null, null));
    assertFalse(fold.folds(old), "no count: not known to be big");
    Hunt.StreamEntry chat =
        new Hunt.StreamEntry(
            "h", "e1", 5, 9, new Hunt.PublicEvent("chat", "p", "n", null, null, "hi", null, 900));
    assertFalse(fold.folds(chat));
    assertFalse(Presence.Fold.NONE.folds(entry(1, "player_joined", "p", 5)), "v1");
    assertFalse(Presence.Fold.NONE.folds(find(2, "p", "t", 9999)), "v1");
    java.util.ArrayDeque<Hunt.StreamEntry> page =
        new java.util.ArrayDeque<>(
            List.of(
                board(8, "a", 300),
                entry(9, "player_left", "x", 299),
                chat,
                find(11, "a", "t", 300)));
    List<Hunt.StreamEntry> taken = fold.takeRun(find(7, "a", "t1", 300), page);
    assertEquals(List.of(7L, 8L, 9L), taken.stream().map(Hunt.StreamEntry::seq).toList());
    assertEquals(2, page.size(), "the chat stops the run");
  }
}
