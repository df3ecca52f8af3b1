package treasurehunt.gateway;

import java.util.List;
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
 * fetched from the hunt's window, or from the journal, or — when neither can serve it — replaced by
 * a {@code snapshot} with {@code reset: true}. Nothing is ever skipped silently. At most {@code
 * maxHeld} events are held; past that the follow resets.
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

  /** What a follow needs from its session. */
  interface Io {
    /** Sends one frame (JSON text) to the client. */
    void send(String json);

    /** Subscribes the connection to the hunt's feed on this node (again: only updates it). */
    void subscribe(String hunt, boolean positions);

    /**
     * Fetches the events after {@code after} in {@code epoch} (the hunt's window, then the
     * journal), then calls {@link #filled} or {@link #fillFailed} with {@code resumeRe}.
     */
    void fetchEvents(String hunt, String epoch, long after, String resumeRe);

    /**
     * Fetches the hunt's view and the player's progress, then calls {@link #reset} or {@link
     * #resetFailed} with {@code resumeRe}.
     */
    void fetchSnapshot(String hunt, String resumeRe);

    /** Ends this follow: the session forgets it and unsubscribes. */
    void unfollow(String hunt);

    /**
     * Asks the hunt whether this connection's player is in it, then calls {@link #presence} or
     * {@link #presenceFailed}.
     */
    void fetchPresence(String hunt);
  }

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

  /** A fetch (or a reset) is under way: live events wait in {@link #held}. */
  private boolean filling;

  private final TreeMap<Long, HuntFeeds.Live> held = new TreeMap<>();

  HuntFollow(String hunt, String player, Io io, int maxHeld, long retryAfterMs) {
    this.hunt = hunt;
    this.player = player;
    this.io = io;
    this.maxHeld = maxHeld;
    this.retryAfterMs = retryAfterMs;
  }

  Sight sight() {
    return sight;
  }

  /** Whether the next position batch would go to the client. */
  boolean showsPositions() {
    return sight == Sight.ALL || (sight == Sight.WHILE_PRESENT && Boolean.TRUE.equals(present));
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
    fill(null);
  }

  /**
   * A {@code resume}: the client holds everything up to {@code seq} of {@code resumeEpoch}. The
   * answer to {@code re} (an ack followed by the missed events, or a snapshot) comes from the fill.
   * {@code sight}: as for a watch; {@code showsPlayers} null when the node does not know whether
   * the hunt shows players (a player then gets positions only once {@link #presence} says so).
   */
  void resume(String resumeEpoch, long seq, Sight sight, Boolean showsPlayers, String re) {
    this.sight = sight;
    epoch = resumeEpoch;
    next = seq + 1;
    held.clear();
    boolean positions = sight == Sight.ALL || (sight != Sight.NONE && showsPlayers != null);
    io.subscribe(hunt, subscribedPositions |= positions);
    askPresenceIfUnknown();
    fill(re);
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
    if (filling || e.seq() > next) {
      held.put(e.seq(), e);
      if (held.size() > maxHeld) startReset(null);
      else if (!filling) fill(null);
      return;
    }
    send(e);
  }

  private void send(HuntFeeds.Live e) {
    io.send(e.json());
    delivered(e.epoch(), e.seq(), e.kind(), e.playerId());
    next++;
  }

  /**
   * The feed's check of the stream head: fetch when the head is past what the client has; ask again
   * whether the player is in the hunt if the last ask failed.
   */
  void head(HuntFeeds.Head h) {
    if (epoch != null && !filling && (h.seq() >= next || !h.epoch().equals(epoch))) fill(null);
    askPresenceIfUnknown();
  }

  /** A batch of positions: to the client only if it may see them now (docs/privacy.md). */
  void positions(HuntFeeds.Positions p) {
    if (showsPositions()) io.send(p.json());
  }

  // ---------------------------------------------------------------- fetching what was missed

  /** Fetches the events after {@code next - 1}: window, then journal, else a snapshot reset. */
  private void fill(String resumeRe) {
    filling = true;
    io.fetchEvents(hunt, epoch, next - 1, resumeRe);
  }

  /**
   * The fetched events; {@code null} when neither the window nor the journal can serve them (the
   * follow resets). Answers the resume {@code resumeRe}, if any, before the events.
   */
  void filled(String resumeRe, List<Hunt.StreamEntry> entries) {
    if (entries == null) {
      startReset(resumeRe);
      return;
    }
    if (resumeRe != null) io.send(Frames.write(Frames.resumed(resumeRe, position())));
    for (Hunt.StreamEntry e : entries) {
      if (e.seq() == next) {
        io.send(Frames.event(e));
        delivered(e.epoch(), e.seq(), e.event().kind(), e.event().playerId());
        next++;
      }
    }
    drainHeld();
  }

  /** The fetch failed (a timeout): a resume is answered {@code unavailable} and not followed. */
  void fillFailed(String resumeRe) {
    filling = false;
    if (resumeRe != null) {
      io.unfollow(hunt);
      io.send(
          Frames.write(
              Frames.error(
                  resumeRe,
                  Problem.UNAVAILABLE,
                  "the hunt did not answer in time; retry",
                  retryAfterMs)));
    }
  }

  /** Sends held live events that are next in line; fetches again if a gap remains. */
  private void drainHeld() {
    while (!held.isEmpty() && held.firstKey() <= next) {
      HuntFeeds.Live e = held.pollFirstEntry().getValue();
      if (e.seq() == next) send(e);
    }
    if (held.isEmpty()) filling = false;
    else fill(null);
  }

  // ---------------------------------------------------------------- reset

  /** The missing events can no longer be served: send the current state with {@code reset}. */
  private void startReset(String resumeRe) {
    filling = true;
    held.clear();
    io.fetchSnapshot(hunt, resumeRe);
  }

  /**
   * The hunt's current state: a snapshot, then the stream goes on from its head. The events skipped
   * may have been the player's own join or leave: no positions until the hunt says again.
   */
  void reset(String resumeRe, Hunt.View view, Player.Progress you) {
    io.send(Frames.write(Frames.snapshot(resumeRe, view, you)));
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
    io.unfollow(hunt);
    boolean missing = failure != null && failure.contains("no hunt");
    io.send(
        Frames.write(
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
