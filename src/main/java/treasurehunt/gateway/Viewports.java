package treasurehunt.gateway;

import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import treasurehunt.game.PositionGrid;

/**
 * The viewports of a hunt's feed on one node (docs/protocol.md §7.1): the hunt's {@link
 * PositionGrid}, and for each session that sent {@code view} its box and the players its client
 * knows. Each interval a viewer gets one {@code moves} frame: the players who moved inside its box
 * (with the id's meaning the first time), the ones it knew that left the box or the hunt ({@code
 * gone}, once), and, after a new viewport or a restart, the players inside the box it does not know
 * yet, at most {@link #MAX_NEW} a frame.
 *
 * <p><b>Cost.</b> A report costs O(1) ({@link PositionGrid#move}). A viewer's frame reads the cells
 * its box touches that had moves in the interval (or the interval's moved cells, whichever is
 * fewer), so the work is bounded by what is inside the viewports, not by players × viewers. A new
 * box reads the occupied cells it touches (or the box's cells, whichever is fewer), and checks the
 * players the client knew. Box changes are conflated: the last box of an interval counts.
 */
final class Viewports {

  /** Players a frame introduces from a new box or a restart; the rest follow in the next frames. */
  static final int MAX_NEW = 1000;

  private static final class Viewer {
    PositionGrid.Box box;
    PositionGrid.Box next;
    boolean full = true;
    boolean scan = true;
    final Set<Integer> known = new HashSet<>();
  }

  private final PositionGrid grid = new PositionGrid();
  private final Map<ActorRef<HuntFeeds.Delivery>, Viewer> viewers = new HashMap<>();

  int size() {
    return viewers.size();
  }

  boolean has(ActorRef<HuntFeeds.Delivery> session) {
    return viewers.containsKey(session);
  }

  void moved(String playerId, double lat, double lon) {
    grid.move(playerId, lat, lon);
  }

  void left(String playerId) {
    grid.remove(playerId);
  }

  /**
   * A session's box, from the next frame on; null: no viewport any more. {@code restart}: its
   * client knows nothing (the next frame is {@code full}).
   */
  void view(ActorRef<HuntFeeds.Delivery> session, PositionGrid.Box box, boolean restart) {
    if (box == null) {
      viewers.remove(session);
      return;
    }
    Viewer v = viewers.computeIfAbsent(session, s -> new Viewer());
    v.next = box;
    if (restart) {
      v.full = true;
      v.known.clear();
    }
  }

  void remove(ActorRef<HuntFeeds.Delivery> session) {
    viewers.remove(session);
  }

  /** Nobody watches positions any more: forget them. */
  void clear() {
    grid.clear();
  }

  /** The interval is over: one frame per viewer with something to say. */
  void flush(String hunt, long at, BiConsumer<ActorRef<HuntFeeds.Delivery>, HuntFeeds.Moves> out) {
    for (Map.Entry<ActorRef<HuntFeeds.Delivery>, Viewer> e : viewers.entrySet()) {
      HuntFeeds.Moves m = frame(hunt, at, e.getValue());
      if (m != null) out.accept(e.getKey(), m);
    }
    grid.endInterval();
  }

  private HuntFeeds.Moves frame(String hunt, long at, Viewer v) {
    Frame f = new Frame();
    if (v.next != null) {
      v.box = v.next;
      v.next = null;
      v.scan = true;
      for (Iterator<Integer> it = v.known.iterator(); it.hasNext(); ) {
        int n = it.next();
        PositionGrid.Entry e = grid.get(n);
        if (e == null || !v.box.contains(e)) {
          it.remove();
          f.gone.add(n);
        }
      }
    }
    if (v.full) {
      v.known.clear();
      f.gone.clear(); // the client starts afresh anyway
    }
    PositionGrid.Box box = v.box;
    Map<Long, Set<PositionGrid.Entry>> moved = grid.moved();
    if (moved.size() <= box.cells()) {
      for (Map.Entry<Long, Set<PositionGrid.Entry>> c : moved.entrySet())
        if (box.touches(c.getKey())) for (PositionGrid.Entry e : c.getValue()) f.move(v, e);
    } else forEachCell(box, moved, entries -> entries.forEach(e -> f.move(v, e)));
    if (v.scan) {
      boolean[] capped = {false};
      forEachCell(
          box,
          grid.cells(),
          entries -> {
            for (PositionGrid.Entry e : entries) {
              if (f.introduced >= MAX_NEW) {
                capped[0] = true;
                return;
              }
              if (!v.known.contains(e.n) && box.contains(e)) {
                f.introduced++;
                f.move(v, e);
              }
            }
          });
      v.scan = capped[0];
    }
    boolean full = v.full;
    v.full = false;
    if (!full && f.moved.isEmpty() && f.gone.isEmpty()) return null;
    return new HuntFeeds.Moves(hunt, ServerFrame.of(f.render(hunt, at, full)), full);
  }

  /** The cells of {@code cells} the box touches, by whichever is fewer: the box's or the map's. */
  private static void forEachCell(
      PositionGrid.Box box,
      Map<Long, Set<PositionGrid.Entry>> cells,
      Consumer<Set<PositionGrid.Entry>> action) {
    if (cells.size() <= box.cells()) {
      for (Map.Entry<Long, Set<PositionGrid.Entry>> c : cells.entrySet())
        if (box.touches(c.getKey())) action.accept(c.getValue());
      return;
    }
    int r0 = (int) Math.floor(box.south() / PositionGrid.CELL);
    int r1 = (int) Math.floor(box.north() / PositionGrid.CELL);
    int c0 = (int) Math.floor(box.west() / PositionGrid.CELL);
    int c1 = (int) Math.floor(box.east() / PositionGrid.CELL);
    for (int r = r0; r <= r1; r++)
      for (int c = c0; c <= c1; c++) {
        Set<PositionGrid.Entry> in = cells.get(PositionGrid.key(r, c));
        if (in != null) action.accept(in);
      }
  }

  /** One viewer's frame being built. */
  private final class Frame {
    final List<PositionGrid.Entry> ids = new ArrayList<>();
    final List<PositionGrid.Entry> moved = new ArrayList<>();
    final List<Integer> gone = new ArrayList<>();
    final Set<Integer> seen = new HashSet<>();
    int introduced;

    /** A player who moved, entered, left the box or the hunt: what the viewer must hear. */
    void move(Viewer v, PositionGrid.Entry e) {
      if (v.box.contains(e)) {
        if (!seen.add(e.n)) return;
        if (v.known.add(e.n)) ids.add(e);
        moved.add(e);
      } else if (e.removed && grid.get(e.n) != null) {
        return; // left the hunt and came back within the interval: its new entry decides
      } else if (v.known.remove(e.n)) gone.add(e.n);
    }

    ObjectNode render(String hunt, long at, boolean full) {
      ObjectNode n = Frames.object("moves");
      n.put("hunt", hunt);
      n.put("at", at);
      n.put("full", full);
      if (!ids.isEmpty()) {
        ArrayNode list = n.putArray("ids");
        for (PositionGrid.Entry e : ids) list.addObject().put("n", e.n).put("playerId", e.playerId);
      }
      ArrayNode list = n.putArray("moved");
      for (PositionGrid.Entry e : moved)
        list.addArray().add(e.n).add(round(e.lat)).add(round(e.lon));
      if (!gone.isEmpty()) {
        ArrayNode g = n.putArray("gone");
        gone.forEach(g::add);
      }
      return n;
    }
  }

  /** Five decimals: about a metre. */
  static double round(double degrees) {
    return Math.round(degrees * 1e5) / 1e5;
  }
}
