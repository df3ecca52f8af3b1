package treasurehunt.journal;

import java.util.List;

/**
 * A journal to read: a PostgreSQL database ({@link DbReader}) or an export file ({@link
 * FileReader}).
 */
interface JournalReader extends AutoCloseable {

  /**
   * Receives entities one after the other, each as its snapshots then its events in sequence order.
   */
  interface Visitor {
    /** A new persistence id, with its snapshots (oldest first; empty when it has none). */
    void begin(String persistenceId, List<SnapshotRow> snapshots) throws Exception;

    void event(EventRow row) throws Exception;

    void end() throws Exception;
  }

  /** For progress bars: a count of what {@link #scan} will read (events, or bytes of a file). */
  interface Progress {
    void advance(long n);
  }

  /** Where the journal is, for messages. */
  String describe();

  /** Every persistence id with its event count and times, ordered by persistence id. */
  List<EntityInfo> entities() throws Exception;

  /** Whether the journal has events or snapshots of this persistence id. */
  boolean exists(String persistenceId) throws Exception;

  /**
   * Reads every entity (or only {@code persistenceId} when not null) grouped by persistence id,
   * events in sequence order. {@code snapshots}: also load the snapshots. {@code metadata}: also
   * the columns that replay does not need (ordering, writer, adapter manifest, event metadata,
   * tags); without it they may be left null or 0.
   */
  void scan(
      String persistenceId, boolean snapshots, boolean metadata, Visitor visitor, Progress progress)
      throws Exception;

  /** The total {@link #scan} reports to its progress: events (database) or bytes (file). */
  long size() throws Exception;

  /** What {@link #size} counts, for the progress bar. */
  String unit();
}
