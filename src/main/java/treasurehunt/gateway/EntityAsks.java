package treasurehunt.gateway;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Scheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.dispatch.ExecutionContexts$;
import akka.util.Timeout;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Player;
import treasurehunt.entities.Problem;
import treasurehunt.metrics.Metrics;

/**
 * What a session asks of the Player and Hunt entities (wherever sharding put them): one method per
 * entity command, rendering the answer with {@link Frames}, and the two fetches of a {@link
 * HuntFollow} (a page of the hunt's window; the journal is {@link JournalStream}'s). No state: the
 * session pipes each answer to its own thread, and a failed stage (an ask timeout) is its to
 * answer.
 *
 * <p>Every command names a hunt, and {@link #ask} first asks the node's {@link HuntDirectory}
 * whether it exists: a hunt that was never created is answered {@code not_found} here, before any
 * entity, topic or feed is touched (an entity asked about a made-up id would be started and
 * remembered). For a hunt the node knows, that costs one cache read.
 */
final class EntityAsks {

  /** An entity's answer: the frame for the client, then what the session does (or null). */
  record Reply(ObjectNode frame, Then then) {}

  /** What the session does after sending a reply. */
  sealed interface Then {}

  /**
   * Follow the hunt's stream from {@code from}, positions to {@code sight}; {@code joined}: the
   * player is in the hunt as of {@code from} (a join's answer).
   */
  record Follow(String hunt, HuntFollow.Sight sight, Hunt.StreamPos from, boolean joined)
      implements Then {}

  record Unfollow(String hunt) implements Then {}

  /** Serve the resume: the hunt exists, {@link HuntFollows} answers it. */
  record Resume(ClientFrame.Resume command) implements Then {}

  /** The current state of a hunt for a reset; {@code failure} set when the hunt refused. */
  record Snapshot(Hunt.View view, Player.Progress you, String failure) {}

  private final ClusterSharding sharding;
  private final HuntDirectory directory;
  private final Duration timeout;
  private final Scheduler scheduler;
  private final Metrics metrics;

  EntityAsks(
      ClusterSharding sharding,
      HuntDirectory directory,
      Duration timeout,
      Scheduler scheduler,
      Metrics metrics) {
    this.metrics = metrics;
    this.sharding = sharding;
    this.directory = directory;
    this.timeout = timeout;
    this.scheduler = scheduler;
  }

  /**
   * The command {@code c} for the player {@code who} (null: the organiser or a spectator, whom the
   * session lets send only watch and resume): {@code not_found} when its hunt does not exist, else
   * the entity's answer (a resume is answered by the session's {@link HuntFollows}: {@link
   * Resume}).
   */
  CompletionStage<Reply> ask(ClientFrame.Command c, Tokens.Identity who, Object leg) {
    return directory
        .exists(c.hunt())
        .thenCompose(
            exists ->
                exists
                    ? command(c, who, leg)
                    : CompletableFuture.completedFuture(
                        failed(c, Problem.of(Problem.NOT_FOUND, "no hunt " + c.hunt()))));
  }

  private CompletionStage<Reply> command(ClientFrame.Command c, Tokens.Identity who, Object leg) {
    if (leg instanceof Straight s) return s.ask().thenApply(a -> located(s.command, a));
    if (c instanceof ClientFrame.Resume r)
      return CompletableFuture.completedFuture(new Reply(null, new Resume(r)));
    if (c instanceof ClientFrame.Watch w) return watch(w, who);
    if (c instanceof ClientFrame.Join j) return join(j, who);
    if (c instanceof ClientFrame.Location l) return location(l, who.playerId());
    if (c instanceof ClientFrame.Claim cl) return claim(cl, who.playerId());
    if (c instanceof ClientFrame.Chat ch) return chat(ch, who.playerId());
    if (c instanceof ClientFrame.Leave l) return leave(l, who.playerId());
    throw new IllegalArgumentException("not an entity command: " + c);
  }

