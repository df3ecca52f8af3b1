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

  /** The hunt's answer to whether the player is in it ({@code presence} null: no answer). */
  record Presenced(String hunt, Hunt.Presence presence) implements Session.Msg {}

  private final ActorContext<Session.Msg> ctx;
  private final ActorRef<HuntFeeds.Delivery> subscriber;
  private final HuntFeeds feeds;
  private final EntityAsks entities;
  private final HuntCatalog catalog;
  private final WsSettings settings;
  private final Consumer<String> send;

  /** The player the connection speaks for; null for the organiser or a spectator. */
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

  /**
   * After a join or watch was answered at {@code from} ({@code joined}: a join's answer); past the
   * cap, the client is told.
   */
  void follow(String hunt, HuntFollow.Sight sight, Hunt.StreamPos from, boolean joined) {
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
    followOf(hunt).start(from, sight, joined);
  }

  /**
   * A resume; false when it would pass the cap (the session refuses the frame). It restores the
   * numbered stream, and the positions to whoever may see them (docs/privacy.md): the organiser or
   * a spectator of the hunt; a player of a hunt that shows players once the hunt confirms the
   * player is in it.
   */
  boolean resume(ClientFrame.Resume c) {
    HuntFollow f = follows.get(c.hunt());
    if (f == null && follows.size() >= settings.maxFollows()) return false;
    Boolean shows = showsPlayers(c.hunt());
    HuntFollow.Sight sight =
        playerId.get() == null
            ? HuntFollow.Sight.ALL
            : f != null
                ? f.sight()
                : Boolean.FALSE.equals(shows)
                    ? HuntFollow.Sight.NONE
                    : HuntFollow.Sight.WHILE_PRESENT;
    followOf(c.hunt()).resume(c.epoch(), c.seq(), sight, shows, c.id());
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
                h, playerId.get(), io, settings.maxHeldEvents(), settings.retryAfter().toMillis()));
  }

  /** Whether the hunt shows players, as this node's catalog knows it; null: not known here. */
  private Boolean showsPlayers(String hunt) {
    HuntCatalog.Rules rules = catalog.get(hunt);
    return rules == null ? null : rules.definition().showPlayers();
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
}
