package treasurehunt.game;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The judgement of one GPS fix a player reports in a hunt: is it admissible (coordinates in range,
 * {@code at} within the window around the server's clock, newer than the last accepted fix), is the
 * move since the last fix plausible by the client's clock and by the server's ({@link Movement}),
 * is it an anchor, which treasures it reaches, how close the nearest unfound treasure is and when
 * to poll next.
 *
 * <p>An <b>anchor</b> is a fix whose position is taken but that cannot score: no finds, no {@code
 * atTreasure}, no band, and the shortest poll advice so that the next fix, judged from it, comes
 * soon. A fix is an anchor when there is nothing to judge it from (the player's first fix, or a
 * last fix accepted before the server kept its clock), when it is the player's first fix in this
 * hunt, or when the move is implausible but the last accepted fix is older than {@link
 * Limits#reanchorAfterMs} of server time (a phone that was offline and comes back elsewhere).
 *
 * <p>Plain Java, no clock, random or I/O: the Player entity passes its clock's reading ({@code
 * serverNow}), its state and the hunt's cached index, and persists what it answers; the same inputs
 * always give the same verdict.
 */
public final class LocationCheck {
  private LocationCheck() {}

  /**
   * A GPS fix: {@code at} in epoch ms as the client reported it, {@code accuracyM} NaN when
   * unknown.
   */
  public record Fix(double lat, double lon, long at, double accuracyM) {}

  /**
   * The player's last accepted fix, with what the server knew when it accepted it.
   *
   * @param serverAt the server's clock when it was accepted (epoch ms); null when unknown (a fix
   *     accepted before the server kept it): the next fix is then an anchor
   * @param pacedLat the paced point after it ({@link Movement}); NaN when unknown
   * @param anchor it was an anchor: it scored nothing and a claim cannot be made from it
   */
  public record Last(Fix fix, Long serverAt, double pacedLat, double pacedLon, boolean anchor) {
    /** Whether a move from this fix can be judged by the server's clock. */
    public boolean judgeable() {
      return serverAt != null && Double.isFinite(pacedLat) && Double.isFinite(pacedLon);
    }
  }

  /**
   * The node's limits (treasure-hunt.game in game.conf).
   *
   * @param maxAgeMs a fix's {@code at} may be at most this much older than the server's clock
   * @param maxAheadMs … and at most this much ahead of it
   * @param jitterMs network jitter tolerated by the server's clock check, once (Movement)
   * @param maxAccuracyCreditM the most {@code accuracyM} credited in the speed checks
   * @param reanchorAfterMs server time since the last accepted fix after which an implausible fix
   *     is taken as an anchor instead of refused
   * @param claimMaxAgeMs a claim needs a last accepted fix at most this old (server time)
   */
  public record Limits(
      long maxAgeMs,
      long maxAheadMs,
      long jitterMs,
      double maxAccuracyCreditM,
      long reanchorAfterMs,
      long claimMaxAgeMs) {
    public static final Limits DEFAULT = new Limits(120_000, 300_000, 2_000, 100, 300_000, 120_000);
  }

  /** Why a fix is refused; a refused fix changes nothing. */
  public enum Refusal {
    /** lat/lon not finite or outside [-90, 90] × [-180, 180]. */
    OUT_OF_RANGE,
    /** {@code at} more than {@link Limits#maxAheadMs} ahead of the server's clock. */
    AHEAD,
    /** {@code at} more than {@link Limits#maxAgeMs} behind the server's clock. */
    TOO_OLD,
    /** not newer than the last accepted fix. */
    STALE,
    /** faster than the hunt's {@code maxSpeedMps} by either clock ({@link Movement}). */
    IMPLAUSIBLE_MOVE
  }

  /**
   * The move from the last accepted fix, judged by both clocks ({@link Movement}).
   *
   * @param distanceM from the last accepted fix
   * @param creditM the accuracy credited
   * @param clientSeconds between the two {@code at}s
   * @param serverSeconds between the two receptions, by the server's clock (≥ 0)
   * @param speedMps by the client's clock, less the credit
   * @param lagM between the fix and the paced point after it
   * @param pacedLat the paced point after this fix
   */
  public record Move(
      double distanceM,
      double creditM,
      double clientSeconds,
      double serverSeconds,
      double speedMps,
      double lagM,
      double pacedLat,
      double pacedLon,
      boolean byClient,
      boolean byServer) {
    public boolean plausible() {
      return byClient && byServer;
    }
  }

