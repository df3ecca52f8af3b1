package treasurehunt.entities;

import static treasurehunt.entities.PlayerReplies.claimRefused;
import static treasurehunt.entities.PlayerReplies.locationRefused;
import static treasurehunt.entities.PlayerReplies.notJoined;
import static treasurehunt.entities.PlayerReplies.refused;
import static treasurehunt.entities.PlayerReplies.rulesFailed;
import static treasurehunt.entities.PlayerReplies.unavailable;

import akka.actor.typed.ActorRef;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import treasurehunt.game.ClaimCheck;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.LocationCheck;
import treasurehunt.game.Treasure;
import treasurehunt.metrics.Metrics;

/**
 * How a {@link Player} handles its commands: the event-sourced behaviour of the entity whose
 * commands, events and state are nested in {@link Player}. This file is the actor plumbing only:
 * command handlers, what they persist, their replies. Every rule is in {@code game/}; the round
 * trips to the Hunt entities are in {@link HuntLink}; the refused answers in {@link PlayerReplies}.
 *
 * <p>It owns the hot path: a location report is judged by {@link LocationCheck} (the window of
 * {@code at}, stale, implausible by the client's or the server's clock, anchor, treasures reached,
 * nearest band, poll advice) against the hunt's spatial index cached once per node in {@link
 * HuntCatalog}, persisted as {@link Moved} and answered here. The server's time is this entity's
 * clock when it handles the report; it is persisted in the {@link Moved} event, so a replay judges
 * nothing again. Advice (finds, {@code atTreasure}, band) is given only while the hunt is live, as
 * far as the node knows ({@link HuntCatalog#recheckDue}). Only when the report reaches a treasure
 * does a message go to the Hunt entity, which decides who scores; joins, leaves and claims go there
 * too (a claim once {@link ClaimCheck} lets it). While such a round trip is under way, later
 * commands of this player are stashed so they are handled in order.
 *
 * <p>Idempotency: location reports and claims are remembered by command id (the last {@code
 * idempotency-window} outcomes, in the persisted state), so a retry gets the first outcome and
 * changes nothing. Joins, leaves and finds are idempotent in the Hunt entity itself. Refused
 * commands change nothing; their answers are kept in memory only ({@link Refusals}).
 */
final class PlayerBehavior extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, State> {

  private final String playerId;
  private final GameSettings settings;
  private final HuntLink hunts;
  private final ActorContext<Command> context;
  private final HuntTopics topics;
  private final Metrics metrics;
  private final Clock clock;

  /** Answers to refused commands, for retries with the same id. Not persisted. */
  private final Refusals refusals;

