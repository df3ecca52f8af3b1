package treasurehunt.journal;

import java.util.List;

/**
 * One row of Akka Persistence JDBC's {@code event_journal} (persistence-schema/postgres.sql), as
 * read from the database or from an export file: the event's bytes exactly as stored, with their
 * metadata.
 *
 * @param tags the rows of {@code event_tag} for this event (the engine writes none today)
 */
record EventRow(
    String persistenceId,
    long seq,
    long ordering,
    boolean deleted,
    String writer,
    long timestamp,
    String adapterManifest,
    int serId,
    String serManifest,
    byte[] payload,
    Integer metaSerId,
    String metaSerManifest,
    byte[] metaPayload,
    List<String> tags) {}
