package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Player.LocationAck;

class TrailAnswersTest {

  static LocationAck ack(long poll, String band, String at) {
    return new LocationAck(poll, band, List.of(), at, null, List.of());
  }

  @Test
  void aRetryOfOneOfTheLastIdsGetsItsAckAndOlderOnesAreForgotten() {
    TrailAnswers answers = new TrailAnswers(64);
    assertNull(answers.get("r-0"), "nothing remembered yet");
    for (int i = 0; i < 100; i++)
      answers.remember(
          "r-" + i, ack(1000 + i, i % 2 == 0 ? "hot" : null, i % 3 == 0 ? "t1" : null));
    for (int i = 36; i < 100; i++)
      assertEquals(
          ack(1000 + i, i % 2 == 0 ? "hot" : null, i % 3 == 0 ? "t1" : null),
          answers.get("r-" + i),
          "r-" + i);
    for (int i = 0; i < 36; i++) assertNull(answers.get("r-" + i), "r-" + i + " left the window");
    assertNull(answers.get("r-100"));
    assertNull(answers.get(null));
  }

  @Test
  void idsThatDifferOnlyInCaseOrByOneCharacterAreDifferentIds() {
    TrailAnswers answers = new TrailAnswers(4);
    answers.remember("Abc", ack(1, null, null));
    assertNull(answers.get("abc"));
    assertNull(answers.get("Abd"));
    assertNull(answers.get("Abc "));
    assertNull(answers.get("\u4100bc"), "a character that shares its low byte");
    assertEquals(ack(1, null, null), answers.get("Abc"));
  }
}
