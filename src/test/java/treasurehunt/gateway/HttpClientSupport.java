package treasurehunt.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import treasurehunt.TestNodes;

/** A real HTTP client against a node's bound port. */
public final class HttpClientSupport {
  public record Reply(int status, String body) {
    public JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    public String errorCode() {
      return json().path("error").path("code").asText(null);
    }
  }

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  public HttpClientSupport(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public Reply get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  public Reply post(String path, String body) throws Exception {
    return post(path, body, null);
  }

  public Reply postAdmin(String path, String body) throws Exception {
    return post(path, body, TestNodes.ADMIN_TOKEN);
  }

  /**
   * Creates a hunt with the admin token, retrying while a node that has just started answers 503
   * (its shards still starting on a loaded machine); 409 after a 503 means that attempt got
   * through.
   */
  public void createHunt(String huntJson) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    boolean retried = false;
    while (true) {
      Reply r = postAdmin("/api/hunts", huntJson);
      if (r.status() == 201 || (retried && r.status() == 409)) return;
      if (r.status() != 503 || System.currentTimeMillis() > deadline)
        throw new AssertionError("creating a hunt: " + r.status() + " " + r.body());
      retried = true;
      Thread.sleep(500);
    }
  }

  public Reply post(String path, String body, String bearer) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) b.header("Authorization", "Bearer " + bearer);
    return send(b);
  }

  private Reply send(HttpRequest.Builder b) throws Exception {
    HttpResponse<String> r =
        client.send(
            b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body());
  }

  /** The Old Town hunt of PROTOCOL.md with one plain, one exclusive and one answer treasure. */
  public static String oldTown(String huntId) {
    return """
        { "huntId": "%s", "name": "Old Town",
          "area": {"lat": 52.3702, "lon": 4.8952, "radiusM": 1500},
          "treasures": [
            {"id": "clock", "lat": 52.3711, "lon": 4.8952, "radiusM": 15, "points": 100, "hint": "Under the clock"},
            {"id": "gold", "lat": 52.3702, "lon": 4.89814, "radiusM": 15, "points": 300, "hint": "The gold", "exclusive": true},
            {"id": "riddle", "lat": 52.36885, "lon": 4.8952, "radiusM": 20, "points": 200, "hint": "When?", "answer": "noon"}],
          "generate": {"count": 20, "seed": 42, "points": 50, "radiusM": 20},
          "maxPlayers": 10000, "maxSpeedMps": 50, "showPlayers": false }
        """
        .formatted(huntId);
  }
}
