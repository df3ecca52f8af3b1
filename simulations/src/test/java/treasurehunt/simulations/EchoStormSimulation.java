package treasurehunt.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;
import static treasurehunt.simulations.Chains.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * The reconnect storm's ceiling (issue 13): {@link StormSimulation}'s storm against the bare echo
 * endpoint ({@code treasurehunt.baselines.EchoServer}), with the same generator. {@code users}
 * clients connect over {@code ramp} seconds and send a location-sized frame every {@code pollMs};
 * {@code stormAfter} seconds after the ramp every one of them closes its socket, connects again and
 * sends a frame; "back" is its first echo on the new socket (the engine's client is back when its
 * {@code resume} is answered). Facts as the storm's: {@code storm.dropSpreadMs}, {@code
 * storm.allResumedAfterMs} (the last client back, from the storm instant), {@code storm.resumed}.
 * Needs no node and no admin token.
 */
public class EchoStormSimulation extends Simulation {
  final HuntPlan plan = HuntPlan.generate("echo", Settings.SEED, 1000, 30, 1_000_000);
  static volatile long stormAt = Long.MAX_VALUE;
  static volatile long endAt = Long.MAX_VALUE;

  static boolean before(long t) {
    return System.currentTimeMillis() < t;
  }

  ScenarioBuilder clients =
      scenario("echo storm")
          .exec(EchoSimulation.echoBot(plan))
          .exec(ws("connect").connect("/ws"))
          .exec(
              asLongAs(s -> before(stormAt))
                  .on(
                      pause(
                              s ->
                                  Duration.ofMillis(
                                      Math.min(
                                          bot(s).delayMs(false),
                                          Math.max(0, stormAt - System.currentTimeMillis()))))
                          .doIf(s -> before(stormAt))
                          .then(command("location", Bot::echoFrame, typeIn("echo")))))
          .exec(drop())
          .group("storm reconnect")
          .on(
              exec(ws("reconnect").connect("/ws"))
                  .exec(command("back", Bot::echoFrame, typeIn("echo")))
                  .exec(
                      s -> {
                        Bot b = bot(s);
                        if (!s.isFailed()) b.resumedAt = System.currentTimeMillis();
                        return s;
                      }))
          .exec(
              asLongAs(s -> before(endAt))
                  .on(
                      pause(s -> Duration.ofMillis(bot(s).delayMs(false)))
                          .exec(command("location", Bot::echoFrame, typeIn("echo")))))
          .exec(ws("close").close());

  {
    setUp(clients.injectOpen(rampUsers(Settings.USERS).during(Settings.RAMP_S)))
        .protocols(protocol())
        .assertions(
            details("storm reconnect", "back")
                .successfulRequests()
                .count()
                .gte((long) Settings.USERS));
  }

  @Override
  public void before() {
    Runs.start("echostorm");
    stormAt = System.currentTimeMillis() + (Settings.RAMP_S + Settings.STORM_AFTER_S) * 1000L;
    endAt = stormAt + Settings.DURATION_S * 1000L;
  }

  @Override
  public void after() {
    StormSimulation.stormFacts(stormAt);
    Runs.finish("echostorm");
  }
}
