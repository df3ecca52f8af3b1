package treasurehunt.cluster;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code treasure-hunt postgres}: the embedded PostgreSQL on its own, on a fixed port, so several
 * nodes on one machine can share it (cluster-config/local-*.conf point at port 5433). Data stays in
 * the folder across restarts; Ctrl-C or SIGTERM stops it cleanly.
 */
@Command(
    name = "postgres",
    mixinStandardHelpOptions = true,
    description = "Run the embedded PostgreSQL standalone (for a local cluster), schema applied.")
public final class PostgresCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      defaultValue = "5433",
      description = "TCP port on localhost (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--data-dir",
      defaultValue = "data/cluster-postgres",
      description = "Where its data lives (default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    Database db = Database.embedded(dataDir.toAbsolutePath(), port);
    db.applySchema();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    db.close();
                  } catch (Exception e) {
                    System.err.println("stopping PostgreSQL: " + e);
                  }
                  stopped.countDown();
                }));
    System.out.println("PostgreSQL ready: TH_DB_URL=" + db.url() + " TH_DB_USER=" + db.user());
    System.out.println("Data in " + dataDir.toAbsolutePath() + ". Ctrl-C stops it.");
    stopped.await();
    return 0;
  }
}
