package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Hunt;

/**
 * The feed's window of stream entries ({@link FeedWindow}): only a contiguous run of one epoch is
 * held, and fills are answered exactly as the Hunt answers {@code StreamSince}, or not at all.
 */
class FeedWindowTest {

  static Hunt.StreamEntry e(String epoch, long seq) {
    return new Hunt.StreamEntry(
        "h",
        epoch,
        seq,
        1000 + seq,
        new Hunt.PublicEvent("chat", "p", "n", null, null, "hi " + seq, null, null));
  }

  static FeedWindow window(int capacity, String epoch, long from, long to) {
    FeedWindow w = new FeedWindow(capacity);
    for (long s = from; s <= to; s++) w.add(e(epoch, s));
    return w;
  }

  static List<Long> seqs(Hunt.StreamReply r) {
    return r.entries().stream().map(Hunt.StreamEntry::seq).toList();
  }

  @Test
  void servesTheEntriesAfterAPositionItHoldsAsTheHuntWould() {
    FeedWindow w = window(100, "A", 1, 10);
    Hunt.StreamReply r = w.since("A", 4, 0, "A", 10);
    assertEquals(List.of(5L, 6L, 7L, 8L, 9L, 10L), seqs(r));
    assertEquals("A", r.epoch());
    assertEquals(10, r.seq());
    assertTrue(r.complete());
    assertNull(r.problem());
    // from just before the first held
    assertEquals(10, w.since("A", 0, 0, "A", 10).entries().size());
  }

  @Test
  void aPageIsAtMostMaxEntriesAndTheHeadTellsThereIsMore() {
    FeedWindow w = window(100, "A", 1, 10);
    Hunt.StreamReply r = w.since("A", 2, 3, "A", 10);
    assertEquals(List.of(3L, 4L, 5L), seqs(r));
    assertEquals(10, r.seq()); // last entry 5 < head 10: the fill asks again
  }

  @Test
  void atItsLastEntryItAnswersNothingMoreLikeTheHuntAtItsHead() {
    FeedWindow w = window(100, "A", 1, 10);
    Hunt.StreamReply r = w.since("A", 10, 200, "A", 10);
    assertTrue(r.complete());
    assertTrue(r.entries().isEmpty());
    assertEquals(10, r.seq());
  }

  @Test
  void whenTheHuntIsKnownToBeFurtherTheRestComesFromTheHunt() {
    FeedWindow w = window(100, "A", 1, 10);
    // the sync saw head 12: the window serves what it holds, with the hunt's head, so the fill
    // goes on; after its last entry it does not answer (the topic lost 11)
    Hunt.StreamReply r = w.since("A", 8, 200, "A", 12);
    assertEquals(List.of(9L, 10L), seqs(r));
    assertEquals(12, r.seq());
    assertNull(w.since("A", 10, 200, "A", 12));
  }

  @Test
  void notHeldIsNotAnswered() {
    FeedWindow w = window(100, "A", 5, 10);
    assertNull(w.since("A", 3, 0, "A", 10), "before the first held");
    assertNotNull(w.since("A", 4, 0, "A", 10));
    assertNull(w.since("A", 11, 0, "A", 10), "ahead of it");
    assertNull(w.since("B", 6, 0, "A", 10), "another epoch");
    assertNull(w.since("A", 6, 0, "B", 1), "the hunt is known to be in another epoch");
    assertNull(new FeedWindow(100).since("A", 0, 0, "A", 0), "empty");
    assertNull(window(0, "A", 1, 10).since("A", 4, 0, "A", 10), "turned off");
  }

  @Test
  void aGapStartsTheWindowAgainFromTheNextEntry() {
    FeedWindow w = window(100, "A", 1, 10);
    w.add(e("A", 12)); // 11 was lost
    assertEquals(12, w.first());
    assertEquals(12, w.last());
    assertNull(w.since("A", 9, 0, "A", 12), "never a range with a hole");
    assertNull(w.since("A", 10, 0, "A", 12));
    w.add(e("A", 13));
    assertEquals(List.of(13L), seqs(w.since("A", 12, 0, "A", 13)));
    assertEquals(List.of(12L, 13L), seqs(w.since("A", 11, 0, "A", 13)));
  }

  @Test
  void aDuplicateOrAnOlderEntryChangesNothing() {
    FeedWindow w = window(100, "A", 1, 10);
    w.add(e("A", 7));
    w.add(e("A", 10));
    assertEquals(1, w.first());
    assertEquals(10, w.last());
    assertEquals(10, w.size());
  }

  @Test
  void anotherEpochStartsTheWindowAgain() {
    FeedWindow w = window(100, "A", 1, 10);
    w.add(e("B", 3));
    assertEquals("B", w.epoch());
    assertEquals(1, w.size());
    assertNull(w.since("A", 5, 0, "B", 3));
    assertEquals(List.of(3L), seqs(w.since("B", 2, 0, "B", 3)));
    w.add(e("B", 4));
    assertEquals(List.of(3L, 4L), seqs(w.since("B", 2, 0, "B", 4)));
  }

  @Test
  void itHoldsAtMostItsCapacityTheOldestGoFirst() {
    FeedWindow w = window(5, "A", 1, 12);
    assertEquals(5, w.size());
    assertEquals(8, w.first());
    assertEquals(12, w.last());
    assertNull(w.since("A", 6, 0, "A", 12));
    assertEquals(List.of(8L, 9L, 10L, 11L, 12L), seqs(w.since("A", 7, 0, "A", 12)));
    assertEquals(List.of(10L, 11L), seqs(w.since("A", 9, 2, "A", 12)));
    w.clear();
    assertEquals(0, w.size());
    assertNull(w.since("A", 11, 0, "A", 12));
    w.add(e("A", 20));
    assertEquals(List.of(20L), seqs(w.since("A", 19, 0, "A", 20)));
  }
}
