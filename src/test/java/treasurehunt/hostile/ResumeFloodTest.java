package treasurehunt.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;
import treasurehunt.metrics.Metrics;

/**
 * Resumes that reach back past the hunt's in-memory window (50 events here) are read from the
 * journal, and cost what they deliver (docs/protocol.md §6, §8, §9): a client 5,000 events behind
 * that reads normally gets all of them, in order, without being dropped, from a read that starts at
 * a checkpoint near its position; a client looping {@code resume} from seq 0 on many sockets gets
 * {@code overloaded} past the node's cap of journal reads (2 here), never more reads than the cap
 * at once, while another player's commands are answered promptly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResumeFloodTest {
  static final String HUNT = "deep";
  static final int BEHIND = 5_000;
  static final int BEFORE = 2_000;
  static final int CAP = 2;

  static final String NODE =
      "treasure-hunt.game.stream-window = 50\n"
          + "treasure-hunt.ws.max-journal-reads = "
          + CAP
          + "\n"
          // the chatters that build the hunt's history and the flooder are not rate-limited here
          + "treasure-hunt.ws.rate-per-second = 100000\n"
          + "treasure-hunt.ws.burst = 100000\n"
          + "treasure-hunt.ws.max-violations = 1000000\n";

  static Database db;
  static Node node;
  static int port;
  static HttpClientSupport http;
  static String epoch;

  /** The behind-client's position: right after its join, {@link #BEFORE} events into the hunt. */
  static long joinedAt;

  static String behindToken;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.fresh("resumeflood");
    node = TestNodes.start(db, NODE);
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
    http.createHunt(HttpClientSupport.oldTown(HUNT));
    assertEquals(200, http.postAdmin("/api/hunts/" + HUNT + "/start", null).status());
    chat(BEFORE);
    behindToken = token("behind");
    try (WsClient c = WsClient.hello(port, behindToken)) {
      JsonNode ack = c.request("join", "\"hunt\":\"" + HUNT + "\"");
      assertEquals("ack", ack.path("type").asText(), ack.toString());
      epoch = ack.at("/stream/epoch").asText();
      joinedAt = ack.at("/stream/seq").asLong();
    }
    chat(BEHIND);
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) TestNodes.stop(node);
  }

  static String token(String name) throws Exception {
    return http.post("/api/players", "{\"name\": \"" + name + "\"}").json().get("token").asText();
  }

  /** {@code n} chat messages from four players, 16 in flight each: {@code n} stream events. */
  static void chat(int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        int first = c * n / 4, last = (c + 1) * n / 4;
        String token = token("chatter" + c);
        done.add(
            pool.submit(
                () -> {
                  try (WsClient ws = WsClient.hello(port, token)) {
                    assertEquals(
                        "ack",
                        ws.request("join", "\"hunt\":\"" + HUNT + "\"").path("type").asText());
                    ws.request("leave", "\"hunt\":\"" + HUNT + "\""); // no stream to read
                    ws.request("join", "\"hunt\":\"" + HUNT + "\"");
                    for (int i = first; i < last; i += 16) {
                      List<String> ids = new ArrayList<>();
                      for (int j = i; j < Math.min(i + 16, last); j++) {
                        String id = "m" + j;
                        ids.add(id);
                        ws.send(
                            "{\"type\":\"chat\",\"id\":\""
                                + id
                                + "\",\"hunt\":\""
                                + HUNT
                                + "\",\"text\":\"message "
                                + j
                                + "\"}");
                      }
                      while (!ids.isEmpty()) {
                        JsonNode f = ws.next();
                        if (ids.remove(f.path("re").asText()))
                          assertEquals("ack", f.path("type").asText(), f.toString());
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> d : done) d.get(10, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }
  }

  static double metric(String name) {
    var registry = Metrics.get(node.system).registry();
    Counter c = registry.find(name).counter();
    if (c != null) return c.count();
    Gauge g = registry.find(name).gauge();
    return g == null ? Double.NaN : g.value();
  }

  @Test
  @Order(1)
  void aClientFiveThousandEventsBehindGetsThemAllInOrderFromANearbyCheckpoint() throws Exception {
    double readBefore = metric("th.journal.read.events");
    try (WsClient c = WsClient.hello(port, behindToken)) {
      JsonNode ack =
          c.request(
              "resume",
              "\"hunt\":\"" + HUNT + "\",\"epoch\":\"" + epoch + "\",\"seq\":" + joinedAt);
      assertEquals("ack", ack.path("type").asText(), ack.toString());
      long head = http.get("/api/hunts/" + HUNT).json().at("/stream/seq").asLong();
      assertTrue(head - joinedAt >= BEHIND, "at least " + BEHIND + " behind");
      long expected = joinedAt + 1;
      while (expected <= head) {
        JsonNode f = c.next();
        if (!"event".equals(f.path("type").asText())) continue;
        assertEquals(expected, f.get("seq").asLong(), "in order, no gap, no duplicate");
        expected++;
      }
      assertTrue(c.isOpen(), "not dropped");
      // and live after the fill
      try (WsClient other = WsClient.hello(port, token("late"))) {
        other.request("join", "\"hunt\":\"" + HUNT + "\"");
      }
      JsonNode joined = c.nextEvent("player_joined");
      assertEquals(expected, joined.get("seq").asLong());
    }
    double read = metric("th.journal.read.events") - readBefore;
    // a replay from the first event would read BEFORE + BEHIND events and more
    System.out.println(
        "resume " + BEHIND + "+ behind: " + read + " journal events read, " + BEFORE + " before");
    assertTrue(read >= BEHIND, "read " + read);
    assertTrue(
        read <= BEHIND + 1_000, "read from a checkpoint near the position, not from 1: " + read);
  }

  @Test
  @Order(2)
  void resumesLoopingFromZeroOnManySocketsAreOverloadedPastTheCapAndPlayersStayServed()
      throws Exception {
    String flooder = token("flooder");
    HttpClient client = HttpClient.newHttpClient();
    AtomicBoolean flooding = new AtomicBoolean(true);
    Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    List<WebSocket> sockets = new ArrayList<>();
    List<Thread> loops = new ArrayList<>();
    AtomicInteger maxReads = new AtomicInteger();
    for (int s = 0; s < 20; s++) {
      LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();
      WebSocket ws =
          client
              .newWebSocketBuilder()
              .buildAsync(
                  URI.create("ws://127.0.0.1:" + port + "/ws?token=" + flooder), counting(replies))
              .get(10, TimeUnit.SECONDS);
      sockets.add(ws);
      int socket = s;
      Thread loop =
          new Thread(
              () -> {
                int n = 0;
                try {
                  while (flooding.get()) {
                    String id = "r" + socket + "-" + n++;
                    ws.sendText(
                            "{\"type\":\"resume\",\"id\":\""
                                + id
                                + "\",\"hunt\":\""
                                + HUNT
                                + "\",\"epoch\":\""
                                + epoch
                                + "\",\"seq\":0}",
                            true)
                        .get(10, TimeUnit.SECONDS);
                    String answer = replies.poll(30, TimeUnit.SECONDS); // its ack or error
                    answers
                        .computeIfAbsent(answer == null ? "none" : answer, k -> new AtomicInteger())
                        .incrementAndGet();
                  }
                } catch (Exception stopped) {
                  // the test is over
                }
              });
      loop.start();
      loops.add(loop);
    }

    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    try (WsClient honest = WsClient.hello(port, token("honest"))) {
      assertEquals(
          "ack", honest.request("join", "\"hunt\":\"" + HUNT + "\"").path("type").asText());
      long t0 = System.currentTimeMillis();
      for (int i = 0; i < 60; i++) {
        maxReads.accumulateAndGet((int) metric("th.journal.reads"), Math::max);
        long sent = System.nanoTime();
        JsonNode r =
            honest.request(
                "location",
                "\"hunt\":\""
                    + HUNT
                    + "\",\"lat\":52.3702,\"lon\":4.8952,\"at\":"
                    + (t0 + i * 1000));
        latencies.add((System.nanoTime() - sent) / 1_000_000);
        assertEquals("ack", r.path("type").asText(), r.toString());
        Thread.sleep(100);
      }
    } finally {
      flooding.set(false);
      for (WebSocket ws : sockets) ws.abort();
      for (Thread t : loops) t.join(10_000);
    }
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    System.out.println(
        "resume flood: answers "
            + answers
            + "; honest location latency p50 "
            + sorted.get(sorted.size() / 2)
            + " ms, max "
            + sorted.get(sorted.size() - 1)
            + " ms; journal reads at most "
            + maxReads.get());
    assertTrue(
        answers.getOrDefault("overloaded", new AtomicInteger()).get() > 0,
        "past the cap: overloaded, " + answers);
    assertTrue(answers.getOrDefault("ack", new AtomicInteger()).get() > 0, "some are served");
    assertTrue(maxReads.get() <= CAP, "never more journal reads than the cap: " + maxReads);
    assertTrue(
        sorted.get(sorted.size() - 1) < 3_000,
        "the honest player's reports are answered promptly: " + sorted);
  }

  static final Pattern ANSWER =
      Pattern.compile(
          "^\\{\"type\":\"(ack|error|snapshot)\",\"re\":\"r[^\"]*\"(?:,\"code\":\"([a-z_]+)\")?");

  /** Reads every frame without parsing it; hands the answers to resumes (type or code) over. */
  static WebSocket.Listener counting(LinkedBlockingQueue<String> replies) {
    StringBuilder partial = new StringBuilder();
    return new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          Matcher m = ANSWER.matcher(partial);
          if (m.find()) {
            String answer = m.group(2) != null ? m.group(2) : m.group(1);
            // overloaded says when to come back
            if (answer.equals("overloaded") && !partial.toString().contains("\"retryAfterMs\":"))
              answer = "overloaded without retryAfterMs";
            replies.add(answer);
          }
          partial.setLength(0);
        }
        ws.request(1);
        return null;
      }
    };
  }
}
