package treasurehunt.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static treasurehunt.simulations.Chains.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.List;

/**
 * Hot hunt: one hunt, {@code users} players and {@code spectators} spectators. Every join, find,
 * claim, chat and leaderboard change is one stream event delivered to everyone in the hunt;
 * spectators also get position batches (at most 10 a second), or with {@code -DviewKm=1} set a
 * viewport of 1 km² and get {@code moves} for it (protocol 1.1). Measures the fan-out: deliveries
 * per second in the window after the ramp, and the position bytes per second per spectator.
 *
 * <p>Knobs (system properties, {@link Settings}): {@code -Dusers} players, {@code -Dramp} seconds
 * of ramp, {@code -DpollMs} between reports (with the default {@code -Dpoll=fixed}), {@code
 * -Dduration} seconds of walking, {@code -Dprotocol=1.1} for bots that ask for protocol 1.1 (joins
 * and leaves then arrive as presence frames, counted as deliveries.presence), {@code
 * -Dencoding=cbor} for CBOR frames. The issue-14 run: {@code -Dusers=10000 -Dramp=60 -DpollMs=10000
 * -Dprotocol=1.1 -Dspectators=100 -DviewKm=1} ({@code simulations/hothunt.sh}).
 */
public class HotHuntSimulation extends Simulation {
  final HuntPlan hunt =
      Admin.createHunts("hot", 1, Settings.HOT_TREASURES, Settings.HOT_RADIUS_M, 1_000_000).get(0);
  final long durationMs = Settings.DURATION_S * 1000L;

  ScenarioBuilder players =
      scenario("players")
          .exec(register("players", i -> hunt, true))
          .exec(connect("connect"))
          .exec(join())
          .exec(
              walk(
                  Settings.POLL.equals("adaptive"),
                  b -> b.elapsed() < durationMs,
                  b -> b.walkStart + durationMs))
          .exec(integrityAndClose());

  ScenarioBuilder spectators =
      scenario("spectators")
          .exec(invite("spectators", i -> hunt))
          .exec(connect("connect"))
          .exec(watch())
          .doIf(s -> Settings.VIEW_KM > 0)
          .then(view())
          .exec(
              exec(s -> {
                    bot(s).walkStart = System.currentTimeMillis();
                    return s;
                  })
                  .exec(spectate(b -> b.elapsed() < durationMs)))
          .exec(integrityAndClose());

  {
    setUp(
            List.of(
                players.injectOpen(rampUsers(Settings.USERS).during(Settings.RAMP_S)),
                spectators.injectOpen(
                    rampUsers(Math.max(1, Settings.SPECTATORS)).during(Settings.RAMP_S))))
        .protocols(protocol())
        .assertions(
            Runs.common(
                Settings.USERS + Math.max(1, Settings.SPECTATORS),
                Math.max(1, Settings.SPECTATORS),
                Settings.USERS));
  }

  @Override
  public void before() {
    Runs.start("hothunt");
    long rampEnd = System.currentTimeMillis() + (Settings.RAMP_S + 3) * 1000L;
    // latencies by phase as well: while the hunt fills (joins) and once everyone is in
    Stats.phaser = t -> t < rampEnd ? "filling" : "full";
    Runs.window(
        rampEnd,
        rampEnd + Math.max(5_000, durationMs - 8_000),
        "deliveries.events",
        "deliveries.presence",
        "deliveries.positions",
        "deliveries.moves",
        "bytes.positions",
        "bytes.moves",
        "bytes.in.players",
        "bytes.in.spectators",
        "ok.location",
        "ok.chat");
  }

  @Override
  public void after() {
    // What one spectator receives of positions, a second (v1 `positions`, or `moves` of its box).
    long bytes = 0;
    for (String c : List.of("bytes.positions", "bytes.moves"))
      if (Stats.factOf("rate." + c + ".perSecond") instanceof Number n) bytes += n.longValue();
    Stats.fact("positionBytesPerSecondPerSpectator", bytes / Math.max(1, Settings.SPECTATORS));
    // Everything a spectator and a player receive, a second, in the run's encoding (the window).
    if (Stats.factOf("rate.bytes.in.spectators.perSecond") instanceof Number n)
      Stats.fact("bytesPerSecondPerSpectator", n.longValue() / Math.max(1, Settings.SPECTATORS));
    if (Stats.factOf("rate.bytes.in.players.perSecond") instanceof Number n)
      Stats.fact("bytesPerSecondPerPlayer", n.longValue() / Math.max(1, Settings.USERS));
    Runs.finish("hothunt");
  }
}
