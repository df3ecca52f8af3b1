package treasurehunt.journal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checks across entities of {@code journal verify}: every find is recorded twice, by the hunt
 * that credits it and by the player who made it, and the two records must agree. {@link Verifier}
 * records both sides while it replays entity by entity; {@link #findings} matches them at the end.
 */
final class Credits {

  /**
   * A find as one side recorded it: where ({@code persistenceId}, {@code seq}) and for how many
   * points (-1: unknown, a player's find known only from its snapshot).
   */
  record Credit(
      String hunt, String player, String treasure, String persistenceId, long seq, int points) {}

  // key hunt \0 player \0 treasure
  private final Map<String, Credit> byHunts = new HashMap<>();
  private final Map<String, Credit> byPlayers = new HashMap<>();
  private final Set<String> huntsSeen = new HashSet<>();
  private final Set<String> playersSeen = new HashSet<>();

  private static String key(String hunt, String player, String treasure) {
    return hunt + '\u0000' + player + '\u0000' + treasure;
  }

  void sawHunt(String huntId) {
    huntsSeen.add(huntId);
  }

  void sawPlayer(String playerId) {
    playersSeen.add(playerId);
  }

  /** The hunt's record of this find, or null. */
  Credit byHunt(String hunt, String player, String treasure) {
    return byHunts.get(key(hunt, player, treasure));
  }

  /** The player's record of this find, or null. */
  Credit byPlayer(String hunt, String player, String treasure) {
    return byPlayers.get(key(hunt, player, treasure));
  }

  /** Records the hunt's side of a find; the first record of a find is the one kept. */
  void recordByHunt(Credit c) {
    byHunts.putIfAbsent(key(c.hunt(), c.player(), c.treasure()), c);
  }

  /** Records the player's side of a find; the first record of a find is the one kept. */
  void recordByPlayer(Credit c) {
    byPlayers.putIfAbsent(key(c.hunt(), c.player(), c.treasure()), c);
  }

  /**
   * What does not match across hunts and players; call after the scan. Findings come out by entity
   * and seq.
   */
  List<Finding> findings() {
    List<Finding> across = new ArrayList<>();
    Map<String, TreeSet<String>> findersOf = null; // hunt \0 treasure -> players, built if needed
    for (Map.Entry<String, Credit> e : byPlayers.entrySet()) {
      Credit c = e.getValue();
      if (!huntsSeen.contains(c.hunt())) {
        across.add(
            new Finding(
                true,
                c.persistenceId(),
                c.seq(),
                "finds "
                    + c.treasure()
                    + " in hunt "
                    + c.hunt()
                    + ", which has no events in this journal"));
        continue;
      }
      Credit theirs = byHunts.get(e.getKey());
      if (theirs == null) {
        if (findersOf == null) {
          findersOf = new HashMap<>();
          for (Credit h : byHunts.values())
            findersOf
                .computeIfAbsent(h.hunt() + '\u0000' + h.treasure(), x -> new TreeSet<>())
                .add(h.player());
        }
        TreeSet<String> others =
            findersOf.getOrDefault(c.hunt() + '\u0000' + c.treasure(), new TreeSet<>());
        across.add(
            new Finding(
                true,
                c.persistenceId(),
                c.seq(),
                "finds "
                    + c.treasure()
                    + " (+"
                    + c.points()
                    + ") in hunt "
                    + c.hunt()
                    + " but "
                    + EntityKind.huntPid(c.hunt())
                    + " does not record that find"
                    + (others.isEmpty()
                        ? ""
                        : " (it credits "
                            + c.treasure()
                            + " to "
                            + String.join(", ", others)
                            + ")")));
      } else if (c.points() >= 0 && theirs.points() != c.points())
        across.add(
            new Finding(
                true,
                c.persistenceId(),
                c.seq(),
                "is credited "
                    + c.points()
                    + " points for "
                    + c.treasure()
                    + " but "
                    + theirs.persistenceId()
                    + " seq "
                    + theirs.seq()
                    + " credits "
                    + theirs.points()));
    }
    for (Map.Entry<String, Credit> e : byHunts.entrySet()) {
      if (byPlayers.containsKey(e.getKey())) continue;
      Credit c = e.getValue();
      if (!playersSeen.contains(c.player()))
        across.add(
            new Finding(
                true,
                c.persistenceId(),
                c.seq(),
                "credits "
                    + c.treasure()
                    + " to "
                    + c.player()
                    + ", who has no events in this journal"));
      else
        across.add(
            new Finding(
                false,
                c.persistenceId(),
                c.seq(),
                "credits "
                    + c.treasure()
                    + " (+"
                    + c.points()
                    + ") to "
                    + c.player()
                    + ", which "
                    + EntityKind.playerPid(c.player())
                    + " has not recorded yet (a player catches up on its finds at its next join)"));
    }
    across.sort(
        Comparator.comparing(Finding::persistenceId)
            .thenComparingLong(Finding::seq)
            .thenComparing(Finding::message));
    return across;
  }
}
