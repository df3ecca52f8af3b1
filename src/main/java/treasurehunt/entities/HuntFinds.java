package treasurehunt.entities;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import treasurehunt.entities.Hunt.Claim;
import treasurehunt.entities.Hunt.ClaimReply;
import treasurehunt.entities.Hunt.Event;
import treasurehunt.entities.Hunt.FindsReply;
import treasurehunt.entities.Hunt.Grant;
import treasurehunt.entities.Hunt.RecordFinds;
import treasurehunt.entities.Hunt.TreasureFound;
import treasurehunt.entities.HuntBatch.Reply;
import treasurehunt.entities.HuntState.Find;
import treasurehunt.game.Treasure;

/**
 * Finds and claims, the decision: which of the treasures a player walked into ({@link RecordFinds},
 * sent by the Player entity when {@code game/LocationCheck} says a fix reached them) or claimed
 * with an answer ({@link Claim}) score for that player in a live hunt. A pure function of the
 * state, the finds decided before in the same write ({@link Pending}), the command and the time,
 * like {@link HuntBatch}, which calls it for the finds and claims of a group commit; the hunt
 * ({@link HuntBehavior}) persists the events and replies once they are stored.
 *
 * <p>Finds, each treasure once, in the order asked: unknown ids and treasures needing an answer
 * (those need a claim) are skipped; one the player found already is granted again with its points
 * (idempotent per player and treasure); an exclusive one another player found first is lost; any
 * other is found now, with an event.
 *
 * <p>"Found first" and "found already" count the finds earlier in the same write as if stored:
 * commands are decided in their order of arrival, so an exclusive treasure goes to the first finder
 * of a write and to nobody else, exactly as when every command was a write of its own.
 */
final class HuntFinds {
  private HuntFinds() {}

  /** The events to store (none: reply at once) and the reply, the same before and after them. */
  record Result(List<Event> events, FindsReply reply) {}

  /** The finds decided earlier in the write being decided, treasure by treasure, in order. */
  static final class Pending {
    private final Map<String, List<Find>> finds = new HashMap<>();

    /** The find of {@code treasure} by {@code playerId}, stored or earlier in the write. */
    Find findOf(HuntState state, String treasure, String playerId) {
      Find stored = state.findOf(treasure, playerId);
      if (stored != null) return stored;
      for (Find f : finds.getOrDefault(treasure, List.of()))
        if (f.playerId().equals(playerId)) return f;
      return null;
    }

    /** Whether {@code t} is exclusive and its first finder, stored or in the write, is another. */
    boolean takenExclusively(HuntState state, Treasure t, String playerId) {
      if (!t.exclusive()) return false;
      List<Find> stored = state.findsOf(t.id());
      List<Find> first = !stored.isEmpty() ? stored : finds.getOrDefault(t.id(), List.of());
      return !first.isEmpty() && !first.get(0).playerId().equals(playerId);
    }

    void add(TreasureFound e) {
      finds
          .computeIfAbsent(e.treasure(), k -> new ArrayList<>(1))
          .add(new Find(e.playerId(), e.points(), e.cmdId(), e.at()));
    }
  }

  /** One command alone against the stored state (a write of its own). */
  static Result decide(String huntId, HuntState state, RecordFinds c, long at) {
    return decide(huntId, state, new Pending(), c, at);
  }

  /** A player's finds, after the finds {@code pending} earlier in the write (added to it). */
  static Result decide(String huntId, HuntState state, Pending pending, RecordFinds c, long at) {
    List<Event> events = new ArrayList<>();
    List<Grant> granted = new ArrayList<>();
    List<String> lost = new ArrayList<>();
    List<String> asked = c.treasures() == null ? List.of() : c.treasures();
    for (String id : new LinkedHashSet<>(asked)) {
      Treasure t = id == null ? null : state.layout().get(id);
      if (t == null || t.needsAnswer()) continue; // answers need a claim
      Find mine = pending.findOf(state, id, c.playerId());
      if (mine != null) granted.add(new Grant(id, mine.points()));
      else if (pending.takenExclusively(state, t, c.playerId())) lost.add(id);
      else {
        TreasureFound found =
            new TreasureFound(huntId, c.playerId(), id, t.points(), c.cmdId(), at);
        events.add(found);
        pending.add(found);
        granted.add(new Grant(id, t.points()));
      }
    }
    return new Result(
        List.copyOf(events), new FindsReply(List.copyOf(granted), List.copyOf(lost), null));
  }

  /**
   * A claim with an answer, after the finds {@code pending} earlier in the write: a retry with the
   * same command id gets the first outcome; another claim of a treasure the player found is {@code
   * already_found}, of an exclusive one someone else found first {@code already_claimed}. The
   * answer is asked of {@code quotas} last (its back-off counts only claims that would score), and
   * a found treasure adds its event to {@code events}.
   */
  static Reply<ClaimReply> claim(
      String huntId,
      HuntState state,
      Pending pending,
      Claim c,
      long at,
      List<Event> events,
      HuntBatch.Quotas quotas) {
    Treasure t = c.treasure() == null ? null : state.layout().get(c.treasure());
    if (t == null)
      return Reply.rejected(
          c, Problem.of(Problem.NOT_FOUND, "no treasure " + c.treasure() + " in " + huntId));
    Find mine = pending.findOf(state, t.id(), c.playerId());
    if (mine != null) {
      if (Objects.equals(c.cmdId(), mine.cmdId()))
        return Reply.accepted(c, after -> claimReply(after, c.playerId(), mine.points()));
      return Reply.rejected(c, Problem.of(Problem.ALREADY_FOUND, "you already found " + t.id()));
    }
    if (pending.takenExclusively(state, t, c.playerId()))
      return Reply.rejected(
          c, Problem.of(Problem.ALREADY_CLAIMED, t.id() + " was claimed by another player"));
    if (t.needsAnswer()) {
      Problem wrong = quotas.answer(c.playerId(), t, c.answer(), at);
      if (wrong != null) return Reply.rejected(c, wrong);
    }
    TreasureFound found =
        new TreasureFound(huntId, c.playerId(), t.id(), t.points(), c.cmdId(), at);
    events.add(found);
    pending.add(found);
    return Reply.accepted(c, after -> claimReply(after, c.playerId(), t.points()));
  }

  private static ClaimReply claimReply(HuntState after, String playerId, int points) {
    HuntState.Member m = after.member(playerId);
    return new ClaimReply(points, m == null ? points : m.score(), null);
  }
}
