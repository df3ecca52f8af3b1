package treasurehunt.gateway;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntCatalog;
import treasurehunt.entities.Player;
import treasurehunt.entities.Problem;

/**
 * The hunts one connection follows, at most {@code max-follows}, each a {@link HuntFollow}: this
 * class subscribes them to the node's {@link HuntFeeds}, hands them the feed's deliveries, and runs
 * their fetches with the session's actor, whose thread it lives on.
 */
final class HuntFollows {

  /** Events fetched for a follow ({@code entries} null: they can no longer be served). */
  record Fetched(String hunt, String resumeRe, List<Hunt.StreamEntry> entries, String failure)
      implements Session.Msg {}

  /** A snapshot fetched for a follow's reset ({@code view} null: none, see {@code failure}). */
  record Snapshotted(
      String hunt, String resumeRe, Hunt.View view, Player.Progress you, String failure)
      implements Session.Msg {}

  private final ActorContext<Session.Msg> ctx;
  private final ActorRef<HuntFeeds.Delivery> subscriber;
  private final HuntFeeds feeds;
  private final EntityAsks entities;
  private final HuntCatalog catalog;
  private final WsSettings settings;
  private final Consumer<String> send;
  private final Supplier<String> playerId;
  private final Map<String, HuntFollow> follows = new HashMap<>();
  private final HuntFollow.Io io = new Io();

  HuntFollows(
      ActorContext<Session.Msg> ctx,
      HuntFeeds feeds,
      EntityAsks entities,
      HuntCatalog catalog,
      WsSettings settings,
      Consumer<String> send,
      Supplier<String> playerId) {
    this.ctx = ctx;
    this.subscriber = ctx.getSelf().narrow();
    this.feeds = feeds;
    this.entities = entities;
    this.catalog = catalog;
    this.settings = settings;
    this.send = send;
    this.playerId = playerId;
  }

  /** After a join or watch was answered at {@code from}; past the cap, the client is told. */
  void follow(String hunt, boolean positions, Hunt.StreamPos from) {
    if (!follows.containsKey(hunt) && follows.size() >= settings.maxFollows()) {
      send.accept(
          Frames.write(
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
    followOf(hunt).start(from, positions);
  }

  /** A resume; false when it would pass the cap (the session refuses the frame). */
  boolean resume(ClientFrame.Resume c) {
    HuntFollow f = follows.get(c.hunt());
    // A resume restores the numbered stream. Positions come with it on a fresh connection only when
    // the hunt shows players to players (PROTOCOL.md §2); a spectator gets them back with watch
    // {from}.
    boolean positions = f != null ? f.positions() : showsPlayers(c.hunt());
    if (f == null && follows.size() >= settings.maxFollows()) return false;
    followOf(c.hunt()).resume(c.epoch(), c.seq(), positions, c.id());
    return true;
  }

  void unfollow(String hunt) {
    if (follows.remove(hunt) != null) feeds.unsubscribe(hunt, subscriber);
  }

  /** The session stopped: every feed forgets it. */
  void stop() {
    for (String hunt : follows.keySet()) feeds.unsubscribe(hunt, subscriber);
  }

  void deliver(HuntFeeds.Delivery d) {
    HuntFollow f = follows.get(d.hunt());
    if (f == null) return;
    if (d instanceof HuntFeeds.Live e) f.live(e);
    else if (d instanceof HuntFeeds.Positions p) f.positions(p);
    else if (d instanceof HuntFeeds.Head h) f.head(h);
  }

  void fetched(Fetched r) {
    HuntFollow f = follows.get(r.hunt());
    if (f == null) return;
    if (r.failure() != null) f.fillFailed(r.resumeRe());
    else f.filled(r.resumeRe(), r.entries());
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
        h -> new HuntFollow(h, io, settings.maxHeldEvents(), settings.retryAfter().toMillis()));
  }

  private boolean showsPlayers(String hunt) {
    HuntCatalog.Rules rules = catalog.get(hunt);
    return rules != null && rules.definition().showPlayers();
  }

  /** What the follows ask of the session: the feeds, and fetches piped back to its actor. */
  private final class Io implements HuntFollow.Io {
    @Override
    public void send(String json) {
      send.accept(json);
    }

    @Override
    public void subscribe(String hunt, boolean positions) {
      feeds.subscribe(hunt, subscriber, positions);
    }

    @Override
    public void unfollow(String hunt) {
      HuntFollows.this.unfollow(hunt);
    }

    @Override
    public void fetchEvents(String hunt, String epoch, long after, String resumeRe) {
      ctx.pipeToSelf(
          entities.eventsAfter(hunt, epoch, after),
          (list, failure) ->
              new Fetched(
                  hunt,
                  resumeRe,
                  list,
                  failure == null ? null : String.valueOf(failure.getMessage())));
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
}
