package treasurehunt.entities;

import java.util.List;
import treasurehunt.entities.Player.LocationAck;

/**
 * The acks of a player's last trail fixes ({@link PlayerTrail}) by command id, so that a retry gets
 * its first answer (PROTOCOL.md §2): a ring of the last {@code capacity}, in primitive arrays.
 *
 * <p>Why not a map of acks: every report would leave an entry, its ack and its id alive for the
 * next {@code capacity} reports of that player (~10 s under load), long enough for G1 to copy them
 * between survivor spaces and promote them, work paid in every young pause (BENCHMARKS.md, issue
 * 13, session 9). A trail fix's ack is its poll advice, its band and the treasure it stands at
 * (nothing found, nothing claimed by others: those fixes are journaled), so the ring keeps only
 * those (the band and the treasure id are long-lived strings of the rules) and a 64-bit hash of the
 * id with its length.
 *
 * <p>A different id with the same hash and length (about 2^-64 per pair; a client could craft one
 * on purpose) is answered as the repeat of the earlier report: nothing is judged or stored for it,
 * so a client can only make its own report a no-op this way. One per entity instance, used by its
 * actor only: not thread-safe.
 */
final class TrailAnswers {
  private final int capacity;
  private long[] hashes;
  private int[] lengths;
  private long[] polls;
  private String[] bands;
  private String[] treasures;
  private int next;
  private int size;

  TrailAnswers(int capacity) {
    this.capacity = Math.max(1, capacity);
  }

  /** Remembers the ack of an ordinary fix (its found and claimed-by-others lists are empty). */
  void remember(String cmdId, LocationAck ack) {
    if (cmdId == null) return;
    if (hashes == null) {
      hashes = new long[capacity];
      lengths = new int[capacity];
      polls = new long[capacity];
      bands = new String[capacity];
      treasures = new String[capacity];
    }
    int i = next;
    hashes[i] = hash(cmdId);
    lengths[i] = cmdId.length();
    polls[i] = ack.nextPollMs();
    bands[i] = ack.nearest();
    treasures[i] = ack.atTreasure();
    next = (i + 1) % capacity;
    if (size < capacity) size++;
  }

  /** The ack given to the trail fix with this id, or null. */
  LocationAck get(String cmdId) {
    if (size == 0 || cmdId == null) return null;
    long h = hash(cmdId);
    int length = cmdId.length();
    for (int k = 1; k <= size; k++) {
      int i = Math.floorMod(next - k, capacity);
      if (hashes[i] == h && lengths[i] == length)
        return new LocationAck(polls[i], bands[i], List.of(), treasures[i], null, List.of());
    }
    return null;
  }

  /** FNV-1a, 64 bits, over the id's UTF-16 code units. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      h = (h ^ (c & 0xff)) * 0x100000001b3L;
      h = (h ^ (c >>> 8)) * 0x100000001b3L;
    }
    return h;
  }
}
