package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;

/**
 * The guarantees of {@code ack-before-store} (game.conf; docs/protocol.md §5), on a real node, real
 * sockets and the journal in PostgreSQL: an ordinary fix is acknowledged while its write is under
 * way, but every acknowledged fix ends up stored; a fix that finds a treasure is stored, find
 * included, before its ack leaves the node; and a retry sent the moment the ack arrives (while the
 * write may still be in flight) gets the same answer and stores nothing twice.
 */
class AckBeforeStoreTest {
  static Database db;
  static Node node;
  static HttpClientSupport http;
  static final double LAT = 52.3702, LON = 4.8952; // old-town's centre
  static final double CLOCK_LAT = 52.3711; // the "clock" treasure, due north

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.fresh("ackstore");
    node = TestNodes.start(db, TestNodes.SIMULATED_WALKS);
    http = started(node);
  }

  /** The "ackstore" hunt created and started on {@code n}. */
  static HttpClientSupport started(Node n) throws Exception {
    HttpClientSupport h = new HttpClientSupport(TestNodes.httpPort(n));
    assertEquals(201, h.postAdmin("/api/hunts", HttpClientSupport.oldTown("ackstore")).status());
    assertEquals(200, h.postAdmin("/api/hunts/ackstore/start", null).status());
    return h;
  }

  @AfterAll
  static void stop() throws Exception {
    TestNodes.stop(node);
  }

  record Joined(WsClient ws, String playerId) {}

  static Joined joinedPlayer(String name) throws Exception {
    return joinedPlayer(node, http, name);
  }

  /** On its own node {@code n}: the "ackstore" hunt created and started, a new player in it. */
  static Joined joined(Node n, String name) throws Exception {
    return joinedPlayer(n, started(n), name);
  }

  static Joined joinedPlayer(Node n, HttpClientSupport h, String name) throws Exception {
    JsonNode p = h.post("/api/players", "{\"name\": \"" + name + "\"}").json();
    WsClient ws = WsClient.hello(TestNodes.httpPort(n), p.get("token").asText());
    JsonNode joined = ws.request("join", "\"hunt\": \"ackstore\"");
    assertEquals("ack", joined.get("type").asText(), joined.toString());
    return new Joined(ws, p.get("playerId").asText());
  }

  static String fix(String id, double lat, long at) {
    return String.format(
        Locale.ROOT,
        "{\"type\":\"location\",\"id\":\"%s\",\"hunt\":\"ackstore\",\"lat\":%.7f,\"lon\":%.7f,"
            + "\"accuracyM\":5,\"at\":%d}",
        id,
        lat,
        LON,
        at);
  }

  /**
   * Journal rows of this player whose event class ends with {@code event}: its own and its trail's
   * ({@link PlayerTrail}, where ordinary fixes are written in batches).
   */
  static int stored(String playerId, String event) throws Exception {
    return stored(db, playerId, event);
  }

  static int stored(Database in, String playerId, String event) throws Exception {
    try (Connection c = in.connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM event_journal WHERE persistence_id IN (?, ?)"
                    + " AND event_ser_manifest LIKE ? AND NOT deleted")) {
      s.setString(1, "Player|" + playerId);
      s.setString(2, PlayerTrail.persistenceId(playerId));
      s.setString(3, "%$" + event);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  /** Journal rows of this player whose payload holds the command id (CBOR keeps text as UTF-8). */
  static int storedWithId(String playerId, String cmdId) throws Exception {
    try (Connection c = db.connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM event_journal WHERE persistence_id IN (?, ?)"
                    + " AND position(? in event_payload) > 0")) {
      s.setString(1, "Player|" + playerId);
      s.setString(2, PlayerTrail.persistenceId(playerId));
      s.setBytes(3, cmdId.getBytes(StandardCharsets.UTF_8));
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  static void eventually(String what, int expected, Check check) throws Exception {
    long deadline = System.nanoTime() + 15_000_000_000L;
    int last;
    do {
      last = check.count();
      if (last == expected) return;
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    assertEquals(expected, last, what);
  }

  interface Check {
    int count() throws Exception;
  }

  @Test
  void everyAcknowledgedOrdinaryFixEndsUpInTheJournal() throws Exception {
    Joined p = joinedPlayer("walker");
    long t = System.currentTimeMillis();
    int acked = 0;
    for (int i = 0; i < 30; i++) {
      // 1 m south each time, away from every treasure of the layout's north
      p.ws().send(fix("walk-" + i, LAT - 0.00001 * i, t + i * 1_000L));
      JsonNode a = p.ws().answerTo("walk-" + i);
      assertEquals("ack", a.get("type").asText(), a.toString());
      acked++;
    }
    int total = acked;
    eventually("acknowledged fixes stored", total, () -> stored(p.playerId(), "Moved"));
    p.ws().close();
  }

  @Test
  void aFixThatFindsATreasureIsStoredWithItsFindBeforeTheAck() throws Exception {
    Joined p = joinedPlayer("finder");
    long t = System.currentTimeMillis();
    p.ws().send(fix("anchor", LAT, t)); // the first fix only anchors
    assertEquals("ack", p.ws().answerTo("anchor").get("type").asText());
    p.ws().send(fix("at-clock", CLOCK_LAT, t + 30_000));
    JsonNode ack = p.ws().answerTo("at-clock");
    assertEquals("clock", ack.at("/found/0").asText(), ack.toString());
    // read the moment the ack is here: the find (and its move) must already be stored
    assertEquals(1, stored(p.playerId(), "TreasureFound"), "the find is stored before its ack");
    assertTrue(storedWithId(p.playerId(), "at-clock") >= 1, "the finding move is stored");
    p.ws().close();
  }

  @Test
  void aRetryTheMomentTheAckArrivesGetsTheSameAnswerAndStoresNothingTwice() throws Exception {
    Joined p = joinedPlayer("retrier");
    long t = System.currentTimeMillis();
    for (int i = 0; i < 10; i++) {
      String id = "retry-me-" + i;
      String frame = fix(id, LAT - 0.00002 * i, t + i * 1_000L);
      p.ws().send(frame);
      JsonNode first = p.ws().answerTo(id);
      p.ws().send(frame); // at once: the first write may still be under way
      JsonNode again = p.ws().answerTo(id);
      assertEquals(first, again, "a retry gets the first outcome");
    }
    eventually("one move per command id", 10, () -> stored(p.playerId(), "Moved"));
    for (int i = 0; i < 10; i++) assertEquals(1, storedWithId(p.playerId(), "retry-me-" + i));
    p.ws().close();
  }

  /**
   * {@code write-behind}: the fix is written a moment after its ack, not with it. A node that
   * leaves in that moment (its shards handed off, the entities stopped) writes it before the entity
   * stops: only a crash may lose a held-back fix. The hold-back is 3 s here so that the stop surely
   * falls inside it. The trail is off: this is the player's own journal's write-behind (the trail's
   * counterpart is in PlayerTrailTest).
   */
  @Test
  void aHeldBackFixIsWrittenWhenTheNodeLeavesBeforeItsTime() throws Exception {
    Database own = TestDatabase.fresh("writebehind");
    Node leaving =
        TestNodes.start(
            own,
            TestNodes.SIMULATED_WALKS
                + "treasure-hunt.game.write-behind = 3s\ntreasure-hunt.trail.enabled = off\n");
    String playerId;
    try {
      Joined j = joined(leaving, "leaver");
      playerId = j.playerId();
      WsClient ws = j.ws();
      long t = System.currentTimeMillis();
      ws.send(fix("first", LAT, t));
      assertEquals("ack", ws.answerTo("first").get("type").asText());
      eventually(
          "the first fix, written 3 s after its ack", 1, () -> stored(own, playerId, "Moved"));
      ws.send(fix("held-back", LAT - 0.00001, t + 1_000));
      assertEquals("ack", ws.answerTo("held-back").get("type").asText());
      assertEquals(
          1, stored(own, playerId, "Moved"), "acknowledged, and held back: not written yet");
      ws.close();
    } finally {
      TestNodes.stop(leaving); // coordinated shutdown: shards handed off, entities stopped
    }
    assertEquals(
        2, stored(own, playerId, "Moved"), "the held-back fix was written as the entity stopped");
  }

  /**
   * Sharding stops an entity (passivation, a rebalance) while a fix is held back and the next one
   * waits in the entity's stash behind it. The waiting fix came before the stop and must be
   * answered, not dropped with the stash (until 2026-12-03 it was, and answered {@code unavailable}
   * after the ask timeout): the stop waits behind it. The hold-back is 3 s here so that the stop
   * surely falls inside it.
   */
  @Test
  void aFixWaitingBehindAHeldBackOneIsAnsweredWhenShardingStopsTheEntity() throws Exception {
    Database own = TestDatabase.fresh("stopstash");
    Node n =
        TestNodes.start(
            own,
            TestNodes.SIMULATED_WALKS
                + "treasure-hunt.game.write-behind = 3s\ntreasure-hunt.trail.enabled = off\n"
                // through sharding only: a session resends its straight reports an entity dropped
                // (PlayerRouteTest), which would hide what the entity itself does
                + "treasure-hunt.ws.straight-reports = off\n");
    try {
      Joined j = joined(n, "waiter");
      String playerId = j.playerId();
      try (WsClient ws = j.ws()) {
        long t = System.currentTimeMillis();
        ws.send(fix("held", LAT, t));
        assertEquals("ack", ws.answerTo("held").get("type").asText());
        ActorRef<Player.Command> entity = TestNodes.locate(n, playerId);
        ws.send(fix("waiting", LAT - 0.00001, t + 1_000)); // stashed: "held" is not written yet
        Thread.sleep(200);
        TestNodes.passivate(n, entity);
        JsonNode waiting = ws.answerTo("waiting");
        assertEquals("ack", waiting.get("type").asText(), waiting.toString());
        eventually("both fixes written", 2, () -> stored(own, playerId, "Moved"));
        assertNotEquals(entity, TestNodes.locate(n, playerId), "the entity was stopped");
      }
    } finally {
      TestNodes.stop(n);
    }
  }

  /**
   * The stash is bounded (100 commands, persistence.conf): a flood while a fix is held back fills
   * it, and the stop sharding then sends does not fit and is dropped. The entity must stop anyway
   * (one second after the ask timeout), writing the held-back fix, or its shard would hold back
   * every command for it for good.
   */
  @Test
  void anEntityWhoseStashIsFullStillStopsWhenShardingStopsIt() throws Exception {
    Database own = TestDatabase.fresh("stopfull");
    Node n =
        TestNodes.start(
            own,
            TestNodes.SIMULATED_WALKS
                + "treasure-hunt.game.write-behind = 30s\ntreasure-hunt.trail.enabled = off\n"
                + "treasure-hunt.ws.straight-reports = off\ntreasure-hunt.http.ask-timeout = 2s\n");
    try {
      Joined j = joined(n, "flooded");
      String playerId = j.playerId();
      try (WsClient ws = j.ws()) {
        ws.send(fix("held", LAT, System.currentTimeMillis()));
        assertEquals("ack", ws.answerTo("held").get("type").asText());
      }
      ActorRef<Player.Command> entity = TestNodes.locate(n, playerId);
      EntityRef<Player.Command> viaSharding =
          ClusterSharding.get(n.system).entityRefFor(Player.ENTITY_KEY, playerId);
      // stashed behind the held-back fix, 50 past the stash's room
      for (int i = 0; i < 150; i++) viaSharding.ask(Player.GetProfile::new, Duration.ofSeconds(30));
      Thread.sleep(500);
      assertEquals(0, stored(own, playerId, "Moved"), "held back for 30 s");
      TestNodes.passivate(n, entity);
      // through sharding: held back by the shard until the entity stopped, then a new one answers
      assertNotEquals(entity, TestNodes.locate(n, playerId), "the entity stopped");
      assertEquals(
          1, stored(own, playerId, "Moved"), "the held-back fix was written as it stopped");
    } finally {
      TestNodes.stop(n);
    }
  }

  /**
   * An acknowledged fix waits for its write in the journal's queue, one per player at most, and the
   * location admission no longer bounds those writes. A queue shorter than the players a node may
   * hold fails writes under a long saturation (the entities then restart and every report is shed:
   * ratio.sh, 2026-12-01). The shipped configuration must leave room for all of them.
   */
  @Test
  void theJournalQueueHoldsAWriteForEveryPlayerTheNodeMayHold() {
    com.typesafe.config.Config c = com.typesafe.config.ConfigFactory.load();
    int queue = c.getInt("jdbc-journal.bufferSize");
    int players = c.getInt("treasure-hunt.ws.max-connections");
    assertTrue(
        queue > players,
        "jdbc-journal.bufferSize " + queue + " must exceed max-connections " + players);
  }
}
