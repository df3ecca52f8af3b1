package treasurehunt.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import treasurehunt.TestDatabase;
import treasurehunt.game.Geo;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.Json;
import treasurehunt.gateway.WsClient;

/**
 * The operator's view, with every node in its own JVM on one PostgreSQL: three nodes form a
 * cluster, a fourth joins and takes shards while players keep playing, a node stopped with SIGTERM
 * sends its players elsewhere with nothing missed, and a node killed with -9 while bots play loses
 * no acknowledged find. Timings are printed (the figures in BENCHMARKS.md come from cluster-config
 * runs), never asserted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterProcessesTest {
  static final String HUNT = "cluster-hunt";
  static final double LAT = 52.37, LON = 4.89;
  static final int TREASURES = 12;

  static Database db;
  static final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
  static NodeProcess n1, n2, n3, n4;
  static List<String> seeds;

  @BeforeAll
  static void cluster() throws Exception {
    db = TestDatabase.fresh("procs");
    int c1 = NodeProcess.freePort(), c2 = NodeProcess.freePort(), c3 = NodeProcess.freePort();
    seeds = List.of("akka://treasure-hunt@127.0.0.1:" + c1, "akka://treasure-hunt@127.0.0.1:" + c2);
    n1 = track(NodeProcess.start("node-1", db, c1, seeds));
    n2 = track(NodeProcess.start("node-2", db, c2, seeds));
    n3 = track(NodeProcess.start("node-3", db, c3, seeds));
    for (NodeProcess n : List.of(n1, n2, n3)) n.awaitReady(Duration.ofSeconds(120));
    awaitMembers(n1, 3);
    HttpClientSupport http = new HttpClientSupport(n1.httpPort);
    assertEquals(201, http.postAdmin("/api/hunts", huntJson()).status());
    assertEquals(200, http.postAdmin("/api/hunts/" + HUNT + "/start", null).status());
  }

  @AfterAll
  static void stopAll() throws Exception {
    for (NodeProcess n : nodes) n.kill();
    for (NodeProcess n : nodes) n.awaitExit(Duration.ofSeconds(20));
  }

  static NodeProcess track(NodeProcess n) {
    nodes.add(n);
    return n;
  }

  /**
   * Treasures t1..t12 every 100 m east of the centre; t4, t8, t12 exclusive; t6 needs the answer
   * "noon".
   */
  static String huntJson() {
    StringBuilder ts = new StringBuilder();
    for (int k = 1; k <= TREASURES; k++) {
      double[] p = Geo.destination(LAT, LON, 90, 100 * k);
      if (k > 1) ts.append(',');
      ts.append(
          String.format(
              java.util.Locale.ROOT,
              "{\"id\":\"t%d\",\"lat\":%.7f,\"lon\":%.7f,\"radiusM\":15,\"points\":%d,\"exclusive\":%b%s}",
              k,
              p[0],
              p[1],
              points(k),
              k % 4 == 0,
              k == 6 ? ",\"answer\":\"noon\"" : ""));
    }
    return "{\"huntId\":\""
        + HUNT
        + "\",\"name\":\"Cluster\",\"area\":{\"lat\":"
        + LAT
        + ",\"lon\":"
        + LON
        + ",\"radiusM\":3000},\"treasures\":["
        + ts
        + "],\"maxSpeedMps\":1000}";
  }

  static int points(int k) {
    return k % 4 == 0 ? 500 : 10 * k;
  }

  static void awaitMembers(NodeProcess via, int up) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode m = Json.MAPPER.readTree(via.get("/cluster/members"));
      int count = 0;
      for (JsonNode member : m.get("members"))
        if ("Up".equals(member.get("status").asText())) count++;
      if (count == up && m.get("unreachable").isEmpty()) return;
      Thread.sleep(250);
    }
    throw new AssertionError(
        "cluster did not reach " + up + " members: " + via.get("/cluster/members"));
  }

  static void awaitGone(NodeProcess via, String address) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String members = via.get("/cluster/members");
      if (!members.contains(address)) return;
      Thread.sleep(250);
    }
    throw new AssertionError(address + " still a member: " + via.get("/cluster/members"));
  }

  /** Player shards per node address, as the operator endpoint reports them. */
  static Map<String, Integer> playerShards(NodeProcess via) throws Exception {
    JsonNode d = Json.MAPPER.readTree(via.get("/shards")).get("Player");
    Map<String, Integer> out = new HashMap<>();
    d.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().get("shards").asInt()));
    return out;
  }

  static HttpClientSupport.Reply register(NodeProcess n, String name) throws Exception {
    return new HttpClientSupport(n.httpPort).post("/api/players", "{\"name\":\"" + name + "\"}");
  }

  static String location(double[] p, long at) {
    return String.format(
        java.util.Locale.ROOT,
        "\"hunt\":\"%s\",\"lat\":%.7f,\"lon\":%.7f,\"at\":%d",
        HUNT,
        p[0],
        p[1],
        at);
  }

  @Test
  @Order(1)
  void aFourthNodeTakesItsShareWhilePlayersKeepPlaying() throws Exception {
    for (int i = 0; i < 90; i++)
      assertEquals(201, register(List.of(n1, n2, n3).get(i % 3), "p" + i).status());
    JsonNode walker = register(n1, "walker").json();
    try (WsClient w = WsClient.hello(n1.httpPort, walker.get("token").asText())) {
      assertEquals("ack", w.request("join", "\"hunt\":\"" + HUNT + "\"").get("type").asText());
      long started = System.nanoTime();
      n4 = track(NodeProcess.start("node-4", db, NodeProcess.freePort(), seeds));
      long reports = 0, retried = 0;
      Integer onNew = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (System.nanoTime() < deadline) {
        // The walker keeps reporting through node 1: every report is answered with an ack.
        String id = w.nextId();
        JsonNode a =
            w.request(
                id,
                "location",
                location(Geo.destination(LAT, LON, 180, reports % 50), System.currentTimeMillis()));
        while (!"ack".equals(a.get("type").asText())) {
          assertEquals("unavailable", a.get("code").asText(), a.toString());
          retried++;
          Thread.sleep(a.get("retryAfterMs").asLong());
          a =
              w.request(
                  id,
                  "location",
                  location(
                      Geo.destination(LAT, LON, 180, reports % 50),
                      System.currentTimeMillis() + 1));
        }
        reports++;
        if (NodeProcess.status(n4.managementPort, "/ready") == 200) {
          Map<String, Integer> shards = playerShards(n1);
          int total = shards.values().stream().mapToInt(Integer::intValue).sum();
          onNew = shards.getOrDefault(n4.address(), 0);
          if (shards.size() == 4 && onNew >= total / 4 - 2) break;
        }
        Thread.sleep(200);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(
          "node-4: started, joined and took %d player shards in %.1f s; walker sent %d reports (%d retried)%n",
          onNew, seconds, reports, retried);
      Map<String, Integer> shards = playerShards(n1);
      int total = shards.values().stream().mapToInt(Integer::intValue).sum();
      assertTrue(
          shards.getOrDefault(n4.address(), 0) >= total / 4 - 2,
          "node 4 holds its share: " + shards);
      assertTrue(reports > 0);
      // What the operator scrapes: the walker's reports went through node 1.
      String metrics = n1.get("/metrics");
      assertTrue(
          metrics.contains("th_command_seconds_bucket{type=\"location\""),
          "location latency histogram");
      assertTrue(metrics.contains("th_ws_connections "), "connections gauge");
      assertTrue(metrics.contains("jvm_gc_pause_seconds"), "GC pauses");
      // The walker's Player entity persists its moves on whichever node sharding placed it.
      boolean persisted = false;
      for (NodeProcess n : List.of(n1, n2, n3, n4))
        persisted |= n.get("/metrics").contains("th_persist_seconds_count{entity=\"player\"");
      assertTrue(persisted, "persist latency of the walker's moves");
    }
  }

  @Test
  @Order(2)
  void aGracefullyStoppedNodeSendsItsPlayersElsewhereWithNothingMissed() throws Exception {
    assertNotNull(n4, "needs node 4 from the previous test");
    JsonNode watcher = register(n1, "watcher").json();
    JsonNode talker = register(n1, "talker").json();
    try (WsClient t = WsClient.hello(n1.httpPort, talker.get("token").asText())) {
      assertEquals("ack", t.request("join", "\"hunt\":\"" + HUNT + "\"").get("type").asText());
      WsClient w = WsClient.hello(n4.httpPort, watcher.get("token").asText());
      JsonNode watched = w.request("watch", "\"hunt\":\"" + HUNT + "\"");
      assertEquals("ack", watched.get("type").asText(), watched.toString());
      String epoch = watched.at("/stream/epoch").asText();
      long seq = watched.at("/stream/seq").asLong();
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        sent.add("before-" + i);
        assertEquals(
            "ack",
            t.request("chat", "\"hunt\":\"" + HUNT + "\",\"text\":\"before-" + i + "\"")
                .get("type")
                .asText());
      }
      for (int i = 0; i < 3; i++) {
        JsonNode e = w.nextEvent("chat");
        assertEquals(++seq, e.get("seq").asLong());
      }
      long stopping = System.nanoTime();
      n4.terminate();
      assertEquals(1001, w.awaitClose(), "a stopped node closes its sockets with 1001");
      for (int i = 0; i < 5; i++) {
        sent.add("during-" + i);
        JsonNode a = t.request("chat", "\"hunt\":\"" + HUNT + "\",\"text\":\"during-" + i + "\"");
        assertEquals("ack", a.get("type").asText(), a.toString());
      }
      // The watcher reconnects to another node and resumes where it was.
      try (WsClient again = WsClient.hello(n2.httpPort, watcher.get("token").asText())) {
        JsonNode resumed =
            again.request(
                "resume", "\"hunt\":\"" + HUNT + "\",\"epoch\":\"" + epoch + "\",\"seq\":" + seq);
        assertEquals("ack", resumed.get("type").asText(), resumed.toString());
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          JsonNode e = again.nextEvent("chat");
          assertEquals(++seq, e.get("seq").asLong(), "no gap, no duplicate");
          got.add(e.at("/event/text").asText());
        }
        assertEquals(sent.subList(3, 8), got);
      }
      assertTrue(n4.awaitExit(Duration.ofSeconds(60)), "node 4 exits by itself");
      System.out.printf(
          "node-4: SIGTERM to exit in %.1f s (exit code %d)%n",
          (System.nanoTime() - stopping) / 1e9, n4.process.exitValue());
      awaitMembers(n1, 3);
    }
  }

  /** A bot walks t1..t12, claims t6, and records every find the engine acknowledged. */
  static final class Bot implements java.util.concurrent.Callable<Void> {
    final String token;
    final String playerId;
    final Map<String, Integer> acked = new ConcurrentHashMap<>();
    volatile int reconnects;
    int node;

    Bot(JsonNode registered, int node) {
      this.token = registered.get("token").asText();
      this.playerId = registered.get("playerId").asText();
      this.node = node;
    }

    WsClient connect() throws Exception {
      List<NodeProcess> alive = new ArrayList<>();
      for (NodeProcess n : List.of(n1, n2, n3)) if (n.process.isAlive()) alive.add(n);
      while (true) {
        NodeProcess n = alive.get(node++ % alive.size());
        try {
          WsClient c = WsClient.hello(n.httpPort, token);
          JsonNode j = c.request("join", "\"hunt\":\"" + HUNT + "\"");
          if ("ack".equals(j.get("type").asText())) return c;
          c.close();
        } catch (Exception | AssertionError e) {
          // that node is gone or not yet answering: try the next
        }
        Thread.sleep(200);
      }
    }

    /** Sends until answered; a retry after a lost connection reuses the command id (idempotent). */
    JsonNode send(WsClient[] c, String id, String type, java.util.function.Supplier<String> fields)
        throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < deadline) {
        try {
          if (!c[0].isOpen()) throw new IllegalStateException("closed");
          JsonNode a = c[0].request(id, type, fields.get());
          if ("ack".equals(a.get("type").asText())
              || !"unavailable".equals(a.path("code").asText())) return a;
          Thread.sleep(a.path("retryAfterMs").asLong(500));
        } catch (Exception | AssertionError lost) {
          reconnects++;
          c[0].drop();
          c[0] = connect();
        }
      }
      throw new AssertionError(playerId + ": " + type + " " + id + " never answered");
    }

    @Override
    public Void call() throws Exception {
      WsClient[] c = {connect()};
      try {
        for (int k = 1; k <= TREASURES; k++) {
          double[] p = Geo.destination(LAT, LON, 90, 100 * k);
          JsonNode a =
              send(c, c[0].nextId(), "location", () -> location(p, System.currentTimeMillis()));
          if (!"ack".equals(a.get("type").asText())) {
            assertEquals(
                "stale",
                a.get("code").asText(),
                a.toString()); // a retry after the first try landed
            continue;
          }
          for (JsonNode f : a.get("found"))
            acked.put(f.asText(), points(Integer.parseInt(f.asText().substring(1))));
          if ("t6".equals(a.path("atTreasure").asText())) {
            JsonNode claimed =
                send(
                    c,
                    c[0].nextId(),
                    "claim",
                    () -> "\"hunt\":\"" + HUNT + "\",\"treasure\":\"t6\",\"answer\":\"Noon\"");
            if ("ack".equals(claimed.get("type").asText()))
              acked.put("t6", claimed.get("points").asInt());
          }
          Thread.sleep(250);
        }
      } finally {
        c[0].close();
      }
      return null;
    }
  }

  @Test
  @Order(3)
  void aNodeKilledWhileBotsPlayLosesNoAcknowledgedFind() throws Exception {
    List<Bot> bots = new ArrayList<>();
    List<NodeProcess> three = List.of(n1, n2, n3);
    for (int i = 0; i < 12; i++)
      bots.add(new Bot(register(three.get(i % 3), "bot" + i).json(), i % 3));
    ExecutorService pool = Executors.newFixedThreadPool(bots.size());
    List<Future<Void>> running = new ArrayList<>();
    for (Bot b : bots) running.add(pool.submit(b));
    Thread.sleep(1500);
    long killed = System.nanoTime();
    n3.kill();
    awaitGone(n1, n3.address());
    System.out.printf(
        "node-3: kill -9 to removed from the cluster in %.1f s%n",
        (System.nanoTime() - killed) / 1e9);
    for (Future<Void> f : running) f.get(180, TimeUnit.SECONDS);
    pool.shutdown();
    System.out.printf(
        "bots done %.1f s after the kill; %d reconnects%n",
        (System.nanoTime() - killed) / 1e9, bots.stream().mapToInt(b -> b.reconnects).sum());

    // Everything the bots saw acknowledged must come back from the journal alone: stop the cluster
    // and
    // start one new node on the same database.
    for (NodeProcess n : List.of(n1, n2)) n.terminate();
    for (NodeProcess n : List.of(n1, n2)) assertTrue(n.awaitExit(Duration.ofSeconds(60)));
    int port = NodeProcess.freePort();
    NodeProcess fresh =
        track(
            NodeProcess.start(
                "node-5", db, port, List.of("akka://treasure-hunt@127.0.0.1:" + port)));
    fresh.awaitReady(Duration.ofSeconds(120));

    Map<String, Integer> exclusiveFinders = new HashMap<>();
    for (Bot b : bots) {
      try (WsClient c = WsClient.hello(fresh.httpPort, b.token)) {
        JsonNode j = c.request("join", "\"hunt\":\"" + HUNT + "\"");
        assertEquals("ack", j.get("type").asText(), j.toString());
        Set<String> found = new HashSet<>();
        for (JsonNode f : j.at("/you/found")) found.add(f.asText());
        assertTrue(
            found.containsAll(b.acked.keySet()),
            b.playerId + " acked " + b.acked.keySet() + " but has " + found);
        int score = found.stream().mapToInt(id -> points(Integer.parseInt(id.substring(1)))).sum();
        assertEquals(score, j.at("/you/score").asInt(), "score is the points of the finds");
        for (String id : found)
          if (Integer.parseInt(id.substring(1)) % 4 == 0)
            exclusiveFinders.merge(id, 1, Integer::sum);
      }
    }
    for (Map.Entry<String, Integer> e : exclusiveFinders.entrySet())
      assertEquals(1, e.getValue(), "exclusive " + e.getKey() + " scored once");
    JsonNode view =
        Json.MAPPER.readTree(
            new HttpClientSupport(fresh.httpPort).get("/api/hunts/" + HUNT).body());
    for (JsonNode t : view.get("treasures"))
      if (t.get("exclusive").asBoolean()) assertTrue(t.get("finds").asInt() <= 1, t.toString());
    int ackedFinds = bots.stream().mapToInt(b -> b.acked.size()).sum();
    System.out.printf(
        "%d acknowledged finds by %d bots, all recovered from the journal%n",
        ackedFinds, bots.size());
    assertTrue(ackedFinds >= bots.size(), "the bots found something");
  }
}
