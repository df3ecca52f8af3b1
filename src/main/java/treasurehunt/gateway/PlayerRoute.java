package treasurehunt.gateway;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import java.util.ArrayList;
import java.util.List;
import treasurehunt.entities.Player;
import treasurehunt.metrics.Metrics;

/**
 * How a session reaches its player's entity: through sharding (the node's shard region, the
 * entity's shard, then the entity: three mailboxes, two of them shared by every connection of the
 * node) until the entity has told the session its own ref, then location reports go straight to it
 * (one mailbox). Location reports are the hot path: at saturation the two hops cost ~15 % of the
 * node's CPU per report (BENCHMARKS.md, issue 13, "session 19"). Every other command still goes
 * through sharding. Only the session's thread calls this class.
 *
 * <p>What sharding did on the way that a straight report must not lose:
 *
 * <ul>
 *   <li><b>Order.</b> A report goes straight only while no command of this session to the entity
 *       through sharding is unanswered: a command through sharding that is still on its way could
 *       be overtaken by a straight one. The other way round is safe: a straight message is in the
 *       entity's mailbox (or on its node's connection) before anything sent later through the
 *       region.
 *   <li><b>An entity that stops</b> (a rebalance, a node leaving, passivation): the session watches
 *       the ref. When it stops (or an ask to it is refused at once: the ref is dead), the ref is
 *       forgotten and every straight report not answered yet is asked again through sharding, in
 *       the order they were sent, which starts the entity anew wherever it lives now; the entity's
 *       idempotency window answers a repeat of a report it did judge with its first outcome, so the
 *       client gets one answer either way. Reports then go through sharding until the new
 *       incarnation tells its ref.
 *   <li><b>Passivation.</b> Sharding passivates an entity that received nothing through its shard
 *       for the idle timeout ({@code akka.cluster.sharding.passivation.default-idle-strategy
 *       .idle-entity.timeout}). So at least one report per quarter of that timeout goes through
 *       sharding: a player who keeps reporting keeps the entity; one who stops has it passivated
 *       between ¾ of the timeout and the timeout after the last report.
 * </ul>
 *
 * {@code treasure-hunt.ws.straight-reports = off} sends every command through sharding. A client
 * cannot choose the route: the session speaks for the one player its token names, and the ref it
 * uses is the one that player's entity sent it.
 */
final class PlayerRoute {

  /** The entity's answer to {@link Player.Locate} (its ref, or the failure of the ask). */
  record Located(ActorRef<Player.Command> entity, Throwable failure) implements Session.Msg {}

  /** The entity behind a ref this session uses stopped. */
  record Stopped(ActorRef<Player.Command> entity) implements Session.Msg {}

  /** The leg of a command that went through sharding (see {@link #leg}). */
  static final Object SHARDED = new Object();

  private final ActorContext<Session.Msg> ctx;
  private final EntityAsks entities;
  private final long feedNanos;
  private final boolean enabled;
  private final Metrics metrics;

  /** The entity's ref once it told it; null before, and after it stopped. */
  private ActorRef<Player.Command> entity;

  private boolean locating;

  /** Commands of this session to the entity through sharding, not answered yet. */
  private int viaSharding;

  /** When the last command went through sharding (nanoTime). */
  private long shardedAt;

  /** Reports sent straight, not answered yet. */
  private final List<EntityAsks.Straight> straight = new ArrayList<>();

  PlayerRoute(ActorContext<Session.Msg> ctx, EntityAsks entities, WsSettings settings) {
    this.ctx = ctx;
    this.entities = entities;
    this.metrics = Metrics.get(ctx.getSystem());
    this.enabled = settings.straightReports();
    this.feedNanos = settings.straightReportsFeedEvery().toNanos();
    this.shardedAt = System.nanoTime();
  }

  /**
   * How {@code c} reaches its entity, decided when it is routed ({@code now}: nanoTime): an {@link
   * EntityAsks.Straight} for a report that goes straight, {@link #SHARDED} for a command of the
   * player through sharding, null for anything else (hunt commands, or no player). The session
   * gives it back with the answer ({@link #answered}).
   */
  Object leg(ClientFrame.Command c, Tokens.Identity who, long now) {
    if (who == null || who.playerId() == null) return null;
    if (c instanceof ClientFrame.Location l) {
      if (!enabled) return null;
      if (entity != null && viaSharding == 0 && now - shardedAt < feedNanos && !resending()) {
        EntityAsks.Straight s = entities.straight(l, who.playerId(), entity, ctx.getSelf());
        straight.add(s);
        metrics.locationRoute(true);
        return s;
      }
      if (entity == null) locate(who.playerId(), now);
      metrics.locationRoute(false);
      return sharded(now);
    }
    if (c instanceof ClientFrame.Join
        || c instanceof ClientFrame.Claim
        || c instanceof ClientFrame.Leave) return sharded(now);
    return null;
  }

  private Object sharded(long now) {
    viaSharding++;
    shardedAt = now;
    return SHARDED;
  }

  /** The command that went {@code leg} is answered (or failed). */
  void answered(Object leg) {
    if (leg == SHARDED) viaSharding--;
    else if (leg instanceof EntityAsks.Straight s) straight.remove(s);
  }

  /** A straight report is on its way again through sharding: the next ones follow it there. */
  private boolean resending() {
    for (int i = 0; i < straight.size(); i++) if (straight.get(i).resending()) return true;
    return false;
  }

  private void locate(String playerId, long now) {
    if (locating) return;
    locating = true;
    shardedAt = now;
    ctx.pipeToSelf(entities.locate(playerId), Located::new);
  }

  void located(Located l) {
    locating = false;
    if (l.entity() == null || l.entity().equals(entity)) return;
    entity = l.entity();
    ctx.watchWith(entity, new Stopped(entity));
  }

  /**
   * The entity stopped (the watch says so, or a straight ask to it was refused at once): its ref is
   * forgotten, and the straight reports sent to it and not answered are asked again through
   * sharding, in the order they were sent. A report already asked again is not asked a third time,
   * so the watch's word after a refusal changes nothing.
   */
  void stopped(Stopped s) {
    if (s.entity().equals(entity)) entity = null;
    for (EntityAsks.Straight r : straight) if (r.sentTo(s.entity())) r.resend();
  }
}
