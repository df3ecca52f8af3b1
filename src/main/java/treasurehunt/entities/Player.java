package treasurehunt.entities;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import treasurehunt.CborSerializable;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.LocationCheck;

/**
 * A player: name, the hunts joined, the last accepted GPS fix, finds and scores.
 *
 * <p>This file is the Player entity's contract: its commands, replies, events and state (with
 * {@link State#apply}, the replay that the entity and the journal tools share), {@link
 * #ENTITY_KEY}, {@link #init} and {@link #create}. How it handles each command is in {@link
 * PlayerBehavior} (its round trips to the Hunt entities in {@link HuntLink}, its refused answers in
 * {@link PlayerReplies}); the rules it applies are in {@code game/} ({@link LocationCheck}, {@link
 * treasurehunt.game.ClaimCheck}). The types stay nested here because their class names ({@code
 * treasurehunt.entities.Player$Moved}, …) are the serializer manifests of every stored event and
 * snapshot.
 */
public final class Player {
  private Player() {}

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Player");

  // ---------------------------------------------------------------- commands

  public sealed interface Command extends CborSerializable {}

  public record Register(String name, ActorRef<Profile> replyTo) implements Command {}

  public record GetProfile(ActorRef<Profile> replyTo) implements Command {}

  /**
   * The entity's own ref, answered in any state: a session sends its player's location reports
   * straight to it instead of through sharding's region and shard (gateway/PlayerRoute).
   */
  public record Locate(ActorRef<ActorRef<Command>> replyTo) implements Command {}

  /** {@code name}: used when the player was never registered here (a token minted elsewhere). */
  public record Join(String cmdId, String hunt, String name, ActorRef<JoinAck> replyTo)
      implements Command {}

  public record Leave(String cmdId, String hunt, ActorRef<Hunt.Ack> replyTo) implements Command {}

  /** {@code accuracyM}: NaN when the client did not say. */
  public record ReportLocation(
      String cmdId,
      String hunt,
      double lat,
      double lon,
      double accuracyM,
      long at,
      ActorRef<LocationAck> replyTo)
      implements Command {}

  public record Claim(
      String cmdId, String hunt, String treasure, String answer, ActorRef<ClaimAck> replyTo)
      implements Command {}

  // internal: answers of the Hunt entity, mapped by context.ask. failure: the ask timed out.
  record JoinAnswered(Join command, Hunt.JoinReply reply, String failure) implements Command {}

  record LeaveAnswered(Leave command, Hunt.Ack reply, String failure) implements Command {}

  /** Internal: write the fix acknowledged {@code write-behind} ago (PlayerBehavior). */
  record WriteMove(Moved move) implements Command {}

  /** Internal: the trail's newest rows, read when the entity starts ({@link PlayerTrail}). */
  record TrailLoaded(PlayerTrail.Loaded loaded, Throwable failure) implements Command {}

  /** Internal: every trail row this entity offered before asking is written (or failure). */
  record TrailFlushed(Throwable failure) implements Command {}

  /**
   * Sharding's stop message (passivation, rebalance, leaving): a held-back fix is written first,
   * and the trail rows of this player.
   */
  public enum Stop implements Command {
    INSTANCE
  }

  /** Internal: a {@link Stop} that waits behind the stash is overdue; stop now (PlayerBehavior). */
  enum StopNow implements Command {
    INSTANCE
  }

  record FindsAnswered(ReportLocation command, Moved move, Hunt.FindsReply reply, String failure)
      implements Command {}

  record ClaimAnswered(Claim command, Hunt.ClaimReply reply, String failure) implements Command {}

  record RulesLoaded(String hunt, HuntDefinition definition, Hunt.Status status, String failure)
      implements Command {}

  /**
   * A hunt's status, asked for without waiting ({@link HuntCatalog#recheckDue}); null: no answer.
   */
  record StatusAnswered(String hunt, Hunt.Status status) implements Command {}

  // ---------------------------------------------------------------- replies

  public record Profile(String playerId, String name, int score, Map<String, Progress> hunts)
      implements CborSerializable {}

  public record JoinAck(
      Hunt.View view, Progress you, Hunt.StreamPos stream, long nextPollMs, Problem problem)
      implements CborSerializable {}

  /**
   * {@code problem} set: rejected (stale, implausible_move, not_joined, …) and nothing changed.
   * {@code alreadyClaimed}: exclusive treasures this report reached that another player found first
   * (an extension of PROTOCOL.md: the location is accepted, the treasure is not credited).
   */
  public record LocationAck(
      long nextPollMs,
      String nearest,
      List<String> found,
      String atTreasure,
      Problem problem,
      List<String> alreadyClaimed)
      implements CborSerializable {
    public LocationAck {
      alreadyClaimed = alreadyClaimed == null ? List.of() : alreadyClaimed;
    }
  }

  public record ClaimAck(int points, int score, Problem problem) implements CborSerializable {}