  /**
   * The verdict on a fix. When {@code refusal} is set, only {@code move} is meaningful (null unless
   * the move was judged implausible).
   *
   * @param move the move from the last accepted fix, null when there was none to judge from
   * @param anchor the fix is an anchor (see the class comment): nothing reached, no advice
   * @param pacedLat the paced point to keep with the fix (the fix itself after a re-anchor)
   * @param reached treasures without an answer the fix reaches and the player has not settled,
   *     sorted by id: the hunt decides whether they score
   * @param atTreasure the first (by id) unsettled treasure needing an answer within whose radius
   *     the fix lies, or null: the player may claim it
   * @param nearest the band ({@link Band#wire()}) of the nearest unfound treasure, or null when
   *     none is left, the hunt is not live or the fix is an anchor
   * @param nextPollMs the advice for the next fix ({@link PollAdvice}); the longest while the hunt
   *     is not live, the shortest after an anchor
   */
  public record Verdict(
      Refusal refusal,
      Move move,
      boolean anchor,
      double pacedLat,
      double pacedLon,
      List<String> reached,
      String atTreasure,
      String nearest,
      long nextPollMs) {

    public boolean accepted() {
      return refusal == null;
    }

    /** Speed since the last fix by the client's clock, NaN when there was none to judge from. */
    public double speedMps() {
      return move == null ? Double.NaN : move.speedMps();
    }

    static Verdict refused(Refusal refusal, Move move) {
      return new Verdict(refusal, move, false, Double.NaN, Double.NaN, List.of(), null, null, 0);
    }

    static Verdict noAdvice(Move move, boolean anchor, double[] paced, long nextPollMs) {
      return new Verdict(null, move, anchor, paced[0], paced[1], List.of(), null, null, nextPollMs);
    }
  }

  /**
   * The checks that need no hunt rules, in the order they are answered: coordinates in range,
   * {@code at} not too far ahead of {@code serverNow}, not too far behind it, then newer than
   * {@code last} (null: no fix accepted yet). Null when the fix is admissible.
   */
  public static Refusal admit(Last last, Fix fix, long serverNow, Limits limits) {
    if (!Geo.validLat(fix.lat()) || !Geo.validLon(fix.lon())) return Refusal.OUT_OF_RANGE;
    if (fix.at() > serverNow + limits.maxAheadMs()) return Refusal.AHEAD;
    if (fix.at() < serverNow - limits.maxAgeMs()) return Refusal.TOO_OLD;
    if (last != null && fix.at() <= last.fix().at()) return Refusal.STALE;
    return null;
  }

  /**
   * Why a fix was refused, in words for the player: the limit it broke, by the server's clock.
   *
   * @param last the last accepted fix (set for {@link Refusal#STALE})
   * @param move the move judged implausible (set for {@link Refusal#IMPLAUSIBLE_MOVE})
   * @param maxSpeedMps the hunt's speed limit (used for {@link Refusal#IMPLAUSIBLE_MOVE})
   */
  public static String explain(
      Refusal refusal, Last last, Move move, double maxSpeedMps, Limits limits) {
    return switch (refusal) {
      case OUT_OF_RANGE -> "lat/lon out of range";
      case AHEAD ->
          "at: in the future (more than " + limits.maxAheadMs() / 1000 + " s ahead of the server)";
      case TOO_OLD ->
          "at: taken more than "
              + limits.maxAgeMs() / 1000
              + " s before the server received it; send fixes as they are taken";
      case STALE -> "a newer location (at " + last.fix().at() + ") was already accepted";
      case IMPLAUSIBLE_MOVE ->
          fixed(move.distanceM(), 0)
              + " m from your last accepted location in "
              + fixed(move.clientSeconds(), 3)
              + " s by your clock and "
              + fixed(move.serverSeconds(), 3)
              + " s by the server's: faster than this hunt's "
              + fixed(maxSpeedMps, 0)
              + " m/s";
    };
  }

  /**
   * {@code v} with {@code decimals} digits after the point, as {@code String.format(Locale.ROOT,
   * "%.Nf", v)} writes it (half up, from the shortest decimal that reads back as {@code v}),
   * without the formatter: String.format parsed its pattern for every refused move, ~2 % of the
   * node's CPU in the closed loop where 3 % of the bots' fixes are implausible (BENCHMARKS.md,
   * issue 13, "session 20").
   */
  static String fixed(double v, int decimals) {
    if (!Double.isFinite(v)) return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
    String r =
        new BigDecimal(Double.toString(v)).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
    // a negative number that rounds to zero keeps its sign, as the formatter writes it ("-0.000")
    return (v < 0 || 1 / v < 0) && r.charAt(0) != '-' ? "-" + r : r;
  }

