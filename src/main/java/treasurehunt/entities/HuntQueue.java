package treasurehunt.entities;

import akka.actor.typed.ActorRef;
import java.util.ArrayList;
import java.util.List;
import treasurehunt.entities.Hunt.Batched;
import treasurehunt.entities.Hunt.Command;
import treasurehunt.entities.Hunt.Flush;

/**
 * Group commit, the queue. Joins, chat messages, finds and claims are not persisted one by one:
 * they queue here and a {@link Flush} the entity sends itself has {@link HuntBatch} validate the
 * queued commands against the state and against the commands before them in the queue, persists all
 * their events in one journal write, and answers them all when it is stored. While a write is in
 * flight the persistence runtime stashes new commands; when it completes they are taken in one
 * after the other, queue here, and the Flush behind them writes them together — so a hot hunt
 * writes as many joins (or finds of a treasure everyone reaches at once) per PostgreSQL round trip
 * as arrived during the last one instead of one. Not state: an entity that stops with commands
 * queued (only between two messages) loses them unanswered; their callers time out and retry with
 * the same ids, which changes nothing twice.
 *
 * <p>Bounded twice: a write takes at most {@code hunt-batch-max} commands (a full queue is written
 * at once, so it never holds more), and what arrives during a write waits in the entity's stash,
 * {@code akka.persistence.typed.stash-capacity} commands at most (persistence.conf); past it the
 * runtime drops a command and {@link DroppedCommands} answers it {@code overloaded} at once.
 *
 * <p>One per entity instance, used by its actor ({@link HuntBehavior}) only; that actor persists
 * and answers.
 */
final class HuntQueue {
  private final String huntId;
  private final ActorRef<Command> self;
  private final int max;
  private final HuntBatch.Quotas quotas;
  private final List<Batched> queued = new ArrayList<>();

  /**
   * @param self the entity, told a {@link Flush} whenever queued commands wait for a write
   * @param max the most commands one write takes ({@code hunt-batch-max})
   */
  HuntQueue(String huntId, ActorRef<Command> self, int max, HuntBatch.Quotas quotas) {
    this.huntId = huntId;
    this.self = self;
    this.max = max;
    this.quotas = quotas;
  }

  /** Queues a command (a Flush is told for the first); true when a full batch waits. */
  boolean add(Batched c) {
    if (queued.isEmpty()) self.tell(Flush.INSTANCE);
    queued.add(c);
    return queued.size() >= max;
  }

  /**
   * Takes the next batch off the queue, decided against {@code state} at {@code at}; the rest goes
   * in the next write (a Flush is told for it).
   */
  HuntBatch.Result take(HuntState state, long at) {
    HuntBatch.Result batch = HuntBatch.decide(huntId, state, queued, max, at, quotas);
    queued.subList(0, batch.taken()).clear();
    if (!queued.isEmpty()) self.tell(Flush.INSTANCE);
    return batch;
  }

  /**
   * A write is stored. The Flush told for the queue may have arrived during this write and been
   * dropped by a full stash (persistence.conf): ask again, or the queued commands would wait for a
   * next command that may never come. A spare Flush finds an empty queue.
   */
  void written() {
    if (!queued.isEmpty()) self.tell(Flush.INSTANCE);
  }
}
