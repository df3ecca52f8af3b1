package treasurehunt.gateway;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntCatalog;
import treasurehunt.entities.Player;
import treasurehunt.entities.Problem;
import treasurehunt.game.PositionGrid;
import treasurehunt.metrics.Metrics;

/**
 * The hunts one connection follows, at most {@code max-follows}, each a {@link HuntFollow}: this
 * class subscribes them to the node's {@link HuntFeeds}, hands them the feed's deliveries, and runs
 * their fetches with the session's actor, whose thread it lives on.
 *
 * <p><b>One fill at a time.</b> The connection has one fill slot. Follows that miss events and
 * resumes wait for it in arrival order; a resume is applied to its follow only when the slot is
 * free, so a client sending {@code resume} in a loop gets one read at a time, each answered in
 * turn. At most {@code max-follows} resumes wait; past that a resume is answered {@code
 * overloaded}. A fill's pages come from the node's feed of the hunt when it holds them ({@link
 * HuntFeeds#held}), else from the hunt's window ({@code fill-page} entries per ask) or, further
 * back, from one {@link JournalStream.Read} (one of the node's {@code max-journal-reads}; past the
 * cap the resume is answered {@code overloaded}, a gap is reset with a snapshot).
 */
final class HuntFollows {

  /** A page of the hunt's window for the follow holding the slot ({@code reply} null: failed). */
  record Fetched(String hunt, String epoch, long after, Hunt.StreamReply reply, Throwable failure)
      implements Session.Msg {}

  /** A page of the journal read ({@code page} null: failed). */
  record Paged(String hunt, JournalStream.Read read, JournalStream.Page page, Throwable failure)
      implements Session.Msg {}

  /** A snapshot fetched for a follow's reset ({@code view} null: none, see {@code failure}). */
  record Snapshotted(
      String hunt, String resumeRe, Hunt.View view, Player.Progress you, String failure)
      implements Session.Msg {}

  /** The hunt's answer to whether the player is in it ({@code presence} null: no answer). */
  record Presenced(String hunt, Hunt.Presence presence) implements Session.Msg {}

  private final ActorContext<Session.Msg> ctx;
  private final ActorRef<HuntFeeds.Delivery> subscriber;
  private final HuntFeeds feeds;
  private final EntityAsks entities;
  private final JournalStream journal;
  private final HuntCatalog catalog;
  private final WsSettings settings;
  private final Consumer<ServerFrame> send;
  private final BooleanSupplier room;

  /** The player the connection speaks for; null for the organiser or a spectator. */
  private final Supplier<String> playerId;

  /** The version the connection speaks (fixed once it is welcomed, before it follows a hunt). */
  private final Supplier<Protocol> protocol;

  private final Presence.Settings presence;

  private final Map<String, HuntFollow> follows = new HashMap<>();

  /** The viewports of followed hunts (protocol 1.1, docs/protocol.md §7.1). */
  private final Map<String, Viewport> viewports = new HashMap<>();

  private final HuntFollow.Io io = new Io();

  /** Resumes and follows waiting for the slot, in arrival order. */
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();

  private int resumesWaiting;

  /** The hunt whose follow holds the slot, or null. */
  private String filling;

  /** The journal read of the fill under way, if it reads the journal. */
  private JournalStream.Read read;

  /** The last seq {@link #read} delivered, where its next page goes on. */
  private long readAt;

  private record Gap(String hunt) {}

  HuntFollows(
      ActorContext<Session.Msg> ctx,
      HuntFeeds feeds,
      EntityAsks entities,
      JournalStream journal,
      HuntCatalog catalog,
      WsSettings settings,
      Consumer<ServerFrame> send,
      BooleanSupplier room,
      Supplier<String> playerId,
      Supplier<Protocol> protocol) {
    this.ctx = ctx;
    this.subscriber = ctx.getSelf().narrow();
    this.feeds = feeds;
    this.entities = entities;
    this.journal = journal;
    this.catalog = catalog;
    this.settings = settings;
    this.send = send;
    this.room = room;
    this.playerId = playerId;
    this.protocol = protocol;
    this.presence = Presence.Settings.from(ctx.getSystem().settings().config());
  }

