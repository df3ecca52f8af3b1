package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;

/**
 * The CBOR encoding on a real node (docs/protocol.md §2.1): negotiated by the subprotocol, the same
 * game as over JSON frame for frame, and both encodings on one hunt at once see one stream.
 */
class CborGatewayTest {
  static Node node;
  static int port;
  static HttpClientSupport http;

  static final double LAT = 52.3702, LON = 4.8952;

  @BeforeAll
  static void start() throws Exception {
    Database db = TestDatabase.fresh("cbor");
    node = TestNodes.start(db, TestNodes.SIMULATED_WALKS);
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
  }

  @AfterAll
  static void stop() throws Exception {
    TestNodes.stop(node);
  }

  record Who(String playerId, String token) {}

  static Who register(String name) throws Exception {
    JsonNode r = http.post("/api/players", "{\"name\": \"" + name + "\"}").json();
    return new Who(r.get("playerId").asText(), r.get("token").asText());
  }

  static void liveHunt(String id, boolean showPlayers) throws Exception {
    String def = HttpClientSupport.oldTown(id);
    if (showPlayers) def = def.replace("\"showPlayers\": false", "\"showPlayers\": true");
    assertEquals(201, http.postAdmin("/api/hunts", def).status());
    assertEquals(200, http.postAdmin("/api/hunts/" + id + "/start", null).status());
  }

  static String at(String hunt, double lat, double lon, long at) {
    return "\"hunt\":\"" + hunt + "\",\"lat\":" + lat + ",\"lon\":" + lon + ",\"at\":" + at;
  }

  @Test
  void theSubprotocolChoosesTheEncoding() throws Exception {
    Who who = register("nego");
    try (WsClient cbor =
            WsClient.connect(port, "token=" + who.token(), true, "treasure-hunt.v1.cbor");
        WsClient json =
            WsClient.connect(port, "token=" + who.token(), true, "treasure-hunt.v1.json");
        WsClient plain = WsClient.connect(port, "token=" + who.token());
        WsClient unknown = WsClient.connect(port, "token=" + who.token(), true, "mqtt", "soap");
        WsClient preferred =
            WsClient.connect(
                port,
                "token=" + who.token(),
                true,
                "x-unknown",
                "treasure-hunt.v1.cbor",
                "treasure-hunt.v1.json")) {
      assertEquals("treasure-hunt.v1.cbor", cbor.subprotocol());
      assertEquals("treasure-hunt.v1.json", json.subprotocol());
      assertEquals("", plain.subprotocol(), "v1 as today: no subprotocol answered");
      assertEquals("", unknown.subprotocol(), "none known: JSON, and none answered");
      assertEquals("treasure-hunt.v1.cbor", preferred.subprotocol(), "the first one known");
      for (WsClient c : List.of(cbor, json, plain, unknown, preferred)) {
        assertEquals("welcome", c.next().path("type").asText());
        c.send("{\"type\":\"ping\"}");
        assertEquals("pong", c.next().path("type").asText());
      }
      assertEquals(0, cbor.textFrames.get(), "a CBOR connection gets binary frames only");
      try (WsClient organiser = WsClient.connectCbor(port, null)) {
        organiser.send("{\"type\":\"hello\",\"token\":\"" + TestNodes.ADMIN_TOKEN + "\"}");
        assertEquals(
            "organiser", organiser.next().path("role").asText(), "the admin's hello in CBOR");
      }
      assertEquals(2, cbor.binaryFrames.get());
      assertEquals(2, preferred.binaryFrames.get());
      for (WsClient c : List.of(json, plain, unknown)) {
        assertEquals(0, c.binaryFrames.get());
        assertEquals(2, c.textFrames.get());
      }
    }
  }

  /**
   * One player's whole game, recorded as the frames it is answered; fields that differ from one run
   * to the next (times, ids, the epoch) are blanked.
   */
  static List<JsonNode> play(boolean cbor, String hunt) throws Exception {
    liveHunt(hunt, false);
    Who ann = register("ann"), bob = register("bob");
    List<JsonNode> seen = new ArrayList<>();
    long t0 = System.currentTimeMillis() - 60_000;
    WsClient a = cbor ? WsClient.helloCbor(port, ann.token()) : WsClient.hello(port, ann.token());
    WsClient b = cbor ? WsClient.helloCbor(port, bob.token()) : WsClient.hello(port, bob.token());
    try (b) {
      try (a) {
        seen.add(a.request("j1", "join", "\"hunt\":\"" + hunt + "\""));
        seen.add(b.request("j2", "join", "\"hunt\":\"" + hunt + "\""));
        seen.add(a.nextEvent("player_joined"));
        seen.add(a.request("l1", "location", at(hunt, LAT, LON, t0)));
        seen.add(a.request("l2", "location", at(hunt, 52.3711, 4.8952, t0 + 30_000)));
        seen.add(b.nextEvent("treasure_found"));
        seen.add(b.nextEvent("leaderboard"));
        seen.add(a.request("c1", "chat", "\"hunt\":\"" + hunt + "\",\"text\":\"héllo 😀\""));
        seen.add(b.nextEvent("chat"));
        seen.add(a.nextEvent("chat"));
        a.drop(); // a phone losing its network
      }
      WsClient.StreamPos held = a.lastEvent(hunt);
      seen.add(b.request("c2", "chat", "\"hunt\":\"" + hunt + "\",\"text\":\"where are you?\""));
      seen.add(b.request("c3", "chat", "\"hunt\":\"" + hunt + "\",\"text\":\"back?\""));
      try (WsClient again =
          cbor ? WsClient.helloCbor(port, ann.token()) : WsClient.hello(port, ann.token())) {
        JsonNode resumed =
            again.request(
                "r1",
                "resume",
                "\"hunt\":\""
                    + hunt
                    + "\",\"epoch\":\""
                    + held.epoch()
                    + "\",\"seq\":"
                    + held.seq());
        seen.add(resumed);
        long seq = held.seq();
        for (int i = 0; i < 2; i++) {
          JsonNode e = again.nextOfType("event");
          assertEquals(++seq, e.get("seq").asLong(), "gap-free after the cut: " + e);
          seen.add(e);
        }
        seen.add(again.request("p1", "location", at(hunt, 52.3711, 4.8953, t0 + 40_000)));
        if (cbor) assertEquals(0, again.textFrames.get(), "binary frames only");
        else assertEquals(0, again.binaryFrames.get(), "text frames only");
      }
    }
    List<JsonNode> normalised = new ArrayList<>();
    for (JsonNode n : seen) normalised.add(blank(n.deepCopy()));
    return normalised;
  }

