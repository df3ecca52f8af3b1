package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Hunt.ChatPosted;
import treasurehunt.entities.Hunt.Event;
import treasurehunt.entities.Hunt.HuntDefined;
import treasurehunt.entities.Hunt.HuntStarted;
import treasurehunt.entities.Hunt.PlayerJoined;
import treasurehunt.entities.Hunt.PlayerLeft;
import treasurehunt.entities.Hunt.StreamEntry;
import treasurehunt.entities.Hunt.TreasureFound;

/**
 * A fold from a checkpoint renders the stream exactly as the fold from the first event: same seqs,
 * names and leaderboards (ties included), whichever journal position the checkpoint was taken at.
 */
class StreamCheckpointsTest {
  static final String HUNT = "cp";

  /** A seeded game: joins (some twice), leaves, finds with and without points, chat. */
  static List<Event> game(long seed, int n) {
    Random r = new Random(seed);
    List<Event> events = new ArrayList<>();
    events.add(new HuntDefined(HUNT, Fixtures.definition(HUNT), "e1", 1));
    events.add(new HuntStarted(HUNT, 2));
    String[] treasures = {"clock", "gold", "riddle"};
    for (int i = 0; i < n; i++) {
      String p = "p" + r.nextInt(25);
      long at = 10 + i / 3; // equal times: the tie-breakers matter
      switch (r.nextInt(5)) {
        case 0 -> events.add(new PlayerJoined(HUNT, p, "name-" + p, at));
        case 1 -> events.add(new PlayerLeft(HUNT, p, at));
        case 2 ->
            events.add(
                new TreasureFound(
                    HUNT, p, treasures[r.nextInt(3)], r.nextInt(3) * 50, "c" + i, at));
        default -> events.add(new ChatPosted(HUNT, p, "m" + i, "hi " + i, at));
      }
    }
    return events;
  }

  static List<StreamEntry> fold(HuntState state, List<Event> events) {
    List<StreamEntry> out = new ArrayList<>();
    for (Event e : events) {
      long before = state.seq();
      state.apply(e, 2);
      out.addAll(state.entriesAfter(before));
    }
    return out;
  }

  @Test
  void aFoldFromACheckpointRendersTheSameStreamAsAFoldFromTheStart() {
    for (long seed = 1; seed <= 5; seed++) {
      List<Event> events = game(seed, 400);
      List<StreamEntry> all = fold(new HuntState(), events);
      assertTrue(all.size() > 400, "finds with points add leaderboard entries");
      for (int k = 1; k < events.size(); k += 37) {
        HuntState upToK = new HuntState();
        fold(upToK, events.subList(0, k));
        // what is stored and read back, not the object in memory
        StreamCheckpoints.Checkpoint stored =
            StreamCheckpoints.read(StreamCheckpoints.write(StreamCheckpoints.of(upToK, k)));
        assertEquals(k, stored.journalSeqNr());
        List<StreamEntry> rest =
            fold(HuntState.fromCheckpoint(stored), events.subList(k, events.size()));
        assertEquals(
            all.subList((int) upToK.seq(), all.size()),
            rest,
            "seed " + seed + ", checkpoint after event " + k);
      }
    }
  }
}
