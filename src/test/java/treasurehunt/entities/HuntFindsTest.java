package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;
import static treasurehunt.entities.HuntBatchTest.AT;
import static treasurehunt.entities.HuntBatchTest.HUNT;
import static treasurehunt.entities.HuntBatchTest.WINDOW;
import static treasurehunt.entities.HuntBatchTest.live;

import java.util.List;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Hunt.FindsReply;
import treasurehunt.entities.Hunt.Grant;
import treasurehunt.entities.Hunt.RecordFinds;
import treasurehunt.entities.Hunt.TreasureFound;

/**
 * Finds without an actor ({@link HuntFinds#decide}): who scores the treasures a player walked into,
 * each once, the first finder of an exclusive one alone.
 */
class HuntFindsTest {

  static RecordFinds finds(String player, String cmdId, String... treasures) {
    return new RecordFinds(player, cmdId, List.of(treasures), null);
  }

  @Test
  void aGeoTreasureIsFoundOnceAndGrantedAgainWithItsPoints() {
    HuntState s = live(10, "ann");
    HuntFinds.Result first = HuntFinds.decide(HUNT, s, finds("ann", "l1", "clock", "clock"), AT);
    assertEquals(List.of(new TreasureFound(HUNT, "ann", "clock", 100, "l1", AT)), first.events());
    assertEquals(new FindsReply(List.of(new Grant("clock", 100)), List.of(), null), first.reply());
    first.events().forEach(e -> s.apply(e, WINDOW));
    HuntFinds.Result again = HuntFinds.decide(HUNT, s, finds("ann", "l2", "clock"), AT + 1);
    assertEquals(List.of(), again.events(), "idempotent per player and treasure");
    assertEquals(first.reply(), again.reply());
  }

  @Test
  void anExclusiveTreasureGoesToItsFirstFinderOnly() {
    HuntState s = live(10, "ann", "bob");
    HuntFinds.decide(HUNT, s, finds("ann", "l1", "gold"), AT)
        .events()
        .forEach(e -> s.apply(e, WINDOW));
    HuntFinds.Result bob = HuntFinds.decide(HUNT, s, finds("bob", "l9", "gold", "clock"), AT + 1);
    assertEquals(List.of(new TreasureFound(HUNT, "bob", "clock", 100, "l9", AT + 1)), bob.events());
    assertEquals(
        new FindsReply(List.of(new Grant("clock", 100)), List.of("gold"), null), bob.reply());
  }

  @Test
  void answersNeedAClaimAndUnknownIdsAreSkipped() {
    HuntState s = live(10, "ann");
    HuntFinds.Result r = HuntFinds.decide(HUNT, s, finds("ann", "l1", "riddle", "nope"), AT);
    assertEquals(List.of(), r.events());
    assertEquals(new FindsReply(List.of(), List.of(), null), r.reply());
  }
}
