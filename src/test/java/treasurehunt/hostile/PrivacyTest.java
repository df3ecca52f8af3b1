package treasurehunt.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.RawWebSocket;
import treasurehunt.gateway.Tokens;
import treasurehunt.gateway.WsClient;

/**
 * Who may see where people are (docs/privacy.md), attacked on a real node. Exact positions go to
 * the organiser and to spectators it invited to that hunt; to the joined players of a hunt with
 * {@code showPlayers}; to no one else, however they connect, watch, resume, join and leave. Every
 * case walks real players for many position intervals (100 ms) while the attacker listens, and then
 * checks that an honest player is still served.
 */
class PrivacyTest {
  /** {@code showPlayers: false}: positions for the organiser and invited spectators only. */
  static final String HIDDEN = "privacy-hidden";

  /** {@code showPlayers: true}: also for the players joined to it. */
  static final String SHOWN = "privacy-shown";

  static final String OTHER = "privacy-other";
  static final double LAT = 52.3702, LON = 4.8952;

  /** Quiet time that ends a drain: several position intervals with nothing sent. */
  static final Duration QUIET = Duration.ofMillis(600);

  static Database db;
  static Node node;
  static int port;
  static HttpClientSupport http;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.fresh("privacy");
    node = TestNodes.start(db);
    port = TestNodes.httpPort(node);
    http = new HttpClientSupport(port);
    for (String hunt : List.of(HIDDEN, SHOWN, OTHER)) {
      String definition = HttpClientSupport.oldTown(hunt);
      if (hunt.equals(SHOWN))
        definition = definition.replace("\"showPlayers\": false", "\"showPlayers\": true");
      http.createHunt(definition);
      assertEquals(200, http.postAdmin("/api/hunts/" + hunt + "/start", null).status());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) TestNodes.stop(node);
  }

  /** After every attack an honest player still joins, reports and is answered at once. */
  @AfterEach
  void nodeStillServesAnHonestPlayer() throws Exception {
    Who honest = register("honest");
    try (WsClient c = joined(honest, HIDDEN)) {
      assertAck(c.request("location", location(HIDDEN, LAT, LON, System.currentTimeMillis())));
      assertAck(c.request("chat", "\"hunt\":\"" + HIDDEN + "\",\"text\":\"still fine\""));
    }
  }

  // ---------------------------------------------------------------- (a) the issue's attack

  @Test
  void aRegisteredPlayerWatchingAHiddenHuntGetsTheStreamButNoPositions() throws Exception {
    Who alice = register("alice"), bob = register("bob"), mallory = register("mallory");
    try (Walker a = new Walker(joined(alice, HIDDEN), HIDDEN, 0);
        Walker b = new Walker(joined(bob, HIDDEN), HIDDEN, 1);
        WsClient spy = WsClient.hello(port, mallory.token())) {
      assertAck(spy.request("watch", hunt(HIDDEN)));
      walk(20, a, b);
      assertAck(a.client.request("chat", hunt(HIDDEN) + ",\"text\":\"meet at the clock\""));
      List<JsonNode> seen = drain(spy);
      assertEquals(0, count(seen, "positions"), "positions leaked to a watching player: " + seen);
      assertTrue(hasChat(seen, "meet at the clock"), "the public stream still arrives: " + seen);

      // The same player joined on one socket and watching on a second: neither gets positions.
      try (WsClient mine = joined(mallory, HIDDEN);
          WsClient second = WsClient.hello(port, mallory.token())) {
        assertAck(second.request("watch", hunt(HIDDEN)));
        walk(20, a, b);
        assertAck(b.client.request("chat", hunt(HIDDEN) + ",\"text\":\"over here\""));
        List<JsonNode> joinedSocket = drain(mine), watchSocket = drain(second);
        assertEquals(0, count(joinedSocket, "positions"), "to the joined socket: " + joinedSocket);
        assertEquals(0, count(watchSocket, "positions"), "to the second socket: " + watchSocket);
        assertTrue(hasChat(joinedSocket, "over here"), joinedSocket.toString());
        assertTrue(hasChat(watchSocket, "over here"), watchSocket.toString());
      }

      // Not vacuous: in the same walk an invited spectator does get both walkers' positions.
      String spectator = mintSpectator(HIDDEN, "{\"label\": \"control\"}").path("token").asText();
      try (WsClient invited = WsClient.hello(port, spectator)) {
        assertAck(invited.request("watch", hunt(HIDDEN)));
        walk(20, a, b);
        List<JsonNode> got = drain(invited), spied = drain(spy);
        assertEquals(Set.of(alice.playerId(), bob.playerId()), playersIn(got), got.toString());
        assertEquals(0, count(spied, "positions"), spied.toString());
      }
    }
  }

  // ---------------------------------------------------------------- (b) spectator tokens

  @Test
  void aSpectatorTokenSeesItsHuntAndNothingElse() throws Exception {
    Who alice = register("alice");
    JsonNode minted = mintSpectator(HIDDEN, "{\"ttlSeconds\": 600, \"label\": \"big screen\"}");
    String token = minted.path("token").asText();
    String spectatorId = minted.path("spectatorId").asText();
    assertEquals(HIDDEN, minted.path("hunt").asText());
    assertTrue(spectatorId.startsWith("s-"), minted.toString());
    long expiresAt = minted.path("expiresAt").asLong();
    assertTrue(Math.abs(expiresAt - (System.currentTimeMillis() + 600_000)) < 60_000, "" + minted);

    try (Walker a = new Walker(joined(alice, HIDDEN), HIDDEN, 0);
        WsClient s = WsClient.connect(port, null)) {
      JsonNode welcome = hello(s, token);
      assertEquals("spectator", welcome.path("role").asText(), welcome.toString());
      assertEquals(HIDDEN, welcome.path("hunt").asText());
      assertEquals(spectatorId, welcome.path("spectatorId").asText());
      assertEquals("big screen", welcome.path("name").asText());
      assertFalse(welcome.has("playerId"), "a spectator is not a player: " + welcome);

      JsonNode watching = s.request("watch", hunt(HIDDEN));
      assertAck(watching);
      walk(15, a);
      List<JsonNode> seen = drain(s);
      assertEquals(Set.of(alice.playerId()), playersIn(seen), seen.toString());

      // Its hunt only: another hunt is forbidden, by watch and by resume.
      assertError(s.request("watch", hunt(OTHER)), "forbidden");
      assertError(s.request("resume", hunt(OTHER) + ",\"epoch\":\"x\",\"seq\":0"), "forbidden");
      // A spectator token is no player token: every player command is refused, nothing is written.
      assertError(s.request("join", hunt(HIDDEN)), "forbidden");
      assertError(s.request("location", location(HIDDEN, LAT, LON, now())), "forbidden");
      assertError(
          s.request("claim", hunt(HIDDEN) + ",\"treasure\":\"clock\",\"answer\":null"),
          "forbidden");
      assertError(s.request("chat", hunt(HIDDEN) + ",\"text\":\"hi\""), "forbidden");
      assertError(s.request("leave", hunt(HIDDEN)), "forbidden");
      // Hello again: the same token is welcomed again, a player's token is refused.
      s.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
      assertEquals("welcome", s.nextOfType("welcome").path("type").asText());
      s.send("{\"type\":\"hello\",\"token\":\"" + alice.token() + "\"}");
      assertError(s.nextOfType("error"), "forbidden");

      // A resume of its own hunt brings the positions back on a fresh connection.
      s.drop();
      try (WsClient again = WsClient.connect(port, "token=" + token)) {
        assertEquals("spectator", again.next().path("role").asText());
        String epoch = watching.at("/stream/epoch").asText();
        long seq = watching.at("/stream/seq").asLong();
        assertAck(
            again.request("resume", hunt(HIDDEN) + ",\"epoch\":\"" + epoch + "\",\"seq\":" + seq));
        walk(15, a);
        assertEquals(Set.of(alice.playerId()), playersIn(drain(again)));
      }
    }
    assertEquals(0, journalEvents("Player|" + spectatorId), "a spectator never became a player");
  }

  @Test
  void onlyTheOrganiserMintsSpectatorTokens() throws Exception {
    Who alice = register("alice");
    String spectator = mintSpectator(HIDDEN, null).path("token").asText();
    String path = "/api/hunts/" + HIDDEN + "/spectators";
    // A player token presented to the spectator endpoint, or a spectator token: refused.
    for (String bearer : new String[] {alice.token(), spectator, "garbage"}) {
      HttpClientSupport.Reply r = http.post(path, "{}", bearer);
      assertEquals(401, r.status(), r.body());
      assertEquals("unauthorized", r.errorCode());
    }
    assertEquals(401, http.post(path, "{}").status(), "no token at all");
    assertEquals(404, http.postAdmin("/api/hunts/no-such-hunt/spectators", "{}").status());
    for (String bad :
        new String[] {
          "{\"ttlSeconds\": 0}",
          "{\"ttlSeconds\": -5}",
          "{\"ttlSeconds\": 99999999}",
          "{\"ttlSeconds\": \"60\"}",
          "{\"ttlSeconds\": 1.5}",
          "{\"label\": \"" + "x".repeat(65) + "\"}",
          "{\"label\": \"\"}",
          "[1]"
        }) {
      HttpClientSupport.Reply r = http.postAdmin(path, bad);
      assertEquals(400, r.status(), bad + " → " + r.body());
      assertEquals("bad_request", r.errorCode());
    }
    // No body at all: defaults.
    HttpClientSupport.Reply r = http.postAdmin(path, null);
    assertEquals(201, r.status(), r.body());
    assertEquals("spectator", r.json().path("label").asText());
  }

  @Test
  void anExpiredSpectatorTokenIsRefusedAndAnOpenConnectionEndsWhenItExpires() throws Exception {
    String shortLived = mintSpectator(HIDDEN, "{\"ttlSeconds\": 2}").path("token").asText();
    try (WsClient s = WsClient.hello(port, shortLived)) {
      assertAck(s.request("watch", hunt(HIDDEN)));
      JsonNode error = s.nextOfType("error");
      assertError(error, "unauthorized");
      assertEquals(4401, s.awaitClose(), "closed when the invitation ends");
    }
    // Expired before connecting: by hello and by the URL.
    try (RawWebSocket ws = RawWebSocket.connect(port, null)) {
      ws.text("{\"type\":\"hello\",\"token\":\"" + shortLived + "\"}");
      assertError(ws.next(), "unauthorized");
      assertNull(ws.next());
      assertEquals(4401, ws.closeCode);
    }
    try (RawWebSocket ws = RawWebSocket.connect(port, "token=" + shortLived)) {
      assertError(ws.next(), "unauthorized");
      assertNull(ws.next());
      assertEquals(4401, ws.closeCode);
    }
  }

  @Test
  void theOrganiserWatchesAnyHuntWithTheAdminTokenInAHelloFrameOnly() throws Exception {
    Who alice = register("alice");
    try (Walker a = new Walker(joined(alice, OTHER), OTHER, 0);
        WsClient organiser = WsClient.connect(port, null)) {
      JsonNode welcome = hello(organiser, TestNodes.ADMIN_TOKEN);
      assertEquals("organiser", welcome.path("role").asText(), welcome.toString());
      assertAck(organiser.request("watch", hunt(OTHER)));
      walk(15, a);
      assertEquals(Set.of(alice.playerId()), playersIn(drain(organiser)));
      assertError(organiser.request("join", hunt(OTHER)), "forbidden");
    }
    // Not in the URL, where proxies and logs keep it.
    try (RawWebSocket ws = RawWebSocket.connect(port, "token=" + TestNodes.ADMIN_TOKEN)) {
      assertError(ws.next(), "unauthorized");
      assertNull(ws.next());
      assertEquals(4401, ws.closeCode);
    }
  }

  // ---------------------------------------------------------------- (c) showPlayers

  @Test
  void withShowPlayersOnlyJoinedPlayersSeePositionsAndOnlyWhileJoined() throws Exception {
    Who alice = register("alice"), bob = register("bob"), carol = register("carol");
    try (Walker a = new Walker(joined(alice, SHOWN), SHOWN, 0);
        WsClient bobPlays = joined(bob, SHOWN);
        WsClient bobWatches = WsClient.hello(port, bob.token());
        WsClient carolWatches = WsClient.hello(port, carol.token())) {
      assertAck(bobWatches.request("watch", hunt(SHOWN)));
      JsonNode carolAck = carolWatches.request("watch", hunt(SHOWN));
      assertAck(carolAck);
      walk(20, a);
      assertTrue(playersIn(drain(bobPlays)).contains(alice.playerId()), "a joined player sees");
      assertTrue(playersIn(drain(bobWatches)).contains(alice.playerId()), "on any of his sockets");
      List<JsonNode> carolSaw = drain(carolWatches);
      assertEquals(0, count(carolSaw, "positions"), "carol never joined: " + carolSaw);

      // bob leaves: his second socket keeps the stream and loses the positions at once.
      assertAck(bobPlays.request("leave", hunt(SHOWN)));
      assertEquals(
          bob.playerId(), bobWatches.nextEvent("player_left").at("/event/playerId").asText());
      drain(bobWatches);
      walk(20, a);
      assertAck(a.client.request("chat", hunt(SHOWN) + ",\"text\":\"bye bob\""));
      List<JsonNode> afterLeave = drain(bobWatches), onLeftSocket = drain(bobPlays);
      assertEquals(0, count(afterLeave, "positions"), "after leave: " + afterLeave);
      assertTrue(hasChat(afterLeave, "bye bob"), afterLeave.toString());
      assertEquals(0, count(onLeftSocket, "positions"), onLeftSocket.toString());

      // resume on a fresh socket, or on the one he left with: no positions either.
      try (WsClient fresh = WsClient.hello(port, bob.token())) {
        assertAck(
            fresh.request(
                "resume",
                hunt(SHOWN)
                    + ",\"epoch\":\""
                    + carolAck.at("/stream/epoch").asText()
                    + "\",\"seq\":"
                    + carolAck.at("/stream/seq").asLong()));
        assertAck(
            bobPlays.request(
                "resume",
                hunt(SHOWN)
                    + ",\"epoch\":\""
                    + carolAck.at("/stream/epoch").asText()
                    + "\",\"seq\":"
                    + carolAck.at("/stream/seq").asLong()));
        walk(20, a);
        List<JsonNode> resumed = drain(fresh), resumedOld = drain(bobPlays);
        assertEquals(0, count(resumed, "positions"), "resume after leave: " + resumed);
        assertEquals(0, count(resumedOld, "positions"), "resume after leave: " + resumedOld);
        assertTrue(hasChat(resumed, "bye bob"), "the stream is replayed: " + resumed);
      }

      // Joining again brings them back, on the watching socket too.
      assertAck(bobPlays.request("join", hunt(SHOWN)));
      assertEquals(
          bob.playerId(), bobWatches.nextEvent("player_joined").at("/event/playerId").asText());
      walk(20, a);
      assertTrue(playersIn(drain(bobWatches)).contains(alice.playerId()), "joined again");
      assertEquals(0, count(drain(carolWatches), "positions"), "carol still never joined");
    }
  }

  @Test
  void aJoinedPlayerOfAShownHuntWhoResumesOnAFreshSocketSeesPositions() throws Exception {
    Who alice = register("alice"), bob = register("bob");
    try (Walker a = new Walker(joined(alice, SHOWN), SHOWN, 0);
        WsClient bobPlays = WsClient.hello(port, bob.token())) {
      JsonNode joinAck = bobPlays.request("join", hunt(SHOWN));
      assertAck(joinAck);
      bobPlays.drop();
      try (WsClient back = WsClient.hello(port, bob.token())) {
        assertAck(
            back.request(
                "resume",
                hunt(SHOWN)
                    + ",\"epoch\":\""
                    + joinAck.at("/stream/epoch").asText()
                    + "\",\"seq\":"
                    + joinAck.at("/stream/seq").asLong()));
        walk(20, a);
        assertTrue(playersIn(drain(back)).contains(alice.playerId()), "still joined after a drop");
      }
    }
  }

  // ---------------------------------------------------------------- (d) forged spectator tokens

  @Test
  void forgedSpectatorTokensAreRefused() throws Exception {
    byte[] secret = TestNodes.TOKEN_SECRET.getBytes(StandardCharsets.UTF_8);
    byte[] foreign = "a-foreign-secret-of-at-least-32-bytes!!!".getBytes(StandardCharsets.UTF_8);
    long now = now();
    JWTClaimsSet good =
        new JWTClaimsSet.Builder()
            .issuer(Tokens.ISSUER)
            .subject("s-forged")
            .claim("scope", "spectator")
            .claim("hunt", HIDDEN)
            .claim("name", "forged")
            .expirationTime(new Date(now + 60_000))
            .build();
    String valid = sign(secret, good);
    String[] parts = valid.split("\\.");
    List<String> forged = new ArrayList<>();
    forged.add(sign(foreign, good)); // another secret
    forged.add(new PlainJWT(good).serialize()); // alg: none
    forged.add(parts[0] + "." + parts[1] + "."); // signature stripped
    forged.add(
        parts[0]
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                        .replace(HIDDEN, OTHER)
                        .getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2]); // the hunt claim edited, the signature kept
    forged.add(sign(secret, new JWTClaimsSet.Builder(good).claim("hunt", null).build()));
    forged.add(sign(secret, new JWTClaimsSet.Builder(good).claim("hunt", "../etc").build()));
    forged.add(sign(secret, new JWTClaimsSet.Builder(good).expirationTime(null).build()));
    forged.add(
        sign(secret, new JWTClaimsSet.Builder(good).expirationTime(new Date(now - 1000)).build()));
    forged.add(sign(secret, new JWTClaimsSet.Builder(good).issuer("someone-else").build()));
    forged.add(sign(secret, new JWTClaimsSet.Builder(good).claim("scope", "organiser").build()));
    forged.add("s-made-up." + HIDDEN + ".spectator"); // made up
    for (String token : forged) {
      try (RawWebSocket ws = RawWebSocket.connect(port, null)) {
        ws.text("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
        assertError(ws.next(), "unauthorized");
        assertNull(ws.next(), token);
        assertEquals(4401, ws.closeCode, token);
      }
    }
    // The genuine article (signed with the node's secret) is what the API mints: it works.
    try (WsClient s = WsClient.hello(port, valid)) {
      assertAck(s.request("watch", hunt(HIDDEN)));
      assertError(s.request("watch", hunt(OTHER)), "forbidden");
    }
  }

  // ---------------------------------------------------------------- helpers

  record Who(String playerId, String token) {}

  static Who register(String name) throws Exception {
    JsonNode r = http.post("/api/players", "{\"name\": \"" + name + "\"}").json();
    return new Who(r.get("playerId").asText(), r.get("token").asText());
  }

  /** {@code POST /api/hunts/{hunt}/spectators} with the admin token; asserts 201. */
  static JsonNode mintSpectator(String hunt, String body) throws Exception {
    HttpClientSupport.Reply r = http.postAdmin("/api/hunts/" + hunt + "/spectators", body);
    assertEquals(201, r.status(), r.body());
    return r.json();
  }

  /** Sends hello with {@code token}; returns the answer (welcome, or an error). */
  static JsonNode hello(WsClient c, String token) throws Exception {
    c.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
    return c.next();
  }

  static WsClient joined(Who who, String hunt) throws Exception {
    WsClient c = WsClient.hello(port, who.token());
    assertAck(c.request("join", hunt(hunt)));
    return c;
  }

  static String hunt(String hunt) {
    return "\"hunt\":\"" + hunt + "\"";
  }

  static String location(String hunt, double lat, double lon, long at) {
    return hunt(hunt) + ",\"lat\":" + lat + ",\"lon\":" + lon + ",\"at\":" + at;
  }

  static long now() {
    return System.currentTimeMillis();
  }

  /** A joined player walking north-east a metre or so per step, along its own lane. */
  static final class Walker implements AutoCloseable {
    final WsClient client;
    final String hunt;
    final double lane;
    int step;
    long lastAt;

    Walker(WsClient client, String hunt, int lane) {
      this.client = client;
      this.hunt = hunt;
      this.lane = lane * 0.0005;
    }

    void step() throws Exception {
      step++;
      long at = Math.max(now(), lastAt + 1);
      lastAt = at;
      assertAck(
          client.request(
              "location", location(hunt, LAT + lane + step * 1e-5, LON + step * 1e-5, at)));
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /** {@code steps} reports from each walker, 60 ms apart: many position intervals. */
  static void walk(int steps, Walker... walkers) throws Exception {
    for (int i = 0; i < steps; i++) {
      for (Walker w : walkers) w.step();
      Thread.sleep(60);
    }
  }

  /** Every frame that arrives until nothing has for {@link #QUIET}. */
  static List<JsonNode> drain(WsClient c) throws InterruptedException {
    List<JsonNode> frames = new ArrayList<>();
    JsonNode f;
    while ((f = c.poll(QUIET)) != null) frames.add(f);
    return frames;
  }

  static long count(List<JsonNode> frames, String type) {
    return frames.stream().filter(f -> type.equals(f.path("type").asText())).count();
  }

  static boolean hasChat(List<JsonNode> frames, String text) {
    return frames.stream()
        .anyMatch(
            f ->
                "event".equals(f.path("type").asText())
                    && "chat".equals(f.at("/event/kind").asText())
                    && text.equals(f.at("/event/text").asText()));
  }

  /** The players whose positions the frames carried. */
  static Set<String> playersIn(List<JsonNode> frames) {
    Set<String> ids = new HashSet<>();
    for (JsonNode f : frames)
      if ("positions".equals(f.path("type").asText()))
        for (JsonNode p : f.path("players")) ids.add(p.path("playerId").asText());
    return ids;
  }

  static void assertAck(JsonNode frame) {
    assertNotNull(frame);
    assertEquals("ack", frame.path("type").asText(), frame.toString());
  }

  static void assertError(JsonNode frame, String code) {
    assertNotNull(frame, "no answer: the server closed the connection");
    assertEquals("error", frame.path("type").asText(), frame.toString());
    assertEquals(code, frame.path("code").asText(), frame.toString());
  }

  static String sign(byte[] secret, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(secret));
    return jwt.serialize();
  }

  static int journalEvents(String persistenceId) throws Exception {
    try (Connection c = db.connect();
        PreparedStatement s =
            c.prepareStatement("SELECT count(*) FROM event_journal WHERE persistence_id = ?")) {
      s.setString(1, persistenceId);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }
}
