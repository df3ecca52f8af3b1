package treasurehunt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The start log's verdict on the collector, and the options file the launch commands use. */
class PauseCheckTest {

  @Test
  void g1NeedsAShortPauseGoal() {
    List<String> g1 = List.of("G1 Young Generation", "G1 Old Generation");
    assertTrue(PauseCheck.of(g1, 20L).lowPause());
    assertFalse(PauseCheck.of(g1, 200L).lowPause(), "G1's default goal is 200 ms");
    assertTrue(PauseCheck.of(g1, 200L).describe().contains("jvm.options"));
  }

  @Test
  void zgcAndShenandoahAreLowPauseAndParallelOrSerialAreNot() {
    assertTrue(PauseCheck.of(List.of("ZGC Minor Cycles", "ZGC Major Pauses"), 200L).lowPause());
    assertTrue(PauseCheck.of(List.of("Shenandoah Pauses"), null).lowPause());
    assertFalse(PauseCheck.of(List.of("PS Scavenge", "PS MarkSweep"), 200L).lowPause());
    assertFalse(PauseCheck.of(List.of("Copy", "MarkSweepCompact"), null).lowPause());
  }

  @Test
  void theLaunchOptionsFileAsksForG1WithA20msGoal() throws Exception {
    List<String> options =
        Files.readAllLines(Path.of("cluster-config/jvm.options")).stream()
            .filter(l -> !l.isBlank() && !l.startsWith("#"))
            .toList();
    assertTrue(options.contains("-XX:+UseG1GC"), options.toString());
    assertTrue(options.contains("-XX:MaxGCPauseMillis=20"), options.toString());
    assertEquals(
        20L,
        Long.parseLong(
            options.stream()
                .filter(o -> o.startsWith("-XX:MaxGCPauseMillis="))
                .findFirst()
                .orElseThrow()
                .split("=")[1]));
  }
}