  /**
   * After a join or watch was answered at {@code from} ({@code joined}: a join's answer); past the
   * cap, the client is told.
   */
  void follow(String hunt, HuntFollow.Sight sight, Hunt.StreamPos from, boolean joined) {
    if (!follows.containsKey(hunt) && follows.size() >= settings.maxFollows()) {
      send.accept(
          ServerFrame.of(
              Frames.error(
                  null,
                  Problem.BAD_REQUEST,
                  "this connection already follows "
                      + settings.maxFollows()
                      + " hunts; not streaming "
                      + hunt,
                  null)));
      return;
    }
    followOf(hunt).start(from, sight, joined);
  }

  /**
   * A resume (its hunt exists): served when the slot is free. False when it would pass the cap of
   * followed hunts (the session refuses the frame); answered {@code overloaded} when too many wait.
   */
  boolean resume(ClientFrame.Resume c) {
    if (!follows.containsKey(c.hunt()) && follows.size() >= settings.maxFollows()) return false;
    if (resumesWaiting >= settings.maxFollows()) {
      send.accept(
          ServerFrame.of(
              Frames.error(
                  c.id(),
                  "overloaded",
                  "this connection has " + resumesWaiting + " resumes waiting; retry",
                  settings.retryAfter().toMillis())));
      return true;
    }
    resumesWaiting++;
    waiting.add(c);
    next();
    return true;
  }

  void unfollow(String hunt) {
    viewports.remove(hunt);
    HuntFollow f = follows.remove(hunt);
    if (f == null) return;
    feeds.unsubscribe(hunt, subscriber);
    f.stop(); // gives the slot back if it held it
  }

  /** The session stopped: every feed forgets it, the journal read gives its place back. */
  void stop() {
    for (String hunt : follows.keySet()) feeds.unsubscribe(hunt, subscriber);
    closeRead();
  }

  void deliver(HuntFeeds.Delivery d) {
    HuntFollow f = follows.get(d.hunt());
    if (f == null) return;
    if (d instanceof HuntFeeds.Live e) f.live(e);
    else if (d instanceof HuntFeeds.Positions p) f.positions(p);
    else if (d instanceof HuntFeeds.Moves m) moves(f, m);
    else if (d instanceof HuntFeeds.Head h) f.head(h);
    else if (d instanceof HuntFeeds.PresenceRun p) f.presence(p);
    else if (d instanceof HuntFeeds.V1Reset r) f.v1Reset(r);
  }

  /**
   * A {@code view} frame (protocol 1.1): the answer to send. Only for a hunt this connection
   * follows, and only by a connection that may see its positions (docs/privacy.md): a viewport
   * narrows what it gets, never widens it.
   */
  ObjectNode view(ClientFrame.View v) {
    HuntFollow f = follows.get(v.hunt());
    if (f == null)
      return Frames.error(
          v.id(),
          Problem.BAD_REQUEST,
          "this connection does not follow hunt " + v.hunt() + "; join, watch or resume it first",
          null);
    if (f.sight() == HuntFollow.Sight.NONE)
      return Frames.error(
          v.id(),
          "forbidden",
          "the positions of hunt " + v.hunt() + " are not shown to this connection",
          null);
    PositionGrid.Box box = v.area();
    if (box == null) viewports.remove(v.hunt());
    else viewports.computeIfAbsent(v.hunt(), h -> new Viewport()).box = box;
    feeds.view(v.hunt(), subscriber, box, false);
    return Frames.ack(v.id());
  }

  /**
   * A viewport's frame, to the client only if it may see positions now (as {@link
   * HuntFollow#positions}). The feed thinks the client got every frame: after frames were held
   * back, the client's picture is out of date, so the follow asks for a full one and sends nothing
   * until it comes.
   */
  private void moves(HuntFollow f, HuntFeeds.Moves m) {
    Viewport v = viewports.get(m.hunt());
    if (v == null) return; // cleared: positions come back instead
    if (!f.showsPositions()) {
      v.hidden = true;
      return;
    }
    if (v.hidden) {
      v.hidden = false;
      v.awaitingFull = true;
      feeds.view(m.hunt(), subscriber, v.box, true);
    }
    if (v.awaitingFull && !m.full()) return;
    v.awaitingFull = false;
    send.accept(m.frame());
  }

