package treasurehunt.entities;

import akka.actor.Dropped;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.eventstream.EventStream;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.internal.InternalProtocol;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.ThreadLocalRandom;
import treasurehunt.metrics.Metrics;

/**
 * Answers the commands a busy Hunt entity could not hold. While a hunt writes, the persistence
 * runtime stashes the commands that arrive, at most {@code akka.persistence.typed.stash-capacity}
 * (persistence.conf: 100, bounded because of a stack overflow in Akka 2.8); past it the runtime
 * drops the command and publishes it as {@link Dropped} on the event stream. Without an answer its
 * caller waited for its ask's timeout (5–10 s) before retrying: in a hot hunt of 10,000 players
 * hundreds of joins a run did (BENCHMARKS.md, issue 14). This node-wide listener answers such a
 * command at once with {@code overloaded} and a {@code retryAfterMs} of 0.5–1.5 s (random, so that
 * the refused do not come back together); nothing of it was decided, so sending it again is safe.
 * How each caller takes {@code overloaded}: a client's join or chat gets it as its error
 * (docs/protocol.md §8 (e)); a Player entity whose finds or claim were refused answers its report
 * or claim {@code overloaded} without remembering it, so the retry is judged afresh and no find is
 * lost; a follow's page or presence check is asked again as after a timeout; the HTTP API answers
 * 503.
 *
 * <p>One per node (spawned by {@code Node}); it sees only this node's drops, which are the drops of
 * the entities this node hosts.
 */
public final class DroppedCommands {
  private DroppedCommands() {}

  public static Behavior<Dropped> create() {
    return Behaviors.setup(
        ctx -> {
          ctx.getSystem()
              .eventStream()
              .tell(new EventStream.Subscribe<>(Dropped.class, ctx.getSelf()));
          Counter answered =
              Counter.builder("th.hunt.commands.overloaded")
                  .description(
                      "Commands a busy Hunt entity could not hold in its stash, answered overloaded")
                  .register(Metrics.get(ctx.getSystem()).registry());
          return Behaviors.receiveMessage(
              d -> {
                if (command(d.message()) instanceof Hunt.Replying<?> r) {
                  answer(r, d);
                  answered.increment();
                }
                return Behaviors.same();
              });
        });
  }

  /** The command inside what the persistence runtime dropped (it drops its own wrapper). */
  static Object command(Object dropped) {
    return dropped instanceof InternalProtocol.IncomingCommand<?> in ? in.c() : dropped;
  }

  private static <R> void answer(Hunt.Replying<R> r, Dropped d) {
    ActorRef<R> replyTo = r.replyTo();
    if (replyTo == null) return;
    long retryAfterMs = 500 + ThreadLocalRandom.current().nextLong(1000);
    replyTo.tell(
        r.rejected(
            new Problem(
                Problem.OVERLOADED,
                "the hunt is too busy to take this now ("
                    + d.reason()
                    + "); send it again after retryAfterMs",
                retryAfterMs)));
  }
}
