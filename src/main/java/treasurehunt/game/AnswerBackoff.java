package treasurehunt.game;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Guessing an answer gets slower with every wrong guess, per key (a player at one treasure): the
 * first {@code free} wrong answers cost nothing; after the n-th (n ≥ free) the next try must wait
 * {@code firstWaitMs × 2^(n − free)}, at most {@code maxWaitMs} (2 s, 4 s, 8 s … with the
 * defaults). A right answer forgets the key; so does {@code forgetAfterMs} without a wrong answer.
 * {@code maxWaitMs ≤ 0} turns it off.
 *
 * <p>Bounded: each {@link #wrong} drops up to two keys forgotten by time, oldest first (keys are
 * kept in the order of their last wrong answer), and past {@code maxKeys} the key whose last wrong
 * answer is oldest is dropped. O(1) per call.
 *
 * <p>Pure: the time is an argument (milliseconds), no clock, no threads; one owner.
 */
public final class AnswerBackoff<K> {

  /** The rule's figures (docs/protocol.md §9). */
  public record Settings(int free, long firstWaitMs, long maxWaitMs, long forgetAfterMs) {
    public boolean off() {
      return maxWaitMs <= 0;
    }
  }

  private record Guesses(int wrong, long lastAt) {}

  private final Settings settings;
  private final LinkedHashMap<K, Guesses> guesses;

  public AnswerBackoff(Settings settings, int maxKeys) {
    this.settings = settings;
    this.guesses =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<K, Guesses> eldest) {
            return size() > maxKeys;
          }
        };
  }

  /** 0 when {@code key} may try an answer at {@code nowMs}, else the milliseconds to wait. */
  public long waitMs(K key, long nowMs) {
    if (settings.off()) return 0;
    Guesses g = guesses.get(key);
    if (g == null || forgotten(g, nowMs)) return 0;
    return Math.max(0, g.lastAt() + waitAfter(g.wrong()) - nowMs);
  }

  /** Records a wrong answer of {@code key}; returns the wait it imposes on the next try. */
  public long wrong(K key, long nowMs) {
    if (settings.off()) return 0;
    sweep(nowMs);
    Guesses g = guesses.remove(key);
    int wrong = g == null || forgotten(g, nowMs) ? 1 : g.wrong() + 1;
    guesses.put(key, new Guesses(wrong, nowMs)); // re-inserted: last in the order
    return waitAfter(wrong);
  }

  /** The right answer: {@code key} starts afresh. */
  public void forget(K key) {
    guesses.remove(key);
  }

  /** Keys held now (for tests). */
  public int size() {
    return guesses.size();
  }

  /** The wait after {@code wrong} wrong answers. */
  long waitAfter(int wrong) {
    if (wrong < settings.free()) return 0;
    long wait = settings.firstWaitMs();
    for (int i = settings.free(); i < wrong && wait < settings.maxWaitMs(); i++) wait *= 2;
    return Math.min(wait, settings.maxWaitMs());
  }

  private boolean forgotten(Guesses g, long nowMs) {
    return nowMs - g.lastAt() >= settings.forgetAfterMs();
  }

  private void sweep(long nowMs) {
    Iterator<Guesses> it = guesses.values().iterator();
    for (int i = 0; i < 2 && it.hasNext(); i++) {
      if (!forgotten(it.next(), nowMs)) return;
      it.remove();
    }
  }
}
