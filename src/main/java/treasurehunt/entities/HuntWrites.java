package treasurehunt.entities;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import java.time.Duration;
import java.util.List;
import treasurehunt.entities.Hunt.Command;
import treasurehunt.entities.Hunt.StreamEntry;
import treasurehunt.entities.Hunt.Tick;
import treasurehunt.metrics.Metrics;

/**
 * What follows every write of a Hunt entity once it is stored, and its recovery: the write timed,
 * its new stream entries published to the hunt's topic ({@link HuntTopics}), the timer of the next
 * scheduled transition re-armed, and a stream checkpoint saved when one is due ({@link
 * StreamCheckpoints}). One per entity instance, called by {@link HuntBehavior} from the effects of
 * its writes; it persists nothing itself.
 */
final class HuntWrites {
  private static final Duration MAX_TIMER = Duration.ofHours(12);

  private final String huntId;
  private final StreamCheckpoints checkpoints;
  private final TimerScheduler<Command> timers;

  /** Looked up at every publish, never kept: an unused topic may stop (HuntTopics). */
  private final HuntTopics topics;

  private final Metrics metrics;

  HuntWrites(String huntId, ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    this.huntId = huntId;
    this.checkpoints = StreamCheckpoints.get(ctx.getSystem());
    this.timers = timers;
    this.topics = HuntTopics.get(ctx.getSystem());
    this.metrics = Metrics.get(ctx.getSystem());
  }

  /**
   * A write is stored: times it (from {@code startedNanos}), publishes the stream entries after
   * {@code before}, re-arms the schedule and, every {@code stream-checkpoint-every} journal events,
   * saves where the stream can be read from.
   *
   * @param events how many events the write stored
   * @param seqNr the journal's sequence number after it
   */
  void stored(HuntState state, long before, long startedNanos, int events, long seqNr) {
    metrics.persisted("hunt", startedNanos);
    publishAfter(state, before);
    scheduleNext(state);
    if (checkpoints.due(seqNr, events)) checkpoints.save(StreamCheckpoints.of(state, seqNr));
  }

  /**
   * A group-commit batch of {@code commands} queued commands (joins, chat, finds, claims) is
   * decided, to be stored in one write (none when it adds no event: 49 losers of a race for an
   * exclusive treasure are answered together without one): counted in {@code
   * th_hunt_batch_commands}, whose sum over count is the mean batch.
   */
  void batched(int commands) {
    metrics.huntBatch(commands);
  }

  private void publishAfter(HuntState state, long before) {
    List<StreamEntry> entries = state.entriesAfter(before);
    if (entries.isEmpty()) return;
    ActorRef<Topic.Command<StreamEntry>> topic = topics.stream(huntId);
    for (StreamEntry entry : entries) topic.tell(Topic.publish(entry));
  }

  /** The entity recovered at journal sequence number {@code seqNr}. */
  void recovered(HuntState state, long seqNr) {
    scheduleNext(state);
    // A checkpoint where the hunt stands now, so that a resume reaching back to here reads only the
    // events after it (also for hunts stored before checkpoints existed).
    if (state.defined() && seqNr >= checkpoints.every())
      checkpoints.save(StreamCheckpoints.of(state, seqNr));
  }

  /** Arms the timer for the next scheduled transition, if any (re-armed at most every 12 hours). */
  void scheduleNext(HuntState state) {
    if (!state.defined()) return;
    Long due = state.nextTransitionAt();
    if (due == null) {
      timers.cancel("schedule");
      return;
    }
    long delay = Math.max(0, due - System.currentTimeMillis());
    timers.startSingleTimer(
        "schedule", new Tick(), Duration.ofMillis(Math.min(delay, MAX_TIMER.toMillis())));
  }
}
