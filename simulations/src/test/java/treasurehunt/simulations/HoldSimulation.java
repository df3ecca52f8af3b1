package treasurehunt.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;
import static treasurehunt.simulations.Chains.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Idle connections: {@code users} players register, connect and say hello over {@code ramp}
 * seconds, then hold their sockets (a ping every 20 s) for {@code duration} seconds. Spread them
 * over several loopback addresses ({@code -DbaseUrl=http://127.0.0.1:8080,http://127.0.0.2:8080})
 * past ~28,000. With {@code -DmetricsUrl} (the node's management /metrics) the summary records the
 * node's connection count and heap in the middle of the hold.
 */
public class HoldSimulation extends Simulation {
  static volatile long endAt = Long.MAX_VALUE;
  final HuntPlan none = HuntPlan.generate("hold", Settings.SEED, 1000, 1, 1);

  ScenarioBuilder holders =
      scenario("holders")
          .exec(register("holders", i -> none, false))
          .exec(connect("connect"))
          .exec(
              s -> {
                bot(s).lastReportAt = System.currentTimeMillis();
                Stats.count("held");
                return s;
              })
          .exec(
              asLongAs(s -> System.currentTimeMillis() < endAt)
                  .on(
                      pause(
                              s ->
                                  java.time.Duration.ofMillis(
                                      Math.max(
                                          0, Math.min(1000, endAt - System.currentTimeMillis()))))
                          .doIf(s -> System.currentTimeMillis() - bot(s).lastReportAt > 20_000)
                          .then(
                              exec(s -> {
                                    bot(s).lastReportAt = System.currentTimeMillis();
                                    return s;
                                  })
                                  .exec(ping("keepalive")))))
          .exec(ws("close").close());

  {
    setUp(holders.injectOpen(rampUsers(Settings.USERS).during(Settings.RAMP_S)))
        .protocols(protocol())
        .assertions(
            global().successfulRequests().percent().gte(Settings.MIN_OK_PERCENT),
            details("welcome").successfulRequests().count().gte((long) Settings.USERS));
  }

  @Override
  public void before() {
    Runs.start("hold");
    long plateau = System.currentTimeMillis() + Settings.RAMP_S * 1000L;
    endAt = plateau + Settings.DURATION_S * 1000L;
    String metrics = Settings.str("metricsUrl", "");
    if (!metrics.isEmpty()) {
      Thread t =
          new Thread(
              () -> {
                try {
                  Thread.sleep(
                      Math.max(
                          0, plateau + Settings.DURATION_S * 500L - System.currentTimeMillis()));
                  Stats.fact("held.atMiddle", Stats.counter("held"));
                  String body =
                      HttpClient.newHttpClient()
                          .send(
                              HttpRequest.newBuilder(URI.create(metrics)).build(),
                              HttpResponse.BodyHandlers.ofString())
                          .body();
                  double heap = 0;
                  for (String line : body.split("\n")) {
                    if (line.startsWith("th_ws_connections "))
                      Stats.fact("node.wsConnections", Double.parseDouble(line.split(" ")[1]));
                    if (line.startsWith("jvm_memory_used_bytes{area=\"heap\""))
                      heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                  }
                  Stats.fact("node.heapUsedMB", Math.round(heap / 1e6));
                } catch (Exception e) {
                  Stats.fact("node.metricsError", String.valueOf(e));
                }
              },
              "hold-metrics");
      t.setDaemon(true);
      t.start();
    }
  }

  @Override
  public void after() {
    Stats.fact("held", Stats.counter("held"));
    Runs.finish("hold");
  }
}
