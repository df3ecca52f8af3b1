package treasurehunt.journal;

/** What {@code journal list} shows of one persistence id. */
record EntityInfo(
    String persistenceId,
    long events,
    long lastSeq,
    long firstTimestamp,
    long lastTimestamp,
    long snapshotSeq) {

  EntityKind kind() {
    return EntityKind.of(persistenceId);
  }
}
