package treasurehunt.simulations;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A bot's true path, a pure function of its seed and the time since it started walking: legs
 * towards a treasure (then a short stop there), towards a random point, or a rest on a bench. Two
 * runs with the same seed walk the same path whatever they report, which is what makes adaptive and
 * fixed polling comparable.
 */
public final class Walk {
  private record Leg(long t0, long t1, double x0, double y0, double x1, double y1) {}

  private final HuntPlan hunt;
  private final Random rnd;
  private final double seekP;
  private final List<Leg> legs = new ArrayList<>();
  private int cursor;

  public Walk(HuntPlan hunt, long seed, double seekP) {
    this.hunt = hunt;
    this.rnd = new Random(seed);
    this.seekP = seekP;
    double a = rnd.nextDouble() * 2 * Math.PI;
    double d = Math.sqrt(rnd.nextDouble()) * hunt.radiusM * 0.8;
    double x = d * Math.cos(a), y = d * Math.sin(a);
    legs.add(new Leg(0, 0, x, y, x, y));
  }

  /** True position (x, y metres) at {@code t} ms after the start. */
  public double[] at(long t) {
    while (legs.get(legs.size() - 1).t1() <= t) extend();
    while (cursor > 0 && legs.get(cursor).t0() > t) cursor--;
    while (legs.get(cursor).t1() <= t) cursor++;
    Leg l = legs.get(cursor);
    if (l.t1() == l.t0()) return new double[] {l.x1(), l.y1()};
    double f = (double) (t - l.t0()) / (l.t1() - l.t0());
    return new double[] {l.x0() + (l.x1() - l.x0()) * f, l.y0() + (l.y1() - l.y0()) * f};
  }

  private void extend() {
    Leg last = legs.get(legs.size() - 1);
    double x = last.x1(), y = last.y1();
    long t = last.t1();
    double speed = Settings.SPEED_MPS * (0.7 + 0.6 * rnd.nextDouble());
    double p = rnd.nextDouble();
    if (p < seekP && !hunt.treasures.isEmpty()) {
      HuntPlan.Treasure tr = hunt.treasures.get(rnd.nextInt(hunt.treasures.size()));
      // aim somewhere inside the radius, not at its exact centre
      double tx = tr.x() + (rnd.nextDouble() - 0.5) * tr.radiusM() * 0.6;
      double ty = tr.y() + (rnd.nextDouble() - 0.5) * tr.radiusM() * 0.6;
      t = walk(t, x, y, tx, ty, speed);
      legs.add(new Leg(t, t + 5_000 + rnd.nextInt(15_000), tx, ty, tx, ty));
    } else if (p < seekP + (1 - seekP) * 0.3) {
      legs.add(new Leg(t, t + 10_000 + rnd.nextInt(50_000), x, y, x, y));
    } else {
      double a = rnd.nextDouble() * 2 * Math.PI;
      double d = Math.sqrt(rnd.nextDouble()) * hunt.radiusM * 0.9;
      walk(t, x, y, d * Math.cos(a), d * Math.sin(a), speed);
    }
  }

  private long walk(long t, double x0, double y0, double x1, double y1, double speed) {
    double dist = Math.hypot(x1 - x0, y1 - y0);
    long t1 = t + Math.max(1, (long) (dist / speed * 1000));
    legs.add(new Leg(t, t1, x0, y0, x1, y1));
    return t1;
  }
}
