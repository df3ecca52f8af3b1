package treasurehunt.journal;

import java.util.List;
import java.util.Locale;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntState;
import treasurehunt.entities.Player;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.Treasure;

/**
 * One readable line per event for {@code journal timeline}, with what it did to the entity's state.
 */
final class Describe {
  private Describe() {}

  /** {@code before}: the hunt's stream head before the event (hunts only). */
  static String hunt(Hunt.Event event, HuntState after, long streamBefore) {
    String text = huntEvent(event, after);
    if (after.defined() && after.seq() > streamBefore && !(event instanceof Hunt.HuntDefined))
      text +=
          "   [stream #"
              + (streamBefore + 1)
              + (after.seq() > streamBefore + 1 ? "-" + after.seq() : "")
              + "]";
    return text;
  }

  private static String who(HuntState s, String playerId) {
    HuntState.Member m = s.member(playerId);
    return m == null || m.name() == null ? playerId : playerId + " \"" + m.name() + "\"";
  }

  private static String huntEvent(Hunt.Event event, HuntState s) {
    if (event instanceof Hunt.HuntDefined e) {
      HuntDefinition d = e.definition();
      List<Treasure> all = s.layout().all();
      long exclusive = all.stream().filter(Treasure::exclusive).count();
      long answers = all.stream().filter(Treasure::needsAnswer).count();
      return String.format(
          Locale.ROOT,
          "\"%s\": %d treasures (%d exclusive, %d with an answer), area %.5f,%.5f r %.0f m, max %d players%s%s, epoch %s",
          d.name(),
          all.size(),
          exclusive,
          answers,
          d.area().lat(),
          d.area().lon(),
          d.area().radiusM(),
          d.maxPlayers(),
          d.startsAt() == null ? "" : ", starts " + Names.time(d.startsAt()),
          d.endsAt() == null ? "" : ", ends " + Names.time(d.endsAt()),
          e.epoch());
    }
    if (event instanceof Hunt.HuntStarted) return "the hunt is live";
    if (event instanceof Hunt.HuntEnded) return "the hunt has ended";
    if (event instanceof Hunt.PlayerJoined e)
      return who(s, e.playerId()) + " joined (" + s.presentCount() + " present)";
    if (event instanceof Hunt.PlayerLeft e)
      return who(s, e.playerId()) + " left (" + s.presentCount() + " present)";
    if (event instanceof Hunt.TreasureFound e) {
      HuntState.Member m = s.member(e.playerId());
      Treasure t = s.layout().get(e.treasure());
      return who(s, e.playerId())
          + " found "
          + e.treasure()
          + (t != null && t.exclusive() ? " (exclusive)" : "")
          + " +"
          + e.points()
          + (m == null ? "" : " -> score " + m.score())
          + (e.cmdId() == null ? "" : ", command " + e.cmdId());
    }
    if (event instanceof Hunt.ChatPosted e) return who(s, e.playerId()) + ": \"" + e.text() + "\"";
    return event.toString();
  }

  static String player(Player.Event event, Player.State after) {
    if (event instanceof Player.Registered e) return "registered as \"" + e.name() + "\"";
    if (event instanceof Player.JoinedHunt e) return "joined hunt " + e.hunt();
    if (event instanceof Player.LeftHunt e) return "left hunt " + e.hunt();
    if (event instanceof Player.Moved e) {
      StringBuilder b = new StringBuilder();
      b.append(String.format(Locale.ROOT, "%s at %.6f,%.6f", e.hunt(), e.lat(), e.lon()));
      if (!Double.isNaN(e.accuracyM()))
        b.append(String.format(Locale.ROOT, " ±%.0f m", e.accuracyM()));
      b.append(" (fix ").append(Names.time(e.at()).substring(11)).append(")");
      if (e.anchor()) b.append(", anchor (position taken, nothing advised or scored)");
      if (e.nearest() != null) b.append(", nearest ").append(e.nearest());
      if (!e.found().isEmpty()) b.append(", reached ").append(String.join(", ", e.found()));
      if (!e.missed().isEmpty())
        b.append(", already claimed by others: ").append(String.join(", ", e.missed()));
      if (e.atTreasure() != null)
        b.append(", at ").append(e.atTreasure()).append(" (needs an answer)");
      b.append(", next poll ").append(e.nextPollMs()).append(" ms");
      return b.toString();
    }
    if (event instanceof Player.TreasureFound e)
      return e.hunt()
          + ": found "
          + e.treasure()
          + " +"
          + e.points()
          + " via "
          + e.via()
          + (e.cmdId() == null ? "" : " (command " + e.cmdId() + ")")
          + " -> "
          + after.progress(e.hunt()).score()
          + " in "
          + e.hunt()
          + ", total "
          + after.score();
    return event.toString();
  }
}
