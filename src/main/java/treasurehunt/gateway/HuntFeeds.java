package treasurehunt.gateway;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.PostStop;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.micrometer.core.instrument.Gauge;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntTopics;
import treasurehunt.entities.Player;
import treasurehunt.game.PositionGrid;
import treasurehunt.metrics.Metrics;

/**
 * The node-local fan-out of a hunt: one feed actor per hunt per node subscribes once to the hunt's
 * cluster topics, builds each stream event's frame once, and hands the same {@link ServerFrame}
 * (rendered once per encoding its sessions speak) to every local session watching the hunt.
 * Positions are conflated (latest per player wins) and sent as one batch per tick, so a session
 * gets at most 1000/positions-interval frames a second whatever the report rate.
 *
 * <p>The protocol between a feed and its sessions belongs to this class: a session calls {@link
 * #subscribe} and {@link #unsubscribe}; the feed sends back the {@link Delivery} messages, which
 * only the feed builds.
 *
 * <p><b>Lifetime.</b> A feed starts with the first subscription to its hunt on this node (only for
 * a hunt that exists: the gateway asks {@link HuntDirectory} first) and stops once it has had no
 * session for {@code hunt-idle-timeout} (60 s), releasing its hold on the hunt's topics ({@link
 * HuntTopics}), which stop in turn when unused. A later subscription starts a new feed. {@code
 * Delivery} extends {@link Session.Msg} so that the fan-out (one tell per event per session, the
 * hot path of a hot hunt, BENCHMARKS.md §6) lands straight in the session's mailbox, without a
 * message adapter wrapping every delivery.
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

  /**
   * A hunt's feed on this node and the {@link Subscribe} messages sent to it so far. Both change
   * only inside {@code feeds.compute} for the hunt, which is what makes stopping an idle feed safe:
   * see {@link #retire}.
   */
  private static final class FeedRef {
    final ActorRef<Command> ref;
    long subscribes;

    FeedRef(ActorRef<Command> ref) {
      this.ref = ref;
    }
  }

  private final ActorSystem<?> system;
  private final ConcurrentHashMap<String, FeedRef> feeds = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private final Duration positionsInterval;
  private final Duration syncInterval;
  private final Duration idleTimeout;
  private final Presence.Settings presence;

  private HuntFeeds(ActorSystem<?> system) {
    this.system = system;
    WsSettings settings = WsSettings.from(system.settings().config());
    this.positionsInterval = settings.positionsInterval();
    this.syncInterval = settings.streamSyncInterval();
    this.idleTimeout = settings.huntIdleTimeout();
    this.presence = Presence.Settings.from(system.settings().config());
    Gauge.builder("th.hunt.feeds", feeds, Map::size)
        .description("Hunts with a feed on this node (stopped when nobody follows them)")
        .register(Metrics.get(system).registry());
  }

  /**
   * Subscribes a session to the hunt's feed on this node, starting the feed if there is none (the
   * caller has made sure the hunt exists: {@link HuntDirectory}). Subscribing again only updates
   * {@code positions}.
   */
  public void subscribe(String hunt, ActorRef<Delivery> session, boolean positions) {
    subscribe(hunt, session, positions, Protocol.V1);
  }

  /** As above, for a session speaking {@code protocol} (what it gets of joins and leaves). */
  public void subscribe(
      String hunt, ActorRef<Delivery> session, boolean positions, Protocol protocol) {
    feeds.compute(
        hunt,
        (h, f) -> {
          FeedRef feed = f != null ? f : start(h);
          feed.subscribes++;
          feed.ref.tell(new Subscribe(session, positions, protocol));
          return feed;
        });
  }

  /**
   * A subscribed session's viewport (docs/protocol.md §7.1): from the next interval on it gets
   * {@link Moves} for the players inside {@code box} instead of {@link Positions}; {@code box} null
   * goes back to positions. {@code restart}: its client knows nothing, the next frame is full.
   */
  public void view(String hunt, ActorRef<Delivery> session, PositionGrid.Box box, boolean restart) {
    FeedRef f = feeds.get(hunt);
    if (f != null) f.ref.tell(new View(session, box, restart));
  }

  /** Unsubscribes a session; starts nothing when the hunt has no feed here (any more). */
  public void unsubscribe(String hunt, ActorRef<Delivery> session) {
    FeedRef f = feeds.get(hunt);
    if (f != null) f.ref.tell(new Unsubscribe(session));
  }

  /** Hunts with a feed on this node now. */
  public int size() {
    return feeds.size();
  }

  private FeedRef start(String hunt) {
    FeedRef[] self = new FeedRef[1];
    ActorRef<Command> ref =
        system.systemActorOf(
            Behaviors.setup(
                ctx ->
                    Behaviors.withTimers(
                        timers ->
                            new Feed(
                                ctx,
                                timers,
                                hunt,
                                positionsInterval,
                                syncInterval,
                                idleTimeout,
                                presence,
                                seen -> retire(hunt, self[0], seen)))),
            "feed-"
                + URLEncoder.encode(hunt, StandardCharsets.UTF_8)
                + "-"
                + generation.incrementAndGet(),
            Props.empty());
    self[0] = new FeedRef(ref);
    return self[0];
  }

  /**
   * An idle feed asks to go: it may only if it has handled every Subscribe ever sent to it ({@code
   * seen}). Decided inside {@code compute}, like {@link #subscribe}: either a subscribe came first
   * (counted, so the feed stays and will handle it) or the feed is removed first and the subscribe
   * starts a new one. No subscription is ever sent to a feed that stops.
   */
  private boolean retire(String hunt, FeedRef feed, long seen) {
    boolean[] retired = {false};
    feeds.computeIfPresent(
        hunt,
        (h, f) -> {
          if (f != feed || f.subscribes != seen) return f;
          retired[0] = true;
          return null;
        });
    return retired[0];
  }

  // ---- protocol: what a session sends

  public sealed interface Command {}

  /**
   * Start delivering to a session; {@code positions}: also the position batches (the session's
   * {@link HuntFollow} still decides, batch by batch, whether its client may see them).
   */
  public record Subscribe(ActorRef<Delivery> session, boolean positions, Protocol protocol)
      implements Command {
    public Subscribe(ActorRef<Delivery> session, boolean positions) {
      this(session, positions, Protocol.V1);
    }
  }

  public record Unsubscribe(ActorRef<Delivery> session) implements Command {}

  /** See {@link #view}. */
  public record View(ActorRef<Delivery> session, PositionGrid.Box box, boolean restart)
      implements Command {}

  // ---- protocol: what a feed delivers

  public sealed interface Delivery extends Session.Msg {
    String hunt();
  }

  /**
   * A stream event, rendered once for every session of the node; {@code kind} and {@code playerId}
   * (null when the event has none) let a follow see a player join or leave (who sees positions).
   */
  public record Live(
      String hunt, String epoch, long seq, ServerFrame frame, String kind, String playerId)
      implements Delivery {
    static Live of(Hunt.StreamEntry e) {
      return new Live(
          e.hunt(),
          e.epoch(),
          e.seq(),
          ServerFrame.of(Frames.event(e)),
          e.event().kind(),
          e.event().playerId());
    }
  }

  /**
   * Protocol 1.1: a run of joins and leaves folded into one {@code presence} frame, rendered once
   * for every 1.1 session of the node ({@link PresenceFeed}).
   */
  public record PresenceRun(String hunt, Presence.Run run) implements Delivery {}

  /**
   * Protocol 1: an unasked snapshot ({@code frame}) at {@code seq} standing for the joins and
   * leaves a v1 session was not sent above {@code v1-max-players}; {@code after}: the presence of
   * each player they were about, after them ({@link PresenceFeed}).
   */
  public record V1Reset(
      String hunt, String epoch, long seq, ServerFrame frame, Map<String, Boolean> after)
      implements Delivery {}

  /** One batch of the latest positions, rendered once per encoding. */
  public record Positions(String hunt, ServerFrame frame) implements Delivery {}

  /**
   * One viewport's {@code moves} frame ({@link Viewports}); {@code full}: it starts the client's
   * picture afresh.
   */
  public record Moves(String hunt, ServerFrame frame, boolean full) implements Delivery {}

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

  private record Idle() implements Command {}

  private record PresenceTick() implements Command {}

  private record Viewed(Hunt.View view) implements Command {}

  private static final class Feed extends AbstractBehavior<Command> {
    private final String hunt;
    private final Duration interval;
    private final TimerScheduler<Command> timers;
    private final ActorRef<Hunt.StreamEntry> streamAdapter;
    private final ActorRef<Player.Position> positionAdapter;
    private final HuntTopics.Held topics;
    private final ActorRef<Topic.Command<Hunt.StreamEntry>> streamTopic;
    private final ActorRef<Topic.Command<Player.Position>> positionTopic;
    private final Duration idleTimeout;
    private final LongPredicate retire;
    private final Duration presenceInterval;
    private final PresenceFeed presence;

    /** Subscribe messages handled so far (see {@link HuntFeeds#retire}). */
    private long subscribes;

    private final List<ActorRef<Delivery>> sessions = new ArrayList<>();
    private final List<ActorRef<Delivery>> watchingPositions = new ArrayList<>();
    private final Set<ActorRef<Delivery>> watched = new HashSet<>();
    private final LinkedHashMap<String, Player.Position> latest = new LinkedHashMap<>();
    private final Viewports viewports = new Viewports();
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
        Duration syncInterval,
        Duration idleTimeout,
        Presence.Settings presence,
        LongPredicate retire) {
      super(ctx);
      this.presenceInterval = presence.interval();
      this.presence = new PresenceFeed(hunt, presence, sessions);
      this.hunt = hunt;
      this.interval = interval;
      this.syncInterval = syncInterval;
      this.idleTimeout = idleTimeout;
      this.retire = retire;
      this.timers = timers;
      this.topics = HuntTopics.get(ctx.getSystem()).hold(hunt);
      this.streamTopic = topics.stream();
      this.positionTopic = topics.positions();
      this.streamAdapter = ctx.messageAdapter(Hunt.StreamEntry.class, Published::new);
      this.positionAdapter = ctx.messageAdapter(Player.Position.class, Moved::new);
    }

    @Override
    public Receive<Command> createReceive() {
      return newReceiveBuilder()
          .onMessage(Subscribe.class, this::subscribe)
          .onMessage(Unsubscribe.class, u -> remove(u.session()))
          .onMessage(View.class, this::view)
          .onMessage(Gone.class, g -> remove(g.session()))
          .onMessage(Published.class, this::published)
          .onMessage(Moved.class, this::moved)
          .onMessage(Flush.class, f -> flush())
          .onMessage(Sync.class, x -> sync())
          .onMessage(Synced.class, this::synced)
          .onMessage(Idle.class, i -> idle())
          .onMessage(PresenceTick.class, t -> presenceTick())
          .onMessage(Viewed.class, v -> viewed(v.view()))
          .onSignal(PostStop.class, s -> stopped())
          .build();
    }

    /**
     * Nobody on this node has followed the hunt for the idle timeout: the feed stops (its topic
     * subscriptions end with it, and its hold on the topics is released).
     */
    private Behavior<Command> idle() {
      if (sessions.isEmpty() && retire.test(subscribes)) return Behaviors.stopped();
      return this;
    }

    private Behavior<Command> stopped() {
      topics.release();
      return this;
    }

    private Behavior<Command> subscribe(Subscribe s) {
      subscribes++;
      timers.cancel("idle");
      if (!sessions.contains(s.session())) sessions.add(s.session());
      presence.subscribed(s.session(), s.protocol());
      if (s.positions() && !watchingPositions.contains(s.session()))
        watchingPositions.add(s.session());
      if (watched.add(s.session())) getContext().watchWith(s.session(), new Gone(s.session()));
      if (!streamSubscribed) {
        streamTopic.tell(Topic.subscribe(streamAdapter));
        streamSubscribed = true;
        timers.startTimerWithFixedDelay("sync", new Sync(), syncInterval);
        timers.startTimerWithFixedDelay("presence", new PresenceTick(), presenceInterval);
      }
      if (!unsynced.contains(s.session())) unsynced.add(s.session());
      listenToPositions();
      return this;
    }

    private void listenToPositions() {
      if (!watchingPositions.isEmpty() && !positionsSubscribed) {
        positionTopic.tell(Topic.subscribe(positionAdapter));
        positionsSubscribed = true;
        timers.startTimerWithFixedDelay("flush", new Flush(), interval);
      }
    }

    /** A viewport is a way of watching positions: the feed listens to them from now on. */
    private Behavior<Command> view(View v) {
      if (!sessions.contains(v.session())) return this; // unsubscribed meanwhile
      viewports.view(v.session(), v.box(), v.restart());
      if (v.box() != null && !watchingPositions.contains(v.session()))
        watchingPositions.add(v.session());
      listenToPositions();
      return this;
    }

    private Behavior<Command> remove(ActorRef<Delivery> session) {
      viewports.remove(session);
      sessions.remove(session);
      unsynced.remove(session);
      presence.removed(session);
      if (sessions.isEmpty()) {
        timers.cancel("sync");
        timers.cancel("presence");
        timers.startSingleTimer("idle", new Idle(), idleTimeout);
      }
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
        viewports.clear();
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
      if ("player_left".equals(e.event().kind())) viewports.left(e.event().playerId());
      presence.published(e); // rendered once, sent by the version each session speaks
      return this;
    }

    /** Presence interval: joins and leaves go out folded; v1 sessions may need a snapshot. */
    private Behavior<Command> presenceTick() {
      if (!presence.tick()) return this;
      getContext()
          .ask(
              Hunt.ViewReply.class,
              ClusterSharding.get(getContext().getSystem()).entityRefFor(Hunt.ENTITY_KEY, hunt),
              syncInterval,
              Hunt.GetView::new,
              (reply, failure) -> new Viewed(reply == null ? null : reply.view()));
      return this;
    }

    private Behavior<Command> viewed(Hunt.View view) {
      presence.viewed(view);
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
        for (ActorRef<Delivery> x : sessions) x.tell(presence.headFor(x, head));
      } else for (ActorRef<Delivery> x : unsynced) x.tell(presence.headFor(x, head));
      unsynced.clear();
      return this;
    }

    private Behavior<Command> moved(Moved m) {
      if (!positionsSubscribed) return this;
      Player.Position p = m.position();
      latest.put(p.playerId(), p);
      viewports.moved(p.playerId(), p.lat(), p.lon());
      return this;
    }

    /** The interval's batch to the sessions without a viewport, a frame to each viewport. */
    private Behavior<Command> flush() {
      long now = System.currentTimeMillis();
      if (!latest.isEmpty() && watchingPositions.size() > viewports.size()) {
        Positions batch =
            new Positions(hunt, ServerFrame.of(Frames.positions(hunt, now, latest.values())));
        for (ActorRef<Delivery> s : watchingPositions) if (!viewports.has(s)) s.tell(batch);
      }
      latest.clear();
      viewports.flush(hunt, now, (session, moves) -> session.tell(moves));
      return this;
    }
  }
}
