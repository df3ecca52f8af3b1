package treasurehunt.game;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The latest position of each player of a hunt, indexed by cells of {@link #CELL} degrees (about
 * 220 m north to south, 140 m west to east at 50°N), so that a viewport reads only the cells it
 * covers (docs/protocol.md §7.1). A report costs a few hash operations whatever the hunt's size;
 * the players who moved since the last {@link #endInterval} are kept by cell, both the cell they
 * left and the one they are in, so that a viewport learns who entered it, moved in it or left it.
 *
 * <p>Each player gets a short number {@code n} the first time it is seen, kept for the life of the
 * grid even if the player leaves and comes back.
 */
public final class PositionGrid {

  /** The side of a cell, in degrees of latitude and of longitude. */
  public static final double CELL = 0.002;

  /**
   * A player's latest position; {@code removed}: it left the hunt (in the interval's moves only).
   */
  public static final class Entry {
    public final int n;
    public final String playerId;
    public double lat;
    public double lon;
    long cell;
    public boolean removed;

    Entry(int n, String playerId) {
      this.n = n;
      this.playerId = playerId;
    }
  }

  /**
   * A viewport, in degrees; never across the antimeridian ({@code west <= east}). The cell ranges
   * are inclusive.
   */
  public record Box(double south, double west, double north, double east) {
    public boolean contains(double lat, double lon) {
      return lat >= south && lat <= north && lon >= west && lon <= east;
    }

    public boolean contains(Entry e) {
      return !e.removed && contains(e.lat, e.lon);
    }

    int firstRow() {
      return row(south);
    }

    int lastRow() {
      return row(north);
    }

    int firstCol() {
      return col(west);
    }

    int lastCol() {
      return col(east);
    }

    /** How many cells the box touches. */
    public long cells() {
      return (long) (lastRow() - firstRow() + 1) * (lastCol() - firstCol() + 1);
    }

    /** Whether the box touches the cell. */
    public boolean touches(long cell) {
      int r = (int) (cell >> 32), c = (int) cell;
      return r >= firstRow() && r <= lastRow() && c >= firstCol() && c <= lastCol();
    }
  }

  private final Map<String, Integer> numbers = new HashMap<>();
  private final Map<String, Entry> entries = new HashMap<>();
  private final Map<Integer, Entry> byNumber = new HashMap<>();
  private final Map<Long, Set<Entry>> cells = new HashMap<>();
  private final Map<Long, Set<Entry>> moved = new HashMap<>();

  /** A player's new position. */
  public void move(String playerId, double lat, double lon) {
    Entry e = entries.get(playerId);
    long cell = cell(lat, lon);
    if (e == null) {
      int n = numbers.computeIfAbsent(playerId, p -> numbers.size() + 1);
      e = new Entry(n, playerId);
      entries.put(playerId, e);
      byNumber.put(n, e);
      cells.computeIfAbsent(cell, c -> new LinkedHashSet<>()).add(e);
    } else if (e.cell != cell) {
      moved(e.cell, e); // a viewport over the cell it left must hear of it
      leaveCell(e);
      cells.computeIfAbsent(cell, c -> new LinkedHashSet<>()).add(e);
    }
    e.lat = lat;
    e.lon = lon;
    e.cell = cell;
    moved(cell, e);
  }

  /** The player left the hunt: a viewport that showed it must say so. */
  public void remove(String playerId) {
    Entry e = entries.remove(playerId);
    if (e == null) return;
    byNumber.remove(e.n);
    leaveCell(e);
    e.removed = true;
    moved(e.cell, e);
  }

  /** The player numbered {@code n}, where it is now; null when it is not on the grid. */
  public Entry get(int n) {
    return byNumber.get(n);
  }

  /** The players in a cell (empty when none). */
  public Set<Entry> in(long cell) {
    return cells.getOrDefault(cell, Set.of());
  }

  /** The occupied cells and their players. */
  public Map<Long, Set<Entry>> cells() {
    return cells;
  }

  /** The players who moved (or left) since the last {@link #endInterval}, by cell. */
  public Map<Long, Set<Entry>> moved() {
    return moved;
  }

  public void endInterval() {
    moved.clear();
  }

  /** Forgets every position (nobody watches them any more); the numbers stay. */
  public void clear() {
    entries.clear();
    byNumber.clear();
    cells.clear();
    moved.clear();
  }

  public int size() {
    return entries.size();
  }

  /** The cell of a position: its row in the high 32 bits, its column in the low. */
  public static long cell(double lat, double lon) {
    return key(row(lat), col(lon));
  }

  public static long key(int row, int col) {
    return ((long) row << 32) | (col & 0xffffffffL);
  }

  static int row(double lat) {
    return (int) Math.floor(lat / CELL);
  }

  static int col(double lon) {
    return (int) Math.floor(lon / CELL);
  }

  private void moved(long cell, Entry e) {
    moved.computeIfAbsent(cell, c -> new LinkedHashSet<>()).add(e);
  }

  private void leaveCell(Entry e) {
    Set<Entry> in = cells.get(e.cell);
    if (in == null) return;
    in.remove(e);
    if (in.isEmpty()) cells.remove(e.cell);
  }
}
