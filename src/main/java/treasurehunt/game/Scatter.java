package treasurehunt.game;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded scatter of treasures inside a circular area. Same area and seed, same treasures, on every
 * JVM: {@link SplittableRandom} is specified bit for bit and the geometry uses {@link StrictMath}.
 */
public final class Scatter {
  private Scatter() {}

  /** Treasures {@code g-1} … {@code g-N}, uniformly distributed over the disc (area-uniform). */
  public static List<Treasure> scatter(Area area, Generate generate) {
    SplittableRandom random = new SplittableRandom(generate.seed());
    List<Treasure> out = new ArrayList<>(generate.count());
    for (int i = 1; i <= generate.count(); i++) {
      // sqrt for area-uniform radius; keep treasures fully inside (slightly within the edge).
      double r = area.radiusM() * StrictMath.sqrt(random.nextDouble()) * 0.999;
      double bearing = random.nextDouble() * 360;
      double[] p = Geo.destination(area.lat(), area.lon(), bearing, r);
      out.add(
          new Treasure(
              "g-" + i, p[0], p[1], generate.radiusM(), generate.points(), null, null, false));
    }
    return out;
  }
}
