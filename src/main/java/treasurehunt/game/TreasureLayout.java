package treasurehunt.game;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.Predicate;

/**
 * The treasures of a hunt with a uniform grid index, so that checking one location looks at a fixed
 * number of cells whether the hunt has 10 treasures or 100,000.
 *
 * <p>Cells are at least {@code cellM} metres on each side everywhere the layout reaches ({@code
 * cellM} is the largest treasure radius, and at least 50 m), so a point within a treasure's radius
 * is in the treasure's cell or one of its eight neighbours. The index is a sorted array of cell
 * keys with the treasures of each cell stored contiguously: a lookup is a binary search and
 * allocates nothing. Hunts across the antimeridian (±180°) are not supported: {@link
 * HuntDefinition#problems()} refuses them.
 */
public final class TreasureLayout {
  private static final double METRES_PER_DEG_LAT = StrictMath.PI * Geo.EARTH_RADIUS_M / 180;

  private final List<Treasure> all;
  private final Map<String, Treasure> byId;
  private final double cellM;
  private final double cellLat;
  private final double cellLon;
  private final long[] keys;
  private final int[] starts; // starts[i]..starts[i+1] index into cells
  private final Treasure[] cells;

  public TreasureLayout(List<Treasure> treasures) {
    this.all = List.copyOf(treasures);
    this.byId = new HashMap<>(all.size() * 2);
    double maxRadius = 50;
    double maxAbsLat = 0;
    for (Treasure t : all) {
      byId.put(t.id(), t);
      maxRadius = Math.max(maxRadius, t.radiusM());
      maxAbsLat = Math.max(maxAbsLat, Math.abs(t.lat()));
    }
    this.cellM = maxRadius;
    this.cellLat = cellM / METRES_PER_DEG_LAT;
    // Narrowest cell width in the layout's latitudes (plus a margin for points just beyond them).
    double cos = StrictMath.cos(StrictMath.toRadians(Math.min(89.0, maxAbsLat + 1)));
    this.cellLon = cellLat / cos;

    Treasure[] sorted = all.toArray(new Treasure[0]);
    Arrays.sort(
        sorted,
        Comparator.comparingLong((Treasure t) -> key(t.lat(), t.lon()))
            .thenComparing(Treasure::id));
    long[] k = new long[sorted.length];
    int[] s = new int[sorted.length + 1];
    int n = 0;
    for (int i = 0; i < sorted.length; i++) {
      long key = key(sorted[i].lat(), sorted[i].lon());
      if (n == 0 || k[n - 1] != key) {
        k[n] = key;
        s[n] = i;
        n++;
      }
    }
    s[n] = sorted.length;
    this.keys = Arrays.copyOf(k, n);
    this.starts = Arrays.copyOf(s, n + 1);
    this.cells = sorted;
  }

  public int size() {
    return all.size();
  }

  /** In definition order. */
  public List<Treasure> all() {
    return all;
  }

  /** The treasure with this id, or null. */
  public Treasure get(String id) {
    return byId.get(id);
  }

  /** Treasures whose radius contains the point, except those {@code skip} accepts; sorted by id. */
  public List<Treasure> reachedAt(double lat, double lon, Predicate<String> skip) {
    return reachedAt(lat, lon, skip, null);
  }

  /**
   * As {@link #reachedAt(double, double, Predicate)}; {@code examined}, when not null, is given the
   * number of treasures the lookup compared with the point (the proof that it stays local).
   */
  public List<Treasure> reachedAt(
      double lat, double lon, Predicate<String> skip, IntConsumer examined) {
    int cy = latCell(lat);
    int cx = lonCell(lon);
    int seen = 0;
    List<Treasure> out = null;
    for (int dy = -1; dy <= 1; dy++)
      for (int dx = -1; dx <= 1; dx++) {
        int i = Arrays.binarySearch(keys, pack(cy + dy, cx + dx));
        if (i < 0) continue;
        for (int j = starts[i]; j < starts[i + 1]; j++) {
          Treasure t = cells[j];
          seen++;
          if (Geo.distanceM(lat, lon, t.lat(), t.lon()) <= t.radiusM() && !skip.test(t.id())) {
            if (out == null) out = new ArrayList<>(2);
            out.add(t);
          }
        }
      }
    if (examined != null) examined.accept(seen);
    if (out == null) return List.of();
    out.sort(Comparator.comparing(Treasure::id));
    return out;
  }

  /**
   * Distance in metres to the nearest treasure within {@code maxM} of the point that {@code skip}
   * does not accept; +∞ when there is none that close. Looks at (2⌈maxM/cellM⌉+1)² cells, whatever
   * the number of treasures.
   */
  public double nearestWithin(double lat, double lon, double maxM, Predicate<String> skip) {
    return nearestWithin(lat, lon, maxM, skip, null);
  }

  /**
   * As {@link #nearestWithin(double, double, double, Predicate)}; {@code examined}, when not null,
   * is given the number of treasures the lookup compared with the point.
   */
  public double nearestWithin(
      double lat, double lon, double maxM, Predicate<String> skip, IntConsumer examined) {
    int cy = latCell(lat);
    int cx = lonCell(lon);
    int reach = (int) Math.ceil(maxM / cellM);
    int seen = 0;
    double best = Double.POSITIVE_INFINITY;
    // One search per row of cells, not one per cell (the default warm band is 9 x 9 cells, and this
    // runs for every accepted location report): a row's cells are neighbours in the index
    for (int dy = -reach; dy <= reach; dy++) {
      int row = cy + dy, lo = cx - reach, hi = cx + reach;
      boolean split = lo < 0 && hi >= 0;
      for (int run = split ? 0 : 1; run < 2; run++) {
        long last = pack(row, run == 0 ? -1 : hi);
        for (int i = atLeast(pack(row, run == 0 || !split ? lo : 0));
            i < keys.length && keys[i] <= last;
            i++)
          for (int j = starts[i]; j < starts[i + 1]; j++) {
            Treasure t = cells[j];
            seen++;
            double d = Geo.distanceM(lat, lon, t.lat(), t.lon());
            if (d <= maxM && d < best && !skip.test(t.id())) best = d;
          }
      }
    }
    if (examined != null) examined.accept(seen);
    return best;
  }

  /**
   * The index of the first key at least {@code key}. Keys order by latitude cell, then by longitude
   * cell as an unsigned number ({@link #pack}): the cells of one row from {@code lo} to {@code hi}
   * are one run of the index when {@code lo} and {@code hi} have one sign, and two runs, {@code
   * lo..-1} and {@code 0..hi}, when the row crosses longitude cell 0 (the prime meridian).
   */
  private int atLeast(long key) {
    int i = Arrays.binarySearch(keys, key);
    return i >= 0 ? i : -i - 1;
  }

  private int latCell(double lat) {
    return (int) Math.floor(lat / cellLat);
  }

  private int lonCell(double lon) {
    return (int) Math.floor(lon / cellLon);
  }

  private long key(double lat, double lon) {
    return pack(latCell(lat), lonCell(lon));
  }

  private static long pack(int latCell, int lonCell) {
    return ((long) latCell << 32) ^ (lonCell & 0xffffffffL);
  }
}
