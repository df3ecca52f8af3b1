package treasurehunt.gateway;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntTopics;
import treasurehunt.entities.Player;

/**
 * The node-local fan-out of a hunt: one feed actor per hunt per node subscribes once to the hunt's
 * cluster topics, renders each stream event to JSON once, and hands the same string to every local
 * session watching the hunt. Positions are conflated (latest per player wins) and sent as one batch
 * per tick, so a session gets at most 1000/positions-interval frames a second whatever the report
 * rate.
 *
 * <p>The protocol between a feed and its sessions belongs to this class: a session sends {@link
 * Subscribe} and {@link Unsubscribe}; the feed sends back the {@link Delivery} messages, which only
 * the feed builds. {@code Delivery} extends {@link Session.Msg} so that the fan-out (one tell per
 * event per session, the hot path of a hot hunt, BENCHMARKS.md §6) lands straight in the session's
 * mailbox, without a message adapter wrapping every delivery.
 */
public final class HuntFeeds implements Extension {

  private static final ExtensionId<HuntFeeds> ID =
      new ExtensionId<>() {
        @Override
        public HuntFeeds createExtension(ActorSystem<?> system) {
          return new HuntFeeds(system);
        }
      };

  public static HuntFeeds get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final ActorSystem<?> system;
  private final ConcurrentHashMap<String, ActorRef<Command>> feeds = new ConcurrentHashMap<>();
  private final Duration positionsInterval;
  private final Duration syncInterval;

  private HuntFeeds(ActorSystem<?> system) {
    this.system = system;
    WsSettings settings = WsSettings.from(system.settings().config());
    this.positionsInterval = settings.positionsInterval();
    this.syncInterval = settings.streamSyncInterval();
  }

  /** The feed of a hunt on this node (started on first use; lives as long as the node). */
  public ActorRef<Command> feed(String hunt) {
    return feeds.computeIfAbsent(
        hunt,
        h ->
            system.systemActorOf(
                create(h, positionsInterval, syncInterval),
                "feed-" + URLEncoder.encode(h, StandardCharsets.UTF_8),
                Props.empty()));
  }

  // ---- protocol: what a session sends

  public sealed interface Command {}

  /**
   * Start delivering to a session; {@code positions}: also the position batches (the session's
   * {@link HuntFollow} still decides, batch by batch, whether its client may see them).
   */
  public record Subscribe(ActorRef<Delivery> session, boolean positions) implements Command {}

  public record Unsubscribe(ActorRef<Delivery> session) implements Command {}

  // ---- protocol: what a feed delivers

  public sealed interface Delivery extends Session.Msg {
    String hunt();
  }

  /**
   * A stream event, rendered once for every session of the node; {@code kind} and {@code playerId}
   * (null when the event has none) let a follow see a player join or leave (who sees positions).
   */
  public record Live(String hunt, String epoch, long seq, String json, String kind, String playerId)
      implements Delivery {
    static Live of(Hunt.StreamEntry e) {
      return new Live(
          e.hunt(), e.epoch(), e.seq(), Frames.event(e), e.event().kind(), e.event().playerId());
    }
  }

  /** One batch of the latest positions, rendered once. */
  public record Positions(String hunt, String json) implements Delivery {}

  /**
   * The hunt's stream head as this node's feed last asked it: a session behind it fetches what it
   * lacks (a live event can be lost while a new subscription spreads through the cluster).
   */
  public record Head(String hunt, String epoch, long seq) implements Delivery {}

  // ---- the feed's own messages

  private record Published(Hunt.StreamEntry entry) implements Command {}

  private record Moved(Player.Position position) implements Command {}

  private record Flush() implements Command {}

  private record Sync() implements Command {}

  private record Synced(String epoch, long seq) implements Command {}

  private record Gone(ActorRef<Delivery> session) implements Command {}

