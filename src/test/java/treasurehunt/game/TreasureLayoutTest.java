package treasurehunt.game;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TreasureLayoutTest {
  /** The brute-force answers the index must agree with. */
  static List<Treasure> reachedSlow(List<Treasure> all, double lat, double lon) {
    List<Treasure> out = new ArrayList<>();
    for (Treasure t : all) if (Geo.distanceM(lat, lon, t.lat(), t.lon()) <= t.radiusM()) out.add(t);
    out.sort(Comparator.comparing(Treasure::id));
    return out;
  }

  static double nearestSlow(List<Treasure> all, double lat, double lon, double maxM) {
    double best = Double.POSITIVE_INFINITY;
    for (Treasure t : all) {
      double d = Geo.distanceM(lat, lon, t.lat(), t.lon());
      if (d <= maxM) best = Math.min(best, d);
    }
    return best;
  }

  @Test
  void indexAgreesWithBruteForce() {
    SplittableRandom r = new SplittableRandom(19);
    for (int run = 0; run < 30; run++) {
      double lat0 = r.nextDouble(-80, 80), lon0 = r.nextDouble(-170, 170);
      Area area = new Area(lat0, lon0, r.nextDouble(100, 5000));
      List<Treasure> all = new ArrayList<>();
      for (Treasure t : Scatter.scatter(area, new Generate(300, r.nextLong(), 10, 20)))
        all.add(
            new Treasure(t.id(), t.lat(), t.lon(), r.nextDouble(1, 120), 10, null, null, false));
      TreasureLayout layout = new TreasureLayout(all);
      for (int i = 0; i < 300; i++) {
        double[] p =
            Geo.destination(
                lat0, lon0, r.nextDouble(0, 360), r.nextDouble(0, area.radiusM() * 1.2));
        assertEquals(reachedSlow(all, p[0], p[1]), layout.reachedAt(p[0], p[1], id -> false));
        assertEquals(
            nearestSlow(all, p[0], p[1], 200), layout.nearestWithin(p[0], p[1], 200, id -> false));
      }
    }
  }

  /**
   * Around longitude 0 a row of cells is two runs of the index (cell -1 and cell 0 are far apart in
   * it), and around the equator the latitude cells change sign: lookups there agree with brute
   * force too. Greenwich, and the Gulf of Guinea's "null island".
   */
  @Test
  void lookupsAcrossThePrimeMeridianAndTheEquatorAgreeWithBruteForce() {
    SplittableRandom r = new SplittableRandom(23);
    for (double[] centre : new double[][] {{51.4779, 0.0}, {0.0, 0.0}, {-33.9, 0.0005}}) {
      Area area = new Area(centre[0], centre[1], 2000);
      List<Treasure> all = new ArrayList<>();
      for (Treasure t : Scatter.scatter(area, new Generate(400, r.nextLong(), 10, 20)))
        all.add(new Treasure(t.id(), t.lat(), t.lon(), r.nextDouble(1, 60), 10, null, null, false));
      TreasureLayout layout = new TreasureLayout(all);
      for (int i = 0; i < 2000; i++) {
        double[] p =
            Geo.destination(centre[0], centre[1], r.nextDouble(0, 360), r.nextDouble(0, 2400));
        assertEquals(reachedSlow(all, p[0], p[1]), layout.reachedAt(p[0], p[1], id -> false));
        for (double maxM : new double[] {50, 200, 700})
          assertEquals(
              nearestSlow(all, p[0], p[1], maxM),
              layout.nearestWithin(p[0], p[1], maxM, id -> false),
              "nearest within " + maxM + " m of " + p[0] + "," + p[1]);
      }
    }
  }

  @Test
  void skippedTreasuresAreNeitherReachedNorNearest() {
    Treasure a = new Treasure("a", 52.0, 4.0, 30, 10, null, null, false);
    Treasure b = new Treasure("b", 52.0003, 4.0, 30, 10, null, null, false); // ~33 m north
    TreasureLayout layout = new TreasureLayout(List.of(b, a));
    assertEquals(List.of(a, b), layout.reachedAt(52.00015, 4.0, id -> false), "both, sorted by id");
    assertEquals(List.of(b), layout.reachedAt(52.00015, 4.0, "a"::equals));
    assertEquals(33.4, layout.nearestWithin(52.0, 4.0, 200, "a"::equals), 0.2);
    assertEquals(Double.POSITIVE_INFINITY, layout.nearestWithin(52.0, 4.0, 200, id -> true));
    assertEquals(Double.POSITIVE_INFINITY, layout.nearestWithin(53.0, 4.0, 200, id -> false));
    assertEquals(List.of(b, a), layout.all(), "definition order");
    assertSame(a, layout.get("a"));
    assertNull(layout.get("zz"));
  }

  @Test
  void lookupsStayLocalWithAHundredThousandTreasures() {
    int n = 100_000;
    Area area = new Area(52.37, 4.89, 50_000);
    List<Treasure> all = Scatter.scatter(area, new Generate(n, 1, 1, 20));
    TreasureLayout big = new TreasureLayout(all);
    assertEquals(n, big.size());
    // Count the treasures a lookup compares with the point, not the ones it finally keeps: a linear
    // scan keeps as few at this density, but compares all 100,000. 200 m around a point hold ~2
    // treasures here; the cells looked at a few more.
    int bound = n / 1000;
    int[] examined = {0};
    long total = 0;
    SplittableRandom r = new SplittableRandom(7);
    for (int q = 0; q < 60; q++) {
      // half the points on a treasure (so a cell looked at is never empty), half anywhere
      Treasure on = all.get(q * 1637);
      double[] p =
          q % 2 == 0
              ? new double[] {on.lat(), on.lon()}
              : Geo.destination(52.37, 4.89, r.nextDouble(0, 360), r.nextDouble(0, 50_000));
      examined[0] = 0;
      double nearest = big.nearestWithin(p[0], p[1], 200, id -> false, c -> examined[0] += c);
      assertTrue(examined[0] < bound, "nearestWithin compared " + examined[0] + " of " + n);
      if (q % 2 == 0) assertTrue(examined[0] >= 1, "the treasure under the point was compared");
      total += examined[0];
      assertEquals(nearestSlow(all, p[0], p[1], 200), nearest);

      examined[0] = 0;
      List<Treasure> reached = big.reachedAt(p[0], p[1], id -> false, c -> examined[0] += c);
      assertTrue(examined[0] < bound, "reachedAt compared " + examined[0] + " of " + n);
      if (q % 2 == 0) assertTrue(examined[0] >= 1, "the treasure under the point was compared");
      total += examined[0];
      assertEquals(reachedSlow(all, p[0], p[1]), reached);
    }
    assertTrue(total > 0);
  }
}
