package treasurehunt.gateway;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.typed.PersistenceId;
import akka.stream.Attributes;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.SinkQueueWithCancel;
import akka.stream.javadsl.Source;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntState;
import treasurehunt.entities.StreamCheckpoints;
import treasurehunt.metrics.Metrics;

/**
 * Reads a hunt's public stream from the journal (Akka Persistence Query) for a resume reaching
 * further back than the hunt keeps in memory, at the cost of what it delivers.
 *
 * <p><b>Seeking.</b> Stream positions are not journal sequence numbers and an entry cannot be
 * rendered from its event alone ({@link StreamCheckpoints} says why), so a read starts from the
 * hunt's latest checkpoint at or before the client's position: the members and numbering there, and
 * the journal sequence number to read on from ({@code fromSequenceNr}). It folds the events after
 * it through the entity's own {@link HuntState#apply}, so the numbers and leaderboards are the ones
 * clients saw, and stops at the head the hunt gave. Without a checkpoint the fold starts at the
 * hunt's first event, allowed only while that is within the same budget: a read may go at most
 * {@code 2 × stream-checkpoint-every} entries before the client's position, never more; past the
 * budget, or past {@code max-resume-events}, it cannot serve and the client gets a snapshot.
 *
 * <p><b>The node's cap.</b> At most {@code max-journal-reads} reads run at once on a node, each
 * from its start until its last page is taken (so the cap also bounds the memory of the folds);
 * past it {@link #open} answers null and the resume is answered {@code overloaded}. A read is paced
 * by its connection: it pulls a page of {@code fill-page} entries when the previous one has been
 * sent, and one that has not finished within {@code journal-read-timeout} (a client that does not
 * read) fails, gives its place back, and the follow resets. Runs on stream threads, never an
 * actor's.
 */
public final class JournalStream {

  /** The events cannot be served from the journal within the budget: a snapshot instead. */
  static final class CannotServe extends RuntimeException {
    CannotServe(String message) {
      super(message, null, false, false);
    }
  }

  /** One page of a read; {@code last}: the read is over (entries may then be empty). */
  record Page(List<Hunt.StreamEntry> entries, boolean last) {}

  /** A read in progress: pages one at a time, then done (or cancelled). */
  interface Read {
    /** The next page; fails with {@link CannotServe}, or another failure (timeout, database). */
    CompletionStage<Page> next();

    /** Stops the read and gives back its place (also after it ended). */
    void cancel();
  }

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;
  private final StreamCheckpoints checkpoints;
  private final int maxReads;
  private final int page;
  private final int maxEvents;
  private final Duration timeout;
  private final AtomicInteger reads = new AtomicInteger();
  private final Counter eventsRead;

  public JournalStream(ActorSystem<?> system, WsSettings settings) {
    this.system = system;
    this.journal =
        PersistenceQuery.get(Adapter.toClassic(system))
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    this.checkpoints = StreamCheckpoints.get(system);
    this.maxReads = settings.maxJournalReads();
    this.page = settings.fillPage();
    this.maxEvents = settings.maxResumeEvents();
    this.timeout = settings.journalReadTimeout();
    Gauge.builder("th.journal.reads", reads, AtomicInteger::get)
        .description(
            "Resume reads from the journal running on this node (cap: treasure-hunt.ws.max-journal-reads)")
        .register(Metrics.get(system).registry());
    this.eventsRead =
        Counter.builder("th.journal.read.events")
            .description("Journal events folded by resume reads on this node")
            .register(Metrics.get(system).registry());
  }

  /** Reads running now. */
  int running() {
    return reads.get();
  }

  /**
   * A read of the entries after {@code after} in {@code epoch} up to {@code head}; null when the
   * node already runs {@code max-journal-reads} of them.
   */
  Read open(String hunt, String epoch, long after, long head) {
    if (reads.incrementAndGet() > maxReads) {
      reads.decrementAndGet();
      return null;
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) reads.decrementAndGet();
        };
    Source<List<Hunt.StreamEntry>, NotUsed> pages;
    if (head - after > maxEvents)
      pages = Source.failed(new CannotServe((head - after) + " events missed; more than served"));
    else
      pages =
          Source.completionStageSource(
                  checkpoints
                      .latestAtOrBefore(hunt, epoch, after)
                      .thenApply(c -> entries(hunt, epoch, after, head, c)))
              .mapMaterializedValue(m -> NotUsed.getInstance())
              .grouped(page);
    SinkQueueWithCancel<List<Hunt.StreamEntry>> queue =
        pages
            .completionTimeout(timeout)
            .watchTermination(
                (mat, done) -> {
                  done.whenComplete((d, e) -> release.run());
                  return mat;
                })
            .runWith(
                Sink.<List<Hunt.StreamEntry>>queue().withAttributes(Attributes.inputBuffer(1, 1)),
                system);
    return new Read() {
      @Override
      public CompletionStage<Page> next() {
        return queue
            .pull()
            .thenApply(
                (Optional<List<Hunt.StreamEntry>> p) ->
                    p.map(entries -> new Page(entries, false)).orElse(new Page(List.of(), true)));
      }

      @Override
      public void cancel() {
        queue.cancel();
        release.run();
      }
    };
  }

  /**
   * The entries after {@code after}, folded from {@code checkpoint} (or the hunt's first event);
   * fails with {@link CannotServe} when that would read past the budget or the numbers do not meet.
   */
  private Source<Hunt.StreamEntry, NotUsed> entries(
      String hunt,
      String epoch,
      long after,
      long head,
      Optional<StreamCheckpoints.Checkpoint> checkpoint) {
    long fromSeq = checkpoint.map(StreamCheckpoints.Checkpoint::seq).orElse(0L);
    long budget = 2L * checkpoints.every();
    if (after - fromSeq > budget)
      return Source.failed(
          new CannotServe(
              "no checkpoint of " + hunt + " within " + budget + " entries before " + after));
    HuntState base = checkpoint.map(HuntState::fromCheckpoint).orElseGet(HuntState::new);
    long fromSequenceNr = checkpoint.map(c -> c.journalSeqNr() + 1).orElse(1L);
    return journal
        .currentEventsByPersistenceId(
            PersistenceId.of(Hunt.ENTITY_KEY.name(), hunt).id(), fromSequenceNr, Long.MAX_VALUE)
        .statefulMapConcat(
            () -> {
              HuntState[] state = {base};
              long[] expected = {after + 1};
              return (EventEnvelope envelope) -> {
                eventsRead.increment();
                HuntState s = state[0];
                long before = s.seq();
                // two entries at most per event, so a window of 2 holds all an event adds
                s.apply((Hunt.Event) envelope.event(), 2);
                if (!epoch.equals(s.epoch()))
                  throw new CannotServe("the stream of " + hunt + " has another epoch");
                List<Hunt.StreamEntry> out = new ArrayList<>(2);
                for (Hunt.StreamEntry e : s.entriesAfter(before)) {
                  if (e.seq() <= after || e.seq() > head) continue;
                  if (e.seq() != expected[0])
                    throw new CannotServe("expected seq " + expected[0] + ", read " + e.seq());
                  expected[0]++;
                  out.add(e);
                }
                return out;
              };
            })
        .takeWhile(e -> e.seq() < head, true);
  }
}
