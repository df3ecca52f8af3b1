package treasurehunt.gateway;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.LongPredicate;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntTopics;
import treasurehunt.entities.Player;
import treasurehunt.gateway.HuntFeeds.Command;
import treasurehunt.gateway.HuntFeeds.Delivery;
import treasurehunt.gateway.HuntFeeds.Head;
import treasurehunt.gateway.HuntFeeds.Held;
import treasurehunt.gateway.HuntFeeds.Positions;
import treasurehunt.gateway.HuntFeeds.Since;
import treasurehunt.gateway.HuntFeeds.Subscribe;
import treasurehunt.gateway.HuntFeeds.Unsubscribe;
import treasurehunt.gateway.HuntFeeds.View;

/**
 * One hunt's feed on this node: the actor {@link HuntFeeds} starts for a hunt (its lifetime, and
 * what it sends to sessions, are described there). Subscribed once to the hunt's stream and
 * position topics, it renders each stream event once ({@link PresenceFeed} decides what each
 * protocol version gets of joins and leaves), conflates positions per interval into one batch for
 * the sessions without a viewport and one {@code moves} frame per viewport ({@link Viewports}), and
 * keeps the sessions in step with the hunt's stream head. It keeps the last stream entries it
 * received ({@link FeedWindow}) and serves its sessions' fills from them ({@link Since}).
 */
final class HuntFeed extends AbstractBehavior<Command> {
  // ---- the feed's own messages

  record Published(Hunt.StreamEntry entry) implements Command {}

  record Moved(Player.Position position) implements Command {}

  record Flush() implements Command {}

  record Sync() implements Command {}

  record Synced(String epoch, long seq) implements Command {}

  record Gone(ActorRef<Delivery> session) implements Command {}

  record Idle() implements Command {}

  record PresenceTick() implements Command {}

  record Viewed(Hunt.View view) implements Command {}

  private final String hunt;
  private final Duration interval;
  private final TimerScheduler<Command> timers;
  private final ActorRef<Hunt.StreamEntry> streamAdapter;
  private final ActorRef<Player.Position> positionAdapter;
  private final HuntTopics.Held topics;
  private final ActorRef<Topic.Command<Hunt.StreamEntry>> streamTopic;
  private final Duration idleTimeout;
  private final LongPredicate retire;
  private final Duration presenceInterval;
  private final PresenceFeed presence;

  /** The last entries received, contiguous, to serve fills ({@code feed-window}). */
  private final FeedWindow window;

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
   * Stream sync: a cluster-wide Topic drops what is published before a new subscription has spread
   * to the publisher's node (a few seconds), and a lost last event would leave sessions waiting
   * silently. While it has sessions, the feed asks the hunt for its stream head every sync interval
   * (one small ask per node and hunt, not per session) and tells the sessions only when the head of
   * the previous sync is still ahead of what the topic delivered ({@link #synced}), and new
   * sessions the head at once; a session behind the head it is told fetches the rest.
   */
  private final Duration syncInterval;

  private String seenEpoch;
  private long seenSeq = -1;

  /** The hunt's head at the last sync ({@link #synced}). */
  private Head lastSync;

  private final List<ActorRef<Delivery>> unsynced = new ArrayList<>();

  HuntFeed(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      String hunt,
      Duration interval,
      Duration syncInterval,
      Duration idleTimeout,
      Presence.Settings presence,
      int feedWindow,
      LongPredicate retire) {
    super(ctx);
    this.window = new FeedWindow(feedWindow);
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
    this.streamAdapter = ctx.messageAdapter(Hunt.StreamEntry.class, Published::new);
    this.positionAdapter = ctx.messageAdapter(Player.Position.class, Moved::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Subscribe.class, this::subscribe)
        .onMessage(Unsubscribe.class, u -> remove(u.session()))
        .onMessage(View.class, this::view)
        .onMessage(Since.class, this::since)
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
    if (positionsSubscribed) topics.unlisten(positionAdapter);
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
      topics.listen(positionAdapter);
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
      window.clear(); // the topic is left: what it brings later does not follow on
      lastSync = null;
    }
    if (sessions.isEmpty() && streamSubscribed) {
      streamTopic.tell(Topic.unsubscribe(streamAdapter));
      streamSubscribed = false;
    }
    watchingPositions.remove(session);
    if (watched.remove(session)) getContext().unwatch(session);
    if (watchingPositions.isEmpty() && positionsSubscribed) {
      topics.unlisten(positionAdapter);
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
    window.add(e);
    if ("player_left".equals(e.event().kind())) viewports.left(e.event().playerId());
    presence.published(e); // rendered once, sent by the version each session speaks
    return this;
  }

  /**
   * A session's fill: the entries after ({@code epoch}, {@code after}) as the hunt would answer
   * {@link Hunt.StreamSince} (complete, at most {@code max}, with the head), when the window holds
   * them; else {@code null} and the session asks the hunt. The head is the last seq received, or
   * the hunt's head from the last sync when that is further: the entries after the window's last
   * come live to the asking session (subscribed before it asked), but not ones the topic lost.
   */
  private Behavior<Command> since(Since s) {
    s.replyTo().tell(new Held(window.since(s.epoch(), s.after(), s.max(), seenEpoch, seenSeq)));
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

  /**
   * The hunt's head. What counts as lost is what the hunt already held at the <em>previous</em>
   * sync and the topic has still not brought: a busy hunt's head is nearly always a few entries
   * ahead of what reached the feed (published, in flight), and telling every session that head made
   * each of them fetch those entries, all at once, every interval (in the 10,000-player hot hunt,
   * up to 10,000 fills a second, most of them asks to the Hunt entity). A lost entry is fetched
   * within two sync intervals. New sessions get the current head at once.
   */
  private Behavior<Command> synced(Synced s) {
    if (s.epoch() == null || sessions.isEmpty()) return this;
    Head head = new Head(hunt, s.epoch(), s.seq());
    Head before = lastSync;
    lastSync = head;
    boolean lost =
        before != null
            && before.epoch().equals(s.epoch())
            && (!before.epoch().equals(seenEpoch) || before.seq() > seenSeq);
    if (lost) {
      seenEpoch = before.epoch();
      seenSeq = before.seq();
      for (ActorRef<Delivery> x : sessions) x.tell(presence.headFor(x, before));
    }
    for (ActorRef<Delivery> x : unsynced) x.tell(presence.headFor(x, head));
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
