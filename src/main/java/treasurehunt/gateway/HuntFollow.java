package treasurehunt.gateway;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Player;
import treasurehunt.entities.Problem;

/**
 * One connection following one hunt's numbered stream, delivered gap-free and in order (PROTOCOL.md
 * §2, docs/protocol.md §6).
 *
 * <p>The follow knows the next {@code seq} it owes the client. A live event with that seq goes out
 * at once; an older one is a duplicate and is dropped; a newer one means something was missed (a
 * resume, a join racing the subscription, a lost message), so it is held while the missing range is
 * filled from the hunt's window, or from the journal, or — when neither can serve it — replaced by
 * a {@code snapshot} with {@code reset: true}. Nothing is ever skipped silently. At most {@code
 * maxHeld} events are held; past that the follow resets.
 *
 * <p><b>A fill costs what it delivers.</b> A connection runs one fill at a time: a follow that
 * needs one asks for the connection's fill slot ({@link Io#requestFill}) and gets it with {@link
 * #fillGranted} (a resume is started only once the slot is free, see {@link HuntFollows}). It then
 * fetches a page at a time: the next page only once the previous one has been sent, and a page is
 * sent only while the connection's outbound buffer has room ({@link Io#room}; the session calls
 * {@link #pump} again when the client has read). So a client that resumes far behind gets every
 * event at the pace it reads, and a client that does not read holds one page, not the hunt's
 * history. The slot is given back ({@link Io#fillDone}) when the follow has caught up, reset, or
 * failed.
 *
 * <p>Position batches are let through here, batch by batch, by who may see them ({@link Sight},
 * docs/privacy.md): the organiser and spectators of the hunt always; a player only while the hunt
 * shows players and the player is in it. Whether the player is in it is known at a position of the
 * stream (the join ack's, or the answer of {@link Io#fetchPresence}) and kept up to date by the
 * player's own {@code player_joined} and {@code player_left} events as the follow delivers them, in
 * order, whichever connection joined or left. Until it is known, no positions.
 *
 * <p>No actor and no socket: the follow tells its session what to send and what to fetch through
 * {@link Io}, and the session hands back the answers ({@link #filled}, {@link #reset}, …) on its
 * own thread. {@code HuntFollowTest} drives it directly.
 */
final class HuntFollow {

  /** Who may see the hunt's positions on this follow (docs/privacy.md). */
  enum Sight {
    /** No one: a player of a hunt that does not show players. */
    NONE,
    /** A player of a hunt that shows players: while the player is in the hunt. */
    WHILE_PRESENT,
    /** The organiser, or a spectator invited to this hunt. */
    ALL
  }

  /**
   * What a follow needs from its session (declared in {@link FollowIo}, to keep this file short).
   */
  interface Io extends FollowIo {}

  private final String hunt;
  private final Io io;
  private final int maxHeld;
  private final long retryAfterMs;

  /** The player this connection speaks for; null for the organiser or a spectator. */
  private final String player;

  private Sight sight = Sight.NONE;

  /** Subscribed to the feed's position batches (only ever turned on). */
  private boolean subscribedPositions;

  /**
   * Whether {@link #player} is in the hunt (null: not known), as of {@link #presentEpoch} and
   * {@link #presentSeq}: an answer or event about an earlier position does not change it.
   */
  private Boolean present;

  private String presentEpoch;
  private long presentSeq = -1;
  private boolean askingPresence;

  private String epoch;

  /** The seq the client gets next. */
  private long next;

  private FollowFill fill = FollowFill.IDLE;

  /** This follow holds the connection's fill slot. */
  private boolean slot;

  /** The page being sent. */
  private final ArrayDeque<Hunt.StreamEntry> page = new ArrayDeque<>();

  /** The page being sent is not the last of the fill. */
  private boolean more;

  /** The resume this fill answers, until its ack (or snapshot, or error) is sent. */
  private String resumeRe;

  /** Live events waiting for a fill (or a reset) to finish. */
  private final TreeMap<Long, HuntFeeds.Live> held = new TreeMap<>();

  /** 1.1: what goes out folded into presence frames ({@link Presence.Fold#NONE}: a v1 client). */
  private final Presence.Fold fold;

  HuntFollow(String hunt, String player, Io io, int maxHeld, long retryAfterMs) {
    this(hunt, player, io, maxHeld, retryAfterMs, Presence.Fold.NONE);
  }

