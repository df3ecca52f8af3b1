package treasurehunt.gateway;

import java.util.ArrayDeque;
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
 * <p>No actor and no socket: the follow tells its session what to send and what to fetch through
 * {@link Io}, and the session hands back the answers ({@link #filled}, {@link #reset}, …) on its
 * own thread. {@code HuntFollowTest} drives it directly.
 */
final class HuntFollow {

  /** What a follow needs from its session. */
  interface Io {
    /** Sends one frame (JSON text) to the client. */
    void send(String json);

    /**
     * Whether paced delivery may send now; when not, {@link #pump} is called once the client has
     * read.
     */
    boolean room();

    /** Subscribes the connection to the hunt's feed on this node (again: only updates it). */
    void subscribe(String hunt, boolean positions);

    /**
     * Asks for the connection's fill slot; {@link #fillGranted} is called when it is this one's.
     */
    void requestFill(String hunt);

    /**
     * Fetches the next page of events after {@code after} in {@code epoch} (the hunt's window, then
     * the journal), then calls {@link #filled} or {@link #fillFailed}.
     */
    void fetchEvents(String hunt, String epoch, long after);

    /**
     * Fetches the hunt's view and the player's progress, then calls {@link #reset} or {@link
     * #resetFailed} with {@code resumeRe}.
     */
    void fetchSnapshot(String hunt, String resumeRe);

    /** Ends this follow: the session forgets it and unsubscribes. */
    void unfollow(String hunt);

    /** This follow no longer needs the connection's fill slot. */
    void fillDone(String hunt);
  }

  private enum Fill {
    /** Live: events go out as they come. */
    IDLE,
    /** A fill is needed; waiting for the connection's slot. */
    WAITING,
    /** A page was asked for. */
    FETCHING,
    /** A page is being sent, at the client's pace. */
    SENDING,
    /** A snapshot was asked for. */
    RESETTING
  }

  private final String hunt;
  private final Io io;
  private final int maxHeld;
  private final long retryAfterMs;

  /** Also the position batches. */
  private boolean positions;

  private String epoch;

  /** The seq the client gets next. */
  private long next;

  private Fill fill = Fill.IDLE;

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

  HuntFollow(String hunt, Io io, int maxHeld, long retryAfterMs) {
    this.hunt = hunt;
    this.io = io;
    this.maxHeld = maxHeld;
    this.retryAfterMs = retryAfterMs;
  }

  boolean positions() {
    return positions;
  }

  /** A page was asked for and not answered yet. */
  boolean fetching() {
    return fill == Fill.FETCHING;
  }

  // ---------------------------------------------------------------- starting

  /**
   * A join or watch was answered at {@code from}: follow on from there (or from where this follow
   * already is, when that is later in the same epoch), and fetch what was published since the
   * entity answered, so nothing between the answer and the subscription is skipped.
   */
  void start(Hunt.StreamPos from, boolean withPositions) {
    positions = positions || withPositions;
    if (epoch == null || !epoch.equals(from.epoch()) || next <= from.seq()) {
      epoch = from.epoch();
      next = from.seq() + 1;
    }
    io.subscribe(hunt, positions);
    needFill();
  }

  /**
   * A {@code resume}, started by the session when the connection's fill slot is free (it is this
   * follow's from now on): the client holds everything up to {@code seq} of {@code resumeEpoch}.
   * The answer to {@code re} (an ack followed by the missed events, or a snapshot) comes from the
   * fill.
   */
  void resume(String resumeEpoch, long seq, boolean withPositions, String re) {
    positions = withPositions;
    epoch = resumeEpoch;
    next = seq + 1;
    held.clear();
    page.clear();
    slot = true;
    resumeRe = re;
    io.subscribe(hunt, positions);
    fetch();
  }

  // ---------------------------------------------------------------- from the feed

  void live(HuntFeeds.Live e) {
    if (!e.epoch().equals(epoch) || e.seq() < next) return; // another epoch, or a duplicate
    if (fill != Fill.IDLE || e.seq() > next) {
      held.put(e.seq(), e);
      if (held.size() > maxHeld) startReset();
      else needFill();
      return;
    }
    io.send(e.json());
    next++;
  }

  /** The feed's check of the stream head: fetch when the head is past what the client has. */
  void head(HuntFeeds.Head h) {
    if (epoch != null && (h.seq() >= next || !h.epoch().equals(epoch))) needFill();
  }

  void positions(HuntFeeds.Positions p) {
    if (positions) io.send(p.json());
  }

  // ---------------------------------------------------------------- filling what was missed

  /** Something is missing: ask for the connection's fill slot (once). */
  private void needFill() {
    if (fill != Fill.IDLE) return;
    fill = Fill.WAITING;
    io.requestFill(hunt);
  }

  /** The connection's fill slot is this follow's; false when it no longer needs it. */
  boolean fillGranted() {
    if (fill != Fill.WAITING) return false;
    slot = true;
    fetch();
    return true;
  }

  /** Fetches the page after {@code next - 1}: window, then journal, else a snapshot reset. */
  private void fetch() {
    fill = Fill.FETCHING;
    io.fetchEvents(hunt, epoch, next - 1);
  }

  /**
   * A fetched page; {@code entries} null when neither the window nor the journal can serve them
   * (the follow resets), {@code more} when the fill goes on after it. The resume this fill answers,
   * if any, is acknowledged before the events.
   */
  void filled(List<Hunt.StreamEntry> entries, boolean more) {
    if (fill != Fill.FETCHING) return; // a reset overtook it
    if (entries == null) {
      startReset();
      return;
    }
    if (resumeRe != null) {
      io.send(Frames.write(Frames.resumed(resumeRe, position())));
      resumeRe = null;
    }
    page.addAll(entries);
    this.more = more;
    fill = Fill.SENDING;
    pump();
  }

  /** Sends the page while the client reads; then the next page, or the end of the fill. */
  void pump() {
    if (fill != Fill.SENDING) return;
    while (!page.isEmpty()) {
      if (!io.room()) return; // called again when the client has read
      Hunt.StreamEntry e = page.pollFirst();
      if (e.seq() == next) {
        io.send(Frames.event(e));
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
    if (fill != Fill.FETCHING) return;
    if (resumeRe != null) {
      String re = resumeRe;
      resumeRe = null;
      unfollow();
      io.send(
          Frames.write(
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
    while (!held.isEmpty() && held.firstKey() <= next) {
      HuntFeeds.Live e = held.pollFirstEntry().getValue();
      if (e.seq() == next) {
        io.send(e.json());
        next++;
      }
    }
    if (held.isEmpty()) end();
    else if (slot) fetch();
    else {
      end();
      needFill();
    }
  }

  /** The fill is over: live again, and the slot goes back. */
  private void end() {
    fill = Fill.IDLE;
    page.clear();
    more = false;
    if (slot) {
      slot = false;
      io.fillDone(hunt);
    }
  }

  /** The follow stops (unfollowed): gives the slot back if it held it. */
  void stop() {
    held.clear();
    end();
  }

  /**
   * Ends this follow. The session forgets it first and then gets the slot back (a resume waiting
   * for this hunt starts on a new follow, not on this one).
   */
  private void unfollow() {
    fill = Fill.IDLE;
    io.unfollow(hunt);
    stop();
  }

  // ---------------------------------------------------------------- reset

  /**
   * The missing events can no longer be served: send the current state with {@code reset} (the
   * answer to the resume under way, if any).
   */
  private void startReset() {
    fill = Fill.RESETTING;
    held.clear();
    page.clear();
    more = false;
    String re = resumeRe;
    resumeRe = null;
    io.fetchSnapshot(hunt, re);
  }

  /** The hunt's current state: a snapshot, then the stream goes on from its head. */
  void reset(String resumeRe, Hunt.View view, Player.Progress you) {
    if (fill != Fill.RESETTING) return;
    io.send(Frames.write(Frames.snapshot(resumeRe, view, you)));
    epoch = view.stream().epoch();
    next = view.stream().seq() + 1;
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