  /** Published on the hunt's positions topic for every accepted report. */
  public record Position(String hunt, String playerId, double lat, double lon, long at)
      implements CborSerializable {}

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {
    String playerId();

    long at();
  }

  public record Registered(String playerId, String name, long at) implements Event {}

  public record JoinedHunt(String playerId, String hunt, long at) implements Event {}

  public record LeftHunt(String playerId, String hunt, long at) implements Event {}

  /**
   * An accepted location report with its answer: {@code found} credited by this report, {@code
   * missed} exclusive treasures reached but already claimed by someone else (not tried again).
   *
   * <p>Added in issue 11 (null, 0 or false in events written before, which then judge nothing):
   * {@code serverAt}, the entity's clock when it accepted the report (the server time the next
   * report is judged by); {@code pacedLat}/{@code pacedLon}, the paced point after it ({@link
   * treasurehunt.game.Movement}); {@code anchor}, the report was an anchor (its position taken, it
   * scored nothing).
   */
  public record Moved(
      String playerId,
      String cmdId,
      String hunt,
      double lat,
      double lon,
      double accuracyM,
      long at,
      String nearest,
      long nextPollMs,
      String atTreasure,
      List<String> found,
      List<String> missed,
      Long serverAt,
      double pacedLat,
      double pacedLon,
      boolean anchor)
      implements Event {

    /** A report as events before issue 11 recorded it: no server time, nothing to judge from. */
    public Moved(
        String playerId,
        String cmdId,
        String hunt,
        double lat,
        double lon,
        double accuracyM,
        long at,
        String nearest,
        long nextPollMs,
        String atTreasure,
        List<String> found,
        List<String> missed) {
      this(
          playerId,
          cmdId,
          hunt,
          lat,
          lon,
          accuracyM,
          at,
          nearest,
          nextPollMs,
          atTreasure,
          found,
          missed,
          null,
          0,
          0,
          false);
    }

    /** The answer to the report: the same for the report and for every retry of its id. */
    LocationAck answer() {
      return new LocationAck(nextPollMs, nearest, found, atTreasure, null, missed);
    }

    /** The same report with the hunt's answer to what it reached. */
    Moved withFinds(List<String> credited, List<String> lost) {
      return new Moved(
          playerId,
          cmdId,
          hunt,
          lat,
          lon,
          accuracyM,
          at,
          nearest,
          nextPollMs,
          atTreasure,
          credited,
          lost,
          serverAt,
          pacedLat,
          pacedLon,
          anchor);
    }
  }

  /**
   * {@code via}: "location", "claim" or "reconcile" (credited by the hunt, learnt at a later join).
   */
  public record TreasureFound(
      String playerId, String hunt, String treasure, int points, String cmdId, String via, long at)
      implements Event {}

  // ---------------------------------------------------------------- state

  /**
   * A player's progress in one hunt. {@code located}: a location report in this hunt was accepted
   * and judged by the server's clock (issue 11; false in snapshots and events before), so the next
   * one is not an anchor.
   */
  public record Progress(
      boolean joined, int score, List<String> found, List<String> missed, boolean located)
      implements CborSerializable {
    static final Progress NEW = new Progress(false, 0, List.of(), List.of(), false);

    Progress withJoined(boolean j) {
      return new Progress(j, score, found, missed, located);
    }

    Progress withFind(String treasure, int points) {
      if (found.contains(treasure)) return this;
      return new Progress(
          joined, score + points, append(found, List.of(treasure)), missed, located);
    }

    Progress withMissed(List<String> more) {
      return more.isEmpty()
          ? this
          : new Progress(joined, score, found, append(missed, more), located);
    }

    Progress withLocated() {
      return located ? this : new Progress(joined, score, found, missed, true);
    }
  }

  /**
   * The last accepted fix. {@code serverAt}, {@code pacedLat}/{@code pacedLon} and {@code anchor}
   * as in {@link Moved} (null, 0 and false for a fix accepted before issue 11).
   */
  public record Fix(
      double lat,
      double lon,
      long at,
      double accuracyM,
      Long serverAt,
      double pacedLat,
      double pacedLon,
      boolean anchor)
      implements CborSerializable {

    /** The fix a move accepted. */
    public static Fix of(Moved e) {
      return new Fix(
          e.lat(),
          e.lon(),
          e.at(),
          e.accuracyM(),
          e.serverAt(),
          e.pacedLat(),
          e.pacedLon(),
          e.anchor());
    }

    /** Whether this fix was judged after {@code other} (by the server's clock); null: false. */
    boolean after(Fix other) {
      if (other == null) return true;
      if (serverAt == null) return false;
      return other.serverAt == null || serverAt >= other.serverAt;
    }

    /** The fix as {@link LocationCheck} judges from it. */
    public LocationCheck.Last checked() {
      return new LocationCheck.Last(
          new LocationCheck.Fix(lat, lon, at, accuracyM),
          serverAt,
          serverAt == null ? Double.NaN : pacedLat,
          serverAt == null ? Double.NaN : pacedLon,
          anchor);
    }
  }