  HuntFollow(
      String hunt, String player, Io io, int maxHeld, long retryAfterMs, Presence.Fold fold) {
    this.hunt = hunt;
    this.player = player;
    this.io = io;
    this.maxHeld = maxHeld;
    this.retryAfterMs = retryAfterMs;
    this.fold = fold;
  }

  Sight sight() {
    return sight;
  }

  /** Whether the next position batch would go to the client. */
  boolean showsPositions() {
    return sight == Sight.ALL || (sight == Sight.WHILE_PRESENT && Boolean.TRUE.equals(present));
  }

  /** A page was asked for and not answered yet. */
  boolean fetching() {
    return fill == FollowFill.FETCHING;
  }

  // ---------------------------------------------------------------- starting

  /**
   * A join or watch was answered at {@code from}: follow on from there (or from where this follow
   * already is, when that is later in the same epoch), and fetch what was published since the
   * entity answered, so nothing between the answer and the subscription is skipped. {@code joined}:
   * the answer was a join's, so the player is in the hunt as of {@code from}.
   */
  void start(Hunt.StreamPos from, Sight sight, boolean joined) {
    if (epoch == null || !epoch.equals(from.epoch()) || next <= from.seq()) {
      epoch = from.epoch();
      next = from.seq() + 1;
    }
    this.sight = sight;
    if (joined) learnPresence(true, from.epoch(), from.seq());
    io.subscribe(hunt, subscribedPositions |= sight != Sight.NONE);
    askPresenceIfUnknown();
    needFill();
  }

  /**
   * A {@code resume}, started by the session when the connection's fill slot is free (it is this
   * follow's from now on): the client holds everything up to {@code seq} of {@code resumeEpoch}.
   * The answer to {@code re} (an ack followed by the missed events, or a snapshot) comes from the
   * fill. {@code sight}: as for a watch; {@code showsPlayers} null when the node does not know
   * whether the hunt shows players (a player then gets positions only once {@link #presence} says
   * so).
   */
  void resume(String resumeEpoch, long seq, Sight sight, Boolean showsPlayers, String re) {
    this.sight = sight;
    epoch = resumeEpoch;
    next = seq + 1;
    held.clear();
    heldRuns.clear();
    page.clear();
    slot = true;
    resumeRe = re;
    boolean positions = sight == Sight.ALL || (sight != Sight.NONE && showsPlayers != null);
    io.subscribe(hunt, subscribedPositions |= positions);
    askPresenceIfUnknown();
    fetch();
  }

  // ---------------------------------------------------------------- presence (who sees positions)

  /** The hunt's answer: whether the player is in it as of {@code at}. */
  void presence(boolean isPresent, boolean showPlayers, Hunt.StreamPos at) {
    askingPresence = false;
    if (sight != Sight.WHILE_PRESENT) return;
    if (!showPlayers) {
      sight = Sight.NONE;
      return;
    }
    if (!subscribedPositions) io.subscribe(hunt, subscribedPositions = true);
    learnPresence(isPresent, at.epoch(), at.seq());
    askPresenceIfUnknown(); // the answer was older than a reset: ask again
  }

  /** The hunt did not answer: no positions meanwhile; asked again at the feed's next head. */
  void presenceFailed() {
    askingPresence = false;
  }

  private void askPresenceIfUnknown() {
    if (sight == Sight.WHILE_PRESENT && present == null && !askingPresence && player != null) {
      askingPresence = true;
      io.fetchPresence(hunt);
    }
  }

  /** What {@code isPresent} says at (e, seq), unless the follow knows of a later position. */
  private void learnPresence(boolean isPresent, String e, long seq) {
    if (e.equals(presentEpoch) && seq < presentSeq) return;
    present = isPresent;
    presentEpoch = e;
    presentSeq = seq;
  }

  /** An event delivered to the client: the player's own joins and leaves change its presence. */
  private void delivered(String e, long seq, String kind, String playerId) {
    if (player == null || !player.equals(playerId)) return;
    if ("player_joined".equals(kind)) learnPresence(true, e, seq);
    else if ("player_left".equals(kind)) learnPresence(false, e, seq);
  }

  // ---------------------------------------------------------------- from the feed

  void live(HuntFeeds.Live e) {
    if (!e.epoch().equals(epoch) || e.seq() < next) return; // another epoch, or a duplicate
    if (fill != FollowFill.IDLE || e.seq() > next) {
      held.put(e.seq(), e);
      if (held.size() > maxHeld) startReset();
      else needFill();
      return;
    }
    send(e);
  }

  private void send(HuntFeeds.Live e) {
    io.send(e.frame());
    delivered(e.epoch(), e.seq(), e.kind(), e.playerId());
    next++;
  }

