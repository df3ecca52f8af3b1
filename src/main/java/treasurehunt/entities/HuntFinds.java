package treasurehunt.entities;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import treasurehunt.entities.Hunt.Event;
import treasurehunt.entities.Hunt.FindsReply;
import treasurehunt.entities.Hunt.Grant;
import treasurehunt.entities.Hunt.RecordFinds;
import treasurehunt.entities.Hunt.TreasureFound;
import treasurehunt.entities.HuntState.Find;
import treasurehunt.game.Treasure;

/**
 * Finds, the decision: which of the treasures a player walked into ({@link RecordFinds}, sent by
 * the Player entity when {@code game/LocationCheck} says a fix reached them) score for that player
 * in a live hunt. A pure function of the state, the command and the time, like {@link HuntBatch};
 * the hunt ({@link HuntBehavior}) checks that the player is in, persists the events and replies.
 *
 * <p>Each treasure once, in the order asked: unknown ids and treasures needing an answer (those
 * need a claim) are skipped; one the player found already is granted again with its points
 * (idempotent per player and treasure); an exclusive one another player found first is lost; any
 * other is found now, with an event.
 */
final class HuntFinds {
  private HuntFinds() {}

  /** The events to store (none: reply at once) and the reply, the same before and after them. */
  record Result(List<Event> events, FindsReply reply) {}

  static Result decide(String huntId, HuntState state, RecordFinds c, long at) {
    List<Event> events = new ArrayList<>();
    List<Grant> granted = new ArrayList<>();
    List<String> lost = new ArrayList<>();
    for (String id : new LinkedHashSet<>(c.treasures())) {
      Treasure t = state.layout().get(id);
      if (t == null || t.needsAnswer()) continue; // answers need a claim
      Find mine = state.findOf(id, c.playerId());
      if (mine != null) granted.add(new Grant(id, mine.points()));
      else if (state.takenExclusively(t, c.playerId())) lost.add(id);
      else {
        events.add(new TreasureFound(huntId, c.playerId(), id, t.points(), c.cmdId(), at));
        granted.add(new Grant(id, t.points()));
      }
    }
    return new Result(
        List.copyOf(events), new FindsReply(List.copyOf(granted), List.copyOf(lost), null));
  }
}
