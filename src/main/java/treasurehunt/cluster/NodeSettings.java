package treasurehunt.cluster;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The node's operator settings (cluster.conf, persistence.conf), read once. */
public record NodeSettings(
    Path dataDir,
    List<String> seedNodes,
    String bootstrap,
    int managementPort,
    String dbUrl,
    String dbUser,
    String dbPassword,
    boolean dbDurable) {

  public static NodeSettings from(Config config) {
    Config th = config.getConfig("treasure-hunt");
    List<String> seeds =
        Arrays.stream(th.getString("seed-nodes").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList();
    return new NodeSettings(
        Path.of(th.getString("data-dir")).toAbsolutePath(),
        seeds,
        th.getString("bootstrap"),
        th.getInt("management-port"),
        th.getString("db.url"),
        th.getString("db.user"),
        th.getString("db.password"),
        th.getBoolean("db.durable"));
  }

  public boolean embeddedDatabase() {
    return dbUrl.isBlank();
  }
}