  /**
   * 1.1: a run of joins and leaves (and finds), folded once by the feed, goes out whole when it
   * starts at the next seq while nothing is being filled (the part after it, folded here, when it
   * starts before); a run already sent is dropped; after a gap or during a fill it is fetched: the
   * fill folds it.
   */
  void presence(HuntFeeds.PresenceRun p) {
    Presence.Run r = p.run();
    if (!r.epoch().equals(epoch) || r.seq() < next) return;
    if (fill == FollowFill.IDLE && r.from() <= next) sendRun(r);
    else { // held like a live event: a fetch would cost the hunt a read per follower
      heldRuns.put(r.from(), r);
      if (held.size() + heldRuns.size() > maxHeld) startReset();
      else needFill();
    }
  }

  /** Runs waiting for a fill (or a reset) to finish, by their first seq. */
  private final TreeMap<Long, Presence.Run> heldRuns = new TreeMap<>();

  /** The part of {@code r} from the next seq on (a new follower's position may be inside it). */
  private void sendRun(Presence.Run r) {
    Presence.Run mine = r.from(next, fold.maxEntries());
    skipTo(mine.seq(), mine.frame(), mine.after());
  }

  /**
   * Version 1 above v1-max-players: a snapshot standing for joins and leaves this follow was not
   * sent. Applied while live; a fill under way serves those entries one by one.
   */
  void v1Reset(HuntFeeds.V1Reset r) {
    if (!r.epoch().equals(epoch) || r.seq() < next) return;
    if (fill == FollowFill.IDLE) skipTo(r.seq(), r.frame(), r.after());
    else missed(r.seq());
  }

  /** Entries up to seq were not sent: fetched now, or after the fill under way (see end()). */
  private void missed(long seq) {
    missedUpTo = Math.max(missedUpTo, seq);
    needFill();
  }

  private long missedUpTo = -1;

  /** Sends one frame standing for the entries up to {@code seq}, each player's presence after. */
  private void skipTo(long seq, ServerFrame frame, Map<String, Boolean> after) {
    io.send(frame);
    Boolean in = player == null ? null : after.get(player);
    if (in != null) learnPresence(in, epoch, seq);
    next = seq + 1;
  }

  /**
   * The feed's check of the stream head: fetch when the head is past what the client has; ask again
   * whether the player is in the hunt if the last ask failed.
   */
  void head(HuntFeeds.Head h) {
    if (epoch != null && (h.seq() >= next || !h.epoch().equals(epoch))) needFill();
    askPresenceIfUnknown();
  }

  /** A batch of positions: to the client only if it may see them now (docs/privacy.md). */
  void positions(HuntFeeds.Positions p) {
    if (showsPositions()) io.send(p.frame());
  }

  // ---------------------------------------------------------------- filling what was missed

  /** Something is missing: ask for the connection's fill slot (once). */
  private void needFill() {
    if (fill != FollowFill.IDLE) return;
    fill = FollowFill.WAITING;
    io.requestFill(hunt);
  }

  /** The connection's fill slot is this follow's; false when it no longer needs it. */
  boolean fillGranted() {
    if (fill != FollowFill.WAITING) return false;
    slot = true;
    fetch();
    return true;
  }

  /** Fetches the page after {@code next - 1}: window, then journal, else a snapshot reset. */
  private void fetch() {
    fill = FollowFill.FETCHING;
    io.fetchEvents(hunt, epoch, next - 1);
  }

  /**
   * A fetched page; {@code entries} null when neither the window nor the journal can serve them
   * (the follow resets), {@code more} when the fill goes on after it. The resume this fill answers,
   * if any, is acknowledged before the events.
   */
  void filled(List<Hunt.StreamEntry> entries, boolean more) {
    if (fill != FollowFill.FETCHING) return; // a reset overtook it
    if (entries == null) {
      startReset();
      return;
    }
    if (resumeRe != null) {
      io.send(ServerFrame.of(Frames.resumed(resumeRe, position())));
      resumeRe = null;
    }
    page.addAll(entries);
    this.more = more;
    fill = FollowFill.SENDING;
    pump();
  }

