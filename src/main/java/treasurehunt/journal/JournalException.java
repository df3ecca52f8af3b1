package treasurehunt.journal;

/**
 * A problem the user can act on (no journal there, unknown entity, bad file): printed as one line,
 * exit 2.
 */
final class JournalException extends RuntimeException {
  JournalException(String message) {
    super(message);
  }

  JournalException(String message, Throwable cause) {
    super(message, cause);
  }
}
