package treasurehunt.game;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class RateLimitTest {
  static final long MINUTE = 60_000;

  @Test
  void aBurstOfCountThenOneEveryPerOverCount() {
    RateLimit<String> limit = new RateLimit<>(3, MINUTE, 100);
    for (int i = 0; i < 3; i++) assertEquals(0, limit.take("alice", 1000));
    long wait = limit.take("alice", 1000);
    assertEquals(20_000, wait, "one token every 20 s");
    assertEquals(5_000, limit.take("alice", 16_000));
    assertEquals(0, limit.take("alice", 21_000));
    assertEquals(20_000, limit.take("alice", 21_000));
  }

  @Test
  void aRefusalTakesNothing() {
    RateLimit<String> limit = new RateLimit<>(1, MINUTE, 100);
    assertEquals(0, limit.take("k", 0));
    for (int i = 0; i < 100; i++) assertTrue(limit.take("k", 30_000) > 0);
    assertEquals(0, limit.take("k", 60_000), "hammering while refused does not push the refill");
  }

  @Test
  void keysAreIndependent() {
    RateLimit<String> limit = new RateLimit<>(2, MINUTE, 100);
    limit.take("a", 0);
    limit.take("a", 0);
    assertTrue(limit.take("a", 0) > 0);
    assertEquals(0, limit.take("b", 0));
  }

  @Test
  void zeroIsNoLimit() {
    RateLimit<String> limit = new RateLimit<>(0, MINUTE, 100);
    assertFalse(limit.limits());
    for (int i = 0; i < 10_000; i++) assertEquals(0, limit.take("a", 0));
    assertEquals(0, limit.size());
  }

  @Test
  void refilledBucketsAreDroppedSoTheMapHoldsOnlyActiveKeys() {
    RateLimit<String> limit = new RateLimit<>(5, MINUTE, 1_000_000);
    for (int i = 0; i < 1000; i++) limit.take("k" + i, 0);
    assertEquals(1000, limit.size());
    // a minute later every bucket is full: each take drops up to two of them
    for (int i = 0; i < 600; i++) limit.take("late" + (i % 3), MINUTE + i);
    assertTrue(limit.size() < 10, "held: " + limit.size());
  }

  @Test
  void atMostMaxKeysTheOldestGoesFirst() {
    RateLimit<String> limit = new RateLimit<>(1, MINUTE, 3);
    limit.take("a", 0);
    limit.take("b", 0);
    limit.take("c", 0);
    limit.take("a", 1); // refused, but a is now the most recently used
    limit.take("d", 2);
    assertEquals(3, limit.size());
    assertTrue(limit.take("a", 3) > 0, "a is still held and still empty");
    assertEquals(0, limit.take("b", 4), "b was dropped: it starts afresh");
  }
}
