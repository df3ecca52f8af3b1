package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Node;

/**
 * The browser pages as plain HTTP sees them (issue 12): each page, module and Leaflet file is
 * served with the security headers, and the console's routes ({@code GET /api/hunts}, {@code GET
 * /api/cluster}) answer the organiser only. BrowserTest drives the same pages in Chromium.
 */
class WebPagesTest {
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static Node node;
  static int port;
  static HttpClientSupport http;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(TestDatabase.fresh("webpages"));
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) TestNodes.stop(node);
  }

  private static HttpResponse<String> get(String path, String bearer) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20));
    if (bearer != null) b.header("Authorization", "Bearer " + bearer);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyPageAndModuleIsServedWithTheSecurityHeaders() throws Exception {
    String[][] files = {
      {"/", "text/html", "Treasure Hunt Engine"},
      {"/play", "text/html", "/static/js/play.js"},
      {"/console", "text/html", "/static/js/console.js"},
      {"/watch/harbour", "text/html", "/static/js/watch.js"},
      {"/watch/", "text/html", "/static/js/watch.js"},
      {"/static/js/client.js", "javascript", "export class Client"},
      {"/static/css/app.css", "text/css", ".band"},
      {"/vendor/leaflet/leaflet-src.esm.js", "javascript", "Leaflet"},
      {"/vendor/leaflet/leaflet.css", "text/css", ".leaflet-container"},
      {"/ui-config.json", "application/json", "mapTiles"}
    };
    for (String[] f : files) {
      HttpResponse<String> r = get(f[0], null);
      assertEquals(200, r.statusCode(), f[0]);
      assertTrue(
          r.headers().firstValue("Content-Type").orElse("").contains(f[1]),
          f[0] + " content type " + r.headers().firstValue("Content-Type"));
      assertTrue(r.body().contains(f[2]), f[0] + " body");
      String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
      assertTrue(csp.startsWith("default-src 'self';"), f[0] + " CSP " + csp);
      assertTrue(csp.contains("script-src 'self';"), f[0] + " no inline script: " + csp);
      assertTrue(csp.contains("frame-ancestors 'none'"), f[0] + " " + csp);
      assertFalse(csp.contains("http"), f[0] + " no other host without TH_MAP_TILES: " + csp);
      assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), f[0]);
      assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(""), f[0]);
    }
  }

  @Test
  void pagesHoldNoInlineScriptAndNoOtherHost() throws Exception {
    for (String page : List.of("/", "/play", "/console", "/watch/x")) {
      String body = get(page, null).body();
      // Every <script> names a src of this origin: the CSP would block anything inline.
      int at = 0;
      while ((at = body.indexOf("<script", at)) >= 0) {
        String tag = body.substring(at, body.indexOf('>', at));
        assertTrue(tag.contains("src=\"/static/js/"), page + ": " + tag);
        at += tag.length();
      }
      assertFalse(body.contains("http://") || body.contains("https://"), page + " names a host");
    }
  }

  @Test
  void otherMethodsAndPathsAreStillTheApisErrors() throws Exception {
    assertEquals(404, http.post("/no-such-page", "{}").status());
    assertEquals("not_found", http.post("/no-such-page", "{}").errorCode());
    assertEquals(404, get("/static/js/no-such.js", null).statusCode());
    assertEquals(405, http.post("/play", "{}").status());
    // The hunt list is GET only; POST /api/hunts still creates (401 without the token).
    assertEquals(401, http.post("/api/hunts", "{}").status());
  }

  @Test
  void aTileServerIsAllowedOnlyWhenConfigured() {
    String csp =
        WebPages.headers(
                new WebPages.Settings("https://tile.example.org/{z}/{x}/{y}.png", "© example"))
            .get(0)
            .value();
    assertTrue(csp.contains("img-src 'self' data: https://tile.example.org;"), csp);
    assertTrue(csp.startsWith("default-src 'self';"), csp);
  }

  @Test
  void theHuntListIsTheOrganisersWithStatusAndPlayers() throws Exception {
    assertEquals(401, get("/api/hunts", null).statusCode());
    assertEquals(401, get("/api/hunts", "not-the-token").statusCode());
    assertEquals(
        "unauthorized",
        Json.MAPPER
            .readTree(get("/api/hunts", "wrong").body())
            .path("error")
            .path("code")
            .asText());
    http.createHunt(HttpClientSupport.oldTown("listed-a"));
    http.createHunt(HttpClientSupport.oldTown("listed-b"));
    assertEquals(200, http.postAdmin("/api/hunts/listed-b/start", null).status());
    String token = http.post("/api/players", "{\"name\":\"alice\"}").json().path("token").asText();
    try (WsClient alice = WsClient.hello(port, token)) {
      assertEquals("ack", alice.request("join", "\"hunt\":\"listed-b\"").path("type").asText());
      HttpResponse<String> r = get("/api/hunts", TestNodes.ADMIN_TOKEN);
      assertEquals(200, r.statusCode());
      JsonNode hunts = Json.MAPPER.readTree(r.body()).path("hunts");
      List<String> ids = new ArrayList<>();
      hunts.forEach(h -> ids.add(h.path("huntId").asText()));
      assertEquals(List.of("listed-b", "listed-a"), ids.subList(0, 2), "newest first: " + ids);
      JsonNode b = hunts.get(0);
      assertEquals("live", b.path("status").asText());
      assertEquals(1, b.path("players").asInt());
      assertEquals("Old Town", b.path("name").asText());
      assertEquals(23, b.path("treasures").asInt());
      assertTrue(b.path("createdAt").asLong() > 0);
      assertEquals("created", hunts.get(1).path("status").asText());
      assertEquals(0, hunts.get(1).path("players").asInt());

      // The player page's picker: live hunts only, to anyone.
      JsonNode live = Json.MAPPER.readTree(get("/api/live-hunts", null).body()).path("hunts");
      assertEquals(1, live.size(), live.toString());
      assertEquals("listed-b", live.get(0).path("huntId").asText());
    }
    // A hunt created after the node listed once (the node then reads only what was written since).
    http.createHunt(HttpClientSupport.oldTown("listed-c"));
    JsonNode again =
        Json.MAPPER.readTree(get("/api/hunts", TestNodes.ADMIN_TOKEN).body()).path("hunts");
    List<String> now = new ArrayList<>();
    again.forEach(h -> now.add(h.path("huntId").asText()));
    assertEquals(List.of("listed-c", "listed-b", "listed-a"), now);
  }

  @Test
  void theClusterPanelIsTheOrganisers() throws Exception {
    assertEquals(401, get("/api/cluster", null).statusCode());
    HttpResponse<String> r = get("/api/cluster", TestNodes.ADMIN_TOKEN);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode c = Json.MAPPER.readTree(r.body());
    assertEquals(1, c.path("members").size(), r.body());
    assertEquals("Up", c.path("members").get(0).path("status").asText());
    assertTrue(c.path("shards").has("Hunt"), r.body());
    assertTrue(c.path("shards").has("Player"), r.body());
  }
}
