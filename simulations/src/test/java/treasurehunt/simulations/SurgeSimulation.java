package treasurehunt.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static treasurehunt.simulations.Chains.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Surge: {@code users} original players over {@code hunts} hunts play steadily; {@code duration}
 * seconds after their ramp, {@code surgeFactor} times as many players register, connect and join
 * within {@code surgeRamp} seconds and play too. The original players' location latency is kept per
 * phase — before, during (the surge ramp plus 10 s) and after (the same length as before, at the
 * new load) — and the summary gives p99 during/before.
 */
public class SurgeSimulation extends Simulation {
  final List<HuntPlan> hunts = Admin.createHunts("surge", Settings.HUNTS, 30, 1000, 1_000_000);
  static volatile long surgeAt = Long.MAX_VALUE;
  static volatile long calmAt = Long.MAX_VALUE;
  static volatile long endAt = Long.MAX_VALUE;

  static boolean playing() {
    return System.currentTimeMillis() < endAt;
  }

  ScenarioBuilder original =
      scenario("original")
          .exec(register("original", i -> hunts.get(i % hunts.size()), true))
          .exec(connect("connect"))
          .exec(join())
          .exec(walk(false, b -> playing(), b -> endAt))
          .exec(integrityAndClose());

  ScenarioBuilder surge =
      scenario("surge")
          .exec(register("surge", i -> hunts.get(i % hunts.size()), true))
          .exec(connect("connect"))
          .exec(join())
          .exec(walk(false, b -> playing(), b -> endAt))
          .exec(integrityAndClose());

  {
    int surgeUsers = Settings.USERS * Settings.SURGE_FACTOR;
    setUp(
            original.injectOpen(rampUsers(Settings.USERS).during(Settings.RAMP_S)),
            surge.injectOpen(
                nothingFor(Duration.ofSeconds(Settings.RAMP_S + Settings.DURATION_S)),
                rampUsers(surgeUsers).during(Settings.SURGE_RAMP_S)))
        .protocols(protocol())
        .assertions(Runs.common(Settings.USERS + surgeUsers, Settings.USERS));
  }

  @Override
  public void before() {
    Runs.start("surge");
    long start = System.currentTimeMillis();
    long rampEnd = start + Settings.RAMP_S * 1000L;
    surgeAt = rampEnd + Settings.DURATION_S * 1000L;
    calmAt = surgeAt + (Settings.SURGE_RAMP_S + 10) * 1000L;
    endAt = calmAt + Settings.DURATION_S * 1000L;
    // the first 5 s after the ramp are left out of "before": the original players are still joining
    Stats.phaser =
        t ->
            t < rampEnd + 5000
                ? "warmup"
                : t < surgeAt ? "before" : t < calmAt ? "during" : "after";
    Runs.window(surgeAt, calmAt, "ok.join", "deliveries.events");
  }

  @Override
  public void after() {
    double before = 0;
    for (String phase : new String[] {"before", "during", "after"}) {
      Histogram h = Stats.histogram("latency_us.location.original." + phase);
      double p99 = h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1000.0;
      Stats.fact("original.p99Ms." + phase, p99);
      Stats.fact(
          "original.p50Ms." + phase,
          h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1000.0);
      if (phase.equals("before")) before = p99;
      else if (before > 0)
        Stats.fact("original.p99Ratio." + phase, Math.round(p99 / before * 100) / 100.0);
    }
    Runs.finish("surge");
  }
}
