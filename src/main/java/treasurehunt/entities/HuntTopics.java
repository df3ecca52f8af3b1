package treasurehunt.entities;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import io.micrometer.core.instrument.Gauge;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import treasurehunt.metrics.Metrics;

/**
 * The node's ways to a hunt's watchers: the numbered hunt stream (a cluster-wide {@link Topic},
 * published by the Hunt entity) and the unnumbered positions (published by Player entities). Akka's
 * {@link Topic} sends a published message once to every node that has subscribers, never once per
 * subscriber; each node fans it out locally.
 *
 * <p><b>Positions go straight to the feeds that listen.</b> A hunt has at most one feed per node
 * (the gateway's {@code HuntFeed}), and it listens to positions only while someone on its node
 * watches them (the organiser, an invited spectator, a viewport). A listening feed registers its
 * position ref with the receptionist under {@link #positionsKey} and with this node at once ({@link
 * Held#listen}); each node that publishes a hunt's positions follows the receptionist's listing of
 * that key (one small actor per hunt in use there) and {@link #publish} tells each listening feed
 * directly: one message per listening node, as the topic sent, without the topic actor's hop. While
 * nobody listens anywhere, which is the common case (players walk, nobody watches the map), a fix
 * publishes nothing: a topic would have taken it, found no subscriber and handed it to the dead
 * letters (two more messages per fix; BENCHMARKS.md, issue 13, session 12). A feed on another node
 * is heard from once the receptionist's listing reaches this node (about a second, as for a topic);
 * one on this node at once. Positions are a sampled view (the feed sends the latest of each player
 * every interval), so a fix published before the listing arrives is not owed to anyone.
 *
 * <p><b>Lifetime.</b> A hunt's topic and listing on a node are started on first use and stopped
 * once nobody on the node has used them for {@code hunt-idle-timeout} (treasure-hunt.ws in
 * http.conf, 60 s) and no local feed holds them ({@link #hold}). Publishers never keep a ref: they
 * call {@link #stream} or {@link #publish} for every publish, which marks the hunt used, so nothing
 * is stopped under a publisher that used it less than the idle timeout ago. A stopped hunt's actors
 * are started again (under new actor names) by the next use. The sweep runs every half timeout; the
 * stop is a {@code PoisonPill}, an ordinary message, so whatever was told to the topic before it is
 * still handled.
 */
public final class HuntTopics implements Extension {

  private static final ExtensionId<HuntTopics> ID =
      new ExtensionId<>() {
        @Override
        public HuntTopics createExtension(ActorSystem<?> system) {
          return new HuntTopics(system);
        }
      };

  public static HuntTopics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** A hunt's topic and position listeners on this node; fields guarded by the entry's own lock. */
  private final class Entry {
    final String hunt;
    ActorRef<Topic.Command<Hunt.StreamEntry>> stream;
    // volatile: publishers read these three without the lock ({@link #listeners})
    volatile ActorRef<Receptionist.Listing> listing;
    int holds;
    volatile long lastUsed = System.nanoTime();
    volatile boolean stopped;

    /** Feeds on this node that listen, known at once; feeds anywhere, from the receptionist. */
    final Set<ActorRef<Player.Position>> local = new HashSet<>();

    Set<ActorRef<Player.Position>> listed = Set.of();

    /** The union of both, read without the lock by publishers. */
    volatile ActorRef<Player.Position>[] listeners = none();

    Entry(String hunt) {
      this.hunt = hunt;
    }

    ActorRef<Topic.Command<Hunt.StreamEntry>> stream() {
      if (stream == null)
        stream =
            system.systemActorOf(
                Topic.create(Hunt.StreamEntry.class, "hunt-stream-" + hunt),
                "hunt-stream-" + encode(hunt) + "-" + generation.incrementAndGet(),
                Props.empty());
      return stream;
    }

    /** Starts following the receptionist's listing of the hunt's listening feeds. */
    void followListing() {
      if (listing == null)
        listing =
            system.systemActorOf(
                listingOf(this),
                "hunt-positions-" + encode(hunt) + "-" + generation.incrementAndGet(),
                Props.empty());
    }

    void listed(Set<ActorRef<Player.Position>> refs) {
      synchronized (this) {
        listed = refs;
        update();
      }
    }

    /** Under the lock. */
    void update() {
      Set<ActorRef<Player.Position>> all = new HashSet<>(listed);
      all.addAll(local);
      @SuppressWarnings("unchecked")
      ActorRef<Player.Position>[] array = all.toArray(new ActorRef[0]);
      listeners = array;
    }
  }

  @SuppressWarnings("unchecked")
  private static ActorRef<Player.Position>[] none() {
    return new ActorRef[0];
  }

  /** The receptionist's key of the feeds that listen to a hunt's positions, on any node. */
  public static ServiceKey<Player.Position> positionsKey(String huntId) {
    return ServiceKey.create(Player.Position.class, "hunt-positions-" + huntId);
  }