  /**
   * Judges the move from {@code last} (which must be {@link Last#judgeable()}) to {@code fix},
   * received at {@code serverNow}, by both clocks ({@link Movement}).
   */
  public static Move move(Last last, Fix fix, long serverNow, double maxSpeedMps, Limits limits) {
    Fix from = last.fix();
    double d = Geo.distanceM(from.lat(), from.lon(), fix.lat(), fix.lon());
    double credit = Movement.creditM(fix.accuracyM(), limits.maxAccuracyCreditM());
    double clientS = (fix.at() - from.at()) / 1000.0;
    double serverS = Math.max(0, serverNow - last.serverAt()) / 1000.0;
    double speed = Movement.speedMps(d, credit, clientS);
    double fromPaced = Geo.distanceM(last.pacedLat(), last.pacedLon(), fix.lat(), fix.lon());
    double lag = Movement.lagM(fromPaced, serverS, maxSpeedMps);
    boolean byServer = !(lag > credit + maxSpeedMps * limits.jitterMs() / 1000.0);
    double[] paced = Geo.towards(fix.lat(), fix.lon(), last.pacedLat(), last.pacedLon(), lag);
    return new Move(
        d,
        credit,
        clientS,
        serverS,
        speed,
        lag,
        paced[0],
        paced[1],
        Movement.plausible(speed, maxSpeedMps),
        byServer);
  }

  /**
   * Judges a fix against a hunt's rules.
   *
   * @param last the player's last accepted fix (in any hunt), or null
   * @param serverNow the server's clock when the fix is handled (epoch ms)
   * @param firstInHunt the player has no accepted fix in this hunt yet: the fix is an anchor
   * @param live the hunt is live: otherwise the fix is taken without any advice (no finds, no
   *     {@code atTreasure}, no band, the longest poll)
   * @param layout the index of {@code definition}'s treasures ({@link HuntDefinition#layout()})
   * @param found treasures of this hunt the player found
   * @param missed exclusive treasures of this hunt the player reached after someone else found them
   * @param limits the node's limits
   * @param poll the node's poll-rate bounds
   */
  public static Verdict judge(
      Last last,
      Fix fix,
      long serverNow,
      boolean firstInHunt,
      boolean live,
      HuntDefinition definition,
      TreasureLayout layout,
      Collection<String> found,
      Collection<String> missed,
      Limits limits,
      PollAdvice.Settings poll) {
    Refusal refusal = admit(last, fix, serverNow, limits);
    if (refusal != null) return Verdict.refused(refusal, null);
    Move move =
        last == null || !last.judgeable()
            ? null
            : move(last, fix, serverNow, definition.maxSpeedMps(), limits);
    // Nothing to judge from (a first fix, or a last one accepted before the server kept its clock),
    // or an implausible move after a long gap (a phone back from offline): re-anchored here.
    // An implausible move within the gap is refused.
    boolean reanchor = move == null || !move.plausible();
    if (reanchor && move != null && serverNow - last.serverAt() <= limits.reanchorAfterMs())
      return Verdict.refused(Refusal.IMPLAUSIBLE_MOVE, move);
    double[] paced =
        reanchor
            ? new double[] {fix.lat(), fix.lon()}
            : new double[] {move.pacedLat(), move.pacedLon()};
    boolean anchor = reanchor || firstInHunt;
    if (!live) return Verdict.noAdvice(move, anchor, paced, poll.maxMs());
    if (anchor) return Verdict.noAdvice(move, true, paced, poll.minMs());
    double speed = move.speedMps();

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
    return new Verdict(
        null,
        move,
        false,
        paced[0],
        paced[1],
        List.copyOf(reached),
        atTreasure,
        nearest,
        nextPollMs);
  }

  /** Whether a claim may be made from the last accepted fix, or why not. */
  public enum Reach {
    /** within the treasure's radius, recent, not an anchor: the claim may go on. */
    WITHIN,
    /** no fix accepted yet. */
    NO_FIX,
    /** the last fix was an anchor: it cannot score, a claim needs a fix judged from it. */
    ANCHOR,
    /**
     * the last fix is older than {@link Limits#claimMaxAgeMs} of server time (or of unknown age).
     */
    OLD,
    /** the last fix is not within the treasure's radius. */
    OUTSIDE
  }

  /**
   * Whether a claim of {@code treasure} may be made from the last accepted fix at {@code
   * serverNow}: there is one, it is not an anchor, it was accepted at most {@link
   * Limits#claimMaxAgeMs} ago by the server's clock and it is within the treasure's radius (its
   * accuracy earns no reach).
   */
  public static Reach reach(Last last, Treasure treasure, long serverNow, Limits limits) {
    if (last == null) return Reach.NO_FIX;
    if (last.anchor()) return Reach.ANCHOR;
    if (last.serverAt() == null || serverNow - last.serverAt() > limits.claimMaxAgeMs())
      return Reach.OLD;
    Fix f = last.fix();
    if (Geo.distanceM(f.lat(), f.lon(), treasure.lat(), treasure.lon()) > treasure.radiusM())
      return Reach.OUTSIDE;
    return Reach.WITHIN;
  }
}
