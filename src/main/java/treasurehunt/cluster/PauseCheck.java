package treasurehunt.cluster;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Which garbage collector the node runs with, and whether its pauses are short enough for this
 * engine (issue 13): players wait for location acks, and the cluster's failure detector marks a
 * node that misses heartbeats for about 2 s unreachable (cluster.conf). Low-pause means ZGC,
 * Shenandoah, or G1 with a pause goal of at most 50 ms; the documented launch commands use {@code
 * cluster-config/jvm.options} (G1, 20 ms goal). The node logs the verdict at start and warns when
 * the collector is not low-pause; it does not refuse to run (the operator may choose otherwise).
 */
final class PauseCheck {

  /** What the node found, for its start log. */
  record Verdict(String collector, Long pauseGoalMs, boolean lowPause) {
    String describe() {
      return collector
          + (pauseGoalMs == null ? "" : " (pause goal " + pauseGoalMs + " ms)")
          + (lowPause
              ? ""
              : ": not a low-pause setup; start the node with"
                  + " `java @cluster-config/jvm.options -jar …` (G1, 20 ms goal) or a low-pause"
                  + " collector");
    }
  }

  private PauseCheck() {}

  /** The verdict for the JVM this runs in. */
  static Verdict ofThisJvm() {
    List<String> names =
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(GarbageCollectorMXBean::getName)
            .toList();
    Long goal = null;
    try {
      HotSpotDiagnosticMXBean hotspot =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (hotspot != null)
        goal = Long.parseLong(hotspot.getVMOption("MaxGCPauseMillis").getValue());
    } catch (RuntimeException e) {
      // not HotSpot: no pause goal to report
    }
    return of(names, goal);
  }

  /** The verdict for the collectors' MXBean names and the MaxGCPauseMillis option (null: none). */
  static Verdict of(List<String> collectorNames, Long maxGcPauseMillis) {
    String joined = String.join(", ", collectorNames);
    if (joined.contains("ZGC") || joined.contains("Shenandoah"))
      return new Verdict(joined, null, true);
    if (joined.contains("G1"))
      return new Verdict(
          joined, maxGcPauseMillis, maxGcPauseMillis != null && maxGcPauseMillis <= 50);
    return new Verdict(joined, null, false);
  }
}
