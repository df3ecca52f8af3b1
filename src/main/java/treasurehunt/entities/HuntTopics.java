package treasurehunt.entities;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.pubsub.Topic;
import io.micrometer.core.instrument.Gauge;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import treasurehunt.metrics.Metrics;

/**
 * The node's cluster-wide publish/subscribe topics, one pair per hunt: the numbered hunt stream
 * (published by the Hunt entity) and the unnumbered positions (published by Player entities).
 * Akka's {@link Topic} sends a published message once to every node that has subscribers, never
 * once per subscriber; each node fans it out locally.
 *
 * <p><b>Lifetime.</b> A hunt's topics on a node are started on first use and stopped once nobody on
 * the node has used them for {@code hunt-idle-timeout} (treasure-hunt.ws in http.conf, 60 s) and no
 * local feed holds them ({@link #hold}). Publishers never keep a topic's ref: they call {@link
 * #stream} or {@link #positions} for every publish, which marks the topics used, so a topic is
 * never stopped under a publisher that looked it up less than the idle timeout ago. A stopped topic
 * is started again (under a new actor name) by the next use. The sweep runs every half timeout; the
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

  /** A hunt's two topics on this node; fields guarded by the entry's own lock. */
  private final class Entry {
    final String hunt;
    ActorRef<Topic.Command<Hunt.StreamEntry>> stream;
    ActorRef<Topic.Command<Player.Position>> positions;
    int holds;
    long lastUsed = System.nanoTime();
    boolean stopped;

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

    ActorRef<Topic.Command<Player.Position>> positions() {
      if (positions == null)
        positions =
            system.systemActorOf(
                Topic.create(Player.Position.class, "hunt-positions-" + hunt),
                "hunt-positions-" + encode(hunt) + "-" + generation.incrementAndGet(),
                Props.empty());
      return positions;
    }
  }

  /** A feed's hold on a hunt's topics: they stay while it is held, refs stable. */
  public interface Held {
    ActorRef<Topic.Command<Hunt.StreamEntry>> stream();

    ActorRef<Topic.Command<Player.Position>> positions();

    /** Ends the hold (once); the topics may stop after the idle timeout. */
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

  public ActorRef<Topic.Command<Player.Position>> positions(String huntId) {
    while (true) {
      Entry e = entries.computeIfAbsent(huntId, Entry::new);
      synchronized (e) {
        if (e.stopped) continue;
        e.lastUsed = System.nanoTime();
        return e.positions();
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
        ActorRef<Topic.Command<Player.Position>> positions = e.positions();
        return new Held() {
          private boolean released;

          @Override
          public ActorRef<Topic.Command<Hunt.StreamEntry>> stream() {
            return stream;
          }

          @Override
          public ActorRef<Topic.Command<Player.Position>> positions() {
            return positions;
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

  /** Hunts with topics on this node now. */
  public int size() {
    return entries.size();
  }

  /** Stops the topics of hunts nobody held or used for the idle timeout. */
  void sweep() {
    long now = System.nanoTime();
    for (Entry e : entries.values()) {
      synchronized (e) {
        if (e.stopped || e.holds > 0 || now - e.lastUsed < idleNanos) continue;
        e.stopped = true;
        entries.remove(e.hunt, e);
        if (e.stream != null) stop(e.stream);
        if (e.positions != null) stop(e.positions);
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
