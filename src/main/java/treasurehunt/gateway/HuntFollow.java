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
 * <p>No actor and no socket: the follow tells its session what to send and what to fetch through
 * {@link Io}, and the session hands back the answers ({@link #filled}, {@link #reset}, …) on its
 * own thread. {@code HuntFollowTest} drives it directly.
 */
final class HuntFollow {

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

  /** A fetch (or a reset) is under way: live events wait in {@link #held}. */
  private boolean filling;

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
    fill(null);
  }

  /**
   * A {@code resume}: the client holds everything up to {@code seq} of {@code resumeEpoch}. The
   * answer to {@code re} (an ack followed by the missed events, or a snapshot) comes from the fill.
   */
  void resume(String resumeEpoch, long seq, boolean withPositions, String re) {
    positions = withPositions;
    epoch = resumeEpoch;
    next = seq + 1;
    held.clear();
    io.subscribe(hunt, positions);
    fill(re);
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
    io.send(e.json());
    next++;
  }

  /** The feed's check of the stream head: fetch when the head is past what the client has. */
  void head(HuntFeeds.Head h) {
    if (epoch != null && !filling && (h.seq() >= next || !h.epoch().equals(epoch))) fill(null);
  }

  void positions(HuntFeeds.Positions p) {
    if (positions) io.send(p.json());
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
      if (e.seq() == next) {
        io.send(e.json());
        next++;
      }
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

  /** The hunt's current state: a snapshot, then the stream goes on from its head. */
  void reset(String resumeRe, Hunt.View view, Player.Progress you) {
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
