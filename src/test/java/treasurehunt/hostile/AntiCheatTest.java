package treasurehunt.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.game.Geo;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;

/**
 * A client that lies — about when its fixes were taken, about its accuracy, about where it starts,
 * or before the hunt has started — against a real node on a real socket, with the shipped
 * anti-cheat settings (docs/protocol.md §5). Each attack asserts what the cheater gets (a refusal,
 * or an anchor that scores nothing) and that nothing is scored: no find in the journal, nobody on
 * the leaderboard above 0. An honest walk at walking speed, timed by the real clock, still finds
 * its treasure.
 */
class AntiCheatTest {
  static final double LAT = 52.3702, LON = 4.8952;
  static Database db;
  static Node node;
  static int port;
  static HttpClientSupport http;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.fresh("anticheat");
    node = TestNodes.start(db);
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) TestNodes.stop(node);
  }

  record Who(String playerId, String token) {}

  static Who register(String name) throws Exception {
    JsonNode r = http.post("/api/players", "{\"name\": \"" + name + "\"}").json();
    return new Who(r.get("playerId").asText(), r.get("token").asText());
  }

  /** A plain treasure (no answer) of 100 points, or one needing the answer "noon". */
  static String treasure(String id, double[] p, double radiusM, boolean answer) {
    return String.format(
        Locale.ROOT,
        "{\"id\":\"%s\",\"lat\":%.7f,\"lon\":%.7f,\"radiusM\":%.1f,\"points\":100%s}",
        id,
        p[0],
        p[1],
        radiusM,
        answer ? ",\"answer\":\"noon\"" : "");
  }

  /** Defines a hunt around (LAT, LON), 5 km across, and starts it unless {@code live} is false. */
  static void hunt(String id, double maxSpeedMps, boolean live, String... treasures)
      throws Exception {
    http.createHunt(
        String.format(
            Locale.ROOT,
            "{\"huntId\":\"%s\",\"name\":\"%s\",\"area\":{\"lat\":%s,\"lon\":%s,\"radiusM\":5000},"
                + "\"treasures\":[%s],\"maxPlayers\":100,\"maxSpeedMps\":%s}",
            id,
            id,
            LAT,
            LON,
            String.join(",", treasures),
            maxSpeedMps));
    if (live) assertEquals(200, http.postAdmin("/api/hunts/" + id + "/start", null).status());
  }

  static WsClient joined(Who who, String hunt) throws Exception {
    WsClient c = WsClient.hello(port, who.token());
    JsonNode ack = c.request("join", "\"hunt\":\"" + hunt + "\"");
    assertEquals("ack", ack.path("type").asText(), ack.toString());
    return c;
  }

  static JsonNode fix(WsClient c, String hunt, double[] p, long at, Double accuracyM)
      throws InterruptedException {
    return c.request(
        "location",
        String.format(
            Locale.ROOT,
            "\"hunt\":\"%s\",\"lat\":%.7f,\"lon\":%.7f,\"at\":%d%s",
            hunt,
            p[0],
            p[1],
            at,
            accuracyM == null ? "" : ",\"accuracyM\":" + accuracyM));
  }

  static void assertError(JsonNode frame, String code) {
    assertEquals("error", frame.path("type").asText(), frame.toString());
    assertEquals(code, frame.path("code").asText(), frame.toString());
  }

  static void assertAck(JsonNode frame) {
    assertEquals("ack", frame.path("type").asText(), frame.toString());
  }

  /** An accepted report that tells nothing: no find, no treasure to claim, no band. */
  static void assertNoAdvice(JsonNode frame) {
    assertAck(frame);
    assertEquals(0, frame.get("found").size(), frame.toString());
    assertTrue(frame.get("atTreasure").isNull(), frame.toString());
    assertTrue(frame.get("nearest").isNull(), frame.toString());
  }

  static List<String> found(JsonNode ack) {
    List<String> out = new ArrayList<>();
    ack.get("found").forEach(f -> out.add(f.asText()));
    return out;
  }

  /** The finds the journal holds for a player. */
  static int finds(Who who) throws Exception {
    try (Connection c = db.connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM event_journal WHERE persistence_id = ?"
                    + " AND event_ser_manifest LIKE '%TreasureFound'")) {
      s.setString(1, "Player|" + who.playerId());
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  static void assertNobodyScored(String hunt) throws Exception {
    JsonNode board = http.get("/api/hunts/" + hunt + "/leaderboard").json();
    for (JsonNode e : board.get("entries"))
      assertEquals(0, e.get("score").asInt(), "leaderboard unchanged: " + board);
    JsonNode view = http.get("/api/hunts/" + hunt).json();
    for (JsonNode t : view.get("treasures"))
      assertEquals(0, t.get("finds").asInt(), "no finds: " + view);
  }

  /**
   * (a) The issue: a new player sends a first fix dated an hour back, then, milliseconds later, a
   * fix dated now on a treasure 4.4 km away. The first is refused (too old), the second is taken as
   * the player's anchor and scores nothing. With a first fix dated within the window instead, the
   * jump is judged by the server's clock and refused.
   */
  @Test
  void theIssuesCheatADatedBackFirstFixThenATreasure4kmAwayScoresNothing() throws Exception {
    double[] start = Geo.destination(LAT, LON, 270, 2200);
    double[] far = Geo.destination(start[0], start[1], 90, 4400);
    hunt("issue", 50, true, treasure("far", far, 20, false));
    Who cheater = register("dated-back");
    try (WsClient c = joined(cheater, "issue")) {
      long now = System.currentTimeMillis();
      assertError(fix(c, "issue", start, now - 3_600_000, 5.0), "stale");
      JsonNode there = fix(c, "issue", far, System.currentTimeMillis(), 5.0);
      assertNoAdvice(there);
    }
    Who other = register("in-window");
    try (WsClient c = joined(other, "issue")) {
      long now = System.currentTimeMillis();
      assertNoAdvice(fix(c, "issue", start, now - 100_000, 5.0)); // 44 m/s by its at: allowed
      JsonNode jump = fix(c, "issue", far, System.currentTimeMillis(), 5.0);
      assertError(jump, "implausible_move");
      assertTrue(jump.get("message").asText().contains("by the server's"), jump.toString());
    }
    assertEquals(0, finds(cheater));
    assertEquals(0, finds(other));
    assertNobodyScored("issue");
  }

  /**
   * (b) 100 m hops sent back to back, each claiming a minute since the last accepted fix and a 100
   * m accuracy: the accuracy credit lets the first through, never a second; without an accuracy
   * none gets through.
   */
  @Test
  void hundredMetreHopsSentBackToBackAreRefusedAfterTheFirst() throws Exception {
    double[] treasureFar = Geo.destination(LAT, LON, 0, 1500);
    hunt("hops", 10, true, treasure("north", treasureFar, 20, false));
    for (Double accuracy : new Double[] {100.0, null}) {
      Who cheater = register("hopper");
      try (WsClient c = joined(cheater, "hops")) {
        long at = System.currentTimeMillis();
        double[] accepted = {LAT, LON};
        assertNoAdvice(fix(c, "hops", accepted, at, accuracy)); // the anchor
        int through = 0;
        for (int hop = 1; hop <= 20; hop++) {
          double[] next = Geo.destination(accepted[0], accepted[1], 0, 100);
          JsonNode a = fix(c, "hops", next, at + 60_000, accuracy);
          if ("ack".equals(a.path("type").asText())) {
            through++;
            accepted = next;
            at += 60_000;
          } else assertError(a, "implausible_move");
        }
        assertEquals(accuracy == null ? 0 : 1, through, "hops accepted, accuracy " + accuracy);
      }
      assertEquals(0, finds(cheater));
    }
    assertNobodyScored("hops");
  }

  /**
   * (c) A first fix on a treasure: the position is taken, nothing is scored. A plausible walk from
   * there, timed by the real clock, then scores as usual.
   */
  @Test
  void aFirstFixOnATreasureScoresNothingAndAWalkFromThereScores() throws Exception {
    double[] spot = {LAT, LON};
    double[] next = Geo.destination(LAT, LON, 90, 40);
    hunt("first", 10, true, treasure("spot", spot, 5, false), treasure("next", next, 10, false));
    Who cheater = register("parachute");
    try (WsClient c = joined(cheater, "first")) {
      JsonNode onIt = fix(c, "first", spot, System.currentTimeMillis(), 5.0);
      assertNoAdvice(onIt);
      assertEquals(1000, onIt.get("nextPollMs").asInt(), "the next fix soon");
      assertEquals(0, finds(cheater));
      assertNobodyScored("first");
      // a claim from the anchor is too far as well
      assertError(c.request("claim", "\"hunt\":\"first\",\"treasure\":\"spot\""), "too_far");
      // now walk east, 8 m a second (the hunt allows 10)
      List<String> found = new ArrayList<>();
      for (int step = 1; step <= 4; step++) {
        Thread.sleep(1000);
        double[] p = Geo.destination(LAT, LON, 90, 8 * step);
        JsonNode a = fix(c, "first", p, System.currentTimeMillis(), 5.0);
        assertAck(a);
        found.addAll(found(a));
      }
      assertEquals(List.of("next"), found);
    }
    assertEquals(1, finds(cheater));
    JsonNode board = http.get("/api/hunts/first/leaderboard").json();
    assertEquals(100, board.at("/entries/0/score").asInt(), board.toString());
  }

  /**
   * (d) A hunt that is created but not started: reports on and near its treasures are accepted but
   * carry no band, no atTreasure, no finds and the longest poll. Once it starts, the same reports
   * find and advise.
   */
  @Test
  void beforeTheStartReportsTellNothingAboutTheLayoutAfterItTheyDo() throws Exception {
    double[] plain = Geo.destination(LAT, LON, 0, 100);
    double[] riddle = Geo.destination(LAT, LON, 180, 150);
    hunt(
        "early",
        1000,
        false,
        treasure("plain", plain, 15, false),
        treasure("riddle", riddle, 20, true));
    Who early = register("early-bird");
    try (WsClient c = joined(early, "early")) {
      long at = System.currentTimeMillis();
      assertNoAdvice(fix(c, "early", new double[] {LAT, LON}, at, 5.0));
      double[][] probes = {
        plain, riddle, Geo.destination(plain[0], plain[1], 90, 30), Geo.destination(LAT, LON, 0, 60)
      };
      for (double[] p : probes) {
        // a second apart by the client's clock: plausible at this hunt's 1000 m/s
        at += 1000;
        JsonNode a = fix(c, "early", p, at, 5.0);
        assertNoAdvice(a);
        assertEquals(30_000, a.get("nextPollMs").asInt(), "no distance hint: " + a);
      }
      assertError(c.request("claim", "\"hunt\":\"early\",\"treasure\":\"plain\""), "too_far");
      assertNobodyScored("early");

      assertEquals(200, http.postAdmin("/api/hunts/early/start", null).status());
      // Within a second or so (hunt-status-recheck) the node knows: the riddle is advised.
      JsonNode atRiddle = null;
      long deadline = System.currentTimeMillis() + 15_000;
      while (System.currentTimeMillis() < deadline) {
        at = Math.max(at + 1000, System.currentTimeMillis());
        atRiddle = fix(c, "early", riddle, at, 5.0);
        assertAck(atRiddle);
        if (!atRiddle.get("atTreasure").isNull()) break;
        Thread.sleep(200);
      }
      assertNotNull(atRiddle);
      assertEquals("riddle", atRiddle.get("atTreasure").asText(), atRiddle.toString());
      assertTrue(atRiddle.get("nearest").isTextual(), atRiddle.toString());
      JsonNode onPlain = fix(c, "early", plain, at + 1000, 5.0);
      assertEquals(List.of("plain"), found(onPlain));
    }
    assertEquals(1, finds(early));
  }

  /**
   * (e) No false positives: an honest player walks at 1.4 m/s in a walking hunt (3 m/s), one fix a
   * second with a little GPS noise, every {@code at} from the real clock: never refused, and the
   * treasure 25 m away is found.
   */
  @Test
  void anHonestWalkAtWalkingSpeedFindsItsTreasure() throws Exception {
    double[] target = Geo.destination(LAT, LON, 45, 25);
    hunt("honest", 3, true, treasure("bench", target, 8, false));
    Who honest = register("walker");
    SplittableRandom noise = new SplittableRandom(1);
    List<String> found = new ArrayList<>();
    List<String> bands = new ArrayList<>();
    try (WsClient c = joined(honest, "honest")) {
      long started = System.currentTimeMillis();
      for (int step = 0; step < 30 && found.isEmpty(); step++) {
        if (step > 0) Thread.sleep(1000);
        double walked = 1.4 * (System.currentTimeMillis() - started) / 1000.0;
        double[] truth = Geo.destination(LAT, LON, 45, Math.min(walked, 25));
        double[] seen =
            Geo.destination(truth[0], truth[1], noise.nextDouble(360), noise.nextDouble(0, 2));
        JsonNode a = fix(c, "honest", seen, System.currentTimeMillis(), 6.0);
        assertAck(a);
        found.addAll(found(a));
        if (a.get("nearest").isTextual()) bands.add(a.get("nearest").asText());
      }
    }
    assertEquals(List.of("bench"), found);
    assertTrue(bands.contains("hot"), "advice on the way: " + bands);
    assertEquals(1, finds(honest));
  }
}
