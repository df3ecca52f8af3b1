package treasurehunt.entities;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import treasurehunt.CborSerializable;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.LocationCheck;
import treasurehunt.game.Treasure;
import treasurehunt.metrics.Metrics;

/**
 * A player: name, the hunts joined, the last accepted GPS fix, finds and scores.
 *
 * <p>It owns the hot path: a location report is judged by {@link LocationCheck} (stale,
 * implausible, treasures reached, nearest band, poll advice) against the hunt's spatial index
 * cached once per node in {@link HuntCatalog}, persisted as {@link Moved} and answered here. Only
 * when the report reaches a treasure does a message go to the Hunt entity, which decides who
 * scores; joins, leaves and claims go there too. While such a round trip is under way, later
 * commands of this player are stashed so they are handled in order.
 *
 * <p>Idempotency: location reports and claims are remembered by command id (the last {@code
 * idempotency-window} outcomes, in the persisted state), so a retry gets the first outcome and
 * changes nothing. Joins, leaves and finds are idempotent in the Hunt entity itself. Rejected
 * reports (stale, implausible) change nothing and are not remembered: a retry is judged again, with
 * the same result.
 */
public final class Player
    extends EventSourcedBehaviorWithEnforcedReplies<Player.Command, Player.Event, Player.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Player");

  // ---------------------------------------------------------------- commands

  public sealed interface Command extends CborSerializable {}

  public record Register(String name, ActorRef<Profile> replyTo) implements Command {}

  public record GetProfile(ActorRef<Profile> replyTo) implements Command {}

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

  record FindsAnswered(ReportLocation command, Moved move, Hunt.FindsReply reply, String failure)
      implements Command {}

  record ClaimAnswered(Claim command, Hunt.ClaimReply reply, String failure) implements Command {}

  record RulesLoaded(String hunt, HuntDefinition definition, String failure) implements Command {}

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
      List<String> missed)
      implements Event {}

  /**
   * {@code via}: "location", "claim" or "reconcile" (credited by the hunt, learnt at a later join).
   */
  public record TreasureFound(
      String playerId, String hunt, String treasure, int points, String cmdId, String via, long at)
      implements Event {}

  // ---------------------------------------------------------------- state

  public record Progress(boolean joined, int score, List<String> found, List<String> missed)
      implements CborSerializable {
    static final Progress NEW = new Progress(false, 0, List.of(), List.of());

    Progress withJoined(boolean j) {
      return new Progress(j, score, found, missed);
    }

    Progress withFind(String treasure, int points) {
      if (found.contains(treasure)) return this;
      return new Progress(joined, score + points, append(found, List.of(treasure)), missed);
    }

    Progress withMissed(List<String> more) {
      return more.isEmpty() ? this : new Progress(joined, score, found, append(missed, more));
    }
  }

  public record Fix(double lat, double lon, long at, double accuracyM)
      implements CborSerializable {}

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
      for (int i = recent.size() - 1; i >= 0; i--)
        if (recent.get(i).cmdId().equals(cmdId)) return recent.get(i);
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
        State s = new State(name, hunts, new Fix(e.lat(), e.lon(), e.at(), e.accuracyM()), recent);
        if (!e.missed().isEmpty())
          s = s.withProgress(e.hunt(), progress(e.hunt()).withMissed(e.missed()));
        return s.remember(
            new Outcome(
                e.cmdId(),
                new LocationAck(
                    e.nextPollMs(), e.nearest(), e.found(), e.atTreasure(), null, e.missed()),
                null),
            window);
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
                    hunt -> sharding.entityRefFor(Hunt.ENTITY_KEY, hunt))));
  }

  /**
   * {@code hunts}: how to reach a Hunt entity by id (sharding in the engine, a test actor in
   * tests).
   */
  public static Behavior<Command> create(
      String playerId, GameSettings settings, Function<String, RecipientRef<Hunt.Command>> hunts) {
    // Every log line of this entity carries its player id (logback pattern %X{playerId}).
    return Behaviors.withMdc(
        Command.class,
        Map.of("playerId", "player=" + playerId + " "),
        Behaviors.setup(ctx -> new Player(ctx, playerId, settings, hunts)));
  }

  private final ActorContext<Command> context;
  private final String playerId;
  private final GameSettings settings;
  private final Function<String, RecipientRef<Hunt.Command>> hunts;
  private final HuntCatalog catalog;
  private final HuntTopics topics;
  private final Metrics metrics;

  /**
   * A round trip to a Hunt entity is under way: later commands wait in the stash. Not persisted.
   */
  private boolean busy;

  /**
   * A hunt whose rules could not be loaded just now: the next command for it is answered
   * unavailable.
   */
  private String failedRules;

  private Player(
      ActorContext<Command> context,
      String playerId,
      GameSettings settings,
      Function<String, RecipientRef<Hunt.Command>> hunts) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), playerId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.context = context;
    this.playerId = playerId;
    this.settings = settings;
    this.hunts = hunts;
    this.catalog = HuntCatalog.get(context.getSystem());
    this.topics = HuntTopics.get(context.getSystem());
    this.metrics = Metrics.get(context.getSystem());
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.snapshotsKept());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    int window = settings.idempotencyWindow();
    return (state, event) -> state.apply(event, window);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(JoinAnswered.class, this::joinAnswered)
        .onCommand(LeaveAnswered.class, this::leaveAnswered)
        .onCommand(FindsAnswered.class, this::findsAnswered)
        .onCommand(ClaimAnswered.class, this::claimAnswered)
        .onCommand(RulesLoaded.class, this::rulesLoaded)
        // everything below waits while a round trip to a hunt is under way
        .onCommand(c -> busy, c -> Effect().stash())
        .onCommand(Register.class, this::register)
        .onCommand(GetProfile.class, (s, c) -> Effect().reply(c.replyTo(), profile(s)))
        .onCommand(Join.class, this::join)
        .onCommand(Leave.class, this::leave)
        .onCommand(ReportLocation.class, this::reportLocation)
        .onCommand(Claim.class, this::claim)
        .build();
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private Profile profile(State s) {
    return new Profile(playerId, s.name(), s.score(), s.hunts());
  }

  private static Problem unavailable(String failure) {
    return Problem.of(Problem.UNAVAILABLE, "the hunt did not answer in time: " + failure);
  }

  private ReplyEffect<Event, State> register(State state, Register c) {
    if (state.name() != null) return Effect().reply(c.replyTo(), profile(state));
    return Effect()
        .persist(new Registered(playerId, c.name(), now()))
        .thenReply(c.replyTo(), this::profile);
  }

  /**
   * Asks a Hunt entity and waits for its answer: until {@code answered}'s message comes back (with
   * the reply, or the ask's failure message when it timed out), later commands are stashed.
   */
  private <R> void askHunt(
      String hunt,
      Class<R> replyType,
      Function<ActorRef<R>, Hunt.Command> request,
      BiFunction<R, String, Command> answered) {
    busy = true;
    context.ask(
        replyType,
        hunts.apply(hunt),
        settings.askTimeout(),
        request::apply,
        (reply, failure) -> answered.apply(reply, failure == null ? null : failure.getMessage()));
  }

  // ---- join and leave: the hunt decides, then the player records it

  private ReplyEffect<Event, State> join(State state, Join c) {
    String name = state.name() != null ? state.name() : (c.name() != null ? c.name() : playerId);
    askHunt(
        c.hunt(),
        Hunt.JoinReply.class,
        replyTo -> new Hunt.Join(playerId, name, replyTo),
        (reply, failure) -> new JoinAnswered(c, reply, failure));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> joinAnswered(State state, JoinAnswered a) {
    busy = false;
    Join c = a.command();
    Problem problem = a.failure() != null ? unavailable(a.failure()) : a.reply().problem();
    if (problem != null)
      return Effect()
          .reply(c.replyTo(), new JoinAck(null, null, null, 0, problem))
          .thenUnstashAll();
    Hunt.JoinReply r = a.reply();
    catalog.put(r.definition());
    long at = now();
    List<Event> events = new ArrayList<>();
    if (state.name() == null)
      events.add(new Registered(playerId, c.name() != null ? c.name() : playerId, at));
    Progress p = state.progress(c.hunt());
    if (!p.joined()) events.add(new JoinedHunt(playerId, c.hunt(), at));
    for (Hunt.Grant g : r.yours())
      if (!p.found().contains(g.treasure()))
        events.add(
            new TreasureFound(playerId, c.hunt(), g.treasure(), g.points(), null, "reconcile", at));
    long poll = settings.poll().minMs();
    return (events.isEmpty() ? Effect().none() : Effect().persist(events))
        .thenReply(
            c.replyTo(), s -> new JoinAck(r.view(), s.progress(c.hunt()), r.stream(), poll, null))
        .thenUnstashAll();
  }

  private ReplyEffect<Event, State> leave(State state, Leave c) {
    if (!state.progress(c.hunt()).joined()) return Effect().reply(c.replyTo(), new Hunt.Ack(null));
    askHunt(
        c.hunt(),
        Hunt.Ack.class,
        replyTo -> new Hunt.Leave(playerId, replyTo),
        (reply, failure) -> new LeaveAnswered(c, reply, failure));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> leaveAnswered(State state, LeaveAnswered a) {
    busy = false;
    Leave c = a.command();
    Problem problem = a.failure() != null ? unavailable(a.failure()) : a.reply().problem();
    if (problem != null) return Effect().reply(c.replyTo(), new Hunt.Ack(problem)).thenUnstashAll();
    return Effect()
        .persist(new LeftHunt(playerId, c.hunt(), now()))
        .thenReply(c.replyTo(), s -> new Hunt.Ack(null))
        .thenUnstashAll();
  }

  // ---- the rules of a hunt (its treasure index), cached per node

  /**
   * The cached rules of a hunt, or null after starting to load them (the command is then stashed).
   */
  private HuntCatalog.Rules rulesOrLoad(String hunt) {
    HuntCatalog.Rules rules = catalog.get(hunt);
    if (rules == null)
      askHunt(
          hunt,
          Hunt.RulesReply.class,
          Hunt.GetRules::new,
          (reply, failure) ->
              reply == null
                  ? new RulesLoaded(hunt, null, failure)
                  : new RulesLoaded(
                      hunt,
                      reply.definition(),
                      reply.problem() != null ? reply.problem().message() : null));
    return rules;
  }

  private ReplyEffect<Event, State> rulesLoaded(State state, RulesLoaded r) {
    busy = false;
    if (r.definition() != null) catalog.put(r.definition());
    else context.getLog().warn("rules of hunt {} not loaded: {}", r.hunt(), r.failure());
    // The stashed command runs again: with the rules cached, or answered `unavailable` below.
    failedRules = r.definition() == null ? r.hunt() : null;
    return Effect().noReply().thenUnstashAll();
  }

  private boolean rulesFailed(String hunt) {
    if (!hunt.equals(failedRules)) return false;
    failedRules = null;
    return true;
  }

  // ---- the hot path: LocationCheck judges, the hunt decides who scores what was reached

  private static LocationCheck.Fix checked(Fix f) {
    return f == null ? null : new LocationCheck.Fix(f.lat(), f.lon(), f.at(), f.accuracyM());
  }

  private ReplyEffect<Event, State> reportLocation(State state, ReportLocation c) {
    Outcome seen = state.outcome(c.cmdId());
    if (seen != null && seen.location() != null)
      return Effect().reply(c.replyTo(), seen.location());
    if (rejections.get(c.cmdId()) instanceof LocationAck refused)
      return Effect().reply(c.replyTo(), refused);
    Progress p = state.progress(c.hunt());
    if (!p.joined())
      return rejectLocation(c, Problem.NOT_JOINED, "join hunt " + c.hunt() + " first");
    LocationCheck.Fix last = checked(state.lastFix());
    LocationCheck.Fix fix = new LocationCheck.Fix(c.lat(), c.lon(), c.at(), c.accuracyM());
    // Range and staleness are answered before the rules are loaded (or found unavailable).
    LocationCheck.Refusal early = LocationCheck.admit(last, fix);
    if (early != null) return refuseLocation(c, early, last, Double.NaN, Double.NaN);
    if (rulesFailed(c.hunt()))
      return rejectLocation(c, Problem.UNAVAILABLE, "hunt " + c.hunt() + " did not answer in time");
    HuntCatalog.Rules rules = rulesOrLoad(c.hunt());
    if (rules == null) return Effect().stash();
    HuntDefinition def = rules.definition();
    LocationCheck.Verdict v =
        LocationCheck.judge(last, fix, def, rules.layout(), p.found(), p.missed(), settings.poll());
    if (!v.accepted()) return refuseLocation(c, v.refusal(), last, v.speedMps(), def.maxSpeedMps());

    Moved move =
        new Moved(
            playerId,
            c.cmdId(),
            c.hunt(),
            c.lat(),
            c.lon(),
            c.accuracyM(),
            c.at(),
            v.nearest(),
            v.nextPollMs(),
            v.atTreasure(),
            List.of(),
            List.of());
    if (v.reached().isEmpty()) return persistMove(move, List.of(), c.replyTo(), false);
    askHunt(
        c.hunt(),
        Hunt.FindsReply.class,
        replyTo -> new Hunt.RecordFinds(playerId, c.cmdId(), v.reached(), replyTo),
        (reply, failure) -> new FindsAnswered(c, move, reply, failure));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> refuseLocation(
      ReportLocation c,
      LocationCheck.Refusal refusal,
      LocationCheck.Fix last,
      double speedMps,
      double maxSpeedMps) {
    return switch (refusal) {
      case OUT_OF_RANGE -> rejectLocation(c, Problem.BAD_REQUEST, "lat/lon out of range");
      case STALE ->
          rejectLocation(
              c, Problem.STALE, "a newer location (at " + last.at() + ") was already accepted");
      case IMPLAUSIBLE_MOVE ->
          rejectLocation(
              c,
              Problem.IMPLAUSIBLE_MOVE,
              String.format(
                  "%.0f m/s since the last location; this hunt allows %.0f",
                  speedMps, maxSpeedMps));
    };
  }

  private ReplyEffect<Event, State> rejectLocation(ReportLocation c, String code, String message) {
    LocationAck ack =
        new LocationAck(0, null, List.of(), null, Problem.of(code, message), List.of());
    rememberRejection(c.cmdId(), ack, code);
    return Effect().reply(c.replyTo(), ack);
  }

  /**
   * A refused command's answer, so that the same id sent again (a retry after a reconnect) gets the
   * same answer (PROTOCOL.md §2) even if the reason has gone away meanwhile. In memory only: a
   * refusal changed nothing, so there is nothing to persist; after the entity restarts a retried
   * refused command is judged afresh. {@code unavailable} is not remembered: it asks for the retry.
   */
  private void rememberRejection(String cmdId, Object answer, String code) {
    if (cmdId != null && !Problem.UNAVAILABLE.equals(code)) rejections.put(cmdId, answer);
  }

  private final LinkedHashMap<String, Object> rejections =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
          return size() > settings.idempotencyWindow();
        }
      };

  private ReplyEffect<Event, State> findsAnswered(State state, FindsAnswered a) {
    busy = false;
    ReportLocation c = a.command();
    if (a.failure() != null)
      return Effect()
          .reply(
              c.replyTo(),
              new LocationAck(0, null, List.of(), null, unavailable(a.failure()), List.of()))
          .thenUnstashAll();
    Moved m = a.move();
    List<Event> finds = new ArrayList<>();
    List<String> found = new ArrayList<>();
    Hunt.FindsReply r = a.reply();
    Progress p = state.progress(c.hunt());
    // A hunt that is not live (or not joined there) credits nothing: the move itself still counts.
    if (r.problem() == null) {
      for (Hunt.Grant g : r.granted()) {
        found.add(g.treasure());
        if (!p.found().contains(g.treasure()))
          finds.add(
              new TreasureFound(
                  playerId, c.hunt(), g.treasure(), g.points(), c.cmdId(), "location", m.at()));
      }
    }
    Moved move =
        new Moved(
            m.playerId(),
            m.cmdId(),
            m.hunt(),
            m.lat(),
            m.lon(),
            m.accuracyM(),
            m.at(),
            m.nearest(),
            m.nextPollMs(),
            m.atTreasure(),
            List.copyOf(found),
            r.problem() == null ? r.claimedByOthers() : List.of());
    return persistMove(move, finds, c.replyTo(), true);
  }

  private ReplyEffect<Event, State> persistMove(
      Moved move, List<Event> finds, ActorRef<LocationAck> replyTo, boolean unstash) {
    List<Event> events;
    if (finds.isEmpty()) events = List.of(move);
    else {
      events = new ArrayList<>(finds.size() + 1);
      events.add(move);
      events.addAll(finds);
    }
    long started = System.nanoTime();
    Position position = new Position(move.hunt(), playerId, move.lat(), move.lon(), move.at());
    ReplyEffect<Event, State> effect =
        Effect()
            .persist(events)
            .thenRun(s -> metrics.persisted("player", started))
            .thenRun(s -> topics.positions(move.hunt()).tell(Topic.publish(position)))
            .thenReply(
                replyTo,
                s ->
                    new LocationAck(
                        move.nextPollMs(),
                        move.nearest(),
                        move.found(),
                        move.atTreasure(),
                        null,
                        move.missed()));
    return unstash ? effect.thenUnstashAll() : effect;
  }

  // ---- claims

  private ReplyEffect<Event, State> claim(State state, Claim c) {
    Outcome seen = state.outcome(c.cmdId());
    if (seen != null && seen.claim() != null) return Effect().reply(c.replyTo(), seen.claim());
    if (rejections.get(c.cmdId()) instanceof ClaimAck refused)
      return Effect().reply(c.replyTo(), refused);
    Progress p = state.progress(c.hunt());
    if (!p.joined()) return rejectClaim(c, Problem.NOT_JOINED, "join hunt " + c.hunt() + " first");
    if (rulesFailed(c.hunt()))
      return rejectClaim(c, Problem.UNAVAILABLE, "hunt " + c.hunt() + " did not answer in time");
    HuntCatalog.Rules rules = rulesOrLoad(c.hunt());
    if (rules == null) return Effect().stash();
    Treasure t = rules.layout().get(c.treasure());
    if (t == null)
      return rejectClaim(c, Problem.NOT_FOUND, "no treasure " + c.treasure() + " in " + c.hunt());
    if (p.found().contains(t.id()))
      return rejectClaim(c, Problem.ALREADY_FOUND, "you already found " + t.id());
    if (p.missed().contains(t.id()))
      return rejectClaim(c, Problem.ALREADY_CLAIMED, t.id() + " was claimed by another player");
    if (!LocationCheck.withinReach(checked(state.lastFix()), t))
      return rejectClaim(
          c, Problem.TOO_FAR, "your last location is not within the treasure's radius");
    askHunt(
        c.hunt(),
        Hunt.ClaimReply.class,
        replyTo -> new Hunt.Claim(playerId, c.cmdId(), t.id(), c.answer(), replyTo),
        (reply, failure) -> new ClaimAnswered(c, reply, failure));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> rejectClaim(Claim c, String code, String message) {
    ClaimAck ack = new ClaimAck(0, 0, Problem.of(code, message));
    rememberRejection(c.cmdId(), ack, code);
    return Effect().reply(c.replyTo(), ack);
  }

  private ReplyEffect<Event, State> claimAnswered(State state, ClaimAnswered a) {
    busy = false;
    Claim c = a.command();
    Problem problem = a.failure() != null ? unavailable(a.failure()) : a.reply().problem();
    if (problem != null) {
      ClaimAck refused = new ClaimAck(0, 0, problem);
      rememberRejection(c.cmdId(), refused, problem.code());
      return Effect().reply(c.replyTo(), refused).thenUnstashAll();
    }
    int points = a.reply().points();
    return Effect()
        .persist(
            new TreasureFound(playerId, c.hunt(), c.treasure(), points, c.cmdId(), "claim", now()))
        .thenReply(c.replyTo(), s -> new ClaimAck(points, s.progress(c.hunt()).score(), null))
        .thenUnstashAll();
  }
}
