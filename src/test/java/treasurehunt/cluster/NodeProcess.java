package treasurehunt.cluster;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import treasurehunt.TestNodes;

/**
 * An engine node in its own JVM, started the way an operator starts one ({@code treasurehunt.Main},
 * configuration by system properties), on free ports, against a shared PostgreSQL. Output goes to
 * target/node-logs/NAME.log.
 */
final class NodeProcess {
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  final int httpPort;
  final int managementPort;
  final int clusterPort;
  final Process process;
  final Path log;

  private NodeProcess(
      String name, int httpPort, int managementPort, int clusterPort, Process process, Path log) {
    this.name = name;
    this.httpPort = httpPort;
    this.managementPort = managementPort;
    this.clusterPort = clusterPort;
    this.process = process;
    this.log = log;
  }

  String address() {
    return "akka://treasure-hunt@127.0.0.1:" + clusterPort;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Starts a node; {@code seeds} empty: this node is the first seed (it joins itself). */
  static NodeProcess start(
      String name, Database db, int clusterPort, List<String> seeds, String... extra)
      throws IOException {
    int http = freePort();
    int management = freePort();
    Path dataDir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), name);
    Path logs = Path.of("target", "node-logs");
    Files.createDirectories(logs);
    Path log = logs.resolve(name + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx384m");
    cmd.add("-XX:+UseSerialGC"); // small nodes on a 2-core machine
    cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
    cmd.add("-Dtreasure-hunt.http.port=" + http);
    cmd.add("-Dtreasure-hunt.http.interface=127.0.0.1");
    cmd.add("-Dtreasure-hunt.management-port=" + management);
    cmd.add("-Dakka.remote.artery.canonical.port=" + clusterPort);
    cmd.add("-Dtreasure-hunt.data-dir=" + dataDir);
    cmd.add("-Dtreasure-hunt.db.url=" + db.url());
    cmd.add("-Dtreasure-hunt.db.user=" + db.user());
    cmd.add("-Dtreasure-hunt.db.password=" + db.password());
    cmd.add("-Dtreasure-hunt.seed-nodes=" + String.join(",", seeds));
    cmd.add("-Dtreasure-hunt.http.admin-token=" + TestNodes.ADMIN_TOKEN);
    cmd.add("-Dtreasure-hunt.http.token-secret=" + TestNodes.TOKEN_SECRET);
    // as TestNodes.TEST_LIMITS: the tests register and chat from 127.0.0.1 at machine speed
    cmd.add("-Dtreasure-hunt.limits.registrations-per-minute=0");
    cmd.add("-Dtreasure-hunt.limits.chat-per-minute=0");
    // No warm-up (20 s of a scratch node) unless a test asks for it: WarmUpTest does.
    cmd.add("-Dtreasure-hunt.warm-up.duration=0s");
    // The failure detector, split brain resolver and removal margin are production's
    // (cluster.conf). A later -D of the same name wins.
    for (String e : extra) cmd.add(e);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("treasurehunt.Main");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new NodeProcess(name, http, management, clusterPort, p, log);
  }

  /** Waits until the node is a ready cluster member serving HTTP. */
  NodeProcess awaitReady(Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive())
        throw new AssertionError(name + " exited; see " + log.toAbsolutePath());
      if (status(managementPort, "/ready") == 200 && status(httpPort, "/api/hunts/none") == 404)
        return this;
      Thread.sleep(250);
    }
    throw new AssertionError(name + " not ready within " + max + "; see " + log.toAbsolutePath());
  }

  static int status(int port, String path) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  String get(String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .header("Authorization", "Bearer " + TestNodes.ADMIN_TOKEN)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** SIGTERM: the operator's graceful stop. */
  void terminate() {
    process.destroy();
  }

  /** SIGKILL. */
  void kill() {
    process.destroyForcibly();
  }

  boolean awaitExit(Duration max) throws InterruptedException {
    return process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS);
  }

  static String classpathNote() {
    return System.getProperty("java.class.path").split(File.pathSeparator).length
        + " classpath entries";
  }
}