  static Behavior<Command> create(String hunt, Duration interval, Duration syncInterval) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new Feed(ctx, timers, hunt, interval, syncInterval)));
  }

  private static final class Feed extends AbstractBehavior<Command> {
    private final String hunt;
    private final Duration interval;
    private final TimerScheduler<Command> timers;
    private final ActorRef<Hunt.StreamEntry> streamAdapter;
    private final ActorRef<Player.Position> positionAdapter;
    private final ActorRef<Topic.Command<Hunt.StreamEntry>> streamTopic;
    private final ActorRef<Topic.Command<Player.Position>> positionTopic;
    private final List<ActorRef<Delivery>> sessions = new ArrayList<>();
    private final List<ActorRef<Delivery>> watchingPositions = new ArrayList<>();
    private final Set<ActorRef<Delivery>> watched = new HashSet<>();
    private final LinkedHashMap<String, Player.Position> latest = new LinkedHashMap<>();
    private boolean streamSubscribed;
    private boolean positionsSubscribed;

    /**
     * Stream sync: a cluster-wide Topic drops what is published before a new subscription has
     * spread to the publisher's node (a few seconds), and a lost last event would leave sessions
     * waiting silently. While it has sessions, the feed asks the hunt for its stream head every
     * sync interval (one small ask per node and hunt, not per session) and tells the sessions only
     * when the head is ahead of what the topic delivered, or when new sessions arrived; a session
     * behind the head fetches the rest.
     */
    private final Duration syncInterval;

    private String seenEpoch;
    private long seenSeq = -1;
    private final List<ActorRef<Delivery>> unsynced = new ArrayList<>();

    Feed(
        ActorContext<Command> ctx,
        TimerScheduler<Command> timers,
        String hunt,
        Duration interval,
        Duration syncInterval) {
      super(ctx);
      this.hunt = hunt;
      this.interval = interval;
      this.syncInterval = syncInterval;
      this.timers = timers;
      HuntTopics topics = HuntTopics.get(ctx.getSystem());
      this.streamTopic = topics.stream(hunt);
      this.positionTopic = topics.positions(hunt);
      this.streamAdapter = ctx.messageAdapter(Hunt.StreamEntry.class, Published::new);
      this.positionAdapter = ctx.messageAdapter(Player.Position.class, Moved::new);
    }

    @Override
    public Receive<Command> createReceive() {
      return newReceiveBuilder()
          .onMessage(Subscribe.class, this::subscribe)
          .onMessage(Unsubscribe.class, u -> remove(u.session()))
          .onMessage(Gone.class, g -> remove(g.session()))
          .onMessage(Published.class, this::published)
          .onMessage(Moved.class, this::moved)
          .onMessage(Flush.class, f -> flush())
          .onMessage(Sync.class, x -> sync())
          .onMessage(Synced.class, this::synced)
          .build();
    }

    private Behavior<Command> subscribe(Subscribe s) {
      if (!sessions.contains(s.session())) sessions.add(s.session());
      if (s.positions() && !watchingPositions.contains(s.session()))
        watchingPositions.add(s.session());
      if (watched.add(s.session())) getContext().watchWith(s.session(), new Gone(s.session()));
      if (!streamSubscribed) {
        streamTopic.tell(Topic.subscribe(streamAdapter));
        streamSubscribed = true;
        timers.startTimerWithFixedDelay("sync", new Sync(), syncInterval);
      }
      if (!unsynced.contains(s.session())) unsynced.add(s.session());
      if (!watchingPositions.isEmpty() && !positionsSubscribed) {
        positionTopic.tell(Topic.subscribe(positionAdapter));
        positionsSubscribed = true;
        timers.startTimerWithFixedDelay("flush", new Flush(), interval);
      }
      return this;
    }

    private Behavior<Command> remove(ActorRef<Delivery> session) {
      sessions.remove(session);
      unsynced.remove(session);
      if (sessions.isEmpty()) timers.cancel("sync");
      if (sessions.isEmpty() && streamSubscribed) {
        streamTopic.tell(Topic.unsubscribe(streamAdapter));
        streamSubscribed = false;
      }
      watchingPositions.remove(session);
      if (watched.remove(session)) getContext().unwatch(session);
      if (watchingPositions.isEmpty() && positionsSubscribed) {
        positionTopic.tell(Topic.unsubscribe(positionAdapter));
        positionsSubscribed = false;
        timers.cancel("flush");
        latest.clear();
      }
      return this;
    }

    private Behavior<Command> published(Published p) {
      if (sessions.isEmpty()) return this;
      Hunt.StreamEntry e = p.entry();
      if (!e.epoch().equals(seenEpoch)) {
        seenEpoch = e.epoch();
        seenSeq = e.seq();
      } else seenSeq = Math.max(seenSeq, e.seq());
      Live live = Live.of(e); // rendered once
      for (ActorRef<Delivery> s : sessions) s.tell(live);
      return this;
    }

    private Behavior<Command> sync() {
      if (sessions.isEmpty()) return this;
      getContext()
          .ask(
              Hunt.StreamReply.class,
              ClusterSharding.get(getContext().getSystem()).entityRefFor(Hunt.ENTITY_KEY, hunt),
              syncInterval,
              // an impossible position: the answer carries only the head (epoch, seq), no entries
              replyTo -> new Hunt.StreamSince("", Long.MAX_VALUE, replyTo),
              (reply, failure) ->
                  reply == null || reply.problem() != null || reply.epoch() == null
                      ? new Synced(null, -1)
                      : new Synced(reply.epoch(), reply.seq()));
      return this;
    }

    private Behavior<Command> synced(Synced s) {
      if (s.epoch() == null || sessions.isEmpty()) return this;
      boolean behind = !s.epoch().equals(seenEpoch) || s.seq() > seenSeq;
      Head head = new Head(hunt, s.epoch(), s.seq());
      if (behind) {
        seenEpoch = s.epoch();
        seenSeq = s.seq();
        for (ActorRef<Delivery> x : sessions) x.tell(head);
      } else for (ActorRef<Delivery> x : unsynced) x.tell(head);
      unsynced.clear();
      return this;
    }

    private Behavior<Command> moved(Moved m) {
      if (positionsSubscribed) latest.put(m.position().playerId(), m.position());
      return this;
    }

    private Behavior<Command> flush() {
      if (latest.isEmpty() || watchingPositions.isEmpty()) return this;
      Positions batch =
          new Positions(hunt, Frames.positions(hunt, System.currentTimeMillis(), latest.values()));
      latest.clear();
      for (ActorRef<Delivery> s : watchingPositions) s.tell(batch);
      return this;
    }
  }
}
