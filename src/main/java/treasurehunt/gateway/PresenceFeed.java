package treasurehunt.gateway;

import akka.actor.typed.ActorRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import treasurehunt.entities.Hunt;

/**
 * How a hunt's feed on this node hands its stream to the sessions, by the version each speaks
 * (docs/protocol.md, "Version 1.1"). This is where a join stops costing every follower a frame.
 *
 * <ul>
 *   <li><b>1.1 sessions</b> get every event but {@code player_joined}/{@code player_left} as it
 *       comes. Those are gathered into a run and folded into one {@code presence} frame ({@link
 *       Presence#fold}) once per presence interval, or earlier when another event follows them (the
 *       run is sent first, so the seq order holds). The frame is rendered once and the same {@link
 *       HuntFeeds.PresenceRun} goes to every 1.1 session of the node: a join costs a follower
 *       1/(joins per interval) of a frame. In a big hunt ({@code fold-finds-above-players}, judged
 *       by the count each entry carries: {@link Presence.Fold#folds}) {@code treasure_found} and
 *       {@code leaderboard} join the run as well: a find costs a 1.1 follower a line in the next
 *       frame, not two frames. Other events (chat, start, end) flush the run and go at once.
 *   <li><b>Version 1 sessions</b> get every event as they always did while the hunt has at most
 *       {@code v1-max-players} players. Above that, joins and leaves are not sent to them one by
 *       one: the first skipped one starts a skip, the events after it wait here, and once per
 *       interval the feed asks the hunt for its public view (one ask per node, not per session) and
 *       sends them one unasked {@code snapshot} with it ({@link HuntFeeds.V1Reset}): the count, and
 *       the position their stream goes on from. A v1 client applies it by its own rule (replace, go
 *       on from {@code stream.seq}), so it never sees a gap. The events that waited follow it;
 *       those the snapshot covers are dropped by the follows as already held.
 * </ul>
 *
 * <p>Not an actor: the feed owns one and calls it on its own thread.
 */
final class PresenceFeed {
  private final String hunt;
  private final Presence.Settings settings;
  private final Presence.Fold fold;
  private final List<ActorRef<HuntFeeds.Delivery>> sessions;
  private final Set<ActorRef<HuntFeeds.Delivery>> v11 = new HashSet<>();
  private final List<ActorRef<HuntFeeds.Delivery>> v11List = new ArrayList<>();

  /** The entries not yet sent to 1.1 sessions, folded ones only: consecutive, one epoch. */
  private final List<Hunt.StreamEntry> run = new ArrayList<>();

  /** Presence entries v1 sessions did not get (seq → the player and its presence after it). */
  private final LinkedHashMap<Long, Skipped> skipped = new LinkedHashMap<>();

  /** Events after the first skipped one, waiting for the v1 snapshot. */
  private final List<HuntFeeds.Live> waiting = new ArrayList<>();

  private boolean asking;

  /** When {@link #tick} last acted. */
  private long lastTick;

  private boolean ticked;

  private record Skipped(String playerId, boolean present) {}

  PresenceFeed(
      String hunt, Presence.Settings settings, List<ActorRef<HuntFeeds.Delivery>> sessions) {
    this.hunt = hunt;
    this.settings = settings;
    this.fold = settings.fold();
    this.sessions = sessions;
  }

  void subscribed(ActorRef<HuntFeeds.Delivery> session, Protocol protocol) {
    if (protocol.atLeast(Protocol.V1_1) && v11.add(session)) v11List.add(session);
  }

  void removed(ActorRef<HuntFeeds.Delivery> session) {
    if (v11.remove(session)) v11List.remove(session);
    if (v11.isEmpty()) run.clear();
    if (v11.size() == sessions.size()) { // no v1 session left: nothing to skip for
      skipped.clear();
      waiting.clear();
    }
  }

  /** A stream entry from the hunt's topic, in publish order. */
  void published(Hunt.StreamEntry e) {
    boolean v1 = v11.size() < sessions.size();
    HuntFeeds.Live live = null;
    if (!v11.isEmpty() && fold.folds(e)) {
      Hunt.StreamEntry last = run.isEmpty() ? null : run.get(run.size() - 1);
      if (last != null && (!last.epoch().equals(e.epoch()) || last.seq() + 1 != e.seq())) flush();
      run.add(e);
      if (run.size() >= MAX_RUN) flush(); // a stretched interval holds at most this many
    } else if (!e.event().presence()) {
      flush();
      live = HuntFeeds.Live.of(e); // rendered once
      for (ActorRef<HuntFeeds.Delivery> s : v11List) s.tell(live);
    }
    if (!e.event().presence()) { // v1 sessions get every other event, folded for 1.1 or not
      if (!v1 && skipped.isEmpty()) return;
      if (live == null) live = HuntFeeds.Live.of(e);
      if (!skipped.isEmpty()) waiting.add(live);
      else toV1(live);
      if (waiting.size() > MAX_WAITING) giveUpSkip();
      return;
    }
    if (!v1) return;
    Integer players = e.event().players();
    if (skipped.isEmpty() && (players == null || players <= settings.v1MaxPlayers()))
      toV1(HuntFeeds.Live.of(e));
    else
      skipped.put(
          e.seq(), new Skipped(e.event().playerId(), "player_joined".equals(e.event().kind())));
  }

