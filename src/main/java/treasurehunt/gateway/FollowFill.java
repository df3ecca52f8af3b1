package treasurehunt.gateway;

/** Where a {@link HuntFollow} is with filling what its client missed (moved out of it for size). */
enum FollowFill {
  /** Live: events go out as they come. */
  IDLE,
  /** A fill is needed; waiting for the connection's slot. */
  WAITING,
  /** A page was asked for. */
  FETCHING,
  /** A page is being sent, at the client's pace. */
  SENDING,
  /** A snapshot was asked for. */
  RESETTING
}
