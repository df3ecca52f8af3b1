package treasurehunt.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static treasurehunt.simulations.Chains.*;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.ArrayList;
import java.util.List;

/**
 * Steady: {@code users} players spread over {@code hunts} hunts, each reporting every {@code
 * pollMs} (or as the server advises with {@code -Dpoll=adaptive}) for {@code duration} seconds,
 * claiming and chatting as they go; {@code spectators} watch the same hunts. The load is users ×
 * 1000 / pollMs reports/s.
 */
public class SteadySimulation extends Simulation {
  final List<HuntPlan> hunts = Admin.createHunts("steady", Settings.HUNTS, 30, 1000, 1_000_000);
  final long durationMs = Settings.DURATION_S * 1000L;

  /** With -Dsteps, every player plays until the last step ends (a shared instant). */
  static volatile long endAt = Long.MAX_VALUE;

  final boolean stepped = !Settings.STEPS.isEmpty();
  final boolean adaptive = Settings.POLL.equals("adaptive");

  ScenarioBuilder players =
      scenario("players")
          .exec(register("players", i -> hunts.get(i % hunts.size()), true))
          .exec(connect("connect"))
          .exec(join())
          .exec(
              walk(
                  adaptive,
                  b -> stepped ? System.currentTimeMillis() < endAt : b.elapsed() < durationMs,
                  b -> stepped ? endAt : b.walkStart + durationMs))
          .exec(integrityAndClose());

  ScenarioBuilder spectators =
      scenario("spectators")
          .exec(invite("spectators", i -> hunts.get(i % hunts.size())))
          .exec(connect("connect"))
          .exec(watch())
          .exec(spectate(b -> b.elapsed() < durationMs))
          .exec(integrityAndClose());

  {
    List<PopulationBuilder> populations = new ArrayList<>();
    populations.add(players.injectOpen(rampUsers(Settings.USERS).during(Settings.RAMP_S)));
    if (Settings.SPECTATORS > 0)
      populations.add(
          spectators.injectOpen(rampUsers(Settings.SPECTATORS).during(Settings.RAMP_S)));
    long expectedReports =
        stepped
            ? Settings.USERS
            : adaptive
                ? Settings.USERS
                : (long) (Settings.USERS * (durationMs / (double) Settings.POLL_MS) * 0.5);
    setUp(populations)
        .protocols(protocol())
        .assertions(
            Runs.common(
                Settings.USERS + Settings.SPECTATORS, Settings.SPECTATORS, expectedReports));
  }

  @Override
  public void before() {
    Runs.start("steady");
    if (stepped) endAt = Runs.steps(System.currentTimeMillis() + (Settings.RAMP_S + 10) * 1000L);
  }

  @Override
  public void after() {
    Runs.finish("steady");
  }
}
