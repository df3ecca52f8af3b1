package treasurehunt.entities;

import akka.actor.typed.ActorRef;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import akka.persistence.typed.javadsl.EffectBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;
import treasurehunt.entities.Hunt.Ack;
import treasurehunt.entities.Hunt.Batched;
import treasurehunt.entities.Hunt.Chat;
import treasurehunt.entities.Hunt.Claim;
import treasurehunt.entities.Hunt.Command;
import treasurehunt.entities.Hunt.Define;
import treasurehunt.entities.Hunt.End;
import treasurehunt.entities.Hunt.Event;
import treasurehunt.entities.Hunt.Flush;
import treasurehunt.entities.Hunt.GetLeaderboard;
import treasurehunt.entities.Hunt.GetPresence;
import treasurehunt.entities.Hunt.GetRules;
import treasurehunt.entities.Hunt.GetStatus;
import treasurehunt.entities.Hunt.GetView;
import treasurehunt.entities.Hunt.HuntDefined;
import treasurehunt.entities.Hunt.HuntEnded;
import treasurehunt.entities.Hunt.HuntStarted;
import treasurehunt.entities.Hunt.Join;
import treasurehunt.entities.Hunt.LeaderboardReply;
import treasurehunt.entities.Hunt.Leave;
import treasurehunt.entities.Hunt.PlayerLeft;
import treasurehunt.entities.Hunt.Presence;
import treasurehunt.entities.Hunt.RecordFinds;
import treasurehunt.entities.Hunt.Replying;
import treasurehunt.entities.Hunt.RulesReply;
import treasurehunt.entities.Hunt.Start;
import treasurehunt.entities.Hunt.Status;
import treasurehunt.entities.Hunt.StreamSince;
import treasurehunt.entities.Hunt.Tick;
import treasurehunt.entities.Hunt.ViewCommand;
import treasurehunt.entities.Hunt.ViewReply;
import treasurehunt.game.HuntDefinition;

/**
 * The behaviour of a {@link Hunt} entity: the command handlers, one block per status of the hunt,
 * and how a hunt writes. Every write, the timer's included, goes through {@link
 * #persistAndPublish}: persisted, then timed, its new stream entries published to the hunt's topic,
 * the schedule re-armed and a stream checkpoint saved when due ({@link HuntWrites}). Joins, chat
 * messages, finds and claims are group-committed ({@link HuntQueue} queues them, {@link HuntBatch}
 * decides, with {@link HuntFinds} for finds and claims); the per-player limits are counted in
 * {@link HuntQuotas}; the state and the fold of the events are {@link HuntState}.
 *
 * <p>Why not in Hunt.java with the messages: the commands, replies and events must stay nested in
 * {@code Hunt} (their class names are in the journal and in messages between nodes), and they alone
 * take some 270 lines; with the handlers the file would be twice the size of either part. Created
 * only by {@link Hunt#create}.
 */
