package treasurehunt.entities;

import akka.actor.typed.ActorRef;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.pubsub.Topic;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;
import treasurehunt.entities.Player.Claim;
import treasurehunt.entities.Player.ClaimAck;
import treasurehunt.entities.Player.ClaimAnswered;
import treasurehunt.entities.Player.Command;
import treasurehunt.entities.Player.Event;
import treasurehunt.entities.Player.FindsAnswered;
import treasurehunt.entities.Player.Fix;
import treasurehunt.entities.Player.GetProfile;
import treasurehunt.entities.Player.Join;
import treasurehunt.entities.Player.JoinAck;
import treasurehunt.entities.Player.JoinAnswered;
import treasurehunt.entities.Player.JoinedHunt;
import treasurehunt.entities.Player.Leave;
import treasurehunt.entities.Player.LeaveAnswered;
import treasurehunt.entities.Player.LeftHunt;
import treasurehunt.entities.Player.LocationAck;
import treasurehunt.entities.Player.Moved;
import treasurehunt.entities.Player.Outcome;
import treasurehunt.entities.Player.Position;
import treasurehunt.entities.Player.Profile;
import treasurehunt.entities.Player.Progress;
import treasurehunt.entities.Player.Register;
import treasurehunt.entities.Player.Registered;
import treasurehunt.entities.Player.ReportLocation;
import treasurehunt.entities.Player.RulesLoaded;
import treasurehunt.entities.Player.State;
import treasurehunt.entities.Player.StatusAnswered;
import treasurehunt.entities.Player.TreasureFound;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.LocationCheck;
import treasurehunt.game.Treasure;
import treasurehunt.metrics.Metrics;

/**
 * How a {@link Player} handles its commands: the event-sourced behaviour of the entity whose
 * commands, events and state are nested in {@link Player}.
 *
 * <p>It owns the hot path: a location report is judged by {@link LocationCheck} (the window of
 * {@code at}, stale, implausible by the client's or the server's clock, anchor, treasures reached,
 * nearest band, poll advice) against the hunt's spatial index cached once per node in {@link
 * HuntCatalog}, persisted as {@link Moved} and answered here. The server's time is this entity's
 * clock when it handles the report; it is persisted in the {@link Moved} event, so a replay judges
 * nothing again. Advice (finds, {@code atTreasure}, band) is given only while the hunt is live, as
 * far as the node knows ({@link HuntCatalog#recheckDue}). Only when the report reaches a treasure
 * does a message go to the Hunt entity, which decides who scores; joins, leaves and claims go there
 * too. While such a round trip is under way, later commands of this player are stashed so they are
 * handled in order.
 *
 * <p>Idempotency: location reports and claims are remembered by command id (the last {@code
 * idempotency-window} outcomes, in the persisted state), so a retry gets the first outcome and
 * changes nothing. Joins, leaves and finds are idempotent in the Hunt entity itself. Refused
 * commands change nothing; their answers are kept in memory only ({@link Refusals}).
 */
final class PlayerBehavior extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, State> {

  private final ActorContext<Command> context;
  private final String playerId;
  private final GameSettings settings;
  private final Function<String, RecipientRef<Hunt.Command>> hunts;
  private final HuntCatalog catalog;
  private final HuntTopics topics;
  private final Metrics metrics;
  private final Clock clock;

  /** Answers to refused commands, for retries with the same id. Not persisted. */
  private final Refusals refusals;

  /**
   * A round trip to a Hunt entity is under way: later commands wait in the stash. Not persisted.
   */
  private boolean busy;

  /**
   * A hunt whose rules could not be loaded just now: the next command for it is answered
   * unavailable.
   */
  private String failedRules;

