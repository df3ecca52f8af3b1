package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import treasurehunt.game.PositionGrid;

/**
 * A feed's viewports without a node (docs/protocol.md §7.1): the lead's hunt — 10,000 players over
 * 10 × 10 km, each reporting every 10 s (100 reports an interval) — with 100 viewers of about 1
 * km². A frame carries only the box's players; a huge box is introduced 1,000 players a frame; and
 * an interval's work does not grow with players × viewers.
 */
class ViewportsTest {
  static final ActorTestKit testKit = ActorTestKit.create("ViewportsTest");
  static final double LAT = 52.0, LON = 4.0;
  static final double SPAN_LAT = 0.09, SPAN_LON = 0.146; // about 10 km x 10 km at 52°N
  static final double KM_LAT = 0.009, KM_LON = 0.0146; // about 1 km

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static ActorRef<HuntFeeds.Delivery> viewer() {
    return testKit.<HuntFeeds.Delivery>createTestProbe().ref();
  }

  /** One interval's frames, rendered (the feed's work), then parsed (the test's). */
  static Map<ActorRef<HuntFeeds.Delivery>, JsonNode> flush(Viewports v) throws Exception {
    return parse(flushRaw(v));
  }

  static Map<ActorRef<HuntFeeds.Delivery>, String> flushRaw(Viewports v) {
    Map<ActorRef<HuntFeeds.Delivery>, String> out = new HashMap<>();
    v.flush("h", 1L, (ref, m) -> out.put(ref, Frames.write(m.frame().tree())));
    return out;
  }

  static Map<ActorRef<HuntFeeds.Delivery>, JsonNode> parse(
      Map<ActorRef<HuntFeeds.Delivery>, String> raw) throws Exception {
    Map<ActorRef<HuntFeeds.Delivery>, JsonNode> out = new HashMap<>();
    for (Map.Entry<ActorRef<HuntFeeds.Delivery>, String> e : raw.entrySet())
      out.put(e.getKey(), Json.MAPPER.readTree(e.getValue()));
    return out;
  }

  @Test
  void aHugeBoxIsIntroducedAThousandPlayersAFrame() throws Exception {
    Viewports v = new Viewports();
    Random r = new Random(1);
    for (int i = 0; i < 10_000; i++)
      v.moved("p-" + i, LAT + r.nextDouble() * SPAN_LAT, LON + r.nextDouble() * SPAN_LON);
    flush(v); // the reports' interval, before anyone viewed
    ActorRef<HuntFeeds.Delivery> big = viewer();
    v.view(big, new PositionGrid.Box(LAT, LON, LAT + SPAN_LAT, LON + SPAN_LON), false);
    Set<Integer> known = new HashSet<>();
    int frames = 0;
    for (JsonNode f; (f = flush(v).get(big)) != null; frames++) {
      assertEquals(frames == 0, f.path("full").asBoolean(), f.path("full").toString());
      assertTrue(f.path("moved").size() <= Viewports.MAX_NEW, "entries " + f.path("moved").size());
      for (JsonNode m : f.path("moved")) assertTrue(known.add(m.get(0).asInt()), "sent twice");
    }
    assertEquals(10_000, known.size());
    assertEquals(10, frames);
  }

  @Test
  void aViewerGetsItsBoxOnlyAndAnIntervalCostsWhatTheBoxesHold() throws Exception {
    Viewports v = new Viewports();
    Random r = new Random(2);
    double[][] at = new double[10_000][];
    for (int i = 0; i < at.length; i++) {
      at[i] = new double[] {LAT + r.nextDouble() * SPAN_LAT, LON + r.nextDouble() * SPAN_LON};
      v.moved("p-" + i, at[i][0], at[i][1]);
    }
    List<ActorRef<HuntFeeds.Delivery>> viewers = new ArrayList<>();
    List<PositionGrid.Box> boxes = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      double s = LAT + r.nextDouble() * (SPAN_LAT - KM_LAT),
          w = LON + r.nextDouble() * (SPAN_LON - KM_LON);
      PositionGrid.Box box = new PositionGrid.Box(s, w, s + KM_LAT, w + KM_LON);
      ActorRef<HuntFeeds.Delivery> ref = viewer();
      v.view(ref, box, false);
      viewers.add(ref);
      boxes.add(box);
    }
    flush(v); // the full pictures
    long entries = 0, bytes = 0, nanos = 0;
    int intervals = 300; // 30 s: every player reports three times
    for (int t = 0; t < intervals; t++) {
      for (int k = 0; k < 100; k++) {
        int i = (t * 100 + k) % at.length;
        at[i][0] += (r.nextDouble() - 0.5) * 0.0002;
        at[i][1] += (r.nextDouble() - 0.5) * 0.0003;
        v.moved("p-" + i, at[i][0], at[i][1]);
      }
      long started = System.nanoTime();
      Map<ActorRef<HuntFeeds.Delivery>, String> raw = flushRaw(v);
      nanos += System.nanoTime() - started;
      Map<ActorRef<HuntFeeds.Delivery>, JsonNode> frames = parse(raw);
      for (int j = 0; j < viewers.size(); j++) {
        JsonNode f = frames.get(viewers.get(j));
        if (f == null) continue;
        bytes += f.toString().length();
        for (JsonNode m : f.path("moved")) {
          entries++;
          PositionGrid.Box b = boxes.get(j);
          double e = 1e-5; // the frame's five decimals
          assertTrue(
              new PositionGrid.Box(b.south() - e, b.west() - e, b.north() + e, b.east() + e)
                  .contains(m.get(1).asDouble(), m.get(2).asDouble()),
              "outside the box: " + m);
        }
      }
    }
    double perSpectatorPerSecond = bytes / (intervals / 10.0) / viewers.size();
    System.out.printf(
        "viewports: 10,000 players every 10 s, 100 viewers of 1 km²: %.0f bytes/s per viewer,"
            + " %d entries, %.3f ms per interval for all viewers%n",
        perSpectatorPerSecond, entries, nanos / 1e6 / intervals);
    // 1 km² of 100 km² holds ~100 players, ~10 reports a second: far below a second of v1 positions
    // (10,000 players × ~70 bytes / 10 s = 70 KB/s per spectator).
    assertTrue(perSpectatorPerSecond < 2_000, "bytes/s per viewer " + perSpectatorPerSecond);
    assertTrue(nanos / intervals < 20_000_000, "an interval took " + nanos / intervals + " ns");
  }
}
