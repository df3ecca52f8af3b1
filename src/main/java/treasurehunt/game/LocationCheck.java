package treasurehunt.game;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The judgement of one GPS fix a player reports in a hunt: is it admissible (coordinates in range,
 * newer than the last accepted fix), is the move since the last fix plausible, which treasures it
 * reaches, how close the nearest unfound treasure is and when to poll next.
 *
 * <p>Plain Java, no clock, random or I/O: the Player entity calls it with its state and the hunt's
 * cached index, and persists what it answers; the same inputs always give the same verdict.
 */
public final class LocationCheck {
  private LocationCheck() {}

  /**
   * A GPS fix: {@code at} in epoch ms as the client reported it, {@code accuracyM} NaN when
   * unknown.
   */
  public record Fix(double lat, double lon, long at, double accuracyM) {}

  /** Why a fix is refused; a refused fix changes nothing. */
  public enum Refusal {
    /** lat/lon not finite or outside [-90, 90] × [-180, 180]. */
    OUT_OF_RANGE,
    /** not newer than the last accepted fix. */
    STALE,
    /** faster than the hunt's {@code maxSpeedMps} since the last accepted fix. */
    IMPLAUSIBLE_MOVE
  }

  /**
   * The verdict on a fix. When {@code refusal} is set, only {@code speedMps} is meaningful (the
   * speed that was judged implausible).
   *
   * @param speedMps speed since the last fix, NaN for a first fix (or one refused before)
   * @param reached treasures without an answer the fix reaches and the player has not settled,
   *     sorted by id: the hunt decides whether they score
   * @param atTreasure the first (by id) unsettled treasure needing an answer within whose radius
   *     the fix lies, or null: the player may claim it
   * @param nearest the band ({@link Band#wire()}) of the nearest unfound treasure, or null when
   *     none is left
   * @param nextPollMs the advice for the next fix ({@link PollAdvice})
   */
  public record Verdict(
      Refusal refusal,
      double speedMps,
      List<String> reached,
      String atTreasure,
      String nearest,
      long nextPollMs) {

    public boolean accepted() {
      return refusal == null;
    }

    static Verdict refused(Refusal refusal, double speedMps) {
      return new Verdict(refusal, speedMps, List.of(), null, null, 0);
    }
  }

  /**
   * The checks that need no hunt rules, in the order they are answered: coordinates in range, then
   * newer than {@code last} (null: no fix accepted yet). Null when the fix is admissible.
   */
  public static Refusal admit(Fix last, Fix fix) {
    if (!Geo.validLat(fix.lat()) || !Geo.validLon(fix.lon())) return Refusal.OUT_OF_RANGE;
    if (last != null && fix.at() <= last.at()) return Refusal.STALE;
    return null;
  }

  /**
   * Judges a fix against a hunt's rules.
   *
   * @param last the player's last accepted fix (in any hunt), or null
   * @param layout the index of {@code definition}'s treasures ({@link HuntDefinition#layout()})
   * @param found treasures of this hunt the player found
   * @param missed exclusive treasures of this hunt the player reached after someone else found them
   * @param poll the node's poll-rate bounds
   */
  public static Verdict judge(
      Fix last,
      Fix fix,
      HuntDefinition definition,
      TreasureLayout layout,
      Collection<String> found,
      Collection<String> missed,
      PollAdvice.Settings poll) {
    Refusal refusal = admit(last, fix);
    if (refusal != null) return Verdict.refused(refusal, Double.NaN);
    double speed =
        last == null
            ? Double.NaN
            : Movement.speedMps(
                last.lat(), last.lon(), last.at(), fix.lat(), fix.lon(), fix.at(), fix.accuracyM());
    if (last != null && !Movement.plausible(speed, definition.maxSpeedMps()))
      return Verdict.refused(Refusal.IMPLAUSIBLE_MOVE, speed);

    // Settled: found, or reached after another player found it (exclusive); never reached again.
    Predicate<String> settled = id -> found.contains(id) || missed.contains(id);
    List<String> reached = List.of();
    String atTreasure = null;
    for (Treasure t : layout.reachedAt(fix.lat(), fix.lon(), settled)) {
      if (t.needsAnswer()) {
        if (atTreasure == null) atTreasure = t.id();
      } else {
        if (reached.isEmpty()) reached = new ArrayList<>(2);
        reached.add(t.id());
      }
    }
    // The treasures reached now count as found for the band: the next one is the one to look for.
    // A treasure needing an answer still counts as unfound while the player stands at it.
    Set<String> reachedNow = reached.isEmpty() ? Set.of() : new HashSet<>(reached);
    BandSettings bands = definition.bands() == null ? BandSettings.DEFAULT : definition.bands();
    double nearestM =
        layout.nearestWithin(
            fix.lat(), fix.lon(), bands.warmM(), id -> settled.test(id) || reachedNow.contains(id));
    int left = layout.size() - found.size() - missed.size() - reached.size();
    String nearest = left <= 0 ? null : bands.band(nearestM).wire();
    // Beyond the warm band the index does not look: the treasure is at least that far.
    double forPoll =
        left <= 0
            ? Double.POSITIVE_INFINITY
            : Double.isInfinite(nearestM) ? bands.warmM() + 1 : nearestM;
    long nextPollMs = PollAdvice.nextPollMs(forPoll, speed, bands, poll);
    return new Verdict(null, speed, List.copyOf(reached), atTreasure, nearest, nextPollMs);
  }

  /**
   * Whether a claim of {@code treasure} may be made from the last accepted fix: there is one and it
   * is within the treasure's radius.
   */
  public static boolean withinReach(Fix last, Treasure treasure) {
    return last != null
        && !(Geo.distanceM(last.lat(), last.lon(), treasure.lat(), treasure.lon())
            > treasure.radiusM());
  }
}