  /** Follows the listing of one hunt's listening feeds for its entry, until stopped. */
  private static Behavior<Receptionist.Listing> listingOf(Entry entry) {
    ServiceKey<Player.Position> key = positionsKey(entry.hunt);
    return Behaviors.setup(
        ctx -> {
          ctx.getSystem().receptionist().tell(Receptionist.subscribe(key, ctx.getSelf()));
          return Behaviors.receiveMessage(
              listing -> {
                if (listing.isForKey(key)) entry.listed(listing.getServiceInstances(key));
                return Behaviors.same();
              });
        });
  }

  /** A feed's hold on a hunt: its topic and listing stay while it is held, refs stable. */
  public interface Held {
    ActorRef<Topic.Command<Hunt.StreamEntry>> stream();

    /**
     * The feed listens to the hunt's positions from now on: publishers on this node send to {@code
     * ref} at once, those on other nodes once the receptionist's listing reaches them.
     */
    void listen(ActorRef<Player.Position> ref);

    /** The feed no longer listens ({@code ref} as given to {@link #listen}). */
    void unlisten(ActorRef<Player.Position> ref);

    /** Ends the hold (once); the topic and listing may stop after the idle timeout. */
    void release();
  }

  private final ActorSystem<?> system;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private final long idleNanos;

  private HuntTopics(ActorSystem<?> system) {
    this.system = system;
    Duration idle = system.settings().config().getDuration("treasure-hunt.ws.hunt-idle-timeout");
    this.idleNanos = idle.toNanos();
    Gauge.builder("th.hunt.topics", entries, Map::size)
        .description("Hunts with pub/sub topics on this node (stopped when idle)")
        .register(Metrics.get(system).registry());
    Duration every = idle.dividedBy(2);
    system.scheduler().scheduleWithFixedDelay(every, every, this::sweep, system.executionContext());
  }

  public ActorRef<Topic.Command<Hunt.StreamEntry>> stream(String huntId) {
    while (true) {
      Entry e = entries.computeIfAbsent(huntId, Entry::new);
      synchronized (e) {
        if (e.stopped) continue;
        e.lastUsed = System.nanoTime();
        return e.stream();
      }
    }
  }

  /**
   * Tells a player's fix to every feed that listens to its hunt's positions: nothing while nobody
   * listens. Called by Player entities for every accepted fix; no lock once the hunt is in use
   * here.
   */
  public void publish(Player.Position position) {
    for (ActorRef<Player.Position> feed : listeners(position.hunt())) feed.tell(position);
  }

  /** The feeds that listen to the hunt's positions, as this node knows them now. */
  ActorRef<Player.Position>[] listeners(String huntId) {
    Entry e = entries.get(huntId);
    long now = System.nanoTime();
    // the common case: the hunt is in use here and its listing followed; lastUsed need not be exact
    if (e != null && e.listing != null && !e.stopped && now - e.lastUsed < idleNanos / 4)
      return e.listeners;
    while (true) {
      e = entries.computeIfAbsent(huntId, Entry::new);
      synchronized (e) {
        if (e.stopped) continue;
        e.lastUsed = now;
        e.followListing();
        return e.listeners;
      }
    }
  }

  /** Holds the hunt's topics on this node until {@link Held#release} (a feed, for its life). */
  public Held hold(String huntId) {
    while (true) {
      Entry e = entries.computeIfAbsent(huntId, Entry::new);
      synchronized (e) {
        if (e.stopped) continue;
        e.holds++;
        e.lastUsed = System.nanoTime();
        ActorRef<Topic.Command<Hunt.StreamEntry>> stream = e.stream();
        return new Held() {
          private boolean released;
          private final ServiceKey<Player.Position> key = positionsKey(huntId);

          @Override
          public ActorRef<Topic.Command<Hunt.StreamEntry>> stream() {
            return stream;
          }

          @Override
          public void listen(ActorRef<Player.Position> ref) {
            synchronized (e) {
              if (e.local.add(ref)) e.update();
            }
            system.receptionist().tell(Receptionist.register(key, ref));
          }

          @Override
          public void unlisten(ActorRef<Player.Position> ref) {
            synchronized (e) {
              if (e.local.remove(ref)) e.update();
            }
            system.receptionist().tell(Receptionist.deregister(key, ref));
          }

          @Override
          public void release() {
            synchronized (e) {
              if (released) return;
              released = true;
              e.holds--;
              e.lastUsed = System.nanoTime();
            }
          }
        };
      }
    }
  }

  /** Hunts with a topic or listing on this node now. */
  public int size() {
    return entries.size();
  }

  /** Stops the topic and listing of hunts nobody held or used for the idle timeout. */
  void sweep() {
    long now = System.nanoTime();
    for (Entry e : entries.values()) {
      synchronized (e) {
        if (e.stopped || e.holds > 0 || now - e.lastUsed < idleNanos) continue;
        e.stopped = true;
        entries.remove(e.hunt, e);
        if (e.stream != null) stop(e.stream);
        if (e.listing != null) stop(e.listing);
      }
    }
  }

  private static void stop(ActorRef<?> topic) {
    Adapter.toClassic(topic)
        .tell(akka.actor.PoisonPill.getInstance(), akka.actor.ActorRef.noSender());
  }

  private static String encode(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8);
  }
}
