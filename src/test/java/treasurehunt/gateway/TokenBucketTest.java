package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The per-connection rate limit, on a hand-driven clock. */
class TokenBucketTest {
  static final long SECOND = 1_000_000_000L;

  @Test
  void aFullBucketServesTheBurstThenRefuses() {
    TokenBucket bucket = new TokenBucket(20, 40, 0);
    for (int i = 0; i < 40; i++) assertTrue(bucket.take(0), "frame " + i);
    assertFalse(bucket.take(0));
    assertEquals(50, bucket.retryAfterMs(), "one token takes 1/20 s");
  }

  @Test
  void tokensComeBackAtTheRateAndNeverBeyondTheBurst() {
    TokenBucket bucket = new TokenBucket(20, 40, 0);
    for (int i = 0; i < 40; i++) bucket.take(0);
    assertFalse(bucket.take(SECOND / 40), "half a token after 25 ms");
    assertEquals(25, bucket.retryAfterMs());
    assertTrue(bucket.take(SECOND / 20), "a whole one after 50 ms");
    assertFalse(bucket.take(SECOND / 20));

    long later = 3600 * SECOND; // an hour idle saves no more than the burst
    int served = 0;
    while (bucket.take(later)) served++;
    assertEquals(40, served);
  }

  @Test
  void aSteadyClientAtTheRateIsNeverRefused() {
    TokenBucket bucket = new TokenBucket(20, 40, 0);
    for (int i = 1; i <= 1000; i++) assertTrue(bucket.take(i * SECOND / 20), "frame " + i);
  }

  @Test
  void theRetryHintIsAtLeastOneMillisecond() {
    TokenBucket bucket = new TokenBucket(100_000, 1, 0);
    assertTrue(bucket.take(0));
    assertFalse(bucket.take(9_999)); // 0.99999 of a token
    assertEquals(1, bucket.retryAfterMs());
  }
}
