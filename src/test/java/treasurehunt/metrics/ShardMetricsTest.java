package treasurehunt.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.gateway.HttpClientSupport;

/**
 * What an operator reads on {@code /metrics}: each entity type has its own entity and shard
 * figures, and the arrived/left counters move only when a shard really moves (a second node joins
 * and takes its share).
 */
class ShardMetricsTest {
  static Database db;
  static Node first, second;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.fresh("shardmetrics");
    first = TestNodes.start(db);
  }

  @AfterAll
  static void stop() throws Exception {
    if (second != null) TestNodes.stop(second);
    if (first != null) TestNodes.stop(first);
  }

  @Test
  void eachEntityTypeHasItsOwnFiguresAndCountersMoveOnlyWithShards() throws Exception {
    HttpClientSupport http = new HttpClientSupport(TestNodes.httpPort(first));
    int hunts = 3, players = 7;
    for (int i = 0; i < hunts; i++)
      assertEquals(
          201, http.postAdmin("/api/hunts", HttpClientSupport.oldTown("metrics-" + i)).status());
    for (int i = 0; i < players; i++)
      assertEquals(201, http.post("/api/players", "{\"name\": \"p" + i + "\"}").status());

    awaitMetric(first, "th_entities", "Hunt", hunts);
    awaitMetric(first, "th_entities", "Player", players);
    // Several more polls (every 2 s): a shard that stays put is counted once, never again.
    Thread.sleep(7_000);
    for (String type : new String[] {"Hunt", "Player"}) {
      double shards = metric(first, "th_shards", type);
      assertTrue(
          shards >= 1 && shards <= (type.equals("Hunt") ? hunts : players), type + " shards");
      assertEquals(shards, metric(first, "th_shards_arrived_total", type), type + " arrived");
      assertEquals(0, metric(first, "th_shards_left_total", type), type + " left");
    }
    assertEquals(hunts, metric(first, "th_entities", "Hunt"));
    assertEquals(players, metric(first, "th_entities", "Player"));

    // A second node joins and takes its share: the first node books what it handed off.
    second =
        TestNodes.start(
            db,
            "treasure-hunt.seed-nodes = \""
                + Cluster.get(first.system).selfMember().address()
                + "\"\n");
    long deadline = System.currentTimeMillis() + 60_000;
    while (metric(first, "th_shards_left_total", "Hunt")
            + metric(first, "th_shards_left_total", "Player")
        == 0) {
      assertTrue(
          System.currentTimeMillis() < deadline,
          "no shard was handed off to the second node (members up: " + upMembers() + ")");
      Thread.sleep(500);
    }
    Thread.sleep(5_000); // let both watchers poll after the rebalance settles
    for (String type : new String[] {"Hunt", "Player"}) {
      assertEquals(
          metric(first, "th_shards_arrived_total", type)
              - metric(first, "th_shards_left_total", type),
          metric(first, "th_shards", type),
          type + ": arrived - left = shards held, on the first node");
      assertEquals(
          metric(second, "th_shards_arrived_total", type)
              - metric(second, "th_shards_left_total", type),
          metric(second, "th_shards", type),
          type + ": arrived - left = shards held, on the second node");
    }
    assertTrue(
        metric(second, "th_shards_arrived_total", "Hunt")
                + metric(second, "th_shards_arrived_total", "Player")
            > 0,
        "the second node books the shards it received");
  }

  static long upMembers() {
    return StreamSupport.stream(Cluster.get(first.system).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }

  static void awaitMetric(Node node, String name, String type, double expected) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (metric(node, name, type) != expected) {
      assertTrue(
          System.currentTimeMillis() < deadline,
          name + "{type=" + type + "} is " + metric(node, name, type) + ", expected " + expected);
      Thread.sleep(250);
    }
  }

  /**
   * The value of {@code name{type="..."}} in the node's Prometheus scrape (what /metrics serves).
   */
  static double metric(Node node, String name, String type) {
    Matcher m =
        Pattern.compile("(?m)^" + name + "\\{type=\"" + type + "\",?\\} ([0-9.eE+-]+)$")
            .matcher(Metrics.get(node.system).scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }
}