  /** The first answer to a command id: exactly one of the two is set. */
  public record Outcome(String cmdId, LocationAck location, ClaimAck claim)
      implements CborSerializable {}

  public record State(String name, Map<String, Progress> hunts, Fix lastFix, List<Outcome> recent)
      implements CborSerializable {
    public static final State EMPTY = new State(null, Map.of(), null, List.of());

    public Progress progress(String hunt) {
      return hunts.getOrDefault(hunt, Progress.NEW);
    }

    public int score() {
      return hunts.values().stream().mapToInt(Progress::score).sum();
    }

    Outcome outcome(String cmdId) {
      // Asked on every report, and almost always a miss: compare the strings' cached hashes first.
      int hash = cmdId.hashCode();
      for (int i = recent.size() - 1; i >= 0; i--) {
        Outcome o = recent.get(i);
        if (o.cmdId().hashCode() == hash && o.cmdId().equals(cmdId)) return o;
      }
      return null;
    }

    private State withProgress(String hunt, Progress p) {
      Map<String, Progress> m = new LinkedHashMap<>(hunts);
      m.put(hunt, p);
      return new State(name, Map.copyOf(m), lastFix, recent);
    }

    private State remember(Outcome o, int window) {
      int from = Math.max(0, recent.size() + 1 - window);
      List<Outcome> r = new ArrayList<>(recent.size() + 1 - from);
      r.addAll(recent.subList(from, recent.size()));
      r.add(o);
      return new State(name, hunts, lastFix, List.copyOf(r));
    }

    /**
     * Applies one event: the entity's event handler and the journal tools' replay both call this.
     * Pure: no clock, random or I/O.
     */
    public State apply(Event event, int window) {
      if (event instanceof Registered e) return new State(e.name(), hunts, lastFix, recent);
      if (event instanceof JoinedHunt e)
        return withProgress(e.hunt(), progress(e.hunt()).withJoined(true));
      if (event instanceof LeftHunt e)
        return withProgress(e.hunt(), progress(e.hunt()).withJoined(false));
      if (event instanceof Moved e) {
        State s = new State(name, hunts, Fix.of(e), recent);
        Progress p = progress(e.hunt()).withMissed(e.missed());
        // Only a report judged by the server's clock counts as located (not those of older events).
        if (e.serverAt() != null) p = p.withLocated();
        if (p != progress(e.hunt())) s = s.withProgress(e.hunt(), p);
        return s.remember(new Outcome(e.cmdId(), e.answer(), null), window);
      }
      if (event instanceof TreasureFound e) {
        Progress p = progress(e.hunt()).withFind(e.treasure(), e.points());
        State s = withProgress(e.hunt(), p);
        if ("claim".equals(e.via()))
          s =
              s.remember(
                  new Outcome(e.cmdId(), null, new ClaimAck(e.points(), p.score(), null)), window);
        return s;
      }
      throw new IllegalArgumentException("unknown event " + event);
    }
  }

  private static <T> List<T> append(List<T> list, List<T> more) {
    List<T> out = new ArrayList<>(list.size() + more.size());
    out.addAll(list);
    out.addAll(more);
    return List.copyOf(out);
  }

  // ---------------------------------------------------------------- wiring

  public static void init(ActorSystem<?> system, GameSettings settings) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(
        Entity.of(
                ENTITY_KEY,
                ctx ->
                    create(
                        ctx.getEntityId(),
                        settings,
                        hunt -> sharding.entityRefFor(Hunt.ENTITY_KEY, hunt)))
            .withStopMessage(Stop.INSTANCE));
  }

  /**
   * {@code hunts}: how to reach a Hunt entity by id (sharding in the engine, a test actor in
   * tests).
   */
  public static Behavior<Command> create(
      String playerId, GameSettings settings, Function<String, RecipientRef<Hunt.Command>> hunts) {
    return create(playerId, settings, hunts, Clock.systemUTC());
  }

  /**
   * {@code clock}: the server's clock, read by the command handlers only (the time a location
   * report is judged by is persisted with it); a test clock in tests.
   */
  public static Behavior<Command> create(
      String playerId,
      GameSettings settings,
      Function<String, RecipientRef<Hunt.Command>> hunts,
      Clock clock) {
    // Every log line of this entity carries its persistence id ("Player|<id>"): Akka Persistence
    // puts it in the MDC for every message (logback pattern %X{persistenceId}). A Behaviors.withMdc
    // of our own cost every location report an interceptor and two MDC map copies (BENCHMARKS.md,
    // issue 13, "fewer hops and allocations per report").
    return Behaviors.setup(ctx -> new PlayerBehavior(ctx, playerId, settings, hunts, clock));
  }
}
