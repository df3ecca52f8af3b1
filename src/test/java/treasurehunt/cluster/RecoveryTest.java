package treasurehunt.cluster;

import static org.junit.jupiter.api.Assertions.*;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.entities.Player;
import treasurehunt.gateway.HttpClientSupport;

/**
 * Integration on a real PostgreSQL: hunts, players and scores written through sharding by one node
 * are recovered by a new node (a new ActorSystem) on the same database.
 */
class RecoveryTest {
  static final Duration T = Duration.ofSeconds(15);

  @Test
  void aRestartedNodeRecoversHuntsPlayersAndScores() throws Exception {
    Database db = TestDatabase.fresh("recovery");
    Node first = TestNodes.start(db);
    HttpClientSupport http = new HttpClientSupport(TestNodes.httpPort(first));
    assertEquals(201, http.postAdmin("/api/hunts", HttpClientSupport.oldTown("old-town")).status());
    assertEquals(200, http.postAdmin("/api/hunts/old-town/start", null).status());
    String ann = http.post("/api/players", "{\"name\": \"ann\"}").json().get("playerId").asText();

    ClusterSharding sharding = ClusterSharding.get(first.system);
    var player = sharding.entityRefFor(Player.ENTITY_KEY, ann);
    Player.JoinAck joined =
        player
            .<Player.JoinAck>ask(r -> new Player.Join("j1", "old-town", null, r), T)
            .toCompletableFuture()
            .get();
    assertNull(joined.problem());
    long t0 = System.currentTimeMillis();
    player
        .<Player.LocationAck>ask(
            r -> new Player.ReportLocation("l1", "old-town", 52.3702, 4.8952, 5, t0, r), T)
        .toCompletableFuture()
        .get();
    Player.LocationAck found =
        player
            .<Player.LocationAck>ask(
                r ->
                    new Player.ReportLocation("l2", "old-town", 52.3711, 4.8952, 5, t0 + 30_000, r),
                T)
            .toCompletableFuture()
            .get();
    assertEquals(List.of("clock"), found.found());
    JsonNode viewBefore = http.get("/api/hunts/old-town").json();
    TestNodes.stop(first);

    Node second = TestNodes.start(db);
    try {
      HttpClientSupport http2 = new HttpClientSupport(TestNodes.httpPort(second));
      JsonNode viewAfter = http2.get("/api/hunts/old-town").json();
      assertEquals("live", viewAfter.get("status").asText());
      assertEquals(1, viewAfter.get("players").asInt());
      assertEquals(viewBefore.get("leaderboard"), viewAfter.get("leaderboard"));
      assertEquals(100, viewAfter.at("/leaderboard/0/score").asInt());
      assertEquals(viewBefore.get("stream"), viewAfter.get("stream"));

      var again = ClusterSharding.get(second.system).entityRefFor(Player.ENTITY_KEY, ann);
      Player.Profile profile =
          again.<Player.Profile>ask(Player.GetProfile::new, T).toCompletableFuture().get();
      assertEquals("ann", profile.name());
      assertEquals(100, profile.score());
      assertEquals(List.of("clock"), profile.hunts().get("old-town").found());
      // the retried report gets its first answer from the recovered state, and nothing is scored
      // twice
      Player.LocationAck retried =
          again
              .<Player.LocationAck>ask(
                  r ->
                      new Player.ReportLocation(
                          "l2", "old-town", 52.3711, 4.8952, 5, t0 + 30_000, r),
                  T)
              .toCompletableFuture()
              .get();
      assertEquals(found, retried);
      assertEquals(
          100,
          again.<Player.Profile>ask(Player.GetProfile::new, T).toCompletableFuture().get().score());
    } finally {
      TestNodes.stop(second);
    }
  }
}
