package treasurehunt.game;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ScatterTest {
  @Test
  void scatteredTreasuresAreAlwaysInsideTheArea() {
    SplittableRandom r = new SplittableRandom(3);
    for (int run = 0; run < 200; run++) {
      Area area =
          new Area(r.nextDouble(-80, 80), r.nextDouble(-170, 170), r.nextDouble(10, 100_000));
      List<Treasure> ts = Scatter.scatter(area, new Generate(200, r.nextLong(), 50, 20));
      assertEquals(200, ts.size());
      for (Treasure t : ts)
        assertTrue(area.contains(t.lat(), t.lon()), () -> t + " outside " + area);
    }
  }

  @Test
  void sameSeedSameTreasuresOtherSeedOtherTreasures() {
    Area area = new Area(52.3702, 4.8952, 1500);
    List<Treasure> a = Scatter.scatter(area, new Generate(50, 42, 50, 20));
    assertEquals(a, Scatter.scatter(area, new Generate(50, 42, 50, 20)));
    assertNotEquals(a, Scatter.scatter(area, new Generate(50, 43, 50, 20)));
    assertEquals("g-1", a.get(0).id());
    assertEquals("g-50", a.get(49).id());
  }

  /**
   * Pinned values: a change to the scatter would move every generated treasure of every existing
   * hunt.
   */
  @Test
  void scatterIsPinnedAcrossVersions() {
    Treasure first =
        Scatter.scatter(new Area(52.3702, 4.8952, 1500), new Generate(1, 42, 50, 20)).get(0);
    Treasure again =
        Scatter.scatter(new Area(52.3702, 4.8952, 1500), new Generate(1, 42, 50, 20)).get(0);
    assertEquals(Double.doubleToLongBits(first.lat()), Double.doubleToLongBits(again.lat()));
    assertEquals(PINNED_LAT, first.lat(), 0.0);
    assertEquals(PINNED_LON, first.lon(), 0.0);
  }

  static final double PINNED_LAT = 52.37642270815796;
  static final double PINNED_LON = 4.9112448809330544;

  @Test
  void uniformOverTheDisc() {
    Area area = new Area(0, 0, 1000);
    List<Treasure> ts = Scatter.scatter(area, new Generate(20_000, 5, 1, 10));
    int inner = 0;
    for (Treasure t : ts) if (Geo.distanceM(0, 0, t.lat(), t.lon()) <= 500) inner++;
    // A quarter of the disc's area lies within half its radius.
    assertEquals(0.25, inner / 20_000.0, 0.02);
  }
}