  static final Set<String> VARYING =
      Set.of("serverTime", "at", "epoch", "playerId", "huntId", "hunt", "startsAt", "endsAt");

  static JsonNode blank(JsonNode n) {
    if (n instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (VARYING.contains(e.getKey()) && e.getValue().isValueNode()) e.setValue(o.textNode("*"));
        else blank(e.getValue());
      }
    } else if (n.isArray()) for (JsonNode item : n) blank(item);
    return n;
  }

  @Test
  void aWholeGameOverCborIsTheGameOverJson() throws Exception {
    List<JsonNode> json = play(false, "game-json");
    List<JsonNode> cbor = play(true, "game-cbor");
    assertEquals(json.size(), cbor.size());
    for (int i = 0; i < json.size(); i++) assertEquals(json.get(i), cbor.get(i), "frame " + i);
    assertEquals("clock", cbor.get(4).at("/found/0").asText(), "the find is there: " + cbor);
    assertEquals("héllo 😀", cbor.get(8).at("/event/text").asText());
  }

  @Test
  void bothEncodingsOnOneHuntSeeTheSameStream() throws Exception {
    liveHunt("mixed", true);
    Who jo = register("jo"), cy = register("cy"), walker = register("walker");
    try (WsClient json = WsClient.hello(port, jo.token());
        WsClient cbor = WsClient.helloCbor(port, cy.token());
        WsClient w = WsClient.helloCbor(port, walker.token())) {
      json.request("join", "\"hunt\":\"mixed\"");
      long from = cbor.request("join", "\"hunt\":\"mixed\"").at("/stream/seq").asLong();
      w.request("join", "\"hunt\":\"mixed\"");
      long t0 = System.currentTimeMillis() - 60_000;
      w.request("location", at("mixed", LAT, LON, t0));
      w.request("location", at("mixed", 52.3711, 4.8952, t0 + 30_000));
      w.request("chat", "\"hunt\":\"mixed\",\"text\":\"same for all\"");
      List<JsonNode> batchesJ = new ArrayList<>(), batchesC = new ArrayList<>();
      List<JsonNode> a = streamUntilChat(json, from, batchesJ);
      List<JsonNode> b = streamUntilChat(cbor, from, batchesC);
      assertEquals(4, b.size(), "joined, found, leaderboard, chat: " + b);
      assertEquals(a, b, "the same events, field for field");
      // the batch with the walker's last position: one batch of the node's feed, in two encodings
      assertEquals(batchAt(json, batchesJ, 52.3711), batchAt(cbor, batchesC, 52.3711));
      assertTrue(json.binaryFrames.get() == 0 && cbor.textFrames.get() == 0);
    }
  }

  /**
   * A client's events after {@code from}, in order, up to the first chat; the positions batches
   * read meanwhile go to {@code batches}.
   */
  static List<JsonNode> streamUntilChat(WsClient c, long from, List<JsonNode> batches)
      throws Exception {
    List<JsonNode> events = new ArrayList<>();
    while (true) {
      JsonNode n = c.next();
      if ("positions".equals(n.path("type").asText())) batches.add(n);
      if (!"event".equals(n.path("type").asText())) continue;
      if (n.get("seq").asLong() > from) events.add(n);
      if ("chat".equals(n.at("/event/kind").asText())) break;
    }
    return events;
  }

  /** The positions batch that holds a player at {@code lat} (among those read, or the next). */
  static JsonNode batchAt(WsClient c, List<JsonNode> read, double lat) throws Exception {
    for (int i = 0; ; i++) {
      JsonNode n = i < read.size() ? read.get(i) : c.nextOfType("positions");
      for (JsonNode p : n.get("players")) if (p.get("lat").asDouble() == lat) return n;
    }
  }
}
