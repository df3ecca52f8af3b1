package treasurehunt.journal;

/**
 * One thing {@code journal verify} found: a violation (the journal does not add up) or a warning
 * (something the engine heals by itself), with where: the entity and the sequence number (0: the
 * entity as a whole).
 */
record Finding(boolean violation, String persistenceId, long seq, String message) {
  String line() {
    return (violation ? "VIOLATION " : "warning   ")
        + persistenceId
        + (seq > 0 ? " seq " + seq : "")
        + ": "
        + message;
  }
}