  /** A viewport as this connection set it, and whether its client's picture is out of date. */
  private static final class Viewport {
    PositionGrid.Box box;
    boolean hidden;
    boolean awaitingFull;
  }

  /** The client has read: the fill under way sends on. */
  void drained() {
    HuntFollow f = filling == null ? null : follows.get(filling);
    if (f != null) f.pump();
  }

  // ---------------------------------------------------------------- the slot

  /** Starts the next waiting resume or fill when the slot is free. */
  private void next() {
    while (filling == null && !waiting.isEmpty()) {
      Object w = waiting.poll();
      if (w instanceof ClientFrame.Resume c) {
        resumesWaiting--;
        if (!follows.containsKey(c.hunt()) && follows.size() >= settings.maxFollows()) {
          send.accept(
              ServerFrame.of(
                  Frames.error(
                      c.id(),
                      Problem.BAD_REQUEST,
                      "this connection already follows " + settings.maxFollows() + " hunts",
                      null)));
          continue;
        }
        // A resume restores the numbered stream, and the positions to whoever may see them
        // (docs/privacy.md): the organiser or a spectator of the hunt; a player of a hunt that
        // shows players once the hunt confirms the player is in it.
        HuntFollow existing = follows.get(c.hunt());
        Boolean shows = showsPlayers(c.hunt());
        HuntFollow.Sight sight =
            playerId.get() == null
                ? HuntFollow.Sight.ALL
                : existing != null
                    ? existing.sight()
                    : Boolean.FALSE.equals(shows)
                        ? HuntFollow.Sight.NONE
                        : HuntFollow.Sight.WHILE_PRESENT;
        filling = c.hunt();
        followOf(c.hunt()).resume(c.epoch(), c.seq(), sight, shows, c.id());
      } else if (w instanceof Gap g) {
        HuntFollow f = follows.get(g.hunt());
        if (f == null) continue;
        filling = g.hunt();
        if (!f.fillGranted()) filling = null;
      }
    }
  }

  private void fillDone(String hunt) {
    if (!hunt.equals(filling)) return;
    filling = null;
    closeRead();
    next();
  }

  private void closeRead() {
    if (read != null) read.cancel();
    read = null;
  }

  // ---------------------------------------------------------------- pages

  private void fetchEvents(String hunt, String epoch, long after) {
    if (!hunt.equals(filling)) return;
    if (read != null && after == readAt) {
      pull(hunt);
      return;
    }
    closeRead();
    int max = settings.fillPage();
    Metrics metrics = Metrics.get(ctx.getSystem());
    ctx.pipeToSelf(
        feeds
            .held(hunt, epoch, after, max)
            .thenCompose(
                held -> {
                  metrics.fill(held != null);
                  return held != null
                      ? CompletableFuture.completedFuture(held)
                      : entities.streamSince(hunt, epoch, after, max);
                }),
        (reply, failure) -> new Fetched(hunt, epoch, after, reply, failure));
  }

  /** A page of the window, or the start of a journal read when the window cannot serve. */
  void fetched(Fetched r) {
    HuntFollow f = follows.get(r.hunt());
    if (f == null || !r.hunt().equals(filling) || !f.fetching()) return;
    if (r.failure() != null || Problem.OVERLOADED.equals(problemCode(r.reply()))) {
      f.fillFailed(false); // as a timeout: asked again (an overloaded hunt, DroppedCommands)
      return;
    }
    Hunt.StreamReply reply = r.reply();
    if (reply.complete()) {
      List<Hunt.StreamEntry> entries = reply.entries();
      boolean more = !entries.isEmpty() && entries.get(entries.size() - 1).seq() < reply.seq();
      f.filled(entries, more);
      return;
    }
    if (reply.problem() != null || !r.epoch().equals(reply.epoch()) || r.after() > reply.seq()) {
      f.filled(null, false); // another epoch, or ahead of the hunt: a snapshot
      return;
    }
    read = journal.open(r.hunt(), r.epoch(), r.after(), reply.seq());
    if (read == null) {
      f.fillFailed(true); // the node's journal reads are at their cap
      return;
    }
    readAt = r.after();
    pull(r.hunt());
  }

