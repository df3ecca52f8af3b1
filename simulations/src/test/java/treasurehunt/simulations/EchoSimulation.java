package treasurehunt.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;
import static treasurehunt.simulations.Chains.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * The frame ceiling, measured with the same load generator: {@code users} clients connect to the
 * bare echo endpoint ({@code treasurehunt.baselines.EchoServer}, {@code
 * -DbaseUrl=http://127.0.0.1:18200}) and send a location-sized frame every {@code pollMs}, exactly
 * as the steady players do, timing the echo. Needs no node and no admin token.
 */
public class EchoSimulation extends Simulation {
  final HuntPlan plan = HuntPlan.generate("echo", Settings.SEED, 1000, 30, 1_000_000);
  final long durationMs = Settings.DURATION_S * 1000L;
  static volatile long endAt = Long.MAX_VALUE;

  ScenarioBuilder clients =
      scenario("echo")
          .exec(echoBot(plan))
          .exec(ws("connect").connect("/ws"))
          .exec(
              asLongAs(
                      s ->
                          Settings.STEPS.isEmpty()
                              ? bot(s).elapsed() < durationMs
                              : System.currentTimeMillis() < endAt)
                  .on(
                      pause(s -> Duration.ofMillis(bot(s).delayMs(false)))
                          .exec(command("location", Bot::echoFrame, typeIn("echo")))))
          .exec(ws("close").close());

  {
    setUp(clients.injectOpen(rampUsers(Settings.USERS).during(Settings.RAMP_S)))
        .protocols(protocol())
        .assertions(
            global().successfulRequests().percent().gte(Settings.MIN_OK_PERCENT),
            details("location").successfulRequests().count().gte((long) Settings.USERS));
  }

  /** A bot of the echo runs: it walks {@code plan}'s area and sends location-sized frames. */
  static io.gatling.javaapi.core.ChainBuilder echoBot(HuntPlan plan) {
    return exec(
        s -> {
          Bot b = Bot.create(s.userId(), "echo");
          b.hunt = plan;
          b.walk = new Walk(plan, Settings.SEED * 7919 + s.userId(), Settings.SEEK_P);
          b.walkStart = System.currentTimeMillis();
          return s;
        });
  }

  @Override
  public void before() {
    Runs.start("echo");
    if (!Settings.STEPS.isEmpty())
      endAt = Runs.steps(System.currentTimeMillis() + (Settings.RAMP_S + 10) * 1000L);
  }

  @Override
  public void after() {
    Runs.finish("echo");
  }
}
