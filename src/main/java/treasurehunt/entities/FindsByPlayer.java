package treasurehunt.entities;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import treasurehunt.entities.Hunt.Grant;

/**
 * A hunt's finds by player, next to {@link HuntState}'s finds by treasure: every join is answered
 * with the joining player's finds ({@link HuntBatch#joinReply}), and walking every find of the hunt
 * for each join cost O(finds), which grows with the players (issue 14). Not state: rebuilt from the
 * finds when first needed, then kept up to date by {@link HuntState#apply}.
 */
final class FindsByPlayer {
  private final Map<String, List<Grant>> byPlayer = new HashMap<>();

  static FindsByPlayer of(Map<String, List<HuntState.Find>> finds) {
    FindsByPlayer index = new FindsByPlayer();
    finds.forEach((treasure, fs) -> fs.forEach(f -> index.add(f.playerId(), treasure, f.points())));
    return index;
  }

  void add(String playerId, String treasure, int points) {
    byPlayer.computeIfAbsent(playerId, p -> new ArrayList<>(2)).add(new Grant(treasure, points));
  }

  /** The player's finds, a copy: replies leave the actor. */
  List<Grant> of(String playerId) {
    List<Grant> mine = byPlayer.get(playerId);
    return mine == null ? List.of() : List.copyOf(mine);
  }
}
