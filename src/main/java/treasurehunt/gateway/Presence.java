package treasurehunt.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import treasurehunt.entities.Hunt;

/**
 * Protocol 1.1's {@code presence} frame (docs/protocol.md, "Version 1.1"): a run of consecutive
 * {@code player_joined}/{@code player_left} entries of a hunt's numbered stream folded into one
 * frame that names the seq range it stands for ({@code from} … {@code seq}), so that a 1.1 client's
 * "next expected seq" rule holds as it does for events.
 *
 * <p><b>Net changes, bounded.</b> A player who appears several times in a run is listed once, by
 * what changed between before the run and after it: came ({@code joined}), went ({@code left}), or
 * nothing (not listed: a player toggling join and leave costs followers nothing). Whether a player
 * was in before the run is known from its first entry, because the hunt stores a join only of a
 * player who is not in and a leave only of one who is. At most {@code maxEntries} changes are
 * listed; the rest are only counted ({@code more}), so a frame's size does not grow with the hunt.
 * {@code counts.players} is the hunt's player count after {@code seq}: exact whatever was cut.
 *
 * <p>Pure: the node's feed folds what it receives once per interval and hands the same frame to
 * every 1.1 follower; a follow filling a gap folds the runs of each page it sends. Either way a run
 * folds to the same counts and, when nothing was cut, the same changes.
 */
final class Presence {
  private Presence() {}

  /** The presence settings (treasure-hunt.ws.presence in http.conf, where each is explained). */
  record Settings(Duration interval, int maxEntries, int v1MaxPlayers) {
    static Settings from(Config config) {
      Config p = config.getConfig("treasure-hunt.ws.presence");
      return new Settings(
          p.getDuration("interval"), p.getInt("max-entries"), p.getInt("v1-max-players"));
    }
  }

  /**
   * A folded run: the frame (rendered once per encoding), the seq range it covers, every player's
   * presence after it ({@code after}, uncut: a follow learns from it whether its own player is in
   * the hunt), and the entries themselves, for a follow that holds part of the range already
   * ({@link #from(long, int)}).
   */
  record Run(
      String epoch,
      long from,
      long seq,
      ServerFrame frame,
      Map<String, Boolean> after,
      List<Hunt.StreamEntry> entries) {

    /**
     * The part of this run from {@code next} on, folded for one follow (a new follower whose
     * position is inside the run); itself when it starts there.
     */
    Run from(long next, int maxEntries) {
      if (next <= from) return this;
      return fold(entries.subList((int) (next - from), entries.size()), maxEntries);
    }
  }

  /** Folds a run of consecutive presence entries of one epoch (at least one). */
  static Run fold(List<Hunt.StreamEntry> run, int maxEntries) {
    Hunt.StreamEntry first = run.get(0);
    Hunt.StreamEntry last = run.get(run.size() - 1);
    Map<String, Change> changes = new LinkedHashMap<>();
    Map<String, Boolean> after = new LinkedHashMap<>();
    Integer players = null;
    for (Hunt.StreamEntry e : run) {
      Hunt.PublicEvent p = e.event();
      boolean in = "player_joined".equals(p.kind());
      Change c = changes.computeIfAbsent(p.playerId(), id -> new Change(!in));
      c.after = in;
      if (p.name() != null) c.name = p.name();
      after.put(p.playerId(), in);
      if (p.players() != null) players = p.players();
    }
    ObjectNode n = Frames.object("presence");
    n.put("hunt", first.hunt());
    n.put("epoch", first.epoch());
    n.put("from", first.seq());
    n.put("seq", last.seq());
    n.put("at", last.at());
    ArrayNode joined = n.putArray("joined");
    ArrayNode left = n.putArray("left");
    int listed = 0;
    int more = 0;
    for (Map.Entry<String, Change> e : changes.entrySet()) {
      Change c = e.getValue();
      if (c.before == c.after) continue; // back where it was: nothing to tell
      if (listed >= maxEntries) {
        more++;
        continue;
      }
      ObjectNode o = (c.after ? joined : left).addObject();
      o.put("playerId", e.getKey());
      if (c.name != null) o.put("name", c.name);
      listed++;
    }
    n.put("more", more);
    ObjectNode counts = n.putObject("counts");
    // entries stored before 1.1 carry no count; "inView" is left to the viewport work
    if (players != null) counts.put("players", players);
    return new Run(
        first.epoch(), first.seq(), last.seq(), ServerFrame.of(n), after, List.copyOf(run));
  }

  /**
   * The run a page of a fill starts with: {@code first} (a presence entry just taken off the page)
   * and the consecutive presence entries after it, taken off the page too.
   */
  static List<Hunt.StreamEntry> takeRun(
      Hunt.StreamEntry first, java.util.Deque<Hunt.StreamEntry> page) {
    List<Hunt.StreamEntry> run = new java.util.ArrayList<>(List.of(first));
    while (!page.isEmpty()
        && page.peekFirst().event().presence()
        && page.peekFirst().seq() == run.get(run.size() - 1).seq() + 1) run.add(page.pollFirst());
    return run;
  }

  private static final class Change {
    final boolean before;
    boolean after;
    String name;

    Change(boolean before) {
      this.before = before;
    }
  }
}
