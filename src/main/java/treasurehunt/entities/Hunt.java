package treasurehunt.entities;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import akka.persistence.typed.javadsl.EffectBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import treasurehunt.CborSerializable;
import treasurehunt.entities.HuntState.Find;
import treasurehunt.entities.HuntState.Member;
import treasurehunt.game.Area;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.Treasure;

/**
 * A hunt: its definition, lifecycle (created → live → ended, by command or schedule), members,
 * finds, leaderboard and chat, and the hunt's numbered public stream.
 *
 * <p>Every public event gets the next {@code seq} within the hunt's {@code epoch} (fixed when the
 * hunt is defined) and the last {@code stream-window} events are kept in the state to serve a
 * resume. Stream entries are derived from the persisted events by {@link HuntState#apply}, so
 * replay rebuilds the very same numbers.
 *
 * <p>Location reports never reach this entity: players check treasures against their own copy of
 * the layout ({@link HuntCatalog}) and only joins, leaves, finds, claims and chat come here.
 *
 * <p>The state, with its ranking and the fold of the events, is {@link HuntState}.
 */
public final class Hunt
    extends EventSourcedBehaviorWithEnforcedReplies<Hunt.Command, Hunt.Event, HuntState> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Hunt");

  public enum Status {
    CREATED,
    LIVE,
    ENDED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  // ---------------------------------------------------------------- commands

  public sealed interface Command extends CborSerializable {}

  /** A command whose reply can carry a {@link Problem}. */
  interface Replying<R> {
    ActorRef<R> replyTo();

    R rejected(Problem problem);
  }

  public record Define(HuntDefinition definition, ActorRef<ViewReply> replyTo)
      implements Command, Replying<ViewReply> {
    public ViewReply rejected(Problem problem) {
      return new ViewReply(null, problem);
    }
  }

  public record Start(ActorRef<ViewReply> replyTo) implements Command, Replying<ViewReply> {
    public ViewReply rejected(Problem problem) {
      return new ViewReply(null, problem);
    }
  }

  public record End(ActorRef<ViewReply> replyTo) implements Command, Replying<ViewReply> {
    public ViewReply rejected(Problem problem) {
      return new ViewReply(null, problem);
    }
  }

  public record GetView(ActorRef<ViewReply> replyTo) implements Command, Replying<ViewReply> {
    public ViewReply rejected(Problem problem) {
      return new ViewReply(null, problem);
    }
  }

  public record GetLeaderboard(int limit, ActorRef<LeaderboardReply> replyTo)
      implements Command, Replying<LeaderboardReply> {
    public LeaderboardReply rejected(Problem problem) {
      return new LeaderboardReply(null, List.of(), problem);
    }
  }

  /**
   * The full definition, answers and coordinates included: for Player entities only, never for
   * clients.
   */
  public record GetRules(ActorRef<RulesReply> replyTo) implements Command, Replying<RulesReply> {
    public RulesReply rejected(Problem problem) {
      return new RulesReply(null, problem);
    }
  }

  /** The commands that go through group commit ({@link HuntBatch}). */
  sealed interface Batched extends Command permits Join, Chat {}

  public record Join(String playerId, String name, ActorRef<JoinReply> replyTo)
      implements Batched, Replying<JoinReply> {
    public JoinReply rejected(Problem problem) {
      return new JoinReply(null, null, List.of(), null, problem);
    }
  }

  public record Leave(String playerId, ActorRef<Ack> replyTo) implements Command, Replying<Ack> {
    public Ack rejected(Problem problem) {
      return new Ack(problem);
    }
  }

  /** Geo treasures a player walked into. Idempotent per player and treasure. */
  public record RecordFinds(
      String playerId, String cmdId, List<String> treasures, ActorRef<FindsReply> replyTo)
      implements Command, Replying<FindsReply> {
    public FindsReply rejected(Problem problem) {
      return new FindsReply(List.of(), List.of(), problem);
    }
  }

  /** A claim with an answer (the Player entity has checked the distance). */
  public record Claim(
      String playerId, String cmdId, String treasure, String answer, ActorRef<ClaimReply> replyTo)
      implements Command, Replying<ClaimReply> {
    public ClaimReply rejected(Problem problem) {
      return new ClaimReply(0, 0, problem);
    }
  }

  public record Chat(String playerId, String cmdId, String text, ActorRef<Ack> replyTo)
      implements Batched, Replying<Ack> {
    public Ack rejected(Problem problem) {
      return new Ack(problem);
    }
  }

  /** The stream entries after (epoch, seq), if the in-memory window still holds all of them. */
  public record StreamSince(String epoch, long seq, ActorRef<StreamReply> replyTo)
      implements Command, Replying<StreamReply> {
    public StreamReply rejected(Problem problem) {
      return new StreamReply(null, 0, List.of(), false, problem);
    }
  }

  /** Timer: a scheduled start or end may be due. */
  public record Tick() implements Command {}

  // ---------------------------------------------------------------- replies and views

  public record ViewReply(View view, Problem problem) implements CborSerializable {}

  public record LeaderboardReply(String hunt, List<LeaderboardEntry> entries, Problem problem)
      implements CborSerializable {}

  public record RulesReply(HuntDefinition definition, Problem problem)
      implements CborSerializable {}

  /** {@code yours}: every find of this player in this hunt, so the Player entity can reconcile. */
  public record JoinReply(
      View view, StreamPos stream, List<Grant> yours, HuntDefinition definition, Problem problem)
      implements CborSerializable {}

  public record Grant(String treasure, int points) implements CborSerializable {}

  /**
   * {@code granted}: finds now credited (or credited before); {@code claimedByOthers}: exclusive
   * ones lost.
   */
  public record FindsReply(List<Grant> granted, List<String> claimedByOthers, Problem problem)
      implements CborSerializable {}

  public record ClaimReply(int points, int score, Problem problem) implements CborSerializable {}

  public record Ack(Problem problem) implements CborSerializable {}

  /** {@code complete}: entries hold every event after the asked position, up to {@code seq}. */
  public record StreamReply(
      String epoch, long seq, List<StreamEntry> entries, boolean complete, Problem problem)
      implements CborSerializable {}

  public record StreamPos(String epoch, long seq) implements CborSerializable {}

  /** The public view: never coordinates or answers. */
  public record View(
      String huntId,
      String name,
      String status,
      Area area,
      int players,
      List<TreasureView> treasures,
      List<LeaderboardEntry> leaderboard,
      Long startsAt,
      Long endsAt,
      int maxPlayers,
      boolean showPlayers,
      StreamPos stream)
      implements CborSerializable {}

  public record TreasureView(
      String id, String hint, int points, boolean exclusive, boolean needsAnswer, int finds)
      implements CborSerializable {}

  public record LeaderboardEntry(int rank, String playerId, String name, int score, int found)
      implements CborSerializable {}

  /** One numbered event of the public stream, as published to subscribers. */
  public record StreamEntry(String hunt, String epoch, long seq, long at, PublicEvent event)
      implements CborSerializable {}

  /**
   * The payload of a stream entry; {@code kind} is one of player_joined, player_left,
   * treasure_found, chat, hunt_started, hunt_ended, leaderboard, and only the fields of that kind
   * are set.
   */
  public record PublicEvent(
      String kind,
      String playerId,
      String name,
      String treasure,
      Integer points,
      String text,
      List<LeaderboardEntry> leaderboard)
      implements CborSerializable {
    static PublicEvent of(String kind) {
      return new PublicEvent(kind, null, null, null, null, null, null);
    }
  }

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {
    String huntId();

    long at();
  }

  public record HuntDefined(String huntId, HuntDefinition definition, String epoch, long at)
      implements Event {}

  public record HuntStarted(String huntId, long at) implements Event {}

  public record HuntEnded(String huntId, long at) implements Event {}

  public record PlayerJoined(String huntId, String playerId, String name, long at)
      implements Event {}

  public record PlayerLeft(String huntId, String playerId, long at) implements Event {}

  /** {@code cmdId}: the player's command that found it (a location report or a claim). */
  public record TreasureFound(
      String huntId, String playerId, String treasure, int points, String cmdId, long at)
      implements Event {}

  public record ChatPosted(String huntId, String playerId, String cmdId, String text, long at)
      implements Event {}

  // ---------------------------------------------------------------- wiring

  public static void init(ActorSystem<?> system, GameSettings settings) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), settings))
                // Remembered, so a hunt restarts after a crash or handoff and its schedule still
                // fires.
                .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)));
  }

  public static Behavior<Command> create(String huntId, GameSettings settings) {
    // Every log line of this entity carries its hunt id (logback pattern %X{huntId}).
    return Behaviors.withMdc(
        Command.class,
        Map.of("huntId", "hunt=" + huntId + " "),
        Behaviors.setup(
            ctx ->
                Behaviors.withTimers(
                    timers ->
                        new Hunt(
                            huntId,
                            settings,
                            ctx.getSelf(),
                            timers,
                            HuntTopics.get(ctx.getSystem()).stream(huntId),
                            treasurehunt.metrics.Metrics.get(ctx.getSystem())))));
  }

  private static final Duration MAX_TIMER = Duration.ofHours(12);

  private final String huntId;
  private final GameSettings settings;
  private final ActorRef<Command> self;
  private final TimerScheduler<Command> timers;

  /**
   * Group commit. Joins and chat messages are not persisted one by one: they queue here and a
   * {@link Flush} the entity sends itself validates every queued command against the state and
   * against the commands before it in the queue, persists all their events in one journal write,
   * and answers them all when it is stored. While a write is in flight the persistence runtime
   * stashes new commands; when it completes they are taken in one after the other, queue here, and
   * the Flush behind them writes them together — so a hot hunt writes as many joins per PostgreSQL
   * round trip as arrived during the last one instead of one. Not state: an entity that stops with
   * commands queued (only between two messages) loses them unanswered; their callers time out and
   * retry with the same ids, which changes nothing twice.
   */
  private final List<Batched> queued = new ArrayList<>();

  /** Sent by the hunt to itself when the first command is queued; never leaves the node. */
  private enum Flush implements Command {
    INSTANCE
  }

  private final ActorRef<Topic.Command<StreamEntry>> topic;

  private Hunt(
      String huntId,
      GameSettings settings,
      ActorRef<Command> self,
      TimerScheduler<Command> timers,
      ActorRef<Topic.Command<StreamEntry>> topic,
      treasurehunt.metrics.Metrics metrics) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), huntId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.huntId = huntId;
    this.settings = settings;
    this.self = self;
    this.timers = timers;
    this.topic = topic;
    this.metrics = metrics;
  }

  private final treasurehunt.metrics.Metrics metrics;

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
        return (HuntState) from;
      }
    };
  }

  @Override
  public SignalHandler<HuntState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::scheduleNext)
        .build();
  }

  @Override
  public EventHandler<HuntState, Event> eventHandler() {
    int windowSize = settings.streamWindow();
    return (state, event) -> state.apply(event, windowSize);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, HuntState> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, HuntState> b =
        newCommandHandlerWithReplyBuilder();
    b.forState(s -> !s.defined())
        .onCommand(Define.class, this::define)
        .onCommand(Tick.class, c -> Effect().noReply())
        .onAnyCommand(c -> reject(c, Problem.of(Problem.NOT_FOUND, "no hunt " + huntId)));
    b.forAnyState()
        .onCommand(
            Define.class,
            c -> reject(c, Problem.of(Problem.CONFLICT, "hunt " + huntId + " already exists")))
        .onCommand(Start.class, this::start)
        .onCommand(End.class, this::end)
        .onCommand(Tick.class, this::tick)
        .onCommand(
            GetView.class, (s, c) -> Effect().reply(c.replyTo(), new ViewReply(s.view(), null)))
        .onCommand(
            GetLeaderboard.class,
            (s, c) ->
                Effect()
                    .reply(
                        c.replyTo(),
                        new LeaderboardReply(huntId, s.leaderboard(Math.max(1, c.limit())), null)))
        .onCommand(
            GetRules.class,
            (s, c) -> Effect().reply(c.replyTo(), new RulesReply(s.definition, null)))
        .onCommand(Join.class, this::queue)
        .onCommand(Leave.class, this::leave)
        .onCommand(RecordFinds.class, this::recordFinds)
        .onCommand(Claim.class, this::claim)
        .onCommand(Chat.class, this::queue)
        .onCommand(Flush.class, (s, c) -> flush(s))
        .onCommand(StreamSince.class, this::streamSince);
    return b.build();
  }

  private ReplyEffect<Event, HuntState> reject(Command command, Problem problem) {
    if (command instanceof Replying<?> r) return replyRejected(r, problem);
    return Effect().noReply();
  }

  private <R> ReplyEffect<Event, HuntState> replyRejected(Replying<R> command, Problem problem) {
    return Effect().reply(command.replyTo(), command.rejected(problem));
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  /** Persists the events, publishes the stream entries they produced, then replies. */
  private <R> ReplyEffect<Event, HuntState> persistAndReply(
      HuntState state,
      List<Event> events,
      ActorRef<R> replyTo,
      java.util.function.Function<HuntState, R> reply) {
    return persistAndPublish(state, events).thenReply(replyTo, reply::apply);
  }

  /**
   * Persists the events; once stored: times the write, publishes the new stream entries,
   * reschedules.
   */
  private EffectBuilder<Event, HuntState> persistAndPublish(HuntState state, List<Event> events) {
    long before = state.seq;
    long started = System.nanoTime();
    return Effect()
        .persist(events)
        .thenRun(s -> metrics.persisted("hunt", started))
        .thenRun(s -> publishAfter(s, before))
        .thenRun(this::scheduleNext);
  }

  private void publishAfter(HuntState state, long before) {
    for (StreamEntry entry : state.entriesAfter(before)) topic.tell(Topic.publish(entry));
  }

  private ReplyEffect<Event, HuntState> define(HuntState state, Define c) {
    HuntDefinition d = c.definition();
    if (d == null || !huntId.equals(d.huntId()))
      return reject(c, Problem.of(Problem.BAD_REQUEST, "definition must name hunt " + huntId));
    List<String> problems = d.problems();
    if (!problems.isEmpty())
      return reject(c, Problem.of(Problem.BAD_REQUEST, String.join("; ", problems)));
    long at = now();
    return persistAndReply(
        state,
        List.of(new HuntDefined(huntId, d, "e" + Long.toString(at, 36), at)),
        c.replyTo(),
        s -> new ViewReply(s.view(), null));
  }

  private ReplyEffect<Event, HuntState> start(HuntState state, Start c) {
    return switch (state.status) {
      case CREATED ->
          persistAndReply(
              state,
              List.of(new HuntStarted(huntId, now())),
              c.replyTo(),
              s -> new ViewReply(s.view(), null));
      case LIVE -> Effect().reply(c.replyTo(), new ViewReply(state.view(), null));
      case ENDED -> reject(c, Problem.of(Problem.CONFLICT, "hunt " + huntId + " has ended"));
    };
  }

  private ReplyEffect<Event, HuntState> end(HuntState state, End c) {
    if (state.status == Status.ENDED)
      return Effect().reply(c.replyTo(), new ViewReply(state.view(), null));
    return persistAndReply(
        state,
        List.of(new HuntEnded(huntId, now())),
        c.replyTo(),
        s -> new ViewReply(s.view(), null));
  }

  private ReplyEffect<Event, HuntState> tick(HuntState state, Tick c) {
    long now = now();
    HuntDefinition d = state.definition;
    Event due = null;
    if (state.status == Status.CREATED && d.startsAt() != null && now >= d.startsAt())
      due = new HuntStarted(huntId, now);
    else if (state.status == Status.LIVE && d.endsAt() != null && now >= d.endsAt())
      due = new HuntEnded(huntId, now);
    if (due == null) {
      scheduleNext(state);
      return Effect().noReply();
    }
    long before = state.seq;
    return Effect()
        .persist(due)
        .thenRun(s -> publishAfter(s, before))
        .thenRun(this::scheduleNext)
        .thenNoReply();
  }

  /** Arms the timer for the next scheduled transition, if any (re-armed at most every 12 hours). */
  private void scheduleNext(HuntState state) {
    if (!state.defined()) return;
    Long due =
        switch (state.status) {
          case CREATED -> state.definition.startsAt();
          case LIVE -> state.definition.endsAt();
          case ENDED -> null;
        };
    if (due == null) {
      timers.cancel("schedule");
      return;
    }
    long delay = Math.max(0, due - now());
    timers.startSingleTimer(
        "schedule", new Tick(), Duration.ofMillis(Math.min(delay, MAX_TIMER.toMillis())));
  }

  // ---------------------------------------------------------------- group commit (joins, chat)

  private ReplyEffect<Event, HuntState> queue(HuntState state, Batched c) {
    if (settings.huntBatchMax() <= 1) // group commit off: alone
    return write(state, HuntBatch.decide(huntId, state, List.of(c), 1, now()));
    if (queued.isEmpty()) self.tell(Flush.INSTANCE);
    queued.add(c);
    return Effect().noReply(); // answered by the flush
  }

  private ReplyEffect<Event, HuntState> flush(HuntState state) {
    HuntBatch.Result batch =
        HuntBatch.decide(huntId, state, queued, settings.huntBatchMax(), now());
    queued.subList(0, batch.taken()).clear();
    if (!queued.isEmpty()) self.tell(Flush.INSTANCE); // the rest in the next write
    return write(state, batch);
  }

  /**
   * Sends the batch's rejections at once, stores its events in one write and answers the accepted
   * commands from the state after it.
   */
  private ReplyEffect<Event, HuntState> write(HuntState state, HuntBatch.Result batch) {
    batch.rejections().forEach(r -> r.send(state));
    List<HuntBatch.Reply<?>> accepted = batch.acceptances();
    if (batch.events().isEmpty()) {
      accepted.forEach(r -> r.send(state));
      return Effect().noReply();
    }
    return persistAndPublish(state, batch.events())
        .thenRun(s -> accepted.forEach(r -> r.send(s)))
        .thenNoReply();
  }

  private ReplyEffect<Event, HuntState> leave(HuntState state, Leave c) {
    Member m = state.members.get(c.playerId());
    if (m == null || !m.present) return Effect().reply(c.replyTo(), new Ack(null));
    return persistAndReply(
        state,
        List.of(new PlayerLeft(huntId, c.playerId(), now())),
        c.replyTo(),
        s -> new Ack(null));
  }

  private Problem notPlaying(HuntState state, String playerId) {
    if (state.status != Status.LIVE)
      return Problem.of(Problem.HUNT_NOT_LIVE, "hunt " + huntId + " is " + state.status.wire());
    Member m = state.members.get(playerId);
    if (m == null || !m.present)
      return Problem.of(Problem.NOT_JOINED, "player has not joined hunt " + huntId);
    return null;
  }

  private ReplyEffect<Event, HuntState> recordFinds(HuntState state, RecordFinds c) {
    Problem problem = notPlaying(state, c.playerId());
    if (problem != null) return reject(c, problem);
    long at = now();
    List<Event> events = new ArrayList<>();
    List<Grant> granted = new ArrayList<>();
    List<String> lost = new ArrayList<>();
    for (String id : new LinkedHashSet<>(c.treasures())) {
      Treasure t = state.layout().get(id);
      if (t == null || t.needsAnswer()) continue; // answers need a claim
      Find mine = state.findOf(id, c.playerId());
      if (mine != null) granted.add(new Grant(id, mine.points()));
      else if (state.takenExclusively(t, c.playerId())) lost.add(id);
      else {
        events.add(new TreasureFound(huntId, c.playerId(), id, t.points(), c.cmdId(), at));
        granted.add(new Grant(id, t.points()));
      }
    }
    FindsReply reply = new FindsReply(List.copyOf(granted), List.copyOf(lost), null);
    if (events.isEmpty()) return Effect().reply(c.replyTo(), reply);
    return persistAndReply(state, events, c.replyTo(), s -> reply);
  }

  private ReplyEffect<Event, HuntState> claim(HuntState state, Claim c) {
    Problem problem = notPlaying(state, c.playerId());
    if (problem != null) return reject(c, problem);
    Treasure t = state.layout().get(c.treasure());
    if (t == null)
      return reject(
          c, Problem.of(Problem.NOT_FOUND, "no treasure " + c.treasure() + " in " + huntId));
    Find mine = state.findOf(t.id(), c.playerId());
    if (mine != null) {
      if (c.cmdId().equals(mine.cmdId()))
        return Effect()
            .reply(
                c.replyTo(), new ClaimReply(mine.points(), state.member(c.playerId()).score, null));
      return reject(c, Problem.of(Problem.ALREADY_FOUND, "you already found " + t.id()));
    }
    if (state.takenExclusively(t, c.playerId()))
      return reject(
          c, Problem.of(Problem.ALREADY_CLAIMED, t.id() + " was claimed by another player"));
    if (t.needsAnswer() && !t.answerMatches(c.answer()))
      return reject(c, Problem.of(Problem.WRONG_ANSWER, "that is not the answer"));
    return persistAndReply(
        state,
        List.of(new TreasureFound(huntId, c.playerId(), t.id(), t.points(), c.cmdId(), now())),
        c.replyTo(),
        s -> new ClaimReply(t.points(), s.member(c.playerId()).score, null));
  }

  private ReplyEffect<Event, HuntState> streamSince(HuntState state, StreamSince c) {
    boolean sameEpoch = state.epoch.equals(c.epoch());
    long oldest = state.window.isEmpty() ? state.seq + 1 : state.window.peekFirst().seq();
    boolean complete = sameEpoch && c.seq() <= state.seq && c.seq() >= oldest - 1;
    List<StreamEntry> entries = complete ? state.entriesAfter(c.seq()) : List.of();
    return Effect()
        .reply(c.replyTo(), new StreamReply(state.epoch, state.seq, entries, complete, null));
  }
}