  /** Sends the page while the client reads; then the next page, or the end of the fill. */
  void pump() {
    if (fill != FollowFill.SENDING) return;
    while (!page.isEmpty()) {
      if (!io.room()) return; // called again when the client has read
      Hunt.StreamEntry e = page.pollFirst();
      if (e.seq() == next && fold.folds(e)) {
        Presence.Run r = Presence.fold(fold.takeRun(e, page), fold.maxEntries());
        skipTo(r.seq(), r.frame(), r.after());
      } else if (e.seq() == next) {
        io.send(ServerFrame.of(Frames.event(e)));
        delivered(e.epoch(), e.seq(), e.event().kind(), e.event().playerId());
        next++;
      }
    }
    if (more) fetch();
    else drainHeld();
  }

  /**
   * The fetch failed (a timeout, or the node's journal reads at their cap: {@code overloaded}). A
   * resume is answered with the error and not followed; otherwise an overloaded fill resets, a
   * timed-out one waits for the next chance (the next live event or head check).
   */
  void fillFailed(boolean overloaded) {
    if (fill != FollowFill.FETCHING) return;
    if (resumeRe != null) {
      String re = resumeRe;
      resumeRe = null;
      unfollow();
      io.send(
          ServerFrame.of(
              overloaded
                  ? Frames.error(
                      re,
                      "overloaded",
                      "this node reads the journal for as many resumes as it can; retry",
                      retryAfterMs)
                  : Frames.error(
                      re,
                      Problem.UNAVAILABLE,
                      "the hunt did not answer in time; retry",
                      retryAfterMs)));
    } else if (overloaded) startReset();
    else end();
  }

  /** Sends held live events that are next in line; fills again if a gap remains. */
  private void drainHeld() {
    while (true) {
      if (!held.isEmpty() && held.firstKey() <= next) {
        HuntFeeds.Live e = held.pollFirstEntry().getValue();
        if (e.seq() == next) send(e);
      } else if (!heldRuns.isEmpty() && heldRuns.firstKey() <= next) {
        Presence.Run r = heldRuns.pollFirstEntry().getValue();
        if (r.seq() >= next) sendRun(r);
      } else break;
    }
    if (held.isEmpty() && heldRuns.isEmpty()) end();
    else if (slot) fetch();
    else {
      end();
      needFill();
    }
  }

  /** The fill is over: live again, and the slot goes back. */
  private void end() {
    fill = FollowFill.IDLE;
    page.clear();
    more = false;
    if (slot) {
      slot = false;
      io.fillDone(hunt);
    }
    if (missedUpTo >= next) needFill();
  }

  /** The follow stops (unfollowed): gives the slot back if it held it. */
  void stop() {
    held.clear();
    heldRuns.clear();
    missedUpTo = -1;
    end();
  }

  /**
   * Ends this follow. The session forgets it first and then gets the slot back (a resume waiting
   * for this hunt starts on a new follow, not on this one).
   */
  private void unfollow() {
    fill = FollowFill.IDLE;
    io.unfollow(hunt);
    stop();
  }

  // ---------------------------------------------------------------- reset

  /**
   * The missing events can no longer be served: send the current state with {@code reset} (the
   * answer to the resume under way, if any).
   */
  private void startReset() {
    fill = FollowFill.RESETTING;
    held.clear();
    heldRuns.clear();
    page.clear();
    more = false;
    String re = resumeRe;
    resumeRe = null;
    io.fetchSnapshot(hunt, re);
  }

  /**
   * The hunt's current state: a snapshot, then the stream goes on from its head. The events skipped
   * may have been the player's own join or leave: no positions until the hunt says again.
   */
  void reset(String resumeRe, Hunt.View view, Player.Progress you) {
    if (fill != FollowFill.RESETTING) return;
    io.send(ServerFrame.of(Frames.snapshot(resumeRe, view, you)));
    epoch = view.stream().epoch();
    next = view.stream().seq() + 1;
    present = null; // and what is learnt of an earlier position is out of date
    presentEpoch = epoch;
    presentSeq = next - 1;
    askPresenceIfUnknown();
    drainHeld();
  }

  /**
   * No snapshot either: the follow ends with an error; {@code retryAfterMs} only where retrying
   * makes sense (PROTOCOL.md §3), not for a hunt that does not exist.
   */
  void resetFailed(String resumeRe, String failure) {
    unfollow();
    boolean missing = failure != null && failure.contains("no hunt");
    io.send(
        ServerFrame.of(
            Frames.error(
                resumeRe,
                missing ? Problem.NOT_FOUND : Problem.UNAVAILABLE,
                "cannot resume " + hunt + ": " + failure,
                missing ? null : retryAfterMs)));
  }

  /** The last seq the client has. */
  private Hunt.StreamPos position() {
    return new Hunt.StreamPos(epoch, next - 1);
  }
}
