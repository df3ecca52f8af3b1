package treasurehunt.gateway;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import io.micrometer.core.instrument.Gauge;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntTopics;
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
  private final int feedWindow;

  /**
   * How long a session waits for its feed's answer to {@link #held} before asking the hunt (a local
   * actor answering from memory: only a stopped or swamped feed takes this long).
   */
  private static final Duration HELD_TIMEOUT = Duration.ofSeconds(1);

  private HuntFeeds(ActorSystem<?> system) {
    this.system = system;
    WsSettings settings = WsSettings.from(system.settings().config());
    this.positionsInterval = settings.positionsInterval();
    this.syncInterval = settings.streamSyncInterval();
    this.idleTimeout = settings.huntIdleTimeout();
    this.presence = Presence.Settings.from(system.settings().config());
    this.feedWindow = settings.feedWindow();
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

  /**
   * A fill's page from this node's feed of the hunt: the first {@code max} entries after ({@code
   * epoch}, {@code after}) answered as the Hunt answers {@link Hunt.StreamSince}, when the feed's
   * window holds them ({@link FeedWindow}); {@code null} when it does not (no feed here, another
   * epoch, not held, no answer in time): the caller asks the hunt.
   */
  public CompletionStage<Hunt.StreamReply> held(String hunt, String epoch, long after, int max) {
    FeedRef f = feeds.get(hunt);
    if (f == null || feedWindow <= 0) return CompletableFuture.completedFuture(null);
    return AskPattern.<Command, Held>ask(
            f.ref, r -> new Since(epoch, after, max, r), HELD_TIMEOUT, system.scheduler())
        .handle((h, failure) -> h == null ? null : h.reply());
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
                            new HuntFeed(
                                ctx,
                                timers,
                                hunt,
                                positionsInterval,
                                syncInterval,
                                idleTimeout,
                                presence,
                                feedWindow,
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

  public interface Command {}

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

  /** See {@link #held}. */
  public record Since(String epoch, long after, int max, ActorRef<Held> replyTo)
      implements Command {}

  /** The answer to {@link Since}: {@code reply} null when the feed cannot serve it. */
  public record Held(Hunt.StreamReply reply) {}

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
}
