package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The per-connection count of refused frames, on a hand-driven clock. */
class ViolationsTest {
  static final long SECOND = 1_000_000_000L;

  @Test
  void moreThanMaxWithinTenSecondsIsTooMany() {
    Violations v = new Violations(3, 0);
    for (int i = 0; i < 3; i++) assertFalse(v.count(i * SECOND), "violation " + i);
    assertTrue(v.count(9 * SECOND));
  }

  @Test
  void aWindowOverTenSecondsOldStartsAgain() {
    Violations v = new Violations(3, 0);
    for (int i = 0; i < 3; i++) v.count(0);
    assertFalse(v.count(10 * SECOND + 1), "a new window holds one");
    assertFalse(v.count(11 * SECOND));
    assertFalse(v.count(12 * SECOND));
    assertTrue(v.count(13 * SECOND));
  }
}