  PlayerBehavior(
      ActorContext<Command> context,
      String playerId,
      GameSettings settings,
      Function<String, RecipientRef<Hunt.Command>> hunts,
      Clock clock) {
    super(
        PersistenceId.of(Player.ENTITY_KEY.name(), playerId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.context = context;
    this.playerId = playerId;
    this.settings = settings;
    this.hunts = hunts;
    this.catalog = HuntCatalog.get(context.getSystem());
    this.topics = HuntTopics.get(context.getSystem());
    this.metrics = Metrics.get(context.getSystem());
    this.clock = clock;
    this.refusals = new Refusals(settings.idempotencyWindow());
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
        .onCommand(StatusAnswered.class, this::statusAnswered)
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

  /** The server's clock: read by command handlers only, and persisted where a decision used it. */
  private long now() {
    return clock.millis();
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
    long at = now();
    catalog.put(r.definition());
    Hunt.Status status = Hunt.Status.fromWire(r.view().status());
    if (status != null) catalog.learnt(c.hunt(), status, at);
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
   * The cached rules of a hunt (and its status, known with them), or null after starting to load
   * them (the command is then stashed).
   */
  private HuntCatalog.Rules rulesOrLoad(String hunt) {
    HuntCatalog.Rules rules = catalog.get(hunt);
    if (rules != null && catalog.status(hunt) != null) return rules;
    askHunt(
        hunt,
        Hunt.RulesReply.class,
        Hunt.GetRules::new,
        (reply, failure) ->
            reply == null
                ? new RulesLoaded(hunt, null, null, failure)
                : new RulesLoaded(
                    hunt,
                    reply.definition(),
                    reply.status(),
                    reply.problem() != null ? reply.problem().message() : null));
    return null;
  }

  private ReplyEffect<Event, State> rulesLoaded(State state, RulesLoaded r) {
    busy = false;
    if (r.definition() != null) {
      catalog.put(r.definition());
      // A node older than issue 11 does not say: taken as live, as that node's players did.
      catalog.learnt(r.hunt(), r.status() != null ? r.status() : Hunt.Status.LIVE, now());
    } else context.getLog().warn("rules of hunt {} not loaded: {}", r.hunt(), r.failure());
    // The stashed command runs again: with the rules cached, or answered `unavailable` below.
    failedRules = r.definition() == null ? r.hunt() : null;
    return Effect().noReply().thenUnstashAll();
  }

  /**
   * Asks the hunt for its status when this node's knowledge of it is due for a recheck ({@link
   * HuntCatalog#recheckDue}); the command goes on meanwhile with what the node knows.
   */
  private void recheckStatus(String hunt, long now) {
    if (!catalog.recheckDue(hunt, now, settings.statusRecheck().toMillis())) return;
    context.ask(
        Hunt.StatusReply.class,
        hunts.apply(hunt),
        settings.askTimeout(),
        Hunt.GetStatus::new,
        (reply, failure) -> new StatusAnswered(hunt, reply == null ? null : reply.status()));
  }

  private ReplyEffect<Event, State> statusAnswered(State state, StatusAnswered a) {
    if (a.status() != null) catalog.learnt(a.hunt(), a.status(), now());
    return Effect().noReply();
  }

  private boolean rulesFailed(String hunt) {
    if (!hunt.equals(failedRules)) return false;
    failedRules = null;
    return true;
  }

  // ---- the hot path: LocationCheck judges, the hunt decides who scores what was reached

  private static LocationCheck.Last checked(Fix f) {
    return f == null ? null : f.checked();
  }

  private ReplyEffect<Event, State> reportLocation(State state, ReportLocation c) {
    Outcome seen = state.outcome(c.cmdId());
    if (seen != null && seen.location() != null)
      return Effect().reply(c.replyTo(), seen.location());
    if (refusals.get(c.cmdId()) instanceof LocationAck refused)
      return Effect().reply(c.replyTo(), refused);
    Progress p = state.progress(c.hunt());
    if (!p.joined())
      return rejectLocation(c, Problem.NOT_JOINED, "join hunt " + c.hunt() + " first");
    // The server's time of this report: the window of `at` and the move are judged by it, and it is
    // persisted with the report (the next one is judged from it).
    long now = now();
    LocationCheck.Limits limits = settings.locations();
    LocationCheck.Last last = checked(state.lastFix());
    LocationCheck.Fix fix = new LocationCheck.Fix(c.lat(), c.lon(), c.at(), c.accuracyM());
    // Range, the window of `at` and staleness are answered before the rules are loaded.
    LocationCheck.Refusal early = LocationCheck.admit(last, fix, now, limits);
    if (early != null) return refuseLocation(c, early, last, null, 0);
    if (rulesFailed(c.hunt()))
      return rejectLocation(c, Problem.UNAVAILABLE, "hunt " + c.hunt() + " did not answer in time");
    HuntCatalog.Rules rules = rulesOrLoad(c.hunt());
    if (rules == null) return Effect().stash();
    recheckStatus(c.hunt(), now);
    boolean live = catalog.status(c.hunt()) == Hunt.Status.LIVE;
    HuntDefinition def = rules.definition();
    LocationCheck.Verdict v =
        LocationCheck.judge(
            last,
            fix,
            now,
            !p.located(),
            live,
            def,
            rules.layout(),
            p.found(),
            p.missed(),
            limits,
            settings.poll());
    if (!v.accepted()) return refuseLocation(c, v.refusal(), last, v.move(), def.maxSpeedMps());

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
            List.of(),
            now,
            v.pacedLat(),
            v.pacedLon(),
            v.anchor());
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
      LocationCheck.Last last,
      LocationCheck.Move move,
      double maxSpeedMps) {
    LocationCheck.Limits limits = settings.locations();
    return switch (refusal) {
      case OUT_OF_RANGE -> rejectLocation(c, Problem.BAD_REQUEST, "lat/lon out of range");
      case AHEAD ->
          rejectLocation(
              c,
              Problem.BAD_REQUEST,
              "at: in the future (more than "
                  + limits.maxAheadMs() / 1000
                  + " s ahead of the server)");
      case TOO_OLD ->
          rejectLocation(
              c,
              Problem.STALE,
              "at: taken more than "
                  + limits.maxAgeMs() / 1000
                  + " s before the server received it; send fixes as they are taken");
      case STALE ->
          rejectLocation(
              c,
              Problem.STALE,
              "a newer location (at " + last.fix().at() + ") was already accepted");
      case IMPLAUSIBLE_MOVE ->
          rejectLocation(
              c,
              Problem.IMPLAUSIBLE_MOVE,
              String.format(
                  Locale.ROOT,
                  "%.0f m from your last accepted location in %.3f s by your clock and %.3f s by"
                      + " the server's: faster than this hunt's %.0f m/s",
                  move.distanceM(),
                  move.clientSeconds(),
                  move.serverSeconds(),
                  maxSpeedMps));
    };
  }

  private ReplyEffect<Event, State> rejectLocation(ReportLocation c, String code, String message) {
    LocationAck ack =
        new LocationAck(0, null, List.of(), null, Problem.of(code, message), List.of());
    refusals.remember(c.cmdId(), ack, code);
    return Effect().reply(c.replyTo(), ack);
  }

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
    // The hunt is not live after all (it ended since this node last asked): learn it soon.
    if (r.problem() != null && Problem.HUNT_NOT_LIVE.equals(r.problem().code()))
      catalog.doubt(c.hunt());
    Moved move =
        m.withFinds(List.copyOf(found), r.problem() == null ? r.claimedByOthers() : List.of());
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
            .thenReply(replyTo, s -> move.answer());
    return unstash ? effect.thenUnstashAll() : effect;
  }

  // ---- claims

  private ReplyEffect<Event, State> claim(State state, Claim c) {
    Outcome seen = state.outcome(c.cmdId());
    if (seen != null && seen.claim() != null) return Effect().reply(c.replyTo(), seen.claim());
    if (refusals.get(c.cmdId()) instanceof ClaimAck refused)
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
    String tooFar =
        tooFar(LocationCheck.reach(checked(state.lastFix()), t, now(), settings.locations()));
    if (tooFar != null) return rejectClaim(c, Problem.TOO_FAR, tooFar);
    askHunt(
        c.hunt(),
        Hunt.ClaimReply.class,
        replyTo -> new Hunt.Claim(playerId, c.cmdId(), t.id(), c.answer(), replyTo),
        (reply, failure) -> new ClaimAnswered(c, reply, failure));
    return Effect().noReply();
  }

  /** Why a claim cannot be made from the last location ({@code too_far}), or null. */
  private String tooFar(LocationCheck.Reach reach) {
    return switch (reach) {
      case WITHIN -> null;
      case NO_FIX -> "send a location within the treasure's radius first";
      case ANCHOR ->
          "your last location anchored you (a first location, or one after a long gap) and cannot"
              + " score; send another";
      case OLD ->
          "your last location is more than "
              + settings.locations().claimMaxAgeMs() / 1000
              + " s old; send a fresh one";
      case OUTSIDE -> "your last location is not within the treasure's radius";
    };
  }

  private ReplyEffect<Event, State> rejectClaim(Claim c, String code, String message) {
    ClaimAck ack = new ClaimAck(0, 0, Problem.of(code, message));
    refusals.remember(c.cmdId(), ack, code);
    return Effect().reply(c.replyTo(), ack);
  }

  private ReplyEffect<Event, State> claimAnswered(State state, ClaimAnswered a) {
    busy = false;
    Claim c = a.command();
    Problem problem = a.failure() != null ? unavailable(a.failure()) : a.reply().problem();
    if (problem != null) {
      ClaimAck refused = new ClaimAck(0, 0, problem);
      refusals.remember(c.cmdId(), refused, problem.code());
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
