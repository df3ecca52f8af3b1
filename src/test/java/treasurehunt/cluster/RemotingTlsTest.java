package treasurehunt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.Json;

/**
 * Remoting over TLS is one setting away: two node processes with {@code
 * TH_REMOTE_TRANSPORT=tls-tcp} (as system properties here) and keystores this test generates form a
 * cluster and serve a hunt across nodes; their remoting port speaks TLS, not Akka's plain framing;
 * and a node whose certificate the cluster's truststore does not vouch for cannot join.
 */
class RemotingTlsTest {
  static final String PASSWORD = "changeit-test";
  static final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
  static Database db;
  static Path trusted, stranger;

  @BeforeAll
  static void keystores() throws Exception {
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "tls");
    trusted = keystore(dir, "cluster");
    stranger = keystore(dir, "stranger");
    db = TestDatabase.fresh("tls");
  }

  @AfterAll
  static void stop() throws Exception {
    for (NodeProcess n : nodes) n.kill();
    for (NodeProcess n : nodes) n.awaitExit(Duration.ofSeconds(20));
  }

  /** A PKCS12 store with one self-signed key pair; used as keystore and truststore at once. */
  static Path keystore(Path dir, String alias) throws Exception {
    Path file = dir.resolve(alias + ".p12");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + alias,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                file.toString(),
                "-storepass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "keytool: " + out);
    return file;
  }

  static String[] tls(Path store) {
    return new String[] {
      "-Dakka.remote.artery.transport=tls-tcp",
      "-Dakka.remote.artery.ssl.config-ssl-engine.key-store=" + store,
      "-Dakka.remote.artery.ssl.config-ssl-engine.key-store-password=" + PASSWORD,
      "-Dakka.remote.artery.ssl.config-ssl-engine.key-password=" + PASSWORD,
      "-Dakka.remote.artery.ssl.config-ssl-engine.trust-store=" + store,
      "-Dakka.remote.artery.ssl.config-ssl-engine.trust-store-password=" + PASSWORD
    };
  }

  @Test
  void twoNodesTalkTlsAndAStrangerCannotJoin() throws Exception {
    int c1 = NodeProcess.freePort(), c2 = NodeProcess.freePort(), c3 = NodeProcess.freePort();
    List<String> seeds = List.of("akka://treasure-hunt@127.0.0.1:" + c1);
    NodeProcess n1 = NodeProcess.start("tls-1", db, c1, seeds, tls(trusted));
    nodes.add(n1);
    NodeProcess n2 = NodeProcess.start("tls-2", db, c2, seeds, tls(trusted));
    nodes.add(n2);
    n1.awaitReady(Duration.ofSeconds(120));
    n2.awaitReady(Duration.ofSeconds(120));
    ClusterProcessesTest.awaitMembers(n1, 2);

    // The remoting port answers a plain-text peer with a TLS alert record (content type 21), not
    // with Akka's framing: what crosses between nodes is encrypted.
    try (Socket s = new Socket("127.0.0.1", c1)) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write("AKKA plain text hello\r\n\r\n".getBytes());
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      int first = in.read();
      assertTrue(first == 21 || first == -1, "first byte from the TLS port: " + first);
    }

    // The cluster works across the encrypted link: hunts on both nodes' shards answer via node 2.
    HttpClientSupport via2 = new HttpClientSupport(n2.httpPort);
    for (int i = 0; i < 6; i++) {
      via2.createHunt(HttpClientSupport.oldTown("tls-" + i));
      JsonNode view =
          Json.MAPPER.readTree(
              new HttpClientSupport(n1.httpPort).get("/api/hunts/tls-" + i).body());
      assertEquals("tls-" + i, view.get("huntId").asText());
    }
    JsonNode shards = Json.MAPPER.readTree(n1.get("/shards")).get("Hunt");
    assertEquals(2, shards.size(), "the hunts live on both nodes: " + shards);

    // A node with a key the cluster does not trust (and that does not trust the cluster) never
    // joins.
    NodeProcess n3 = NodeProcess.start("tls-stranger", db, c3, seeds, tls(stranger));
    nodes.add(n3);
    Thread.sleep(20_000);
    String members = n1.get("/cluster/members");
    assertFalse(members.contains(":" + c3), "the stranger joined: " + members);
    ClusterProcessesTest.awaitMembers(n1, 2);
  }
}