final class HuntBehavior
    extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, HuntState> {
  private final String huntId;
  private final GameSettings settings;
  private final ActorContext<Command> context;
  private final HuntWrites writes;

  /** The per-player limits (joins and chat a minute, wrong answers): in memory, not state. */
  private final HuntQuotas quotas;

  /**
   * Joins, chat messages, finds and claims waiting for the next write (group commit). Not state.
   */
  private final HuntQueue queue;

  HuntBehavior(
      String huntId,
      GameSettings settings,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers) {
    super(
        PersistenceId.of(Hunt.ENTITY_KEY.name(), huntId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.huntId = huntId;
    this.settings = settings;
    this.context = ctx;
    this.writes = new HuntWrites(huntId, ctx, timers);
    this.quotas = new HuntQuotas(settings);
    this.queue = new HuntQueue(huntId, ctx.getSelf(), settings.huntBatchMax(), quotas);
  }

  @Override
  public HuntState emptyState() {
    return new HuntState();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.snapshotsKept());
  }

  @Override
  public SnapshotAdapter<HuntState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(HuntState state) {
        return state.copy();
      }

      @Override
      public HuntState fromJournal(Object from) {
        // a copy: an in-memory snapshot store hands out the stored object itself
        return ((HuntState) from).copy();
      }
    };
  }

  @Override
  public SignalHandler<HuntState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::recovered)
        .build();
  }

  /**
   * A restart after a failed write recovers into the same empty-state object as before, which that
   * write's events had changed ({@link HuntState#reset}): a hunt's first event, HuntDefined,
   * empties it again; with nothing stored at all (its Define failed), it is emptied here.
   */
  private void recovered(HuntState state) {
    long seqNr = lastSequenceNumber(context);
    if (seqNr == 0) state.reset();
    writes.recovered(state, seqNr);
  }

  @Override
  public EventHandler<HuntState, Event> eventHandler() {
    int windowSize = settings.streamWindow();
    return (state, event) -> state.apply(event, windowSize);
  }

  // ---------------------------------------------------------------- commands, by status

  /**
   * One block per status, as the Akka shopping-cart sample has one per cart state, chained with
   * {@code orElse}: a command goes to the first block whose status matches and that lists it. Each
   * status block lists only what that status decides its own way; {@link #anyDefined} holds what
   * every defined hunt does alike. A private method per block (rather than {@code forState} calls
   * on one builder) gives each status a name and keeps the routing in one line.
   */
  @Override
  public CommandHandlerWithReply<Command, Event, HuntState> commandHandler() {
    return undefined()
        .orElse(created())
        .orElse(live())
        .orElse(ended())
        .orElse(anyDefined())
        .build();
  }

  /** No definition yet: Define, or not_found. */
  private CommandHandlerWithReplyBuilderByState<Command, Event, HuntState, HuntState> undefined() {
    return newCommandHandlerWithReplyBuilder()
        .forState(s -> !s.defined())
        .onCommand(Define.class, this::define)
        .onCommand(Tick.class, c -> Effect().noReply())
        .onCommand(
            Command.class, c -> reject(c, Problem.of(Problem.NOT_FOUND, "no hunt " + huntId)));
  }

  /** Defined, not started: players join and chat ({@link #anyDefined}); finds and claims wait. */
  private CommandHandlerWithReplyBuilderByState<Command, Event, HuntState, HuntState> created() {
    return newCommandHandlerWithReplyBuilder()
        .forState(s -> s.status() == Status.CREATED)
        .onCommand(Start.class, (s, c) -> transition(s, new HuntStarted(huntId, now()), c))
        .onCommand(End.class, (s, c) -> transition(s, new HuntEnded(huntId, now()), c))
        .onCommand(Tick.class, (s, c) -> tick(s, at -> new HuntStarted(huntId, at)));
  }

  /** Started: finds and claims count, group-committed like joins and chat. */
  private CommandHandlerWithReplyBuilderByState<Command, Event, HuntState, HuntState> live() {
    return newCommandHandlerWithReplyBuilder()
        .forState(s -> s.status() == Status.LIVE)
        .onCommand(Start.class, (s, c) -> view(s, c))
        .onCommand(End.class, (s, c) -> transition(s, new HuntEnded(huntId, now()), c))
        .onCommand(Tick.class, (s, c) -> tick(s, at -> new HuntEnded(huntId, at)))
        .onCommand(RecordFinds.class, this::queue)
        .onCommand(Claim.class, this::queue);
  }

  /**
   * Ended: players may still leave, nothing else changes. Joins and chat are turned down at once
   * (those queued before the end get the same answer from their batch).
   */
  private CommandHandlerWithReplyBuilderByState<Command, Event, HuntState, HuntState> ended() {
    return newCommandHandlerWithReplyBuilder()
        .forState(s -> s.status() == Status.ENDED)
        .onCommand(
            Start.class,
            c -> reject(c, Problem.of(Problem.CONFLICT, "hunt " + huntId + " has ended")))
        .onCommand(End.class, (s, c) -> view(s, c))
        .onCommand(Tick.class, (s, c) -> tick(s, null)) // nothing is due: cancels the timer
        .onCommand(Join.class, c -> reject(c, HuntBatch.ended(huntId)))
        .onCommand(Chat.class, c -> reject(c, HuntBatch.ended(huntId)));
  }

  /** Any defined hunt; finds and claims get here only when the hunt is not live. */
  private CommandHandlerWithReplyBuilderByState<Command, Event, HuntState, HuntState> anyDefined() {
    return newCommandHandlerWithReplyBuilder()
        .forState(HuntState::defined)
        .onCommand(
            Define.class,
            c -> reject(c, Problem.of(Problem.CONFLICT, "hunt " + huntId + " already exists")))
        .onCommand(GetView.class, (s, c) -> view(s, c))
        .onCommand(
            GetLeaderboard.class,
            (s, c) ->
                Effect()
                    .reply(
                        c.replyTo(),
                        new LeaderboardReply(huntId, s.leaderboard(Math.max(1, c.limit())), null)))
        .onCommand(
            GetPresence.class,
            (s, c) ->
                Effect()
                    .reply(
                        c.replyTo(),
                        new Presence(
                            s.isPresent(c.playerId()),
                            s.definition().showPlayers(),
                            s.stream(),
                            null)))
        .onCommand(
            GetRules.class,
            (s, c) -> Effect().reply(c.replyTo(), new RulesReply(s.definition(), null, s.status())))
        .onCommand(
            GetStatus.class,
            (s, c) -> Effect().reply(c.replyTo(), new Hunt.StatusReply(s.status(), null)))
        .onCommand(Join.class, this::queue)
        .onCommand(Chat.class, this::queue)
        .onCommand(Flush.class, (s, c) -> flush(s))
        .onCommand(Leave.class, this::leave)
        .onCommand(RecordFinds.class, (s, c) -> reject(c, notLive(s)))
        .onCommand(Claim.class, (s, c) -> reject(c, notLive(s)))
        .onCommand(
            StreamSince.class,
            (s, c) -> Effect().reply(c.replyTo(), s.streamSince(c.epoch(), c.seq(), c.max())));
  }

  // ---------------------------------------------------------------- writing and replying

  /**
   * Every write: persists the events; once stored, times the write, publishes the new stream
   * entries, re-arms the schedule and saves a stream checkpoint when due ({@link HuntWrites}).
   */
  private EffectBuilder<Event, HuntState> persistAndPublish(HuntState state, List<Event> events) {
    long before = state.seq();
    long started = System.nanoTime();
    return Effect()
        .persist(events)
        .thenRun(
            s -> writes.stored(s, before, started, events.size(), lastSequenceNumber(context)));
  }

  /** Persists the events, publishes the stream entries they produced, then replies. */
  private <R> ReplyEffect<Event, HuntState> persistAndReply(
      HuntState state, List<Event> events, ActorRef<R> replyTo, Function<HuntState, R> reply) {
    return persistAndPublish(state, events).thenReply(replyTo, reply::apply);
  }

  private ReplyEffect<Event, HuntState> reject(Command command, Problem problem) {
    if (command instanceof Replying<?> r) return replyRejected(r, problem);
    return Effect().noReply();
  }

  private <R> ReplyEffect<Event, HuntState> replyRejected(Replying<R> command, Problem problem) {
    return Effect().reply(command.replyTo(), command.rejected(problem));
  }

  private ReplyEffect<Event, HuntState> view(HuntState state, ViewCommand c) {
    return Effect().reply(c.replyTo(), new ViewReply(state.view(), null));
  }

  private Problem notLive(HuntState state) {
    return Problem.of(Problem.HUNT_NOT_LIVE, "hunt " + huntId + " is " + state.status().wire());
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  // ---------------------------------------------------------------- lifecycle and schedule

  private ReplyEffect<Event, HuntState> define(HuntState state, Define c) {
    HuntDefinition d = c.definition();
    if (d == null || !huntId.equals(d.huntId()))
      return reject(c, Problem.of(Problem.BAD_REQUEST, "definition must name hunt " + huntId));
    List<String> problems = d.problems();
    if (!problems.isEmpty())
      return reject(c, Problem.of(Problem.BAD_REQUEST, String.join("; ", problems)));
    long at = now();
    return transition(state, new HuntDefined(huntId, d, "e" + Long.toString(at, 36), at), c);
  }

  /** A change of the hunt's lifecycle: persisted, then answered with the view after it. */
  private ReplyEffect<Event, HuntState> transition(HuntState state, Event event, ViewCommand c) {
    return persistAndReply(state, List.of(event), c.replyTo(), s -> new ViewReply(s.view(), null));
  }

  /**
   * Timer: persists the scheduled transition if it is due, else re-arms the timer (cancels it when
   * nothing is scheduled).
   */
  private ReplyEffect<Event, HuntState> tick(HuntState state, LongFunction<Event> transition) {
    long now = now();
    Long due = state.nextTransitionAt();
    if (due == null || now < due) {
      writes.scheduleNext(state);
      return Effect().noReply();
    }
    return persistAndPublish(state, List.of(transition.apply(now))).thenNoReply();
  }

  // ---------------------------------------------------------------- group commit (joins, chat,
  // finds, claims), leaves

  private ReplyEffect<Event, HuntState> queue(HuntState state, Batched c) {
    // group commit off: every command is a write of its own
    if (settings.huntBatchMax() <= 1)
      return write(state, HuntBatch.decide(huntId, state, List.of(c), 1, now(), quotas));
    // A full batch is written at once. Besides bounding the batch, this bounds a recursion in Akka
    // 2.8: after a write the runtime unstashes the commands that arrived meanwhile one inside the
    // other as long as none of them persists, so thousands of queued joins (a hot hunt) overflowed
    // the thread's stack and the JVM exited (found by LargeMessagesTest; akka/akka-core#29933,
    // fixed only in Akka 2.9). The stash itself is bounded in persistence.conf for the same reason.
    if (queue.add(c)) return flush(state);
    return Effect().noReply(); // answered by the flush
  }

  private ReplyEffect<Event, HuntState> flush(HuntState state) {
    return write(state, queue.take(state, now()));
  }

  /**
   * Stores the batch's events in one write and answers every command of the batch once it is
   * stored, the accepted ones from the state after it. A rejection waits for the write too: it may
   * rest on an earlier command of the same batch (an exclusive treasure another player found a
   * moment before, a full hunt), which nobody may be told before it is stored. A batch that adds no
   * event is answered at once. When the write fails, nobody in the batch is answered: the entity
   * restarts ({@code restartWithBackoff}) and every caller's ask times out, as a single command's
   * did ({@code unavailable} from the Player entity, which retries the same command id).
   */
  private ReplyEffect<Event, HuntState> write(HuntState state, HuntBatch.Result batch) {
    writes.batched(batch.taken());
    if (batch.events().isEmpty()) {
      batch.replies().forEach(r -> r.send(state));
      return Effect().noReply();
    }
    return persistAndPublish(state, batch.events())
        .thenRun(
            s -> {
              batch.replies().forEach(r -> r.send(s));
              queue.written();
            })
        .thenNoReply();
  }

  private ReplyEffect<Event, HuntState> leave(HuntState state, Leave c) {
    if (!state.isPresent(c.playerId())) return Effect().reply(c.replyTo(), new Ack(null));
    return persistAndReply(
        state,
        List.of(new PlayerLeft(huntId, c.playerId(), now())),
        c.replyTo(),
        s -> new Ack(null));
  }
}
