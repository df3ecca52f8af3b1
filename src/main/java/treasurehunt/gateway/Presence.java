package treasurehunt.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
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
 * <p><b>Finds in a big hunt.</b> A {@code treasure_found} or {@code leaderboard} entry made while
 * the hunt had more than {@code fold-finds-above-players} players (the entry carries the count) is
 * folded into the run too ({@link Fold#folds}): the frame lists the finds of the range ({@code
 * found}, at most {@code maxEntries}, the rest counted in {@code moreFound}) and the last
 * leaderboard of the range ({@code leaderboard}: earlier ones are superseded). Finds do not change
 * who is in the hunt. A frame without finds has none of these fields: it is the 1.1 frame as it
 * was. The decision is the entry's own, so the feed (live) and a follow's fill (resume) fold the
 * same entries.
 *
 * <p>Pure: the node's feed folds what it receives once per interval and hands the same frame to
 * every 1.1 follower; a follow filling a gap folds the runs of each page it sends. Either way a run
 * folds to the same counts, finds and leaderboard and, when nothing was cut, the same changes.
 */
final class Presence {
  private Presence() {}

  /** The presence settings (treasure-hunt.ws.presence in http.conf, where each is explained). */
  record Settings(
      Duration interval,
      int maxEntries,
      int v1MaxPlayers,
      int foldFindsAbove,
      int framesPerSecond) {
    static Settings from(Config config) {
      Config p = config.getConfig("treasure-hunt.ws.presence");
      return new Settings(
          p.getDuration("interval"),
          p.getInt("max-entries"),
          p.getInt("v1-max-players"),
          p.getInt("fold-finds-above-players"),
          p.getInt("frames-per-second"));
    }

    /**
     * The interval of a hunt with {@code followers} sessions on this node: the configured one, or
     * longer, so that the node sends the hunt's followers at most {@code frames-per-second}
     * presence frames (or v1 snapshots) a second. 0: never stretched.
     */
    long intervalNanos(int followers) {
      long base = interval.toNanos();
      if (framesPerSecond <= 0) return base;
      return Math.max(base, followers * 1_000_000_000L / framesPerSecond);
    }

    /** How a 1.1 follower's stream is folded. */
    Fold fold() {
      return new Fold(maxEntries, foldFindsAbove);
    }
  }

  /**
   * Which entries a follower gets folded: none ({@link #NONE}, version 1); for 1.1 joins and leaves
   * always, and finds and leaderboards made while the hunt had more than {@code findsAbove}
   * players. {@code maxEntries}: changes (and finds) listed in one frame.
   */
  record Fold(int maxEntries, int findsAbove) {
    static final Fold NONE = new Fold(0, Integer.MAX_VALUE);

    boolean folds(Hunt.StreamEntry e) {
      if (maxEntries <= 0) return false;
      Hunt.PublicEvent p = e.event();
      if (p.presence()) return true;
      boolean find = "treasure_found".equals(p.kind()) || "leaderboard".equals(p.kind());
      return find && p.players() != null && p.players() > findsAbove;
    }

    /**
     * The run a page of a fill starts with: {@code first} (an entry this folds, just taken off the
     * page) and the consecutive entries after it that this folds, taken off the page too.
     */
    List<Hunt.StreamEntry> takeRun(Hunt.StreamEntry first, Deque<Hunt.StreamEntry> page) {
      List<Hunt.StreamEntry> run = new ArrayList<>(List.of(first));
      while (!page.isEmpty()
          && folds(page.peekFirst())
          && page.peekFirst().seq() == run.get(run.size() - 1).seq() + 1) run.add(page.pollFirst());
      return run;
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

  /**
   * Folds a run of consecutive entries of one epoch (at least one): joins and leaves, and finds and
   * leaderboards (whichever {@link Fold#folds} let in).
   */
  static Run fold(List<Hunt.StreamEntry> run, int maxEntries) {
    Hunt.StreamEntry first = run.get(0);
    Hunt.StreamEntry last = run.get(run.size() - 1);
    Map<String, Change> changes = new LinkedHashMap<>();
    Map<String, Boolean> after = new LinkedHashMap<>();
    List<Hunt.StreamEntry> found = new ArrayList<>();
    List<Hunt.LeaderboardEntry> leaderboard = null;
    Integer players = null;
    for (Hunt.StreamEntry e : run) {
      Hunt.PublicEvent p = e.event();
      if (p.players() != null) players = p.players();
      if ("treasure_found".equals(p.kind())) found.add(e);
      if (p.leaderboard() != null) leaderboard = p.leaderboard(); // the last one wins
      if (!p.presence()) continue; // finds do not change who is in
      boolean in = "player_joined".equals(p.kind());
      Change c = changes.computeIfAbsent(p.playerId(), id -> new Change(!in));
      c.after = in;
      if (p.name() != null) c.name = p.name();
      after.put(p.playerId(), in);
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
    if (!found.isEmpty()) {
      ArrayNode list = n.putArray("found");
      for (Hunt.StreamEntry e : found.subList(0, Math.min(found.size(), maxEntries))) {
        Hunt.PublicEvent p = e.event();
        ObjectNode o = list.addObject();
        o.put("seq", e.seq());
        o.put("at", e.at());
        o.put("playerId", p.playerId());
        if (p.name() != null) o.put("name", p.name());
        o.put("treasure", p.treasure());
        if (p.points() != null) o.put("points", p.points());
      }
      n.put("moreFound", Math.max(0, found.size() - maxEntries));
    }
    if (leaderboard != null) n.set("leaderboard", Json.MAPPER.valueToTree(leaderboard));
    return new Run(
        first.epoch(), first.seq(), last.seq(), ServerFrame.of(n), after, List.copyOf(run));
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
