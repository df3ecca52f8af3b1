package treasurehunt.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;

import io.gatling.javaapi.core.Assertion;
import java.util.ArrayList;
import java.util.List;

/** What every simulation does at its start and end, and the assertions they share. */
final class Runs {
  private Runs() {}

  private static final java.util.concurrent.ScheduledExecutorService TIMER =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "run-windows");
            t.setDaemon(true);
            return t;
          });

  /**
   * Rates of the given counters between two instants (after the ramp, before the end): written as
   * facts {@code rate.<counter>} per second, so ramps and drains do not dilute them.
   */
  static void window(long fromMs, long toMs, String... counters) {
    long[] at = new long[counters.length];
    long now = System.currentTimeMillis();
    TIMER.schedule(
        () -> {
          for (int i = 0; i < counters.length; i++) at[i] = Stats.counter(counters[i]);
        },
        Math.max(0, fromMs - now),
        java.util.concurrent.TimeUnit.MILLISECONDS);
    TIMER.schedule(
        () -> {
          double secs = (toMs - fromMs) / 1000.0;
          for (int i = 0; i < counters.length; i++)
            Stats.fact(
                "rate." + counters[i] + ".perSecond",
                Math.round((Stats.counter(counters[i]) - at[i]) / secs));
          Stats.fact("rate.windowS", secs);
        },
        Math.max(0, toMs - now),
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * Stepped load: from {@code from} on, each poll interval of {@code -Dsteps} holds for {@code
   * stepS} seconds; latencies are labelled {@code step<i>-<interval>ms}. Returns when the last step
   * ends.
   */
  static long steps(long from) {
    List<Long> steps = Settings.STEPS;
    if (steps.isEmpty()) return from + Settings.DURATION_S * 1000L;
    long stepMs = Settings.STEP_S * 1000L;
    Settings.pollMsNow = steps.get(0);
    Stats.phaser =
        t -> {
          if (t < from) return "ramp";
          int i = (int) Math.min(steps.size() - 1, (t - from) / stepMs);
          // the first 10 s of a step are a transition (bots finish the pause of the previous
          // interval)
          return (t - from) % stepMs < 10_000
              ? "transition"
              : "step" + (i + 1) + "-" + steps.get(i) + "ms";
        };
    for (int i = 1; i < steps.size(); i++) {
      long interval = steps.get(i);
      TIMER.schedule(
          () -> {
            Settings.pollMsNow = interval;
          },
          from + i * stepMs - System.currentTimeMillis(),
          java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    for (int i = 0; i < steps.size(); i++) {
      long a = from + i * stepMs + 10_000, b = from + (i + 1) * stepMs;
      String label = "step" + (i + 1);
      // per step: accepted reports, and the two ways a report fails under load (shed at once by the
      // node's admission control, or timed out waiting for its entity)
      String[] counted = {
        "ok.location", "errors.location.overloaded", "errors.location.unavailable"
      };
      String[] facts = {
        ".locationOkPerSecond", ".locationOverloadedPerSecond", ".locationUnavailablePerSecond"
      };
      long[] at = new long[counted.length];
      // when the step's figures were counted (epoch ms): ratio.sh divides the server's CPU by them
      Stats.fact(label + ".fromEpochMs", a);
      Stats.fact(label + ".toEpochMs", b);
      TIMER.schedule(
          () -> {
            for (int k = 0; k < counted.length; k++) at[k] = Stats.counter(counted[k]);
          },
          a - System.currentTimeMillis(),
          java.util.concurrent.TimeUnit.MILLISECONDS);
      TIMER.schedule(
          () -> {
            for (int k = 0; k < counted.length; k++)
              Stats.fact(
                  label + facts[k],
                  Math.round((Stats.counter(counted[k]) - at[k]) * 1000.0 / (b - a)));
          },
          b - System.currentTimeMillis(),
          java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    return from + steps.size() * stepMs;
  }

  static void start(String name) {
    Stats.STARTED.set(System.currentTimeMillis());
    System.out.println(name + ": " + Settings.describe());
  }

  /** Derived facts, then the JSON summary. */
  static void finish(String name) {
    Stats.fact("location.okPerSecond", Math.round(Stats.ratePerSecond("location")));
    Stats.fact("location.ok", Stats.counter("ok.location"));
    long deliveries =
        Stats.counter("deliveries.events")
            + Stats.counter("deliveries.presence")
            + Stats.counter("deliveries.positions");
    Stats.fact("deliveries.total", deliveries);
    Stats.fact("bots.withGapOrDuplicate", Stats.counter("bots.withGapOrDuplicate"));
    Stats.writeSummary(name);
  }

  /**
   * A run fails when it did nothing (fewer successful location answers than {@code minReports},
   * fewer intact streams than {@code bots}), when more than 1 % of requests failed, when a stream
   * had a gap or a duplicate, or when location p99 exceeds {@code -Dp99Ms}.
   */
  static List<Assertion> common(long bots, long minReports) {
    return common(bots, 0, minReports);
  }

  /** As above, {@code spectators} of the {@code bots} invited by the organiser, not registered. */
  static List<Assertion> common(long bots, long spectators, long minReports) {
    List<Assertion> a = new ArrayList<>();
    a.add(global().successfulRequests().percent().gte(Settings.MIN_OK_PERCENT));
    a.add(details("register").successfulRequests().count().gte(bots - spectators));
    if (spectators > 0) a.add(details("invite").successfulRequests().count().gte(spectators));
    a.add(details("location").successfulRequests().count().gte(Math.max(1, minReports)));
    a.add(details("location").responseTime().percentile(99.0).lte(Settings.P99_MS));
    a.add(details("stream integrity").successfulRequests().count().gte(bots));
    a.add(details("stream integrity").failedRequests().count().is(0L));
    return a;
  }
}