  private CompletionStage<Reply> join(ClientFrame.Join c, Tokens.Identity who) {
    return ask(
            player(who.playerId()),
            (ActorRef<Player.JoinAck> r) -> new Player.Join(c.id(), c.hunt(), who.name(), r))
        .thenApply(
            a ->
                a.problem() != null
                    ? failed(c, a.problem())
                    : new Reply(
                        Frames.joined(c.id(), a),
                        new Follow(c.hunt(), playerSight(a.view()), a.stream(), true)));
  }

  private CompletionStage<Reply> location(ClientFrame.Location c, String playerId) {
    return ask(player(playerId), report(c)).thenApply(a -> located(c, a));
  }

  private static Function<ActorRef<Player.LocationAck>, Player.Command> report(
      ClientFrame.Location c) {
    return r ->
        new Player.ReportLocation(c.id(), c.hunt(), c.lat(), c.lon(), c.accuracy(), c.at(), r);
  }

  private static Reply located(ClientFrame.Location c, Player.LocationAck a) {
    return a.problem() != null
        ? failed(c, a.problem())
        : new Reply(Frames.located(c.id(), a), null);
  }

  /** The player's entity's own ref, asked through sharding ({@link PlayerRoute}). */
  CompletionStage<ActorRef<Player.Command>> locate(String playerId) {
    return ask(player(playerId), Player.Locate::new);
  }

  /**
   * A location report for the player's entity at {@code entity}, straight (see {@link
   * PlayerRoute}).
   */
  Straight straight(
      ClientFrame.Location c,
      String playerId,
      ActorRef<Player.Command> entity,
      ActorRef<Session.Msg> session) {
    return new Straight(c, playerId, entity, session);
  }

  /**
   * A location report asked straight of its entity's ref, not through sharding. {@link #ask} sends
   * it (on whatever thread the hunt check completes). It is asked again through sharding ({@link
   * #resend}) when that entity turns out to have stopped: the session learns it from its watch, or
   * from this ask when Akka refuses it at once because the ref is dead. Either way the session asks
   * again every straight report it sent that entity and did not get answered, in the order it sent
   * them ({@link PlayerRoute#stopped}): a report refused at once must not overtake an earlier one
   * that the entity dropped when it stopped. The first answer wins; a real timeout (the entity
   * alive but not answering) is answered {@code unavailable} as through sharding.
   */
  final class Straight {
    private final ClientFrame.Location command;
    private final String playerId;
    private final ActorRef<Player.Command> entity;
    private final ActorRef<Session.Msg> session;
    private final CompletableFuture<Player.LocationAck> answer = new CompletableFuture<>();
    private final AtomicBoolean resent = new AtomicBoolean();

    private Straight(
        ClientFrame.Location command,
        String playerId,
        ActorRef<Player.Command> entity,
        ActorRef<Session.Msg> session) {
      this.command = command;
      this.playerId = playerId;
      this.entity = entity;
      this.session = session;
    }

    /** Sent to {@code ref}. */
    boolean sentTo(ActorRef<Player.Command> ref) {
      return entity.equals(ref);
    }

    private CompletionStage<Player.LocationAck> ask() {
      long sent = System.nanoTime();
      CompletableFuture<Player.LocationAck> straight = new CompletableFuture<>();
      askRef(entity, report(command), straight);
      straight.whenComplete(
          (a, failure) -> {
            if (failure == null) answer.complete(a);
            // refused at once: the ref is dead (Akka fails an ask to a stopped actor at once);
            // the session resends, in order
            else if (System.nanoTime() - sent < timeout.toNanos() / 2)
              session.tell(new PlayerRoute.Stopped(entity));
            // a real timeout, unless the session asked again through sharding meanwhile: that
            // answer (or its own timeout) decides
            else if (!resent.get()) answer.completeExceptionally(failure);
          });
      return answer;
    }

