package treasurehunt.gateway;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.typesafe.config.Config;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import treasurehunt.CborSerializable;
import treasurehunt.entities.EngineDb;
import treasurehunt.entities.Hunt;
import treasurehunt.metrics.Metrics;

/**
 * Which hunts exist, asked before any request that names a hunt reaches its entity, its topics or
 * its feed: a hunt that was never created is answered {@code not_found} by the gateway and leaves
 * nothing behind. Hunt entities are remembered entities, so merely asking one for an unknown id
 * would start it, write it to the remember-entities store and start it again after every restart;
 * the gateway therefore never asks an entity about a hunt this directory does not know.
 *
 * <p><b>The truth is the journal.</b> A hunt exists once its {@code HuntDefined} event is stored,
 * so the directory asks PostgreSQL: {@code SELECT 1 FROM event_journal WHERE persistence_id =
 * 'Hunt|<id>' LIMIT 1}, one primary-key probe. Why not Akka Distributed Data: the set of hunts only
 * grows, would have to be durable (LMDB) to survive a full restart and fall back to the journal
 * anyway; the journal lookup needs nothing new to operate and is never stale.
 *
 * <p><b>Caches.</b> Positives never go stale (a hunt is never deleted): a bounded Caffeine cache
 * ({@code positive-capacity}, 20,000 ids) keeps them. Negatives expire after {@code negative-ttl}
 * (2 s) and are bounded too ({@code negative-capacity}); they spare the database a client that
 * polls one made-up id. Made-up ids all different get one lookup each: those go through {@link
 * EngineDb} (its own pool and dispatcher, at most {@code max-pending} at once, past it {@code
 * unavailable}). Concurrent lookups of one id share one query.
 *
 * <p><b>The create race.</b> A hunt created through node A must be found through node B as soon as
 * A has answered 201, even if B cached "no such hunt" a moment before. So {@link #created} — called
 * by the HTTP API after the hunt's definition is stored and before the 201 — tells the directory of
 * every node (Receptionist service {@code hunt-directory}) and waits for their acknowledgements (at
 * most {@code created-timeout}). Each node drops its negative entry and the lookup in flight for
 * that id, and bumps a generation so that a lookup started before the news cannot cache its stale
 * "no". A node that does not acknowledge in time (unreachable) may answer {@code not_found} for the
 * new hunt until its negative entry expires ({@code negative-ttl}).
 */
public final class HuntDirectory implements Extension {

  private static final Logger log = LoggerFactory.getLogger(HuntDirectory.class);

  private static final ExtensionId<HuntDirectory> ID =
      new ExtensionId<>() {
        @Override
        public HuntDirectory createExtension(ActorSystem<?> system) {
          return new HuntDirectory(system);
        }
      };

  public static HuntDirectory get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private static final CompletableFuture<Boolean> YES = CompletableFuture.completedFuture(true);
  private static final CompletableFuture<Boolean> NO = CompletableFuture.completedFuture(false);

  // ---- the peers' protocol (between the nodes' directories)

