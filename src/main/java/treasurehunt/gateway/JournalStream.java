package treasurehunt.gateway;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.typed.PersistenceId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntState;

/**
 * Rebuilds a hunt's public stream from the journal (Akka Persistence Query) for a resume reaching
 * further back than the hunt keeps in memory: the hunt's events are folded through the entity's own
 * {@link HuntState#apply}, so the numbers are the ones clients saw. Runs on stream threads, never
 * on an actor's.
 */
public final class JournalStream {
  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;

  public JournalStream(ActorSystem<?> system) {
    this.system = system;
    this.journal =
        PersistenceQuery.get(Adapter.toClassic(system))
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /**
   * The entries after {@code after} in {@code epoch}, or null when they cannot be served (another
   * epoch, or more than {@code max} of them).
   */
  public CompletionStage<List<Hunt.StreamEntry>> entriesAfter(
      String hunt, String epoch, long after, long head, int max) {
    if (head - after > max) return CompletableFuture.completedFuture(null);
    int window = (int) Math.max(1, head - after + 64);
    return journal
        .currentEventsByPersistenceId(
            PersistenceId.of(Hunt.ENTITY_KEY.name(), hunt).id(), 0L, Long.MAX_VALUE)
        .runFold(
            new HuntState(),
            (state, envelope) -> state.apply((Hunt.Event) envelope.event(), window),
            system)
        .thenApply(
            state -> {
              if (!epoch.equals(state.epoch())) return null;
              List<Hunt.StreamEntry> kept = state.window();
              if (!kept.isEmpty() && kept.get(0).seq() > after + 1) return null;
              return state.entriesAfter(after);
            });
  }
}
