package treasurehunt.game;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class AnswerBackoffTest {
  static final AnswerBackoff.Settings DEFAULTS =
      new AnswerBackoff.Settings(3, 2_000, 3_600_000, 86_400_000);

  @Test
  void threeFreeThenTheWaitDoubles() {
    AnswerBackoff<String> b = new AnswerBackoff<>(DEFAULTS, 100);
    long t = 0;
    assertEquals(0, b.wrong("k", t));
    assertEquals(0, b.wrong("k", t));
    assertEquals(0, b.waitMs("k", t));
    assertEquals(2_000, b.wrong("k", t), "after the third wrong answer");
    assertEquals(2_000, b.waitMs("k", t));
    assertEquals(500, b.waitMs("k", t + 1_500));
    t += 2_000;
    assertEquals(0, b.waitMs("k", t));
    assertEquals(4_000, b.wrong("k", t));
    t += 4_000;
    assertEquals(8_000, b.wrong("k", t));
    t += 8_000;
    assertEquals(16_000, b.wrong("k", t));
  }

  @Test
  void theWaitStopsGrowingAtTheMaximum() {
    AnswerBackoff<String> b = new AnswerBackoff<>(DEFAULTS, 100);
    long t = 0, last = 0;
    for (int i = 0; i < 200; i++) {
      last = b.wrong("k", t);
      t += Math.max(1, last);
    }
    assertEquals(3_600_000, last);
    assertEquals(3_600_000, b.waitAfter(10_000));
  }

  @Test
  void theRightAnswerForgetsAndSoDoesTime() {
    AnswerBackoff<String> b = new AnswerBackoff<>(DEFAULTS, 100);
    for (int i = 0; i < 5; i++) b.wrong("k", 0);
    assertTrue(b.waitMs("k", 0) > 0);
    b.forget("k");
    assertEquals(0, b.waitMs("k", 0));
    assertEquals(0, b.wrong("k", 0), "counted from one again");

    for (int i = 0; i < 5; i++) b.wrong("j", 0);
    assertEquals(0, b.waitMs("j", 86_400_000));
    assertEquals(0, b.wrong("j", 86_400_000), "a day later the count starts afresh");
  }

  @Test
  void keysAreIndependent() {
    AnswerBackoff<String> b = new AnswerBackoff<>(DEFAULTS, 100);
    for (int i = 0; i < 6; i++) b.wrong("alice/bell", 0);
    assertTrue(b.waitMs("alice/bell", 0) > 0);
    assertEquals(0, b.waitMs("bob/bell", 0));
    assertEquals(0, b.waitMs("alice/clock", 0));
  }

  @Test
  void boundedByTimeAndByCount() {
    AnswerBackoff<String> b = new AnswerBackoff<>(DEFAULTS, 50);
    for (int i = 0; i < 1000; i++) b.wrong("k" + i, i);
    assertEquals(50, b.size(), "at most maxKeys");
    long later = 1000 + 86_400_000;
    for (int i = 0; i < 30; i++) b.wrong("new" + i, later);
    assertTrue(b.size() <= 30, "forgotten keys are swept: " + b.size());
  }

  @Test
  void aZeroMaximumTurnsItOff() {
    AnswerBackoff<String> b = new AnswerBackoff<>(new AnswerBackoff.Settings(3, 2_000, 0, 1), 10);
    for (int i = 0; i < 100; i++) b.wrong("k", 0);
    assertEquals(0, b.waitMs("k", 0));
    assertEquals(0, b.size());
  }
}