  PlayerBehavior(
      ActorContext<Command> context,
      String playerId,
      GameSettings settings,
      Function<String, RecipientRef<Hunt.Command>> hunts,
      Clock clock) {
    super(
        PersistenceId.of(Player.ENTITY_KEY.name(), playerId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.playerId = playerId;
    this.settings = settings;
    this.hunts = new HuntLink(context, settings, hunts);
    this.context = context;
    this.topics = HuntTopics.get(context.getSystem());
    this.metrics = Metrics.get(context.getSystem());
    this.clock = clock;
    this.refusals = new Refusals(settings.idempotencyWindow());
    PlayerTrail t = PlayerTrail.get(context.getSystem());
    this.trail = t.enabled() && settings.ackBeforeStore() ? t : null;
    this.trailId = PlayerTrail.persistenceId(playerId);
    this.trailAnswers = new TrailAnswers(settings.idempotencyWindow());
  }

  // ---- the trail (PlayerTrail): ordinary fixes stored in node-wide batches, outside this journal

  /** Null: every fix goes through this entity's journal (no database, or a setting). */
  private final PlayerTrail trail;

  private final String trailId;

  /** The acks of the trail's fixes by command id, for retries (the journal's are in the state). */
  private final TrailAnswers trailAnswers;

  /** The trail's last sequence number. */
  private long trailSeq;

  /** The last fix when it is in the trail (newer than the state's), else null. */
  private Fix trailFix;

  /** Rows offered since this entity last waited for the trail's write. */
  private boolean trailDirty;

  /** A read or a flush of the trail is under way: commands wait in the stash. */
  private boolean trailWaiting;

  /** Sharding asked this entity to stop while its trail rows were being written. */
  private boolean stopAfterFlush;

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (trail == null) return;
              // Its fixes may be in the trail only: read the newest before judging the next one.
              trailWaiting = true;
              context.pipeToSelf(
                  trail.load(trailId, settings.idempotencyWindow()),
                  (loaded, failure) -> new Player.TrailLoaded(loaded, failure));
            })
        .build();
  }

  private ReplyEffect<Event, State> trailLoaded(State state, Player.TrailLoaded t) {
    // The database is unreachable: fail, and sharding's backoff starts the entity again.
    if (t.failure() != null)
      throw new IllegalStateException("cannot read the trail of " + playerId, t.failure());
    trailSeq = t.loaded().lastSeq();
    Moved newest = null;
    for (Moved m : t.loaded().newestLast()) {
      trailAnswers.remember(m.cmdId(), m.answer());
      newest = m;
    }
    if (newest != null) {
      Fix f = Fix.of(newest);
      if (f.after(state.lastFix())) trailFix = f;
    }
    trailWaiting = false;
    return Effect().noReply().thenUnstashAll();
  }

  private ReplyEffect<Event, State> trailFlushed(Player.TrailFlushed f) {
    trailWaiting = false;
    trailDirty = false;
    if (f.failure() != null)
      context
          .getLog()
          .warn("The trail of {} was not flushed: {}", playerId, f.failure().toString());
    if (stopAfterFlush) return stop();
    return Effect().noReply().thenUnstashAll();
  }

  /** Waits until the trail rows offered so far are written; {@code c}, if any, waits too. */
  private ReplyEffect<Event, State> awaitTrail(Command c) {
    trailWaiting = true;
    context.pipeToSelf(trail.flushed(), (done, failure) -> new Player.TrailFlushed(failure));
    return c == null ? Effect().noReply() : Effect().stash();
  }

  /**
   * An ordinary fix of a player already located in the hunt goes to the trail: acknowledged now,
   * written within {@code treasure-hunt.trail.flush-every}. Nothing of the state but the position
   * changes, so the journal has nothing to replay for it. A full queue writes it through the
   * journal instead.
   */
  private ReplyEffect<Event, State> trailMove(Moved move, ActorRef<LocationAck> replyTo) {
    if (!trail.offer(trailId, trailSeq + 1, move)) return persistOrdinaryMove(move, replyTo);
    trailSeq++;
    trailDirty = true;
    trailFix = Fix.of(move);
    LocationAck ack = move.answer();
    trailAnswers.remember(move.cmdId(), ack);
    replyTo.tell(ack);
    topics.publish(new Position(move.hunt(), playerId, move.lat(), move.lon(), move.at()));
    return Effect().noReply();
  }

  /** The player's last accepted fix, from the trail or the journal. */
  private Fix lastFix(State state) {
    return trailFix != null ? trailFix : state.lastFix();
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
        .onCommand(StatusAnswered.class, (s, a) -> statusAnswered(a))
        // everything below waits while a round trip to a hunt is under way
        .onCommand(Player.TrailLoaded.class, this::trailLoaded)
        .onCommand(Player.TrailFlushed.class, (s, f) -> trailFlushed(f))
        .onCommand(Player.WriteMove.class, (s, w) -> writeMove(w.move()))
        // a stop waits behind the commands that came before it (see stop())
        .onCommand(Player.Stop.class, (s, c) -> waiting() ? stopBehindStash() : stop())
        .onCommand(Player.StopNow.class, (s, c) -> stop())
        .onCommand(Player.Locate.class, (s, c) -> Effect().reply(c.replyTo(), context.getSelf()))
        .onCommand(c -> waiting(), c -> Effect().stash())
        .onCommand(Register.class, this::register)
        .onCommand(GetProfile.class, (s, c) -> Effect().reply(c.replyTo(), profile(s)))
        .onCommand(Join.class, this::join)
        .onCommand(Leave.class, this::leave)
        .onCommand(ReportLocation.class, this::reportLocation)
        .onCommand(Claim.class, this::claim)
        .build();
  }

  /**
   * Commands wait in the stash: the trail is being read or written, a hunt asked, or a fix held
   * back by {@code write-behind}. Each clears by itself (an answer, a failure or a timeout, the
   * write-behind timer) and unstashes.
   */
  private boolean waiting() {
    return trailWaiting || hunts.busy() || unwritten != null;
  }

  /** The server's clock: read by command handlers only, and persisted where a decision used it. */
  private long now() {
    return clock.millis();
  }

  private Profile profile(State s) {
    return new Profile(playerId, s.name(), s.score(), s.hunts());
  }

  private ReplyEffect<Event, State> register(State state, Register c) {
    if (state.name() != null) return Effect().reply(c.replyTo(), profile(state));
    return Effect()
        .persist(new Registered(playerId, c.name(), now()))
        .thenReply(c.replyTo(), this::profile);
  }

  // ---- join and leave: the hunt decides, then the player records it

  private ReplyEffect<Event, State> join(State state, Join c) {
    String name = state.name() != null ? state.name() : (c.name() != null ? c.name() : playerId);
    hunts.ask(
        c.hunt(),
        Hunt.JoinReply.class,
        replyTo -> new Hunt.Join(playerId, name, replyTo),
        (reply, failure) -> new JoinAnswered(c, reply, failure));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> joinAnswered(State state, JoinAnswered a) {
    hunts.answered();
    Join c = a.command();
    Problem problem = a.failure() != null ? unavailable(a.failure()) : a.reply().problem();
    if (problem != null)
      return Effect()
          .reply(c.replyTo(), new JoinAck(null, null, null, 0, problem))
          .thenUnstashAll();
    Hunt.JoinReply r = a.reply();
    long at = now();
    hunts.joined(c.hunt(), r, at);
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
    hunts.ask(
        c.hunt(),
        Hunt.Ack.class,
        replyTo -> new Hunt.Leave(playerId, replyTo),
        (reply, failure) -> new LeaveAnswered(c, reply, failure));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> leaveAnswered(State state, LeaveAnswered a) {
    hunts.answered();
    Leave c = a.command();
    Problem problem = a.failure() != null ? unavailable(a.failure()) : a.reply().problem();
    if (problem != null) return Effect().reply(c.replyTo(), new Hunt.Ack(problem)).thenUnstashAll();
    return Effect()
        .persist(new LeftHunt(playerId, c.hunt(), now()))
        .thenReply(c.replyTo(), s -> new Hunt.Ack(null))
        .thenUnstashAll();
  }

  // ---- the answers that do not wait for a round trip's end (HuntLink)

  private ReplyEffect<Event, State> rulesLoaded(State state, RulesLoaded r) {
    hunts.rulesLoaded(r, now());
    // The stashed command runs again: with the rules cached, or answered `unavailable`.
    return Effect().noReply().thenUnstashAll();
  }

  private ReplyEffect<Event, State> statusAnswered(StatusAnswered a) {
    hunts.statusAnswered(a, now());
    return Effect().noReply();
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
    if (trail != null) {
      LocationAck stored = trailAnswers.get(c.cmdId());
      if (stored != null) return Effect().reply(c.replyTo(), stored);
    }
    Progress p = state.progress(c.hunt());
    if (!p.joined()) return rejectLocation(c, notJoined(c.hunt()));
    // The server's time of this report: the window of `at` and the move are judged by it, and it is
    // persisted with the report (the next one is judged from it).
    long now = now();
    LocationCheck.Limits limits = settings.locations();
    LocationCheck.Last last = checked(lastFix(state));
    LocationCheck.Fix fix = new LocationCheck.Fix(c.lat(), c.lon(), c.at(), c.accuracyM());
    // Range, the window of `at` and staleness are answered before the rules are loaded.
    LocationCheck.Refusal early = LocationCheck.admit(last, fix, now, limits);
    if (early != null) return rejectLocation(c, refused(early, last, null, 0, limits));
    if (hunts.rulesFailed(c.hunt())) return rejectLocation(c, rulesFailed(c.hunt()));
    HuntCatalog.Rules rules = hunts.rulesOrLoad(c.hunt());
    if (rules == null) return Effect().stash();
    hunts.recheckStatus(c.hunt(), now);
    boolean live = hunts.live(c.hunt());
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
    if (!v.accepted())
      return rejectLocation(c, refused(v.refusal(), last, v.move(), def.maxSpeedMps(), limits));

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
    if (v.reached().isEmpty()) {
      // the first fix in a hunt marks the player located there: a change of state, journaled
      if (trail != null && p.located()) return trailMove(move, c.replyTo());
      if (settings.ackBeforeStore()) return persistOrdinaryMove(move, c.replyTo());
      return persistMove(move, List.of(), c.replyTo(), false);
    }
    hunts.ask(
        c.hunt(),
        Hunt.FindsReply.class,
        replyTo -> new Hunt.RecordFinds(playerId, c.cmdId(), v.reached(), replyTo),
        (reply, failure) -> new FindsAnswered(c, move, reply, failure));
    return Effect().noReply();
  }

  /** Answers a refused report, remembered for a retry with the same id ({@link Refusals}). */
  private ReplyEffect<Event, State> rejectLocation(ReportLocation c, Problem problem) {
    LocationAck ack = locationRefused(problem);
    refusals.remember(c.cmdId(), ack, problem.code());
    return Effect().reply(c.replyTo(), ack);
  }

  private ReplyEffect<Event, State> findsAnswered(State state, FindsAnswered a) {
    hunts.answered();
    ReportLocation c = a.command();
    // unavailable: not remembered, a retry asks again
    if (a.failure() != null) return rejectLocation(c, unavailable(a.failure())).thenUnstashAll();
    // the hunt was too busy to hold the finds (DroppedCommands): nothing decided, the retry judges
    // the same fix again (not remembered), so no find is lost
    if (a.reply().problem() != null && Problem.OVERLOADED.equals(a.reply().problem().code()))
      return rejectLocation(c, a.reply().problem()).thenUnstashAll();
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
      hunts.doubt(c.hunt());
    Moved move =
        m.withFinds(List.copyOf(found), r.problem() == null ? r.claimedByOthers() : List.of());
    return persistMove(move, finds, c.replyTo(), true);
  }

  /**
   * An ordinary fix (it reached no treasure) is acknowledged now, while its write is under way
   * ({@code ack-before-store}): the ack does not wait for the journal, which was most of its
   * latency (BENCHMARKS.md, issue 13). What this may lose and why it is bounded: the entity stashes
   * every later command of this player until this write completes, so at most one acknowledged fix
   * per player is unstored at any time, none is judged against a fix that was not stored, a retry
   * with the same id waits for the write and then gets this outcome from the state, and a failed
   * write restarts the entity from what is stored (the fix is lost, as in a crash; a retry is
   * judged again). Positions are published only once stored. A fix that reaches a treasure never
   * takes this path: its finds are stored before its ack.
   */
  /**
   * Writes the acknowledged fix held back by {@code write-behind} (a late timer of a fix that was
   * already written, at a stop, does nothing).
   */
  private ReplyEffect<Event, State> writeMove(Moved move) {
    if (unwritten != move) return Effect().noReply();
    unwritten = null;
    long started = System.nanoTime();
    Position position = new Position(move.hunt(), playerId, move.lat(), move.lon(), move.at());
    return Effect()
        .persist(move)
        .thenRun(s -> metrics.persisted("player", started))
        .thenRun(s -> topics.publish(position))
        .thenNoReply()
        .thenUnstashAll();
  }

  /**
   * Sharding stops the entity (passivation, a rebalance, the node leaving): a fix held back by
   * {@code write-behind} is written first, so only a crash can lose it.
   *
   * <p>The stop message is handled only when nothing waits in the stash ({@link #waiting}; else it
   * is stashed too, behind them). Commands delivered before it (through the shard before it began
   * to passivate, or straight from a session) are the entity's to answer: once sharding sends the
   * stop it holds back what comes through it, and a stopped entity's stash is dropped, so a command
   * stashed while the entity read its trail, asked a hunt or held back a fix, and then stopped, was
   * lost and answered {@code unavailable} after the ask timeout (found by {@code PlayerRouteTest},
   * 2026-12-03). What arrives after the stop is still dropped: sharding delivers it to the next
   * incarnation, and a session resends its straight reports ({@code PlayerRoute}). The stop waits
   * at most as long as the stash does: the trail's flush, a hunt's ask timeout, or {@code
   * write-behind} (5 ms).
   */
  private ReplyEffect<Event, State> stop() {
    if (stopDeadline != null) stopDeadline.cancel();
    // its trail rows first, so that the entity starting next (here or on another node) reads them
    if (trail != null && trailDirty) {
      stopAfterFlush = true;
      return awaitTrail(null);
    }
    Moved move = unwritten;
    if (move == null) return Effect().stop().thenNoReply();
    unwritten = null;
    return Effect().persist(move).thenStop().thenNoReply();
  }

  /**
   * The stop waits in the stash behind the commands there. The stash is bounded ({@code
   * akka.persistence.typed.stash-capacity}, 100) and drops what does not fit: should it drop the
   * stop, the entity would never stop, and its shard would hold back its commands for good. So the
   * entity stops anyway one second after the ask timeout, longer than any wait that fills the stash
   * (a trail read, a hunt's answer, {@code write-behind}); what still waits then is lost, as before
   * 2026-12-03, and its callers' asks have timed out by then.
   */
  private ReplyEffect<Event, State> stopBehindStash() {
    if (stopDeadline == null)
      stopDeadline =
          context.scheduleOnce(
              settings.askTimeout().plusSeconds(1), context.getSelf(), Player.StopNow.INSTANCE);
    return Effect().stash();
  }

  private akka.actor.Cancellable stopDeadline;

  /** The ordinary fix acknowledged but not yet written ({@code write-behind}); null: none. */
  private Moved unwritten;

  private ReplyEffect<Event, State> persistOrdinaryMove(Moved move, ActorRef<LocationAck> replyTo) {
    long started = System.nanoTime();
    trailFix = null; // the journal's is the last fix now
    if (settings.writeBehind().toNanos() > 0) {
      replyTo.tell(move.answer());
      unwritten = move;
      context.scheduleOnce(settings.writeBehind(), context.getSelf(), new Player.WriteMove(move));
      return Effect().noReply();
    }
    replyTo.tell(move.answer());
    Position position = new Position(move.hunt(), playerId, move.lat(), move.lon(), move.at());
    return Effect()
        .persist(move)
        .thenRun(s -> metrics.persisted("player", started))
        .thenRun(s -> topics.publish(position))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> persistMove(
      Moved move, List<Event> finds, ActorRef<LocationAck> replyTo, boolean unstash) {
    trailFix = null; // the journal's is the last fix now
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
            .thenRun(s -> topics.publish(position))
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
    if (!p.joined()) return rejectClaim(c, notJoined(c.hunt()));
    if (hunts.rulesFailed(c.hunt())) return rejectClaim(c, rulesFailed(c.hunt()));
    HuntCatalog.Rules rules = hunts.rulesOrLoad(c.hunt());
    if (rules == null) return Effect().stash();
    // the fix a claim is judged by is stored before the claim is: wait for this player's trail rows
    if (trail != null && trailDirty) return awaitTrail(c);
    Treasure t = rules.layout().get(c.treasure());
    ClaimCheck.Refused no =
        ClaimCheck.check(
            c.hunt(),
            c.treasure(),
            t,
            p.found(),
            p.missed(),
            checked(lastFix(state)),
            now(),
            settings.locations());
    if (no != null) return rejectClaim(c, refused(no));
    hunts.ask(
        c.hunt(),
        Hunt.ClaimReply.class,
        replyTo -> new Hunt.Claim(playerId, c.cmdId(), t.id(), c.answer(), replyTo),
        (reply, failure) -> new ClaimAnswered(c, reply, failure));
    return Effect().noReply();
  }

  /** Answers a refused claim, remembered for a retry with the same id ({@link Refusals}). */
  private ReplyEffect<Event, State> rejectClaim(Claim c, Problem problem) {
    ClaimAck ack = claimRefused(problem);
    refusals.remember(c.cmdId(), ack, problem.code());
    return Effect().reply(c.replyTo(), ack);
  }

  private ReplyEffect<Event, State> claimAnswered(State state, ClaimAnswered a) {
    hunts.answered();
    Claim c = a.command();
    Problem problem = a.failure() != null ? unavailable(a.failure()) : a.reply().problem();
    if (problem != null) return rejectClaim(c, problem).thenUnstashAll();
    int points = a.reply().points();
    return Effect()
        .persist(
            new TreasureFound(playerId, c.hunt(), c.treasure(), points, c.cmdId(), "claim", now()))
        .thenReply(c.replyTo(), s -> new ClaimAck(points, s.progress(c.hunt()).score(), null))
        .thenUnstashAll();
  }
}
