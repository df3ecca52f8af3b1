package treasurehunt.gateway;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import treasurehunt.entities.Hunt;

/**
 * The last stream entries a node's {@link HuntFeed} received from the hunt's topic, so that a
 * follow's fill (a new follower a few entries behind the live feed, docs/architecture.md) is served
 * on the node instead of asking the Hunt entity. Only a contiguous run of one epoch is held: an
 * entry that skips a seq (the topic lost one) or brings another epoch starts the window afresh from
 * it, so the window never serves a range with a hole; the Hunt stays the source of truth for
 * anything else. At most {@code capacity} entries (the oldest go first); they are the entry objects
 * the feed received anyway. Not thread-safe: the feed's actor owns it.
 */
final class FeedWindow {
  private final Hunt.StreamEntry[] ring;
  private int start;
  private int size;
  private String epoch;

  FeedWindow(int capacity) {
    ring = new Hunt.StreamEntry[Math.max(0, capacity)];
  }

  /** An entry from the topic, in the order received. */
  void add(Hunt.StreamEntry e) {
    if (ring.length == 0) return;
    if (size > 0 && e.epoch().equals(epoch)) {
      long last = last();
      if (e.seq() <= last) return; // a duplicate of one held (a stored entry never changes)
      if (e.seq() != last + 1) clear(); // a gap: what comes now is not contiguous with it
    } else clear(); // another epoch, or nothing held
    epoch = e.epoch();
    if (size == ring.length) {
      ring[start] = null;
      start = (start + 1) % ring.length;
      size--;
    }
    ring[(start + size) % ring.length] = e;
    size++;
  }

  void clear() {
    Arrays.fill(ring, null);
    start = 0;
    size = 0;
    epoch = null;
  }

  int size() {
    return size;
  }

  String epoch() {
    return epoch;
  }

  /** The first seq held; meaningful only when {@link #size} is not 0. */
  long first() {
    return ring[start].seq();
  }

  /** The last seq held; meaningful only when {@link #size} is not 0. */
  long last() {
    return ring[(start + size - 1) % ring.length].seq();
  }

  /**
   * The answer the Hunt would give to {@link Hunt.StreamSince}({@code epoch}, {@code after}, {@code
   * max}) when the window can give it, else null (ask the hunt). {@code headEpoch}, {@code
   * headSeq}: the hunt's head as the feed knows it (the last entry received, or the last sync's
   * answer when further); the answer's head is it, so a fill goes on past the window's last entry
   * and is then answered by the hunt. At the window's last entry with nothing known beyond it, the
   * answer is the hunt's at its head: complete, no entries.
   */
  Hunt.StreamReply since(String epoch, long after, int max, String headEpoch, long headSeq) {
    if (!covers(epoch, after) || !epoch.equals(headEpoch)) return null;
    long head = Math.max(last(), headSeq);
    if (after == last() && head > after) return null; // the topic lost what follows
    return new Hunt.StreamReply(epoch, head, after(after, max), true, null);
  }

  /**
   * Whether the window can tell everything after {@code after} in {@code epoch} that it knows of:
   * {@code after + 1} is held, or {@code after} is the last seq held (nothing after it yet).
   */
  boolean covers(String epoch, long after) {
    return size > 0 && epoch.equals(this.epoch) && after >= first() - 1 && after <= last();
  }

  /**
   * The first {@code max} entries after {@code after} ({@code max} 0: all held), oldest first; only
   * when {@link #covers} (empty when {@code after} is the last seq held).
   */
  List<Hunt.StreamEntry> after(long after, int max) {
    int from = (int) (after + 1 - first());
    int n = size - from;
    if (max > 0) n = Math.min(n, max);
    List<Hunt.StreamEntry> out = new ArrayList<>(Math.max(0, n));
    for (int i = 0; i < n; i++) out.add(ring[(start + from + i) % ring.length]);
    return out;
  }
}
