package treasurehunt.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;

/**
 * A short game on a running node, through its HTTP API and real WebSocket clients: the Old Town
 * hunt of HttpClientSupport; ann finds the clock (100) and the exclusive gold (300); bob reaches
 * the gold too late, answers the riddle wrong then right (200), and leaves; ann chats.
 */
final class ScriptedGame {
  static final String HUNT = "old-town";
  static final double LAT = 52.3702, LON = 4.8952;

  final String ann;
  final String bob;

  private ScriptedGame(String ann, String bob) {
    this.ann = ann;
    this.bob = bob;
  }

  static ScriptedGame play(int port) throws Exception {
    HttpClientSupport http = new HttpClientSupport(port);
    assertEquals(201, http.postAdmin("/api/hunts", HttpClientSupport.oldTown(HUNT)).status());
    assertEquals(200, http.postAdmin("/api/hunts/" + HUNT + "/start", null).status());
    JsonNode a = http.post("/api/players", "{\"name\": \"ann\"}").json();
    JsonNode b = http.post("/api/players", "{\"name\": \"bob\"}").json();
    // Fix times from the real clock (the server refuses ones over 2 minutes old), a minute apart.
    long t0 = System.currentTimeMillis() - 60_000;
    try (WsClient ann = WsClient.hello(port, a.get("token").asText());
        WsClient bob = WsClient.hello(port, b.get("token").asText())) {
      ack(ann.request("join", "\"hunt\":\"" + HUNT + "\""));
      ack(bob.request("join", "\"hunt\":\"" + HUNT + "\""));
      ack(ann.request("location", at(LAT, LON, t0)));
      assertEquals(
          "clock",
          ann.request("location", at(52.3711, 4.8952, t0 + 60_000)).at("/found/0").asText());
      assertEquals(
          "gold",
          ann.request("location", at(52.3702, 4.89814, t0 + 120_000)).at("/found/0").asText());
      ack(bob.request("location", at(LAT, LON, t0)));
      ack(bob.request("location", at(52.3702, 4.89814, t0 + 60_000)));
      assertEquals(
          "riddle",
          bob.request("location", at(52.36885, 4.8952, t0 + 120_000)).get("atTreasure").asText());
      assertEquals(
          "wrong_answer",
          bob.request(
                  "claim", "\"hunt\":\"" + HUNT + "\",\"treasure\":\"riddle\",\"answer\":\"dusk\"")
              .get("code")
              .asText());
      assertEquals(
          200,
          bob.request(
                  "claim", "\"hunt\":\"" + HUNT + "\",\"treasure\":\"riddle\",\"answer\":\"Noon\"")
              .get("score")
              .asInt());
      ack(ann.request("chat", "\"hunt\":\"" + HUNT + "\",\"text\":\"well done\""));
      ack(bob.request("leave", "\"hunt\":\"" + HUNT + "\""));
    }
    return new ScriptedGame(a.get("playerId").asText(), b.get("playerId").asText());
  }

  private static String at(double lat, double lon, long at) {
    return "\"hunt\":\""
        + HUNT
        + "\",\"lat\":"
        + lat
        + ",\"lon\":"
        + lon
        + ",\"at\":"
        + at
        + ",\"accuracyM\":5";
  }

  private static void ack(JsonNode frame) {
    assertEquals("ack", frame.path("type").asText(), frame.toString());
  }
}
