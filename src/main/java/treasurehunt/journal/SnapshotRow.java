package treasurehunt.journal;

/** One row of the {@code snapshot} table: a state saved by the entity after {@code seq} events. */
record SnapshotRow(
    String persistenceId,
    long seq,
    long created,
    int serId,
    String serManifest,
    byte[] payload,
    Integer metaSerId,
    String metaSerManifest,
    byte[] metaPayload) {}