    /**
     * Asks again through sharding unless answered or asked again already (the session's thread);
     * true if it did.
     */
    boolean resend() {
      if (answer.isDone() || !resent.compareAndSet(false, true)) return false;
      metrics.locationResent();
      EntityAsks.this
          .ask(sharding.entityRefFor(Player.ENTITY_KEY, playerId), report(command))
          .whenComplete(
              (a, failure) -> {
                if (failure == null) answer.complete(a);
                else answer.completeExceptionally(failure);
              });
      return true;
    }

    /** Asked again through sharding and not answered yet. */
    boolean resending() {
      return resent.get() && !answer.isDone();
    }
  }

  private CompletionStage<Reply> claim(ClientFrame.Claim c, String playerId) {
    return ask(
            player(playerId),
            (ActorRef<Player.ClaimAck> r) ->
                new Player.Claim(c.id(), c.hunt(), c.treasure(), c.answer(), r))
        .thenApply(
            a ->
                a.problem() != null
                    ? failed(c, a.problem())
                    : new Reply(Frames.claimed(c.id(), a), null));
  }

  private CompletionStage<Reply> chat(ClientFrame.Chat c, String playerId) {
    return ask(
            hunt(c.hunt()), (ActorRef<Hunt.Ack> r) -> new Hunt.Chat(playerId, c.id(), c.text(), r))
        .thenApply(
            a ->
                a.problem() != null ? failed(c, a.problem()) : new Reply(Frames.ack(c.id()), null));
  }

  private CompletionStage<Reply> leave(ClientFrame.Leave c, String playerId) {
    return ask(player(playerId), (ActorRef<Hunt.Ack> r) -> new Player.Leave(c.id(), c.hunt(), r))
        .thenApply(
            a ->
                a.problem() != null
                    ? failed(c, a.problem())
                    : new Reply(Frames.ack(c.id()), new Unfollow(c.hunt())));
  }

  /**
   * Watch from the client's position when the hunt still has it, else from the hunt's head. The
   * organiser and spectators ({@code who} null) see positions; a player only as the hunt shows them
   * to its players (docs/privacy.md).
   */
  private CompletionStage<Reply> watch(ClientFrame.Watch c, Tokens.Identity who) {
    Hunt.StreamPos asked = c.since();
    return ask(hunt(c.hunt()), Hunt.GetView::new)
        .thenApply(
            r -> {
              if (r.problem() != null) return failed(c, r.problem());
              Hunt.StreamPos head = r.view().stream();
              Hunt.StreamPos pos =
                  asked != null && asked.epoch().equals(head.epoch()) && asked.seq() <= head.seq()
                      ? asked
                      : head;
              HuntFollow.Sight sight = who == null ? HuntFollow.Sight.ALL : playerSight(r.view());
              return new Reply(
                  Frames.watching(c.id(), r.view(), pos), new Follow(c.hunt(), sight, pos, false));
            });
  }

  /** What a player may see of a hunt's positions: only while in a hunt that shows players. */
  private static HuntFollow.Sight playerSight(Hunt.View view) {
    return view.showPlayers() ? HuntFollow.Sight.WHILE_PRESENT : HuntFollow.Sight.NONE;
  }

  private static Reply failed(ClientFrame.Command c, Problem p) {
    return new Reply(Frames.problem(c.id(), p), null);
  }

  // ---------------------------------------------------------------- for HuntFollow

  /**
   * The first {@code max} events after {@code after} in {@code epoch} if the hunt's window holds
   * every event after it ({@code complete}), and the hunt's head either way.
   */
  CompletionStage<Hunt.StreamReply> streamSince(String hunt, String epoch, long after, int max) {
    return ask(
        hunt(hunt), (ActorRef<Hunt.StreamReply> r) -> new Hunt.StreamSince(epoch, after, max, r));
  }

