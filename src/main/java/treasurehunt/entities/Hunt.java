package treasurehunt.entities;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import java.util.List;
import java.util.Locale;
import treasurehunt.CborSerializable;
import treasurehunt.game.Area;
import treasurehunt.game.HuntDefinition;

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
 * <p>This file is the entity's protocol: the commands it takes, its replies and events (their class
 * names are in the journal and on the wire, so they stay nested here), its key and how it is
 * started. The rest of the entity, one job a file:
 *
 * <ul>
 *   <li>{@link HuntBehavior}: the command handlers, one block per status, and the writes;
 *   <li>{@link HuntWrites}: what follows each write (publish, schedule, stream checkpoints);
 *   <li>{@link HuntQueue} and {@link HuntBatch}: group commit, the queue and which queued joins,
 *       chat messages, finds and claims one write stores;
 *   <li>{@link HuntFinds}: which treasures a player walked into or claimed score;
 *   <li>{@link HuntQuotas}: the per-player limits (joins and chat a minute, wrong answers);
 *   <li>{@link HuntState}: the state, the ranking and the fold of the events (the replay API).
 * </ul>
 */
public final class Hunt {
  private Hunt() {}

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Hunt");

  public enum Status {
    CREATED,
    LIVE,
    ENDED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The status of a {@link #wire()} name, or null when there is none. */
    public static Status fromWire(String wire) {
      for (Status s : values()) if (s.wire().equals(wire)) return s;
      return null;
    }
  }

  // ---------------------------------------------------------------- commands

  public sealed interface Command extends CborSerializable {}

  /** A command whose reply can carry a {@link Problem}. */
  interface Replying<R> {
    ActorRef<R> replyTo();

    R rejected(Problem problem);
  }

  /** A command answered with the hunt's view (or only a problem). */
  sealed interface ViewCommand extends Command, Replying<ViewReply>
      permits Define, Start, End, GetView {
    default ViewReply rejected(Problem problem) {
      return new ViewReply(null, problem);
    }
  }

  public record Define(HuntDefinition definition, ActorRef<ViewReply> replyTo)
      implements ViewCommand {}

  public record Start(ActorRef<ViewReply> replyTo) implements ViewCommand {}

  public record End(ActorRef<ViewReply> replyTo) implements ViewCommand {}

  public record GetView(ActorRef<ViewReply> replyTo) implements ViewCommand {}

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
      return new RulesReply(null, problem, null);
    }
  }

  /** The hunt's status only: how Player entities notice that a hunt started or ended. */
  public record GetStatus(ActorRef<StatusReply> replyTo) implements Command, Replying<StatusReply> {
    public StatusReply rejected(Problem problem) {
      return new StatusReply(null, problem);
    }
  }

  /** The commands that go through group commit ({@link HuntQueue}, {@link HuntBatch}). */
  sealed interface Batched extends Command permits Join, Chat, RecordFinds, Claim {}

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
      implements Batched, Replying<FindsReply> {
    public FindsReply rejected(Problem problem) {
      return new FindsReply(List.of(), List.of(), problem);
    }
  }

  /** A claim with an answer (the Player entity has checked the distance). */
  public record Claim(
      String playerId, String cmdId, String treasure, String answer, ActorRef<ClaimReply> replyTo)
      implements Batched, Replying<ClaimReply> {
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

  /**
   * The stream entries after (epoch, seq), if the in-memory window still holds all of them; at most
   * {@code max} of them, the oldest first (0: all), so that a fill is served page by page.
   */
  public record StreamSince(String epoch, long seq, int max, ActorRef<StreamReply> replyTo)
      implements Command, Replying<StreamReply> {
    public StreamSince(String epoch, long seq, ActorRef<StreamReply> replyTo) {
      this(epoch, seq, 0, replyTo);
    }

    public StreamReply rejected(Problem problem) {
      return new StreamReply(null, 0, List.of(), false, problem);
    }
  }

  /**
   * Whether a player is in the hunt now, and the stream head at which that is so: who may see the
   * hunt's positions (docs/privacy.md). Read only.
   */
  public record GetPresence(String playerId, ActorRef<Presence> replyTo)
      implements Command, Replying<Presence> {
    public Presence rejected(Problem problem) {
      return new Presence(false, false, null, problem);
    }
  }

  /** Timer: a scheduled start or end may be due. */
  public record Tick() implements Command {}

  /**
   * Group commit: sent by the hunt to itself when the first join, chat message, find or claim is
   * queued (see {@link HuntQueue}); never leaves the node.
   */
  enum Flush implements Command {
    INSTANCE
  }

  // ---------------------------------------------------------------- replies and views

  public record ViewReply(View view, Problem problem) implements CborSerializable {}

  public record LeaderboardReply(String hunt, List<LeaderboardEntry> entries, Problem problem)
      implements CborSerializable {}

  /**
   * {@code status}: the hunt's status when it answered (null from a node older than issue 11, which
   * the player then takes as live, as that node's players did).
   */
  public record RulesReply(HuntDefinition definition, Problem problem, Status status)
      implements CborSerializable {}

  public record StatusReply(Status status, Problem problem) implements CborSerializable {}

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

  /**
   * {@code complete}: the window holds every event after the asked position, up to {@code seq} (the
   * head); {@code entries} are the first of them (all, or the asked {@code max}).
   */
  public record StreamReply(
      String epoch, long seq, List<StreamEntry> entries, boolean complete, Problem problem)
      implements CborSerializable {}

  public record StreamPos(String epoch, long seq) implements CborSerializable {}

  /**
   * {@code present}: joined and not left, as of {@code stream} (the head when asked; a later {@code
   * player_joined} or {@code player_left} of the player changes it). {@code showPlayers}: the hunt
   * shows positions to its players.
   */
  public record Presence(boolean present, boolean showPlayers, StreamPos stream, Problem problem)
      implements CborSerializable {}

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
   * are set. {@code players}: of player_joined, player_left, treasure_found and leaderboard, the
   * players in the hunt right after it, which a protocol 1.1 {@code presence} frame reports as its
   * count and by which a node tells a big hunt, whose finds it folds into presence frames (null in
   * entries made by an older node, e.g. a window restored from its snapshot; not part of a v1
   * {@code event} frame).
   */
  public record PublicEvent(
      String kind,
      String playerId,
      String name,
      String treasure,
      Integer points,
      String text,
      List<LeaderboardEntry> leaderboard,
      Integer players)
      implements CborSerializable {
    public PublicEvent(
        String kind,
        String playerId,
        String name,
        String treasure,
        Integer points,
        String text,
        List<LeaderboardEntry> leaderboard) {
      this(kind, playerId, name, treasure, points, text, leaderboard, null);
    }

    static PublicEvent of(String kind) {
      return new PublicEvent(kind, null, null, null, null, null, null);
    }

    /** A player_joined or player_left, with the players in the hunt after it. */
    static PublicEvent presence(String kind, String playerId, String name, int players) {
      return new PublicEvent(kind, playerId, name, null, null, null, null, players);
    }

    /**
     * Whether this is a player_joined or player_left (a 1.1 client gets it in a presence frame).
     */
    public boolean presence() {
      return "player_joined".equals(kind) || "player_left".equals(kind);
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
    // Every log line of this entity carries its persistence id ("Hunt|<id>", logback pattern
    // %X{persistenceId}), put in the MDC by Akka Persistence for every message.
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new HuntBehavior(huntId, settings, ctx, timers)));
  }
}