  static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "hunt-directory");

  interface Command extends CborSerializable {}

  /** A hunt was created: forget any "no" about it and acknowledge. */
  record Created(String huntId, ActorRef<Noted> replyTo) implements Command {}

  record Noted(String huntId) implements CborSerializable {}

  /** The directories of the cluster as the receptionist last listed them (local only). */
  private record Peers(Set<ActorRef<Command>> refs) implements Command {}

  // ---- state

  private final ActorSystem<?> system;
  private final EngineDb db;
  private final Duration createdTimeout;
  private final Cache<String, Boolean> positives;
  private final Cache<String, Boolean> negatives;
  private final ConcurrentHashMap<String, CompletableFuture<Boolean>> inFlight =
      new ConcurrentHashMap<>();

  /** Bumped by every creation heard of: a lookup older than the news caches no "no". */
  private final AtomicLong generation = new AtomicLong();

  private final Counter lookups;
  private volatile Set<ActorRef<Command>> peers = Set.of();
  private final ActorRef<Command> self;

  private HuntDirectory(ActorSystem<?> system) {
    this.system = system;
    this.db = EngineDb.get(system);
    Config c = system.settings().config().getConfig("treasure-hunt.hunt-directory");
    this.createdTimeout = c.getDuration("created-timeout");
    this.positives =
        Caffeine.newBuilder()
            .maximumSize(c.getInt("positive-capacity"))
            .executor(Runnable::run)
            .build();
    this.negatives =
        Caffeine.newBuilder()
            .maximumSize(c.getInt("negative-capacity"))
            .expireAfterWrite(c.getDuration("negative-ttl"))
            .executor(Runnable::run)
            .build();
    Metrics metrics = Metrics.get(system);
    this.lookups =
        Counter.builder("th.hunt.directory.lookups")
            .description("Existence lookups of hunt ids the directory had not cached (one query)")
            .register(metrics.registry());
    Gauge.builder("th.hunt.directory.known", positives, Cache::estimatedSize)
        .description("Hunt ids this node's directory knows exist (cached)")
        .register(metrics.registry());
    this.self = system.systemActorOf(peer(), "hunt-directory", Props.empty());
  }

  /**
   * Whether the hunt exists: at once from the caches, else from the journal. Fails (a {@link
   * java.util.concurrent.TimeoutException}) when the lookup cannot run now; the caller answers
   * {@code unavailable}.
   */
  public CompletionStage<Boolean> exists(String huntId) {
    if (positives.getIfPresent(huntId) != null) return YES;
    if (negatives.getIfPresent(huntId) != null) return NO;
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    CompletableFuture<Boolean> running = inFlight.putIfAbsent(huntId, mine);
    if (running != null) return running;
    long since = generation.get();
    lookups.increment();
    db.run(
            c -> {
              try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT 1 FROM event_journal WHERE persistence_id = ? LIMIT 1")) {
                s.setQueryTimeout(5);
                s.setString(1, persistenceId(huntId));
                try (ResultSet r = s.executeQuery()) {
                  return r.next();
                }
              }
            })
        .whenComplete(
            (found, failure) -> {
              if (failure == null) {
                if (found) positives.put(huntId, true);
                else if (generation.get() == since) negatives.put(huntId, false);
              }
              inFlight.remove(huntId, mine);
              if (failure != null) mine.completeExceptionally(failure);
              else mine.complete(found);
            });
    return mine;
  }

  /** Whether the hunt is known to exist without asking anyone (the positive cache). */
  public boolean known(String huntId) {
    return positives.getIfPresent(huntId) != null;
  }

  /**
   * The hunt's definition is stored: every node's directory learns it before this completes (at
   * most {@code created-timeout}; never fails).
   */
  public CompletionStage<Done> created(String huntId) {
    learn(huntId);
    List<CompletableFuture<Noted>> acks = new ArrayList<>();
    for (ActorRef<Command> peer : peers) {
      if (peer.equals(self)) continue;
      acks.add(
          AskPattern.<Command, Noted>ask(
                  peer, r -> new Created(huntId, r), createdTimeout, system.scheduler())
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
        .handle(
            (ok, failure) -> {
              if (failure != null)
                log.warn(
                    "not every node acknowledged the creation of hunt {} within {}: {}",
                    huntId,
                    createdTimeout,
                    failure.toString());
              return Done.getInstance();
            });
  }

  private void learn(String huntId) {
    generation.incrementAndGet();
    positives.put(huntId, true);
    negatives.invalidate(huntId);
    inFlight.remove(huntId);
  }

  static String persistenceId(String huntId) {
    return Hunt.ENTITY_KEY.name() + "|" + huntId;
  }

  private Behavior<Command> peer() {
    return Behaviors.setup(
        ctx -> {
          ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
          ActorRef<Receptionist.Listing> listings =
              ctx.messageAdapter(
                  Receptionist.Listing.class, l -> new Peers(l.getServiceInstances(KEY)));
          ctx.getSystem().receptionist().tell(Receptionist.subscribe(KEY, listings));
          return Behaviors.receive(Command.class)
              .onMessage(
                  Peers.class,
                  p -> {
                    peers = Set.copyOf(p.refs());
                    return Behaviors.same();
                  })
              .onMessage(
                  Created.class,
                  c -> {
                    learn(c.huntId());
                    c.replyTo().tell(new Noted(c.huntId()));
                    return Behaviors.same();
                  })
              .build();
        });
  }
}
