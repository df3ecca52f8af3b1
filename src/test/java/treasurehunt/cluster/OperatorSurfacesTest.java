package treasurehunt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;

/**
 * Akka Management as a stranger on the network sees it: bound to the node's cluster host only,
 * probes and /metrics open, the cluster's layout and its membership routes only with the operator
 * credential.
 */
class OperatorSurfacesTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static Node node;
  static int management;

  @BeforeAll
  static void start() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      management = s.getLocalPort();
    }
    node =
        TestNodes.start(
            TestDatabase.fresh("operator"),
            // TestNodes' fallback configuration is already resolved: set Akka Management's own
            // keys.
            "akka.management.http.port = "
                + management
                + "\nakka.management.http.bind-port = "
                + management
                + "\n");
    long deadline = System.currentTimeMillis() + 30_000;
    while (status("/ready", null) != 200) {
      assertTrue(System.currentTimeMillis() < deadline, "management never answered /ready");
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) TestNodes.stop(node);
  }

  @Test
  void probesAndMetricsAreOpen() throws Exception {
    assertEquals(200, status("/ready", null));
    assertEquals(200, status("/alive", null));
    assertEquals(200, status("/metrics", null));
  }

  @Test
  void clusterLayoutAndMembershipNeedTheOperatorCredential() throws Exception {
    for (String path : new String[] {"/shards", "/cluster/members", "/cluster/shards/Hunt"}) {
      assertEquals(401, status(path, null), path + " without a credential");
      assertEquals(401, status(path, "Bearer not-the-token"), path + " with a wrong token");
      assertEquals(401, status(path, TestNodes.ADMIN_TOKEN), path + " without the Bearer scheme");
    }
    assertEquals(200, status("/shards", "Bearer " + TestNodes.ADMIN_TOKEN));
    assertEquals(200, status("/cluster/members", "Bearer " + TestNodes.ADMIN_TOKEN));
    // Leaving the cluster is not even offered in the default read-only mode, credential or not.
    HttpResponse<String> leave =
        HTTP.send(
            request(
                    "/cluster/members/" + "akka://treasure-hunt@127.0.0.1:1",
                    "Bearer " + TestNodes.ADMIN_TOKEN)
                .method("PUT", HttpRequest.BodyPublishers.ofString("operation=Leave"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(leave.statusCode() >= 400, "PUT /cluster/members answered " + leave.statusCode());
  }

  @Test
  void managementListensOnTheClusterHostOnly() throws Exception {
    Optional<InetAddress> other =
        Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
            .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
            .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
            .findFirst();
    assumeTrue(other.isPresent(), "this machine has no non-loopback IPv4 address to try");
    assertThrows(
        IOException.class,
        () -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(other.get(), management), 2_000);
          }
        },
        "management answered on " + other.get() + ", not only on the cluster host 127.0.0.1");
  }

  static HttpRequest.Builder request(String path, String authorization) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + path))
            .timeout(Duration.ofSeconds(10));
    if (authorization != null) b.header("Authorization", authorization);
    return b;
  }

  static int status(String path, String authorization) {
    try {
      return HTTP.send(request(path, authorization).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
