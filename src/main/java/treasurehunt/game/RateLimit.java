package treasurehunt.game;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * "At most {@code count} a minute" per key (a player, an address): a token bucket per key that
 * holds {@code count} tokens and refills them evenly over {@code perMs}, so a key may do {@code
 * count} things at once and then one every {@code perMs / count}. {@code count ≤ 0} is no limit.
 *
 * <p>Bounded, whatever the keys: a bucket that has refilled completely is the same as no bucket, so
 * each {@link #take} drops up to two such buckets of the keys used longest ago (the map then holds
 * about the keys active within the last {@code perMs}); past {@code maxKeys} the key used longest
 * ago is dropped even if its bucket is not full, which forgives that key. O(1) per take, never a
 * pass over all keys.
 *
 * <p>Pure: the time comes in as an argument (milliseconds), no clock, no threads. One owner (an
 * entity's actor); owners on several threads synchronize around it.
 */
public final class RateLimit<K> {

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  private final int count;
  private final long perMs;
  private final LinkedHashMap<K, Bucket> buckets;

  public RateLimit(int count, long perMs, int maxKeys) {
    if (count > 0 && perMs <= 0) throw new IllegalArgumentException("perMs must be positive");
    this.count = count;
    this.perMs = perMs;
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<K, Bucket> eldest) {
            return size() > maxKeys;
          }
        };
  }

  /** Whether this limit limits anything ({@code count > 0}). */
  public boolean limits() {
    return count > 0;
  }

  /**
   * Takes one token for {@code key} at {@code nowMs}: 0 when there was one (the action may go
   * ahead), else the milliseconds until there will be one (at least 1; nothing was taken).
   */
  public long take(K key, long nowMs) {
    if (count <= 0) return 0;
    sweep(nowMs);
    Bucket b = buckets.get(key);
    if (b == null) {
      buckets.put(key, new Bucket(count - 1, nowMs));
      return 0;
    }
    refill(b, nowMs);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - b.tokens) * perMs / count));
  }

  /** Keys held now (for tests and metrics). */
  public int size() {
    return buckets.size();
  }

  private void refill(Bucket b, long nowMs) {
    if (nowMs > b.at) {
      b.tokens = Math.min(count, b.tokens + (double) (nowMs - b.at) * count / perMs);
      b.at = nowMs;
    }
  }

  /** Drops up to two buckets that are full again, from the key used longest ago. */
  private void sweep(long nowMs) {
    Iterator<Bucket> it = buckets.values().iterator();
    for (int i = 0; i < 2 && it.hasNext(); i++) {
      Bucket b = it.next();
      double tokens = b.tokens + (double) Math.max(0, nowMs - b.at) * count / perMs;
      if (tokens < count) return;
      it.remove();
    }
  }
}
