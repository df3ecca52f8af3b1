package treasurehunt.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
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
 * no acknowledged find (the players, the hunt's finds and its leaderboard are what the bots were
 * told; a command sent again returns its first answer). Timings are printed (the figures in
 * BENCHMARKS.md come from cluster-config runs), never asserted.
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
    http.createHunt(huntJson()); // retries a 503 while the fresh cluster starts its shards
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
    // the previous test waits for node 4's management /ready and its shards, not for its HTTP port
    n4.awaitReady(Duration.ofSeconds(30));
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

  /** A command a bot sent and the answer it got: what a retry with the same id must return. */
  record Answered(String id, String type, String fields, JsonNode answer) {}

  /**
   * A bot walks t1..t12, claims t6, and keeps every answer it got. It never drops an answer it does
   * not like: every report and the claim must end in an ack. When its connection is lost it does
   * what docs/protocol.md §10 asks of a client: reconnects to a live node, resumes the hunt from
   * the last event it holds (not join), retries the unanswered command with the same id; and it
   * sends its last answered command again, which must return the first answer.
   */
  static final class Bot implements java.util.concurrent.Callable<Void> {
    final String token;
    final String playerId;
    final CountDownLatch joined;
    final CountDownLatch go;

    /** Treasure id to points, from the acks. */
    final Map<String, Integer> acked = new ConcurrentHashMap<>();

    final List<Answered> answered = new CopyOnWriteArrayList<>();
    final AtomicInteger reconnects = new AtomicInteger();
    final AtomicInteger unavailable = new AtomicInteger();
    final AtomicInteger sameAnswerAfterReconnect = new AtomicInteger();

    /** What happened to each try, for the failure messages. */
    final List<String> history = new CopyOnWriteArrayList<>();

    volatile NodeProcess connectedTo;
    int node;

    /** Answered before a reconnect, not yet sent again since. */
    private Answered toRepeat;

    /** The last position in the hunt's stream the bot holds. */
    private WsClient.StreamPos held;

    Bot(JsonNode registered, int node, CountDownLatch joined, CountDownLatch go) {
      this.token = registered.get("token").asText();
      this.playerId = registered.get("playerId").asText();
      this.node = node;
      this.joined = joined;
      this.go = go;
    }

    /** Connects to a live node and joins the hunt, or resumes it once joined. */
    WsClient connect() throws Exception {
      List<NodeProcess> alive = new ArrayList<>();
      for (NodeProcess n : List.of(n1, n2, n3)) if (n.process.isAlive()) alive.add(n);
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < deadline) {
        NodeProcess n = alive.get(node++ % alive.size());
        try {
          WsClient c = WsClient.hello(n.httpPort, token);
          JsonNode a =
              held == null
                  ? c.request("join", "\"hunt\":\"" + HUNT + "\"")
                  : c.request(
                      "resume",
                      String.format(
                          "\"hunt\":\"%s\",\"epoch\":\"%s\",\"seq\":%d",
                          HUNT, held.epoch(), held.seq()));
          String type = a.get("type").asText();
          if (type.equals("ack") || type.equals("snapshot")) {
            if (a.has("stream"))
              held =
                  new WsClient.StreamPos(
                      a.at("/stream/epoch").asText(), a.at("/stream/seq").asLong());
            connectedTo = n;
            history.add(n.name + " " + a);
            return c;
          }
          c.close();
        } catch (Exception | AssertionError e) {
          // that node is gone or not yet answering: try the next
        }
        Thread.sleep(200);
      }
      throw new AssertionError(playerId + " found no node to play on");
    }

    /**
     * Sends until answered; after {@code unavailable} or {@code overloaded}, or a lost connection,
     * again with the same id (protocol §4).
     */
    JsonNode send(WsClient[] c, String id, String type, Supplier<String> fields) throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < deadline) {
        try {
          if (!c[0].isOpen()) throw new IllegalStateException("closed");
          JsonNode a = c[0].request(id, type, fields.get());
          history.add(connectedTo.name + " " + id + " " + type + " -> " + a);
          String code = a.path("code").asText();
          if (!code.equals("unavailable") && !code.equals("overloaded")) return a;
          unavailable.incrementAndGet();
          Thread.sleep(a.path("retryAfterMs").asLong(500));
        } catch (Exception | AssertionError lost) {
          history.add(connectedTo.name + " " + id + " " + type + " lost: " + lost);
          reconnects.incrementAndGet();
          WsClient.StreamPos last = c[0].lastEvent(HUNT);
          if (last != null && (!last.epoch().equals(held.epoch()) || last.seq() > held.seq()))
            held = last;
          c[0].drop();
          c[0] = connect();
          if (!answered.isEmpty()) toRepeat = answered.get(answered.size() - 1);
        }
      }
      throw new AssertionError(playerId + ": " + type + " " + id + " never answered");
    }

    /** Sends a command with a fresh id; it must be acknowledged. */
    JsonNode command(WsClient[] c, String type, String fields) throws Exception {
      String id = c[0].nextId();
      JsonNode a = send(c, id, type, () -> fields);
      assertEquals("ack", a.get("type").asText(), playerId + " " + type + " " + fields + ": " + a);
      answered.add(new Answered(id, type, fields, a));
      if (toRepeat != null) {
        Answered again = toRepeat;
        toRepeat = null;
        assertSameAnswer(again, send(c, again.id(), again.type(), again::fields));
        sameAnswerAfterReconnect.incrementAndGet();
      }
      return a;
    }

    void assertSameAnswer(Answered first, JsonNode again) {
      assertEquals(
          withoutRe(first.answer()),
          withoutRe(again),
          playerId + ": " + first.type() + " " + first.id() + " sent again");
    }

    @Override
    public Void call() throws Exception {
      WsClient[] c = {connect()};
      joined.countDown();
      assertTrue(go.await(60, TimeUnit.SECONDS));
      try {
        // a player's first fix in a hunt only anchors it (docs/protocol.md §5): take it at the
        // start
        command(c, "location", location(new double[] {LAT, LON}, System.currentTimeMillis()));
        Thread.sleep(250);
        for (int k = 1; k <= TREASURES; k++) {
          double[] p = Geo.destination(LAT, LON, 90, 100 * k);
          JsonNode a = command(c, "location", location(p, System.currentTimeMillis()));
          for (JsonNode f : a.get("found"))
            acked.put(f.asText(), points(Integer.parseInt(f.asText().substring(1))));
          if ("t6".equals(a.path("atTreasure").asText())) {
            JsonNode claimed =
                command(
                    c,
                    "claim",
                    "\"hunt\":\"" + HUNT + "\",\"treasure\":\"t6\",\"answer\":\"Noon\"");
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

  /** The answer to a command sent again, once the node is past {@code unavailable}. */
  static JsonNode answerTo(WsClient c, Answered a) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode answer = c.request(a.id(), a.type(), a.fields());
    while (answer.path("code").asText().equals("unavailable") && System.nanoTime() < deadline) {
      Thread.sleep(answer.path("retryAfterMs").asLong(500));
      answer = c.request(a.id(), a.type(), a.fields());
    }
    return answer;
  }

  static JsonNode withoutRe(JsonNode frame) {
    return ((ObjectNode) frame.deepCopy()).without("re");
  }

  @Test
  @Order(3)
  void aNodeKilledWhileBotsPlayLosesNoAcknowledgedFind() throws Exception {
    List<Bot> bots = new ArrayList<>();
    List<NodeProcess> three = List.of(n1, n2, n3);
    CountDownLatch joined = new CountDownLatch(12), go = new CountDownLatch(1);
    for (int i = 0; i < 12; i++)
      bots.add(new Bot(register(three.get(i % 3), "bot" + i).json(), i % 3, joined, go));
    ExecutorService pool = Executors.newFixedThreadPool(bots.size());
    List<Future<Void>> running = new ArrayList<>();
    for (Bot b : bots) running.add(pool.submit(b));
    assertTrue(joined.await(120, TimeUnit.SECONDS), "the bots joined");
    go.countDown();
    // Kill node 3 mid-game: every bot has some finds acknowledged, none has walked all the way.
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (bots.stream().anyMatch(b -> b.answered.size() < 3) && System.nanoTime() < deadline)
      Thread.sleep(20);
    List<Bot> onKilledNode = bots.stream().filter(b -> b.connectedTo == n3).toList();
    long killed = System.nanoTime();
    n3.kill();
    Map<Bot, Integer> doneAtKill = new HashMap<>();
    for (Bot b : bots) doneAtKill.put(b, b.answered.size());
    awaitGone(n1, n3.address());
    System.out.printf(
        "node-3: kill -9 to removed from the cluster in %.1f s%n",
        (System.nanoTime() - killed) / 1e9);
    for (Future<Void> f : running) f.get(180, TimeUnit.SECONDS);
    pool.shutdown();
    int reconnects = bots.stream().mapToInt(b -> b.reconnects.get()).sum();
    System.out.printf(
        "bots done %.1f s after the kill; commands answered by each at the kill %s; %d bots on node 3;"
            + " %d reconnects; %d answers unavailable, retried; %d commands sent again after a"
            + " reconnect, each with its first answer%n",
        (System.nanoTime() - killed) / 1e9,
        doneAtKill.values(),
        onKilledNode.size(),
        reconnects,
        bots.stream().mapToInt(b -> b.unavailable.get()).sum(),
        bots.stream().mapToInt(b -> b.sameAnswerAfterReconnect.get()).sum());
    // 12 reports and the claim in all
    for (Bot b : bots)
      assertTrue(
          doneAtKill.get(b) >= 3 && doneAtKill.get(b) < TREASURES + 1,
          b.playerId + " was mid-game at the kill: " + doneAtKill.get(b) + " commands answered");
    assertFalse(onKilledNode.isEmpty(), "bots played on node 3");
    for (Bot b : onKilledNode) {
      assertTrue(b.reconnects.get() >= 1, b.playerId + " lost its node and reconnected");
      assertTrue(
          b.sameAnswerAfterReconnect.get() >= 1,
          b.playerId + " sent a command again after reconnecting");
    }

    // Everything the bots saw acknowledged must come back from the journal alone: stop the cluster
    // and start one new node on the same database.
    for (NodeProcess n : List.of(n1, n2)) n.terminate();
    for (NodeProcess n : List.of(n1, n2)) assertTrue(n.awaitExit(Duration.ofSeconds(60)));
    int port = NodeProcess.freePort();
    NodeProcess fresh =
        track(
            NodeProcess.start(
                "node-5", db, port, List.of("akka://treasure-hunt@127.0.0.1:" + port)));
    fresh.awaitReady(Duration.ofSeconds(120));

    Map<String, Integer> findsOf = new HashMap<>();
    for (Bot b : bots) {
      try (WsClient c = WsClient.hello(fresh.httpPort, b.token)) {
        JsonNode j = c.request("join", "\"hunt\":\"" + HUNT + "\"");
        assertEquals("ack", j.get("type").asText(), j.toString());
        Set<String> found = new HashSet<>();
        for (JsonNode f : j.at("/you/found")) found.add(f.asText());
        assertEquals(
            b.acked.keySet(),
            found,
            b.playerId
                + ": the player's finds are the acked ones; "
                + String.join("\n", b.history));
        int score = b.acked.values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(score, j.at("/you/score").asInt(), b.playerId + ": score");
        for (String t : found) findsOf.merge(t, 1, Integer::sum);
        // every command sent again, after the restart, returns its first answer
        for (Answered a : b.answered) b.assertSameAnswer(a, answerTo(c, a));
      }
    }

    // The hunt agrees: each treasure's finds and each bot's line on the leaderboard.
    HttpClientSupport http = new HttpClientSupport(fresh.httpPort);
    JsonNode view = Json.MAPPER.readTree(http.get("/api/hunts/" + HUNT).body());
    for (JsonNode t : view.get("treasures")) {
      String id = t.get("id").asText();
      int expected = findsOf.getOrDefault(id, 0);
      assertEquals(expected, t.get("finds").asInt(), "finds of " + id + " in the hunt");
      // every bot walked to every treasure: the shared ones were found by all, the exclusive ones
      // by exactly one
      assertEquals(t.get("exclusive").asBoolean() ? 1 : bots.size(), expected, "finders of " + id);
    }
    JsonNode board =
        Json.MAPPER.readTree(http.get("/api/hunts/" + HUNT + "/leaderboard?limit=1000").body());
    Map<String, JsonNode> lines = new HashMap<>();
    for (JsonNode e : board.get("entries")) lines.put(e.get("playerId").asText(), e);
    for (Bot b : bots) {
      JsonNode line = lines.get(b.playerId);
      assertNotNull(line, b.playerId + " on the leaderboard");
      assertEquals(
          b.acked.values().stream().mapToInt(Integer::intValue).sum(),
          line.get("score").asInt(),
          b.playerId + ": leaderboard score");
      assertEquals(b.acked.size(), line.get("found").asInt(), b.playerId + ": leaderboard finds");
    }
    int ackedFinds = bots.stream().mapToInt(b -> b.acked.size()).sum();
    System.out.printf(
        "%d acknowledged finds by %d bots, all in the players, the hunt and the leaderboard after"
            + " recovery from the journal%n",
        ackedFinds, bots.size());
  }
}
