package treasurehunt.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static treasurehunt.simulations.Chains.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import org.HdrHistogram.Histogram;

/**
 * Adaptive vs fixed polling over the same walks: {@code users} bots honour the server's {@code
 * nextPollMs} and {@code users} bots report every {@code pollMs} (1 s); bot i of each group walks
 * the same seeded path in its own copy of the same hunt. Compares reports sent (the battery) with
 * the map error: the distance between where a bot truly is and where the server last saw it,
 * sampled every 100 ms of walk.
 */
public class PollingSimulation extends Simulation {
  final HuntPlan adaptiveHunt =
      HuntPlan.generate(Settings.RUN_ID + "-poll-adaptive", Settings.SEED, 800, 30, 1_000_000);
  final HuntPlan fixedHunt =
      HuntPlan.generate(Settings.RUN_ID + "-poll-fixed", Settings.SEED, 800, 30, 1_000_000);

  {
    Admin.create(adaptiveHunt);
    Admin.create(fixedHunt);
  }

  final long durationMs = Settings.DURATION_S * 1000L;

  ScenarioBuilder bots(String group, HuntPlan hunt, boolean adaptive) {
    return scenario(group)
        .exec(register(group, i -> hunt, true))
        .exec(connect("connect"))
        .exec(join())
        .exec(walk(adaptive, b -> b.elapsed() < durationMs, b -> b.walkStart + durationMs))
        .exec(integrityAndClose());
  }

  {
    setUp(
            bots("adaptive", adaptiveHunt, true)
                .injectOpen(rampUsers(Settings.USERS).during(Settings.RAMP_S)),
            bots("fixed", fixedHunt, false)
                .injectOpen(rampUsers(Settings.USERS).during(Settings.RAMP_S)))
        .protocols(protocol())
        .assertions(Runs.common(2L * Settings.USERS, Settings.USERS));
  }

  @Override
  public void before() {
    Runs.start("polling");
  }

  @Override
  public void after() {
    double minutes = Settings.DURATION_S / 60.0;
    for (String g : new String[] {"adaptive", "fixed"}) {
      long reports = Stats.counter("reports." + g);
      Histogram err = Stats.histogram("map_error_cm." + g);
      Stats.fact(g + ".reports", reports);
      Stats.fact(
          g + ".reportsPerBotMinute",
          Math.round(reports / (double) Settings.USERS / minutes * 10) / 10.0);
      Stats.fact(g + ".mapErrorP50M", err.getValueAtPercentile(50) / 100.0);
      Stats.fact(g + ".mapErrorP95M", err.getValueAtPercentile(95) / 100.0);
    }
    long a = Stats.counter("reports.adaptive"), f = Stats.counter("reports.fixed");
    if (f > 0) Stats.fact("adaptive.reportsRatioToFixed", Math.round(a * 1000.0 / f) / 1000.0);
    Runs.finish("polling");
  }
}