  /** Whether the player is in the hunt now, with the stream head it is true at. */
  CompletionStage<Hunt.Presence> presence(String hunt, String playerId) {
    return ask(hunt(hunt), (ActorRef<Hunt.Presence> r) -> new Hunt.GetPresence(playerId, r));
  }

  /**
   * The hunt's view and the player's progress in it ({@code playerId} null, for the organiser or a
   * spectator: no progress, and no Player entity is asked).
   */
  CompletionStage<Snapshot> snapshot(String hunt, String playerId) {
    CompletionStage<Hunt.ViewReply> view = ask(hunt(hunt), Hunt.GetView::new);
    CompletionStage<Player.Profile> profile =
        playerId == null
            ? CompletableFuture.completedFuture(new Player.Profile(null, null, 0, Map.of()))
            : ask(player(playerId), Player.GetProfile::new);
    return view.thenCombine(
        profile,
        (v, p) ->
            new Snapshot(
                v.view(), p.hunts().get(hunt), v.problem() == null ? null : v.problem().message()));
  }

  /**
   * Asks the entity behind {@code ref}, as {@code EntityRef.ask} does (its temporary reply-to ref,
   * its timeout), but completes the answer on the thread that delivers the reply instead of handing
   * it to the common pool first: the Java {@code ask} wraps a Scala future whose callbacks all run
   * asynchronously, which cost every command a thread hand-off between the entity's reply and the
   * session's {@code pipeToSelf} (about 0.2 ms of an idle location ack, BENCHMARKS.md issue 13,
   * "Where the idle location ack's time goes"). What runs on the delivering thread is only the
   * rendering of the answer and the tell to the session.
   */
  @SuppressWarnings("unchecked")
  private <M, R> CompletionStage<R> ask(EntityRef<M> ref, Function<ActorRef<R>, M> message) {
    CompletableFuture<R> answer = new CompletableFuture<>();
    completeWith(
        ((akka.cluster.sharding.typed.scaladsl.EntityRef<M>) ref)
            .<R>ask(r -> message.apply(r), Timeout.create(timeout)),
        answer);
    return answer;
  }

  /**
   * {@link #ask} for an entity's own ref: Akka's ask (its temporary reply-to ref, its timeout),
   * completing {@code answer} on the thread that delivers the reply.
   */
  private <M, R> void askRef(
      ActorRef<M> ref, Function<ActorRef<R>, M> message, CompletableFuture<R> answer) {
    completeWith(
        new akka.actor.typed.scaladsl.AskPattern.Askable<M>(ref)
            .<R>ask(r -> message.apply(r), Timeout.create(timeout), scheduler),
        answer);
  }

  /** Completes {@code answer} with {@code asked} on the thread that completes {@code asked}. */
  private static <R> void completeWith(
      scala.concurrent.Future<R> asked, CompletableFuture<R> answer) {
    asked.onComplete(
        result ->
            result.isSuccess()
                ? answer.complete(result.get())
                : answer.completeExceptionally(result.failed().get()),
        ExecutionContexts$.MODULE$.parasitic());
  }

  /**
   * The player's entity ref: a connection speaks for one player, so its ref is made once and kept
   * (a ref is a value object: cheap to keep, but one allocation of several objects per command when
   * made anew, BENCHMARKS.md issue 13, "session 10").
   */
  private EntityRef<Player.Command> player(String playerId) {
    EntityRef<Player.Command> ref = playerRef;
    if (ref == null || !ref.getEntityId().equals(playerId)) {
      ref = sharding.entityRefFor(Player.ENTITY_KEY, playerId);
      playerRef = ref;
    }
    return ref;
  }

  /** The last player's ref; only the session's thread calls {@link #player}. */
  private EntityRef<Player.Command> playerRef;

  private EntityRef<Hunt.Command> hunt(String id) {
    return sharding.entityRefFor(Hunt.ENTITY_KEY, id);
  }
}