  private void pull(String hunt) {
    JournalStream.Read current = read;
    ctx.pipeToSelf(current.next(), (page, failure) -> new Paged(hunt, current, page, failure));
  }

  /**
   * A page of the journal read. Its last (empty) page ends the read; the fill then asks the window
   * again for what came after the read's head. A read that cannot serve, times out or fails resets
   * the follow (a snapshot); a first page that failed for another reason answers a resume {@code
   * unavailable}.
   */
  void paged(Paged p) {
    HuntFollow f = follows.get(p.hunt());
    if (p.read() != read || f == null || !p.hunt().equals(filling)) return;
    if (!f.fetching()) { // a reset overtook the fill
      closeRead();
      return;
    }
    if (p.failure() != null) {
      closeRead();
      Throwable cause =
          p.failure() instanceof CompletionException c && c.getCause() != null
              ? c.getCause()
              : p.failure();
      if (cause instanceof JournalStream.CannotServe) f.filled(null, false);
      else f.fillFailed(false);
      return;
    }
    List<Hunt.StreamEntry> entries = p.page().entries();
    if (p.page().last()) closeRead();
    else if (!entries.isEmpty()) readAt = entries.get(entries.size() - 1).seq();
    f.filled(entries, true);
  }

  void presenced(Presenced r) {
    HuntFollow f = follows.get(r.hunt());
    if (f == null) return;
    Hunt.Presence p = r.presence();
    if (p == null || p.problem() != null) f.presenceFailed();
    else f.presence(p.present(), p.showPlayers(), p.stream());
  }

  void snapshotted(Snapshotted r) {
    HuntFollow f = follows.get(r.hunt());
    if (f == null) return;
    if (r.view() == null) f.resetFailed(r.resumeRe(), r.failure());
    else f.reset(r.resumeRe(), r.view(), r.you());
  }

  private HuntFollow followOf(String hunt) {
    return follows.computeIfAbsent(
        hunt,
        h ->
            new HuntFollow(
                h,
                playerId.get(),
                io,
                settings.maxHeldEvents(),
                settings.retryAfter().toMillis(),
                protocol.get().atLeast(Protocol.V1_1) ? presence.fold() : Presence.Fold.NONE));
  }

  /** Whether the hunt shows players, as this node's catalog knows it; null: not known here. */
  private Boolean showsPlayers(String hunt) {
    HuntCatalog.Rules rules = catalog.get(hunt);
    return rules == null ? null : rules.definition().showPlayers();
  }

  /** What the follows ask of the session: the feeds, the slot, and fetches piped to its actor. */
  private final class Io implements HuntFollow.Io {
    @Override
    public void send(ServerFrame frame) {
      send.accept(frame);
    }

    @Override
    public boolean room() {
      return room.getAsBoolean();
    }

    @Override
    public void subscribe(String hunt, boolean positions) {
      feeds.subscribe(hunt, subscriber, positions, protocol.get());
    }

    @Override
    public void unfollow(String hunt) {
      HuntFollows.this.unfollow(hunt);
    }

    @Override
    public void requestFill(String hunt) {
      waiting.add(new Gap(hunt));
      next();
    }

    @Override
    public void fillDone(String hunt) {
      HuntFollows.this.fillDone(hunt);
    }

    @Override
    public void fetchEvents(String hunt, String epoch, long after) {
      HuntFollows.this.fetchEvents(hunt, epoch, after);
    }

    @Override
    public void fetchPresence(String hunt) {
      ctx.pipeToSelf(
          entities.presence(hunt, playerId.get()),
          (p, failure) -> new Presenced(hunt, failure == null ? p : null));
    }

    @Override
    public void fetchSnapshot(String hunt, String resumeRe) {
      ctx.pipeToSelf(
          entities.snapshot(hunt, playerId.get()),
          (s, failure) ->
              failure == null
                  ? new Snapshotted(hunt, resumeRe, s.view(), s.you(), s.failure())
                  : new Snapshotted(
                      hunt, resumeRe, null, null, String.valueOf(failure.getMessage())));
    }
  }

  private static String problemCode(Hunt.StreamReply reply) {
    return reply == null || reply.problem() == null ? null : reply.problem().code();
  }
}