  /**
   * The presence interval: the run goes to the 1.1 sessions; true when the v1 sessions wait for a
   * snapshot and the feed should ask the hunt for its view now. The feed's timer calls this every
   * {@code interval}; with more followers on this node than {@code frames-per-second} it acts only
   * every followers ÷ frames-per-second seconds ({@link Presence.Settings#intervalNanos}): in a
   * hunt of 10,000 followers and the default 2,000, one frame every 5 s, each listing at most
   * {@code max-entries} changes and the exact count. What a node sends for a hunt's presence is
   * then bounded however big the hunt grows (BENCHMARKS.md, issue 14, "presence budget").
   */
  boolean tick() {
    long now = System.nanoTime();
    long every = settings.intervalNanos(sessions.size());
    // the timer fires every interval: act once the stretched interval has (nearly) passed
    if (ticked && now - lastTick < every - settings.interval().toNanos() / 2) return false;
    ticked = true;
    lastTick = now;
    flush();
    if (skipped.isEmpty() || asking || v11.size() == sessions.size()) return false;
    asking = true;
    return true;
  }

  /**
   * The hunt's view, at its stream head H: a snapshot for the v1 sessions covering every skipped
   * entry up to H; what waited up to the next skipped entry after H (if any) follows it.
   */
  void viewed(Hunt.View view) {
    asking = false;
    if (view == null || view.stream() == null) return; // asked again at the next tick
    long head = view.stream().seq();
    Map<String, Boolean> after = new LinkedHashMap<>();
    Iterator<Map.Entry<Long, Skipped>> it = skipped.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Skipped> s = it.next();
      if (s.getKey() > head) break;
      after.put(s.getValue().playerId(), s.getValue().present());
      it.remove();
    }
    if (after.isEmpty()) return;
    HuntFeeds.V1Reset reset =
        new HuntFeeds.V1Reset(
            hunt,
            view.stream().epoch(),
            head,
            ServerFrame.of(Frames.snapshot(null, view, null)),
            after);
    toV1(reset);
    long until = skipped.isEmpty() ? Long.MAX_VALUE : skipped.keySet().iterator().next();
    Iterator<HuntFeeds.Live> w = waiting.iterator();
    while (w.hasNext()) {
      HuntFeeds.Live live = w.next();
      if (live.seq() > until) break;
      toV1(live);
      w.remove();
    }
  }

  /**
   * The head as {@code session} should see it: a 1.1 session gets the joins and leaves gathered
   * here within the interval, so they do not count as missed (else every new 1.1 follower would
   * read them from the hunt as well).
   */
  HuntFeeds.Head headFor(ActorRef<HuntFeeds.Delivery> session, HuntFeeds.Head head) {
    if (run.isEmpty() || !v11.contains(session)) return head;
    Hunt.StreamEntry first = run.get(0), last = run.get(run.size() - 1);
    if (!first.epoch().equals(head.epoch()) || first.seq() > head.seq() || last.seq() < head.seq())
      return head; // something besides the run is ahead: the follow fetches it
    return new HuntFeeds.Head(head.hunt(), head.epoch(), first.seq() - 1);
  }

  /** Entries a run holds before it is sent whatever the interval. */
  private static final int MAX_RUN = 10_000;

  /** Events that may wait for a v1 snapshot; past it (the hunt does not answer) they go. */
  private static final int MAX_WAITING = 10_000;

  /**
   * The hunt does not answer for the snapshot: the waiting events go to the v1 sessions as they
   * are; their follows see the skipped seqs as a gap and fetch them one by one (as in version 1).
   */
  private void giveUpSkip() {
    skipped.clear();
    waiting.forEach(this::toV1);
    waiting.clear();
  }

  /** Sends the gathered run, folded, to the 1.1 sessions. */
  private void flush() {
    if (run.isEmpty()) return;
    Presence.Run folded = Presence.fold(run, settings.maxEntries());
    run.clear();
    HuntFeeds.PresenceRun d = new HuntFeeds.PresenceRun(hunt, folded);
    for (ActorRef<HuntFeeds.Delivery> s : v11List) s.tell(d);
  }

  private void toV1(HuntFeeds.Delivery d) {
    for (ActorRef<HuntFeeds.Delivery> s : sessions) if (!v11.contains(s)) s.tell(d);
  }
}
