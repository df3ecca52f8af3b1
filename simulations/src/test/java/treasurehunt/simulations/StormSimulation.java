package treasurehunt.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static treasurehunt.simulations.Chains.*;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reconnect storm: {@code users} players and {@code spectators} spectators over {@code hunts} hunts
 * play until {@code stormAfter} seconds after the ramp; then every one of them drops its connection
 * at once, reconnects, says hello and sends {@code resume} with the last (epoch, seq) it holds, and
 * plays on for {@code duration} seconds. One chatter per hunt keeps chatting throughout (it never
 * drops), so every client misses events while it is away. Counts clients that saw a gap or a
 * duplicate (must be 0), the time until all are resumed, and how the resumes were answered (the
 * missed events replayed, or a snapshot); at the end every client's last event must be its hunt's
 * head (a lost tail has no gap to count).
 */
public class StormSimulation extends Simulation {
  final List<HuntPlan> hunts = Admin.createHunts("storm", Settings.HUNTS, 30, 1000, 1_000_000);
  static volatile long stormAt = Long.MAX_VALUE;
  static volatile long endAt = Long.MAX_VALUE;
  final long chatterMs = Settings.integer("chatterMs", 500);

  /**
   * After the end, the time the last commands get to be answered before each bot compares the last
   * event it holds with its hunt's head.
   */
  static final long QUIET_MS = Settings.integer("quietMs", 1000);

  static boolean beforeStorm() {
    return System.currentTimeMillis() < stormAt;
  }

  static boolean beforeEnd() {
    return System.currentTimeMillis() < endAt;
  }

  ScenarioBuilder players =
      scenario("players")
          .exec(register("players", i -> hunts.get(i % hunts.size()), true))
          .exec(connect("connect"))
          .exec(join())
          .exec(walk(false, b -> beforeStorm(), b -> stormAt))
          .exec(dropAndResume())
          .exec(walk(false, b -> beforeEnd(), b -> endAt))
          .exec(atHead(b -> endAt + QUIET_MS))
          .exec(integrityAndClose());

  ScenarioBuilder spectators =
      scenario("spectators")
          .exec(invite("spectators", i -> hunts.get(i % hunts.size())))
          .exec(connect("connect"))
          .exec(watch())
          .exec(spectate(b -> beforeStorm()))
          .exec(dropAndResume())
          .exec(spectate(b -> beforeEnd()))
          .exec(atHead(b -> endAt + QUIET_MS))
          .exec(integrityAndClose());

  ScenarioBuilder chatters =
      scenario("chatters")
          .exec(register("chatters", i -> hunts.get(i % hunts.size()), false))
          .exec(connect("connect"))
          .exec(join())
          .exec(
              asLongAs(s -> beforeEnd())
                  .on(
                      pause(Duration.ofMillis(chatterMs))
                          .exec(
                              command(
                                  "chat",
                                  (b, id) ->
                                      "{\"type\":\"chat\",\"id\":\""
                                          + id
                                          + "\",\"hunt\":\""
                                          + b.hunt.id
                                          + "\",\"text\":\"storm "
                                          + id
                                          + "\"}",
                                  isAck()))))
          .exec(atHead(b -> endAt + QUIET_MS))
          .exec(integrityAndClose());

  {
    List<PopulationBuilder> populations = new ArrayList<>();
    populations.add(players.injectOpen(rampUsers(Settings.USERS).during(Settings.RAMP_S)));
    if (Settings.SPECTATORS > 0)
      populations.add(
          spectators.injectOpen(rampUsers(Settings.SPECTATORS).during(Settings.RAMP_S)));
    populations.add(chatters.injectOpen(atOnceUsers(Settings.HUNTS)));
    long clients = Settings.USERS + Settings.SPECTATORS;
    List<Assertion> assertions =
        new ArrayList<>(Runs.common(clients + Settings.HUNTS, Settings.SPECTATORS, Settings.USERS));
    assertions.add(details("storm reconnect", "resume").successfulRequests().count().gte(clients));
    assertions.add(details("storm reconnect").responseTime().max().lte(Settings.RESUME_MAX_MS));
    // every client ends holding its hunt's head
    assertions.add(
        details("stream head").successfulRequests().count().gte(clients + Settings.HUNTS));
    assertions.add(details("stream head").failedRequests().count().is(0L));
    setUp(populations).protocols(protocol()).assertions(assertions);
  }

  @Override
  public void before() {
    Runs.start("storm");
    stormAt = System.currentTimeMillis() + (Settings.RAMP_S + Settings.STORM_AFTER_S) * 1000L;
    endAt = stormAt + Settings.DURATION_S * 1000L;
  }

  /**
   * The storm's timing facts, from every bot that dropped at the storm instant {@code stormAt}: how
   * many, how many came back, how long the drops took and when the last one was back.
   */
  static void stormFacts(long stormAt) {
    long clients = 0, resumed = 0, lastResumed = 0, lastDropped = 0;
    for (Bot b : Bot.all()) {
      if (b.droppedAt == 0) continue;
      clients++;
      lastDropped = Math.max(lastDropped, b.droppedAt);
      if (b.resumedAt >= b.droppedAt) {
        resumed++;
        lastResumed = Math.max(lastResumed, b.resumedAt);
      }
    }
    Stats.fact("storm.clients", clients);
    Stats.fact("storm.resumed", resumed);
    Stats.fact("storm.dropSpreadMs", lastDropped == 0 ? -1 : lastDropped - stormAt);
    Stats.fact("storm.allResumedAfterMs", lastResumed == 0 ? -1 : lastResumed - stormAt);
  }

  @Override
  public void after() {
    stormFacts(stormAt);
    Stats.fact(
        "storm.clientsWithGapOrDuplicate",
        Bot.all().stream().filter(b -> !b.streamIntact()).count());
    // how the resumes were answered: the missed events replayed, or a snapshot instead
    for (String by : List.of("replayed", "snapshot", "rejoined"))
      Stats.fact(
          "storm.resumesAnsweredBy." + by,
          Bot.all().stream().filter(b -> by.equals(b.resumedBy)).count());
    long checked = 0, behind = 0, maxBehind = 0;
    for (Bot b : Bot.all()) {
      if (b.behindAtEnd == null) continue;
      checked++;
      if (b.behindAtEnd > 0) {
        behind++;
        maxBehind = Math.max(maxBehind, b.behindAtEnd);
      }
    }
    Stats.fact("storm.clientsComparedWithHead", checked);
    Stats.fact("storm.clientsBehindHead", behind);
    Stats.fact("storm.maxEventsBehindHead", maxBehind);
    Runs.finish("storm");
  }
}
