package treasurehunt.gateway;

/**
 * What a {@link HuntFollow} needs from its session ({@link HuntFollows} implements it on the
 * session's thread; {@code HuntFollowTest} records it). {@code HuntFollow.Io} names it there.
 */
interface FollowIo {
  /** Sends one frame to the client, in the connection's encoding. */
  void send(ServerFrame frame);

  /**
   * Whether paced delivery may send now; when not, {@link HuntFollow#pump} is called once the
   * client has read.
   */
  boolean room();

  /** Subscribes the connection to the hunt's feed on this node (again: only updates it). */
  void subscribe(String hunt, boolean positions);

  /**
   * Asks for the connection's fill slot; {@link HuntFollow#fillGranted} is called when it is this
   * one's.
   */
  void requestFill(String hunt);

  /**
   * Fetches the next page of events after {@code after} in {@code epoch} (the node's feed of the
   * hunt when it holds them, else the hunt's window, then the journal), then calls {@link
   * HuntFollow#filled} or {@link HuntFollow#fillFailed}.
   */
  void fetchEvents(String hunt, String epoch, long after);

  /**
   * Fetches the hunt's view and the player's progress, then calls {@link HuntFollow#reset} or
   * {@link #resetFailed} with {@code resumeRe}.
   */
  void fetchSnapshot(String hunt, String resumeRe);

  /** Ends this follow: the session forgets it and unsubscribes. */
  void unfollow(String hunt);

  /** This follow no longer needs the connection's fill slot. */
  void fillDone(String hunt);

  /**
   * Asks the hunt whether this connection's player is in it, then calls {@link HuntFollow#presence}
   * or {@link HuntFollow#presenceFailed}.
   */
  void fetchPresence(String hunt);
}
