package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;

/**
 * The hunt directory's create race on two nodes: node B has just answered "no such hunt" (and
 * believes it for ten minutes here), node A creates the hunt, and B finds it as soon as A has
 * answered 201 — over HTTP, {@code watch} and {@code resume}.
 */
class HuntDirectoryTest {
  /** Long enough that only the creation's notice can clear B's "no". */
  static final String NODE = "treasure-hunt.hunt-directory.negative-ttl = 10m\n";

  static Node a, b;
  static HttpClientSupport httpA, httpB;
  static int portB;

  @BeforeAll
  static void start() throws Exception {
    Database db = TestDatabase.fresh("directory");
    a = TestNodes.start(db, NODE);
    var address = Cluster.get(a.system).selfMember().address();
    b = TestNodes.start(db, NODE + "treasure-hunt.seed-nodes = \"" + address + "\"\n");
    long deadline = System.currentTimeMillis() + 30_000;
    while (StreamSupport.stream(Cluster.get(a.system).state().getMembers().spliterator(), false)
            .filter(m -> m.status() == MemberStatus.up())
            .count()
        < 2) {
      assertTrue(System.currentTimeMillis() < deadline, "the two nodes did not form a cluster");
      Thread.sleep(200);
    }
    httpA = new HttpClientSupport(TestNodes.httpPort(a));
    portB = TestNodes.httpPort(b);
    httpB = new HttpClientSupport(portB);
    // Both directories see each other (receptionist) before the races start: A tells only the
    // directories its receptionist lists, and that listing reaches A a while after the cluster
    // forms (longer on a loaded machine). Until then a creation through A leaves B's "no" in place
    // for its negative TTL, as a node that does not acknowledge would (HuntDirectory's javadoc).
    // So warm up with the race itself until B gets the news.
    deadline = System.currentTimeMillis() + 30_000;
    for (int i = 0; ; i++) {
      String hunt = "warm-up-" + i;
      assertEquals(404, httpB.get("/api/hunts/" + hunt).status());
      httpA.createHunt(HttpClientSupport.oldTown(hunt));
      if (httpB.get("/api/hunts/" + hunt).status() == 200) break;
      assertTrue(System.currentTimeMillis() < deadline, "node A never told node B of a creation");
      Thread.sleep(500);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (b != null) TestNodes.stop(b);
    if (a != null) TestNodes.stop(a);
  }

  @Test
  void aHuntCreatedThroughOneNodeIsFoundThroughTheOtherRightAfterThe201() throws Exception {
    JsonNode player = httpB.post("/api/players", "{\"name\": \"bea\"}").json();
    try (WsClient ws = WsClient.hello(portB, player.get("token").asText())) {
      for (int round = 1; round <= 5; round++) {
        String hunt = "race-" + round;
        // B learns that there is no such hunt (and caches it)
        assertEquals(404, httpB.get("/api/hunts/" + hunt).status());
        assertEquals(
            "not_found",
            ws.request("watch", "\"hunt\":\"" + hunt + "\"").path("code").asText(),
            "watch before the hunt exists");
        // A creates it
        httpA.createHunt(HttpClientSupport.oldTown(hunt)); // 201 (retried past a 503 of load)
        // B, at once
        assertEquals(
            200, httpB.get("/api/hunts/" + hunt).status(), "B still says no after the 201");
        JsonNode watched = ws.request("watch", "\"hunt\":\"" + hunt + "\"");
        assertEquals("ack", watched.path("type").asText(), watched.toString());
        JsonNode resumed =
            ws.request(
                "resume",
                "\"hunt\":\""
                    + hunt
                    + "\",\"epoch\":\""
                    + watched.at("/stream/epoch").asText()
                    + "\",\"seq\":0");
        assertEquals("ack", resumed.path("type").asText(), resumed.toString());
        ws.request("leave", "\"hunt\":\"" + hunt + "\"");
      }
    }
  }
}
