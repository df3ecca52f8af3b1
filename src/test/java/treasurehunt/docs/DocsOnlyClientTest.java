package treasurehunt.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A client written from docs/protocol.md, docs/asyncapi.yaml and README.md only (no server code
 * read), playing a whole hunt against a real node: organiser HTTP API, two players over WebSocket,
 * finds, an answer claim, an exclusive treasure, chat, an abrupt drop, reconnect + resume, retries,
 * leaderboard.
 *
 * <p>The client keeps (epoch, seq) per hunt and applies the "client rule" of protocol.md §6 itself;
 * the test additionally records every raw event frame per connection so that gaps or duplicates
 * sent by the server are noticed even though the client rule would hide duplicates.
 */
class DocsOnlyClientTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final long WAIT_MS = 30_000;
  static final String HUNT = "docs-harbour";

  // treasures (protocol.md §1.2): a plain one, one needing an answer, an exclusive one
  static final double[] CENTRE = {52.3702, 4.8952};
  static final double[] NEAR_CLOCK = {52.3708, 4.8957};
  static final double[] CLOCK = {52.3711, 4.8960};
  static final double[] BELL = {52.3716, 4.8968};
  static final double[] CROWN = {52.3690, 4.8940};
  static final double[] FAR_AWAY = {52.3790, 4.9050};

  @Test
  void playsAWholeHuntUsingOnlyTheDocumentedProtocol() throws Exception {
    treasurehunt.cluster.Database db = treasurehunt.TestDatabase.fresh("docs-client");
    // The walks below are simulated: fixes sent at once, their times seconds apart.
    treasurehunt.cluster.Node node =
        treasurehunt.TestNodes.start(db, treasurehunt.TestNodes.SIMULATED_WALKS);
    try {
      play(treasurehunt.TestNodes.httpPort(node));
    } finally {
      treasurehunt.TestNodes.stop(node);
    }
  }

  private void play(int port) throws Exception {
    Http http = new Http("http://127.0.0.1:" + port);
    String admin = treasurehunt.TestNodes.ADMIN_TOKEN;

    // ---- organiser (§1): create and start a hunt
    ObjectNode def = JSON.createObjectNode();
    def.put("huntId", HUNT).put("name", "Docs harbour");
    def.set(
        "area",
        JSON.createObjectNode().put("lat", CENTRE[0]).put("lon", CENTRE[1]).put("radiusM", 1500));
    ArrayNode ts = def.putArray("treasures");
    ts.addObject()
        .put("id", "clock")
        .put("lat", CLOCK[0])
        .put("lon", CLOCK[1])
        .put("radiusM", 15)
        .put("points", 100)
        .put("hint", "Under the clock");
    ts.addObject()
        .put("id", "bell")
        .put("lat", BELL[0])
        .put("lon", BELL[1])
        .put("radiusM", 20)
        .put("points", 200)
        .put("hint", "When does the bell ring?")
        .put("answer", "noon");
    ts.addObject()
        .put("id", "crown")
        .put("lat", CROWN[0])
        .put("lon", CROWN[1])
        .put("radiusM", 15)
        .put("points", 300)
        .put("hint", "First come, first served")
        .put("exclusive", true);
    def.put("maxPlayers", 100).put("maxSpeedMps", 10);

    Http.Resp unauth = http.post("/api/hunts", def, null);
    assertEquals(401, unauth.status, "organiser endpoint without a token (§1.1)");
    assertEquals("unauthorized", unauth.body.path("error").path("code").asText());

    Http.Resp created = http.post("/api/hunts", def, admin);
    assertEquals(201, created.status, created.body.toString());
    assertEquals(HUNT, created.body.path("huntId").asText());
    assertEquals(409, http.post("/api/hunts", def, admin).status, "hunt id taken (§1.2)");

    Http.Resp started = http.post("/api/hunts/" + HUNT + "/start", null, admin);
    assertEquals(200, started.status, started.body.toString());
    assertEquals("live", started.body.path("status").asText());
    assertEquals(3, started.body.path("treasures").size());
    assertNoSecrets(started.body);

    Http.Resp missing = http.get("/api/hunts/no-such-hunt");
    assertEquals(404, missing.status);
    assertEquals("not_found", missing.body.path("error").path("code").asText());

    // ---- two players register (§1.2)
    Http.Resp ra = http.post("/api/players", JSON.createObjectNode().put("name", "alice"), null);
    Http.Resp rb = http.post("/api/players", JSON.createObjectNode().put("name", "bob"), null);
    assertEquals(201, ra.status, ra.body.toString());
    assertEquals(201, rb.status, rb.body.toString());
    String wsBase = "ws://127.0.0.1:" + port + "/ws";
    // GPS fix times: at most 2 minutes in the past and 5 minutes ahead of the server's clock (§5)
    long base = System.currentTimeMillis() - 100_000;
    Player alice =
        new Player(
            "alice",
            ra.body.path("playerId").asText(),
            ra.body.path("token").asText(),
            wsBase,
            base);
    Player bob =
        new Player(
            "bob", rb.body.path("playerId").asText(), rb.body.path("token").asText(), wsBase, base);
    assertEquals("alice", ra.body.path("name").asText());

    try {
      // ---- alice: hello; bob: token in the URL (§2)
      JsonNode wa = alice.connect(false);
      assertEquals(alice.playerId, wa.path("playerId").asText());
      assertEquals("alice", wa.path("name").asText());
      assertEquals(1, wa.path("protocol").asInt());
      JsonNode wb = bob.connect(true);
      assertEquals(bob.playerId, wb.path("playerId").asText());

      // ---- join (§3.1)
      JsonNode ja = alice.command("join", HUNT, null);
      assertAck(ja);
      assertEquals(0, ja.path("you").path("score").asInt());
      assertEquals(0, ja.path("you").path("found").size());
      assertEquals("live", ja.path("hunt").path("status").asText());
      assertEquals(
          ja.path("stream"), ja.path("hunt").path("stream"), "view and ack agree on the head");
      assertNoSecrets(ja.path("hunt"));
      JsonNode bell = treasure(ja.path("hunt"), "bell");
      assertTrue(bell.path("needsAnswer").asBoolean());
      assertTrue(treasure(ja.path("hunt"), "crown").path("exclusive").asBoolean());
      assertFalse(treasure(ja.path("hunt"), "clock").path("needsAnswer").asBoolean());

      JsonNode jb = bob.command("join", HUNT, null);
      assertAck(jb);
      assertEquals(2, jb.path("hunt").path("players").asInt());
      // alice, who follows the stream, sees bob arrive
      alice.awaitEvent(
          HUNT,
          e ->
              kind(e, "player_joined")
                  && bob.playerId.equals(e.path("event").path("playerId").asText()));

      JsonNode joinAgain = bob.command("join", HUNT, null);
      assertAck(joinAgain);
      assertEquals(
          2,
          joinAgain.path("hunt").path("players").asInt(),
          "joining again changes nothing (§3.1)");

      // ---- alice walks to the clock (§5)
      JsonNode l1 = alice.walkTo(CENTRE);
      assertAck(l1);
      assertTrue(l1.path("nearest").isNull(), "a first location anchors: no advice (§5)");
      assertEquals(1000, l1.path("nextPollMs").asInt(), "the next fix soon after an anchor (§5)");
      assertEquals(0, l1.path("found").size());
      JsonNode l2 = alice.walkTo(NEAR_CLOCK);
      assertEquals("hot", l2.path("nearest").asText());
      assertEquals(1000, l2.path("nextPollMs").asInt(), "1000 within the hot band (§5)");
      String findId = alice.nextId();
      JsonNode l3 = alice.walkTo(CLOCK, findId);
      assertAck(l3);
      assertEquals(List.of("clock"), texts(l3.path("found")));
      assertTrue(l3.path("atTreasure").isNull());
      // both players see the find and the leaderboard right after it
      for (Player p : List.of(alice, bob)) {
        JsonNode tf = p.awaitEvent(HUNT, e -> found(e, alice, "clock"));
        assertEquals(100, tf.path("event").path("points").asInt());
        assertEquals("alice", tf.path("event").path("name").asText());
        JsonNode lb =
            p.awaitEvent(
                HUNT,
                e ->
                    kind(e, "leaderboard")
                        && e.path("seq").asLong() == tf.path("seq").asLong() + 1);
        assertEquals(
            alice.playerId, lb.path("event").path("leaderboard").path(0).path("playerId").asText());
        assertEquals(100, lb.path("event").path("leaderboard").path(0).path("score").asInt());
      }

      // a late fix is stale; a teleport is implausible (§5): neither changes anything
      JsonNode stale = alice.location(CENTRE, alice.lastAt - 5_000, alice.nextId());
      assertError(stale, "stale");
      JsonNode teleport = alice.location(FAR_AWAY, alice.lastAt + 1_000, alice.nextId());
      assertError(teleport, "implausible_move");
      // a claim of the bell from the clock is too far
      assertError(alice.claim("bell", "noon"), "too_far");

      // ---- the bell needs an answer
      JsonNode l4 = alice.walkTo(BELL);
      assertAck(l4);
      assertEquals("bell", l4.path("atTreasure").asText());
      assertEquals(0, l4.path("found").size());
      assertError(alice.claim("bell", "midnight"), "wrong_answer");
      String claimId = alice.nextId();
      JsonNode claimed =
          alice.command(
              claimId, "claim", HUNT, o -> o.put("treasure", "bell").put("answer", " Noon "));
      assertAck(claimed);
      assertEquals(200, claimed.path("points").asInt());
      assertEquals(300, claimed.path("score").asInt());
      for (Player p : List.of(alice, bob)) {
        p.awaitEvent(HUNT, e -> found(e, alice, "bell"));
        p.awaitEvent(HUNT, e -> kind(e, "leaderboard") && scoreOf(e, alice.playerId) == 300);
      }
      assertError(alice.claim("bell", "noon"), "already_found");

      // ---- bob takes the exclusive crown; alice gets there second
      assertAck(bob.walkTo(CENTRE));
      JsonNode lb1 = bob.walkTo(CROWN);
      assertAck(lb1);
      assertEquals(List.of("crown"), texts(lb1.path("found")));
      for (Player p : List.of(alice, bob)) {
        JsonNode tf = p.awaitEvent(HUNT, e -> found(e, bob, "crown"));
        assertEquals(300, tf.path("event").path("points").asInt());
      }
      JsonNode second = alice.walkTo(CROWN);
      assertAck(second);
      assertEquals(0, second.path("found").size(), "an exclusive treasure taken is not credited");
      assertEquals(List.of("crown"), texts(second.path("alreadyClaimed")));
      assertError(alice.claim("crown", null), "already_claimed");

      // ---- chat and ping
      JsonNode chat = bob.command("chat", HUNT, o -> o.put("text", "nice one, alice"));
      assertAck(chat);
      for (Player p : List.of(alice, bob)) {
        JsonNode c = p.awaitEvent(HUNT, e -> chat(e, "nice one, alice"));
        assertEquals(bob.playerId, c.path("event").path("playerId").asText());
      }
      JsonNode pong = alice.ping();
      assertTrue(pong.path("serverTime").asLong() > 0);

      // ---- alice's connection drops abruptly, with a chat whose answer she never gets
      String brbId = alice.sendUnanswered("chat", HUNT, o -> o.put("text", "brb"));
      long[] held = alice.abort();
      String heldEpoch = alice.stream(HUNT).epoch;
      long heldSeq = held[0];
      assertEquals(0, alice.stream(HUNT).gaps, "no gap before the drop");

      // bob keeps playing: new events alice misses
      JsonNode lb2 = bob.walkTo(CLOCK);
      assertEquals(List.of("clock"), texts(lb2.path("found")));
      bob.awaitEvent(HUNT, e -> found(e, bob, "clock"));
      bob.awaitEvent(HUNT, e -> kind(e, "leaderboard") && scoreOf(e, bob.playerId) == 400);
      assertAck(bob.command("chat", HUNT, o -> o.put("text", "alice, where did you go?")));
      bob.awaitEvent(HUNT, e -> chat(e, "alice, where did you go?"));

      // ---- alice reconnects (§10.7): hello, resume from what she holds, resend unanswered
      // commands
      Player.Reconnect rc = alice.reconnect();
      assertEquals(alice.playerId, rc.welcome.path("playerId").asText());
      JsonNode resumeAck = rc.resumeAnswers.get(HUNT);
      assertEquals(
          "ack",
          resumeAck.path("type").asText(),
          "resume within the window is an ack, not a snapshot: " + resumeAck);
      assertEquals(heldEpoch, resumeAck.path("stream").path("epoch").asText());
      assertEquals(heldSeq, resumeAck.path("stream").path("seq").asLong());
      // the chat sent just before the drop, resent with its id: acknowledged (posted once only).
      // Its answer may have come before the drop (then it is not among the unanswered ones); a
      // retry with the same id is acknowledged all the same and posts nothing twice (§4).
      assertTrue(List.of(brbId).containsAll(rc.retriedIds), "resent: " + rc.retriedIds);
      JsonNode pendingChat =
          rc.retriedIds.contains(brbId) ? rc.retried.get(brbId) : alice.retry(brbId);
      assertAck(pendingChat);

      // a command retried with the same id returns the first outcome (§4)
      JsonNode claimRetry = alice.retry(claimId);
      assertEquals(claimed, claimRetry, "claim retried after reconnect");
      JsonNode findRetry = alice.retry(findId);
      assertEquals(l3, findRetry, "location retried after reconnect");

      // live again: alice sees bob's next event after the missed ones
      assertAck(bob.command("chat", HUNT, o -> o.put("text", "welcome back")));
      alice.awaitEvent(HUNT, e -> chat(e, "welcome back"));
      bob.awaitEvent(HUNT, e -> chat(e, "welcome back"));

      // exactly the missed events, in order, then the live ones: what bob saw after heldSeq
      List<JsonNode> bobAfter = new ArrayList<>();
      for (JsonNode e : bob.applied(HUNT)) if (e.path("seq").asLong() > heldSeq) bobAfter.add(e);
      List<JsonNode> aliceRaw = alice.rawEventsOfCurrentConnection();
      List<Long> seqs = new ArrayList<>();
      for (JsonNode e : aliceRaw) seqs.add(e.path("seq").asLong());
      List<Long> expectedSeqs = new ArrayList<>();
      for (long s = heldSeq + 1; s <= heldSeq + aliceRaw.size(); s++) expectedSeqs.add(s);
      assertEquals(
          expectedSeqs, seqs, "seq rises by 1 from the held position, none missing, none repeated");
      assertEquals(bobAfter.size(), aliceRaw.size(), "alice got what bob got since " + heldSeq);
      for (int i = 0; i < aliceRaw.size(); i++) {
        assertEquals(heldEpoch, aliceRaw.get(i).path("epoch").asText());
        assertEquals(bobAfter.get(i), aliceRaw.get(i), "event " + aliceRaw.get(i).path("seq"));
      }
      assertTrue(
          aliceRaw.stream().anyMatch(e -> found(e, bob, "clock")),
          "bob's find while alice was away");
      assertTrue(aliceRaw.stream().anyMatch(e -> chat(e, "alice, where did you go?")));
      assertTrue(alice.resumeAckPrecededEvents(), "the resume ack came before the events (§6)");
      long brb = bob.applied(HUNT).stream().filter(e -> chat(e, "brb")).count();
      assertEquals(1, brb, "the chat retried after the drop is posted exactly once");
      assertEquals(0, alice.stream(HUNT).gaps, "alice's client saw no gap");
      assertEquals(0, alice.stream(HUNT).duplicates, "alice's client saw no duplicate");
      assertEquals(0, bob.stream(HUNT).gaps, "bob's client saw no gap");
      assertEquals(0, bob.stream(HUNT).duplicates, "bob's client saw no duplicate");
      assertTrue(alice.unsolicitedErrors.isEmpty(), alice.unsolicitedErrors.toString());
      assertTrue(bob.unsolicitedErrors.isEmpty(), bob.unsolicitedErrors.toString());
      // each client's own view of the stream is contiguous from its start
      assertContiguous(alice.applied(HUNT));
      assertContiguous(bob.applied(HUNT));

      // ---- the leaderboard over HTTP (§1.2)
      Http.Resp board = http.get("/api/hunts/" + HUNT + "/leaderboard?limit=10");
      assertEquals(200, board.status, board.body.toString());
      assertEquals(HUNT, board.body.path("hunt").asText());
      JsonNode entries = board.body.path("entries");
      assertEquals(2, entries.size(), entries.toString());
      assertEquals(bob.playerId, entries.path(0).path("playerId").asText());
      assertEquals(1, entries.path(0).path("rank").asInt());
      assertEquals("bob", entries.path(0).path("name").asText());
      assertEquals(400, entries.path(0).path("score").asInt());
      assertEquals(2, entries.path(0).path("found").asInt());
      assertEquals(alice.playerId, entries.path(1).path("playerId").asText());
      assertEquals(2, entries.path(1).path("rank").asInt());
      assertEquals(300, entries.path(1).path("score").asInt());
      assertEquals(2, entries.path(1).path("found").asInt());

      Http.Resp view = http.get("/api/hunts/" + HUNT);
      assertEquals(200, view.status);
      assertNoSecrets(view.body);
      assertEquals(
          2, view.body.path("players").asInt(), "a dropped connection does not leave the hunt");
      assertEquals(2, treasure(view.body, "clock").path("finds").asInt());
      assertEquals(1, treasure(view.body, "bell").path("finds").asInt());
      assertEquals(1, treasure(view.body, "crown").path("finds").asInt());
      assertEquals(
          bob.stream(HUNT).seq,
          view.body.path("stream").path("seq").asLong(),
          "bob holds the head");
      assertEquals(
          400,
          Http.resp(http.get("/api/hunts/" + HUNT + "/leaderboard?limit=1"))
              .path("entries")
              .path(0)
              .path("score")
              .asInt());
      assertEquals(400, http.get("/api/hunts/" + HUNT + "/leaderboard?limit=0").status);
    } finally {
      alice.close();
      bob.close();
    }
  }

  // ------------------------------------------------------------------ assertion helpers

  static void assertAck(JsonNode frame) {
    assertNotNull(frame);
    assertEquals("ack", frame.path("type").asText(), "expected an ack, got " + frame);
  }

  static void assertError(JsonNode frame, String code) {
    assertEquals("error", frame.path("type").asText(), "expected error " + code + ", got " + frame);
    assertEquals(code, frame.path("code").asText(), frame.toString());
  }

  static void assertNoSecrets(JsonNode view) {
    for (JsonNode t : view.path("treasures")) {
      assertFalse(
          t.has("lat") || t.has("lon") || t.has("answer"), "public view leaks a treasure: " + t);
    }
  }

  static void assertContiguous(List<JsonNode> events) {
    for (int i = 1; i < events.size(); i++) {
      assertEquals(
          events.get(i - 1).path("seq").asLong() + 1,
          events.get(i).path("seq").asLong(),
          events.toString());
    }
  }

  static JsonNode treasure(JsonNode view, String id) {
    for (JsonNode t : view.path("treasures")) if (id.equals(t.path("id").asText())) return t;
    return fail("no treasure " + id + " in " + view);
  }

  static boolean kind(JsonNode e, String kind) {
    return kind.equals(e.path("event").path("kind").asText());
  }

  static boolean found(JsonNode e, Player p, String treasure) {
    return kind(e, "treasure_found")
        && p.playerId.equals(e.path("event").path("playerId").asText())
        && treasure.equals(e.path("event").path("treasure").asText());
  }

  static boolean chat(JsonNode e, String text) {
    return kind(e, "chat") && text.equals(e.path("event").path("text").asText());
  }

  static int scoreOf(JsonNode leaderboardEvent, String playerId) {
    for (JsonNode en : leaderboardEvent.path("event").path("leaderboard")) {
      if (playerId.equals(en.path("playerId").asText())) return en.path("score").asInt();
    }
    return -1;
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) out.add(n.asText());
    return out;
  }

  static double distanceM(double[] a, double[] b) {
    double r = 6_371_000, p1 = Math.toRadians(a[0]), p2 = Math.toRadians(b[0]);
    double dp = p2 - p1, dl = Math.toRadians(b[1] - a[1]);
    double h =
        Math.sin(dp / 2) * Math.sin(dp / 2)
            + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * r * Math.asin(Math.sqrt(h));
  }

  // ------------------------------------------------------------------ the organiser's HTTP client
  // (§1)

  static final class Http {
    final HttpClient client = HttpClient.newHttpClient();
    final String base;

    Http(String base) {
      this.base = base;
    }

    record Resp(int status, JsonNode body) {}

    static JsonNode resp(Resp r) {
      assertEquals(200, r.status, r.body.toString());
      return r.body;
    }

    Resp post(String path, JsonNode body, String bearer) throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(30))
              .POST(
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
              .header("Content-Type", "application/json");
      if (bearer != null) b.header("Authorization", "Bearer " + bearer);
      return send(b.build());
    }

    Resp get(String path) throws Exception {
      return send(
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(30))
              .GET()
              .build());
    }

    private Resp send(HttpRequest req) throws Exception {
      // 503 unavailable comes with Retry-After: 1 (§1.1): retry
      for (int attempt = 0; ; attempt++) {
        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 503 && attempt < 10) {
          Thread.sleep(1000);
          continue;
        }
        JsonNode body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        return new Resp(r.statusCode(), body);
      }
    }
  }

  // ------------------------------------------------------------------ the player's WebSocket
  // client (§2–§10)

  static final class StreamState {
    String epoch; // null until a join/resume/watch ack or a snapshot told us
    long seq;
    final List<JsonNode> applied =
        new ArrayList<>(); // events applied by the client rule, across connections
    final List<JsonNode> early = new ArrayList<>(); // events that came before we knew our position
    int gaps, duplicates, snapshots;
    boolean resumeInFlight;
  }

  record Pending(ObjectNode frame, CompletableFuture<JsonNode> answer) {}

  static final class Player {
    final String name, playerId, token, wsBase;
    final HttpClient http = HttpClient.newHttpClient();
    final Map<String, StreamState> streams = new HashMap<>();
    final Map<String, Pending> unanswered = new LinkedHashMap<>(); // §10.6: sent, no ack/error yet
    final Map<String, ObjectNode> sent = new HashMap<>(); // every command by id, for retries
    final List<JsonNode> unsolicitedErrors = new ArrayList<>();
    Connection conn;
    int counter;
    long lastAt;
    double[] lastPos;

    Player(String name, String playerId, String token, String wsBase, long firstAt) {
      this.name = name;
      this.playerId = playerId;
      this.token = token;
      this.wsBase = wsBase;
      this.lastAt = firstAt - 60_000;
    }

    String nextId() {
      return name + "-" + (++counter);
    }

    synchronized StreamState stream(String hunt) {
      return streams.computeIfAbsent(hunt, h -> new StreamState());
    }

    synchronized List<JsonNode> applied(String hunt) {
      return new ArrayList<>(stream(hunt).applied);
    }

    synchronized List<JsonNode> rawEventsOfCurrentConnection() {
      return new ArrayList<>(conn.rawEvents);
    }

    /**
     * Connects and authenticates: with a hello frame, or with ?token= (then welcome comes at once).
     */
    JsonNode connect(boolean tokenInUrl) throws Exception {
      Connection c = new Connection();
      String uri = tokenInUrl ? wsBase + "?token=" + token : wsBase;
      WebSocket ws =
          http.newWebSocketBuilder()
              .connectTimeout(Duration.ofSeconds(10))
              .buildAsync(URI.create(uri), c)
              .get(WAIT_MS, TimeUnit.MILLISECONDS);
      c.ws = ws;
      synchronized (this) {
        conn = c;
      }
      if (!tokenInUrl) send(JSON.createObjectNode().put("type", "hello").put("token", token));
      return c.welcome.get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Drops the connection without a close handshake. Returns the seq held for each hunt (here:
     * one).
     */
    long[] abort() {
      Connection c;
      synchronized (this) {
        c = conn;
        c.dead = true;
      }
      c.ws.abort();
      synchronized (this) {
        return streams.values().stream().mapToLong(s -> s.seq).toArray();
      }
    }

    record Reconnect(
        JsonNode welcome,
        Map<String, JsonNode> resumeAnswers,
        List<String> retriedIds,
        Map<String, JsonNode> retried) {}

    /**
     * §10.7: reconnect, authenticate, resume every hunt from what we hold (not join), resend
     * unanswered commands.
     */
    Reconnect reconnect() throws Exception {
      List<Pending> toResend;
      synchronized (this) {
        toResend = new ArrayList<>(unanswered.values());
        unanswered.clear();
      }
      JsonNode welcome = connect(false);
      Map<String, JsonNode> resumes = new LinkedHashMap<>();
      List<String> huntIds;
      synchronized (this) {
        huntIds = new ArrayList<>(streams.keySet());
      }
      for (String hunt : huntIds) {
        String epoch;
        long seq;
        synchronized (this) {
          StreamState st = stream(hunt);
          epoch = st.epoch;
          seq = st.seq;
        }
        String id = nextId();
        resumes.put(hunt, command(id, "resume", hunt, o -> o.put("epoch", epoch).put("seq", seq)));
      }
      List<String> ids = new ArrayList<>();
      Map<String, JsonNode> answers = new LinkedHashMap<>();
      for (Pending p : toResend) {
        String id = p.frame.path("id").asText();
        ids.add(id);
        answers.put(id, retry(id));
      }
      return new Reconnect(welcome, resumes, ids, answers);
    }

    /** Resends a command with its original id (§4). */
    JsonNode retry(String id) throws Exception {
      ObjectNode frame;
      synchronized (this) {
        frame = sent.get(id);
      }
      assertNotNull(frame, "never sent " + id);
      return roundTrip(frame);
    }

    JsonNode command(String type, String hunt, java.util.function.Consumer<ObjectNode> fields)
        throws Exception {
      return command(nextId(), type, hunt, fields);
    }

    JsonNode command(
        String id, String type, String hunt, java.util.function.Consumer<ObjectNode> fields)
        throws Exception {
      ObjectNode f = JSON.createObjectNode().put("type", type).put("id", id).put("hunt", hunt);
      if (fields != null) fields.accept(f);
      synchronized (this) {
        sent.put(id, f);
      }
      return roundTrip(f);
    }

    /**
     * Sends a command and returns its answer; `unavailable` is resent with the same id after
     * retryAfterMs (§10.8).
     */
    private JsonNode roundTrip(ObjectNode f) throws Exception {
      for (int attempt = 0; ; attempt++) {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        synchronized (this) {
          unanswered.put(f.path("id").asText(), new Pending(f, answer));
        }
        send(f);
        JsonNode a = answer.get(WAIT_MS, TimeUnit.MILLISECONDS);
        if ("error".equals(a.path("type").asText())
            && "unavailable".equals(a.path("code").asText())
            && attempt < 10) {
          Thread.sleep(Math.max(100, a.path("retryAfterMs").asLong(1000)));
          continue;
        }
        return a;
      }
    }

    /** Sends a command but does not wait: it stays among the unanswered ones. Returns its id. */
    String sendUnanswered(
        String type, String hunt, java.util.function.Consumer<ObjectNode> fields) {
      String id = nextId();
      ObjectNode f = JSON.createObjectNode().put("type", type).put("id", id).put("hunt", hunt);
      fields.accept(f);
      synchronized (this) {
        sent.put(id, f);
        unanswered.put(id, new Pending(f, new CompletableFuture<>()));
      }
      send(f);
      return id;
    }

    JsonNode claim(String treasure, String answer) throws Exception {
      return command(
          "claim",
          HUNT,
          o -> {
            o.put("treasure", treasure);
            if (answer != null) o.put("answer", answer);
          });
    }

    JsonNode location(double[] pos, long at, String id) throws Exception {
      JsonNode a =
          command(
              id,
              "location",
              HUNT,
              o -> o.put("lat", pos[0]).put("lon", pos[1]).put("accuracyM", 5).put("at", at));
      if ("ack".equals(a.path("type").asText())) {
        lastAt = at;
        lastPos = pos;
      }
      return a;
    }

    JsonNode walkTo(double[] pos) throws Exception {
      return walkTo(pos, nextId());
    }

    /**
     * Walks at ~3 m/s (the hunt allows 10): the fix time advances with the distance from the last
     * accepted fix.
     */
    JsonNode walkTo(double[] pos, String id) throws Exception {
      long dt =
          lastPos == null
              ? 60_000
              : Math.max(1_000, (long) Math.ceil(distanceM(lastPos, pos) / 3.0 * 1000));
      return location(pos, lastAt + dt, id);
    }

    JsonNode ping() throws Exception {
      Connection c;
      synchronized (this) {
        c = conn;
        c.pong = new CompletableFuture<>();
      }
      send(JSON.createObjectNode().put("type", "ping"));
      return c.pong.get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    /** Waits until the client rule has applied an event matching the predicate. */
    JsonNode awaitEvent(String hunt, Predicate<JsonNode> p) throws InterruptedException {
      long deadline = System.currentTimeMillis() + WAIT_MS;
      synchronized (this) {
        while (true) {
          for (JsonNode e : stream(hunt).applied) if (p.test(e)) return e;
          long left = deadline - System.currentTimeMillis();
          if (left <= 0) return fail(name + ": no such event; applied " + stream(hunt).applied);
          wait(left);
        }
      }
    }

    synchronized boolean resumeAckPrecededEvents() {
      int firstEvent = -1, ack = -1;
      for (int i = 0; i < conn.frames.size(); i++) {
        JsonNode f = conn.frames.get(i);
        if (firstEvent < 0 && "event".equals(f.path("type").asText())) firstEvent = i;
        if (ack < 0 && "ack".equals(f.path("type").asText()) && f.has("stream") && !f.has("hunt"))
          ack = i;
      }
      return ack >= 0 && (firstEvent < 0 || ack < firstEvent);
    }

    void send(ObjectNode frame) {
      Connection c;
      synchronized (this) {
        c = conn;
      }
      synchronized (c) {
        try {
          c.ws.sendText(JSON.writeValueAsString(frame), true).get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          if (!c.dead) throw new IllegalStateException(name + " could not send " + frame, e);
        }
      }
    }

    void close() {
      Connection c;
      synchronized (this) {
        c = conn;
      }
      if (c != null && !c.dead) {
        c.dead = true;
        try {
          c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          c.ws.abort();
        }
      }
    }

    // -------------------------------------------------------------- incoming frames

    private synchronized void handle(Connection c, JsonNode f) {
      if (c.dead) return; // a dropped socket's leftovers are not ours any more
      c.frames.add(f);
      switch (f.path("type").asText()) {
        case "welcome" -> c.welcome.complete(f);
        case "pong" -> {
          if (c.pong != null) c.pong.complete(f);
        }
        case "ack", "error" -> answer(f);
        case "event" -> {
          c.rawEvents.add(f);
          StreamState st = stream(f.path("hunt").asText());
          if (st.epoch == null) st.early.add(f);
          else onEvent(st, f);
        }
        case "snapshot" -> {
          // §6: replace everything held about the hunt; events after stream.seq follow
          StreamState st = stream(f.path("hunt").path("huntId").asText());
          st.snapshots++;
          st.epoch = f.path("stream").path("epoch").asText();
          st.seq = f.path("stream").path("seq").asLong();
          st.resumeInFlight = false;
          answer(f);
        }
        default -> {} // positions, and anything unknown: ignored
      }
      notifyAll();
    }

    private void answer(JsonNode f) {
      JsonNode re = f.path("re");
      if (re.isMissingNode() || re.isNull()) {
        if ("error".equals(f.path("type").asText())) unsolicitedErrors.add(f);
        return;
      }
      Pending p = unanswered.remove(re.asText());
      if (p == null) return;
      String type = p.frame.path("type").asText();
      String hunt = p.frame.path("hunt").asText();
      if ("ack".equals(f.path("type").asText())
          && f.has("stream")
          && ("join".equals(type) || "resume".equals(type) || "watch".equals(type))) {
        StreamState st = stream(hunt);
        JsonNode s = f.path("stream");
        boolean alreadyFollowing = "join".equals(type) && st.epoch != null;
        if (!alreadyFollowing) {
          st.epoch = s.path("epoch").asText();
          st.seq = s.path("seq").asLong();
        }
        st.resumeInFlight = false;
        List<JsonNode> early = new ArrayList<>(st.early);
        st.early.clear();
        for (JsonNode e : early) onEvent(st, e);
      }
      p.answer.complete(f);
    }

    /** The client rule of §6. */
    private void onEvent(StreamState st, JsonNode f) {
      String epoch = f.path("epoch").asText();
      long seq = f.path("seq").asLong();
      if (epoch.equals(st.epoch) && seq == st.seq + 1) {
        st.seq = seq;
        st.applied.add(f);
      } else if (epoch.equals(st.epoch) && seq <= st.seq) {
        st.duplicates++;
      } else {
        st.gaps++;
        if (!st.resumeInFlight) {
          st.resumeInFlight = true;
          String id = nextId();
          ObjectNode r =
              JSON.createObjectNode()
                  .put("type", "resume")
                  .put("id", id)
                  .put("hunt", f.path("hunt").asText())
                  .put("epoch", st.epoch)
                  .put("seq", st.seq);
          sent.put(id, r);
          unanswered.put(id, new Pending(r, new CompletableFuture<>()));
          CompletableFuture.runAsync(() -> send(r));
        }
      }
    }

    final class Connection implements WebSocket.Listener {
      WebSocket ws;
      volatile boolean dead;
      final CompletableFuture<JsonNode> welcome = new CompletableFuture<>();
      CompletableFuture<JsonNode> pong;
      final List<JsonNode> frames = new ArrayList<>();
      final List<JsonNode> rawEvents = new ArrayList<>();
      private final StringBuilder partial = new StringBuilder();
      volatile int closeCode = -1;

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          String text = partial.toString();
          partial.setLength(0);
          try {
            handle(this, JSON.readTree(text));
          } catch (Exception e) {
            synchronized (Player.this) {
              unsolicitedErrors.add(JSON.createObjectNode().put("unparsable", text));
            }
          }
        }
        webSocket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        webSocket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode = statusCode;
        return null;
      }
    }
  }
}
