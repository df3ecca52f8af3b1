package treasurehunt.gateway;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The WebSocket connections each player holds open on this node, so that one token cannot open
 * thousands of sockets (treasure-hunt.limits.connections-per-player, docs/protocol.md §9). A
 * session counts itself in when it authenticates and out when it stops.
 *
 * <p>Per node, not per cluster: a cluster-wide count would need a registry updated on every connect
 * and disconnect (and cleaned after a node crash); what a socket costs, memory and a session actor,
 * is spent on the node that holds it, and a player reaches at most nodes × limit. Only players with
 * an open connection are in the map (a count that reaches 0 is removed), so it never holds more
 * entries than the node's connection cap.
 */
final class PlayerConnections {
  private final int max;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

  /** {@code max ≤ 0}: no limit (the connections are still counted). */
  PlayerConnections(int max) {
    this.max = max;
  }

  /** Counts one more connection of {@code playerId}, or returns false (nothing counted) at max. */
  boolean open(String playerId) {
    boolean[] admitted = {false};
    open.compute(
        playerId,
        (id, n) -> {
          int now = n == null ? 0 : n;
          if (max > 0 && now >= max) return n;
          admitted[0] = true;
          return now + 1;
        });
    return admitted[0];
  }

  /** A connection counted by {@link #open} has closed. */
  void close(String playerId) {
    open.computeIfPresent(playerId, (id, n) -> n <= 1 ? null : n - 1);
  }

  /** Connections {@code playerId} holds open on this node. */
  int of(String playerId) {
    return open.getOrDefault(playerId, 0);
  }

  int max() {
    return max;
  }
}
