package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import treasurehunt.game.AnswerBackoff;
import treasurehunt.game.Treasure;

/**
 * A hunt's per-player limits ({@link HuntQuotas}): the rules' counting for one hunt, per player for
 * joins and chat, per player and treasure for wrong answers.
 */
class HuntQuotasTest {
  static final long T = 1_800_000_000_000L;
  static final Treasure RIDDLE = Fixtures.RIDDLE;

  @Test
  void wrongAnswersBackOffPerPlayerAndTreasureAndARightOneForgets() {
    HuntQuotas q = new HuntQuotas(Fixtures.SETTINGS);
    AnswerBackoff.Settings rule = Fixtures.SETTINGS.wrongAnswers();
    for (int i = 0; i < rule.free(); i++)
      assertEquals(Problem.WRONG_ANSWER, q.answer("ann", RIDDLE, "dusk", T).code(), "wrong " + i);
    Problem wait = q.answer("ann", RIDDLE, "noon", T + 1);
    assertEquals(Problem.RATE_LIMITED, wait.code(), "not even compared while a wait is due");
    assertTrue(wait.retryAfterMs() > 0);
    assertNull(q.answer("bob", RIDDLE, "noon", T + 1), "another player is not slowed");
    assertNull(q.answer("ann", RIDDLE, "noon", T + rule.maxWaitMs() + 1));
    long later = T + rule.maxWaitMs() + 2;
    for (int i = 0; i < rule.free(); i++)
      assertEquals(
          Problem.WRONG_ANSWER,
          q.answer("ann", RIDDLE, "dusk", later).code(),
          "the right answer forgot the wrong ones: " + i + " free again");
  }

  @Test
  void joinsAndChatAreCountedApart() {
    HuntQuotas q = new HuntQuotas(Fixtures.SETTINGS);
    int chats = Fixtures.SETTINGS.chatPerMinute();
    for (int i = 0; i < chats; i++) assertEquals(0, q.chat("ann", T));
    assertTrue(q.chat("ann", T) > 0, "the chat quota is spent");
    assertEquals(0, q.join("ann", T), "joins have their own");
    assertEquals(0, q.chat("bob", T), "and each player");
    assertTrue(Duration.ofMillis(q.chat("ann", T)).toSeconds() <= 60);
  }
}
