package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;
import static treasurehunt.gateway.HttpClientSupport.oldTown;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.gateway.HttpClientSupport.Reply;

/** The organiser API through a real HTTP client on a node's bound port, on a real PostgreSQL. */
class HttpApiTest {
  static Database db;
  static Node node;
  static HttpClientSupport http;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.fresh("http");
    node = TestNodes.start(db);
    http = new HttpClientSupport(TestNodes.httpPort(node));
  }

  @AfterAll
  static void stop() throws Exception {
    TestNodes.stop(node);
  }

  @Test
  void registeringAPlayerGivesASignedToken() throws Exception {
    Reply r = http.post("/api/players", "{\"name\": \"alice\"}");
    assertEquals(201, r.status(), r.body());
    JsonNode body = r.json();
    assertEquals("alice", body.get("name").asText());
    String playerId = body.get("playerId").asText();
    assertTrue(Ids.valid(playerId));
    Tokens tokens = new Tokens(node.secrets.tokenSecret(), java.time.Duration.ofDays(1));
    assertEquals(
        Optional.of(new Tokens.Identity(playerId, "alice")),
        tokens.verify(body.get("token").asText()));
    assertEquals(Optional.empty(), tokens.verify(body.get("token").asText() + "x"));
  }

  @Test
  void aHuntIsCreatedStartedViewedAndEndedWithoutLeakingCoordinates() throws Exception {
    Reply created = http.postAdmin("/api/hunts", oldTown("old-town"));
    assertEquals(201, created.status(), created.body());
    assertEquals("old-town", created.json().get("huntId").asText());

    Reply view = http.get("/api/hunts/old-town");
    assertEquals(200, view.status());
    JsonNode v = view.json();
    assertEquals("created", v.get("status").asText());
    assertEquals(23, v.get("treasures").size());
    for (JsonNode t : v.get("treasures")) {
      assertFalse(t.has("lat") || t.has("lon") || t.has("answer"), t.toString());
    }
    assertFalse(view.body().contains("52.3711"), "treasure coordinates leaked");
    assertFalse(view.body().contains("noon"), "answer leaked");
    assertTrue(v.at("/treasures/2/needsAnswer").asBoolean());

    Reply started = http.postAdmin("/api/hunts/old-town/start", null);
    assertEquals(200, started.status(), started.body());
    assertEquals("live", started.json().get("status").asText());
    assertFalse(started.body().contains("noon"));

    Reply board = http.get("/api/hunts/old-town/leaderboard?limit=5");
    assertEquals(200, board.status());
    assertEquals("old-town", board.json().get("hunt").asText());
    assertTrue(board.json().get("entries").isArray());

    Reply ended = http.postAdmin("/api/hunts/old-town/end", null);
    assertEquals("ended", ended.json().get("status").asText());
    assertEquals(409, http.postAdmin("/api/hunts/old-town/start", null).status());
  }

  @Test
  void aHuntIdIsTakenOnce() throws Exception {
    assertEquals(201, http.postAdmin("/api/hunts", oldTown("twice")).status());
    Reply again = http.postAdmin("/api/hunts", oldTown("twice"));
    assertEquals(409, again.status());
    assertEquals("conflict", again.errorCode());
  }

  @Test
  void aHuntWithoutIdGetsOne() throws Exception {
    Reply r = http.postAdmin("/api/hunts", oldTown("x").replace("\"huntId\": \"x\",", ""));
    assertEquals(201, r.status(), r.body());
    String id = r.json().get("huntId").asText();
    assertEquals(200, http.get("/api/hunts/" + id).status());
  }

  private static void assertBadHunt(
      String id, String body, int status, String code, String mentions) throws Exception {
    Reply r = http.postAdmin("/api/hunts", body);
    assertEquals(status, r.status(), r.body());
    assertEquals(code, r.errorCode(), r.body());
    if (mentions != null)
      assertTrue(r.json().at("/error/message").asText().contains(mentions), r.body());
    assertEquals(
        404, http.get("/api/hunts/" + id).status(), "a rejected hunt must persist nothing");
  }

  @Test
  void everyBadHuntRequestIsAnsweredAndPersistsNothing() throws Exception {
    assertBadHunt("bad1", "{\"huntId\": \"bad1\", ", 400, "bad_request", "malformed");
    assertBadHunt(
        "bad2", oldTown("bad2").replace("\"name\": \"Old Town\",", ""), 400, "bad_request", "name");
    assertBadHunt(
        "bad3",
        oldTown("bad3").replace("\"lat\": 52.3702,", "\"lat\": \"north\","),
        400,
        "bad_request",
        "area.lat");
    assertBadHunt(
        "bad4",
        oldTown("bad4").replace("\"lat\": 52.3702,", "\"lat\": 91,"),
        400,
        "bad_request",
        "area");
    assertBadHunt(
        "bad5",
        oldTown("bad5").replace("\"lat\": 52.3702,", "\"lat\": NaN,"),
        400,
        "bad_request",
        null);
    assertBadHunt(
        "bad6",
        oldTown("bad6").replace("\"points\": 100,", "\"points\": 12.5,"),
        400,
        "bad_request",
        "points");
    assertBadHunt(
        "bad7",
        oldTown("bad7").replace("\"maxPlayers\": 10000", "\"maxPlayers\": \"many\""),
        400,
        "bad_request",
        "maxPlayers");
    assertBadHunt(
        "bad8",
        oldTown("bad8").replace("\"lat\": 52.3711", "\"lat\": 53.5"),
        400,
        "bad_request",
        "treasures");
    assertBadHunt("bad9", "[1, 2]", 400, "bad_request", null);
    assertBadHunt("bad10", "", 400, "bad_request", null);
    String huge = oldTown("bad11").replace("\"Old Town\"", "\"" + "x".repeat(70_000) + "\"");
    assertBadHunt("bad11", huge, 413, "too_large", null);
    assertBadHunt("bad%20id", oldTown("bad id"), 400, "bad_request", "huntId");
  }

  @Test
  void organiserEndpointsNeedTheAdminToken() throws Exception {
    Reply none = http.post("/api/hunts", oldTown("auth1"));
    assertEquals(401, none.status());
    assertEquals("unauthorized", none.errorCode());
    Reply wrong = http.post("/api/hunts", oldTown("auth1"), "not-the-token");
    assertEquals(401, wrong.status());
    assertEquals(404, http.get("/api/hunts/auth1").status());
    assertEquals(201, http.postAdmin("/api/hunts", oldTown("auth2")).status());
    assertEquals(401, http.post("/api/hunts/auth2/start", null, "nope").status());
    assertEquals("created", http.get("/api/hunts/auth2").json().get("status").asText());
  }

  @Test
  void unknownHuntsAndPathsAnswerNotFound() throws Exception {
    Reply r = http.get("/api/hunts/never-made");
    assertEquals(404, r.status());
    assertEquals("not_found", r.errorCode());
    assertEquals(404, http.get("/api/hunts/never-made/leaderboard").status());
    assertEquals(404, http.postAdmin("/api/hunts/never-made/start", null).status());
    Reply path = http.get("/api/nothing-here");
    assertEquals(404, path.status());
    assertEquals("not_found", path.errorCode());
  }

  @Test
  void badPlayerAndLeaderboardRequestsAreAnswered() throws Exception {
    assertEquals("bad_request", http.post("/api/players", "{}").errorCode());
    assertEquals("bad_request", http.post("/api/players", "{\"name\": 7}").errorCode());
    assertEquals(
        "bad_request",
        http.post("/api/players", "{\"name\": \"" + "n".repeat(65) + "\"}").errorCode());
    assertEquals("bad_request", http.post("/api/players", "not json").errorCode());
    assertEquals(201, http.postAdmin("/api/hunts", oldTown("lb")).status());
    assertEquals(400, http.get("/api/hunts/lb/leaderboard?limit=0").status());
    assertEquals(400, http.get("/api/hunts/lb/leaderboard?limit=ten").status());
  }
}
