package treasurehunt.journal;

import com.typesafe.config.Config;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import treasurehunt.cluster.NodeSettings;

/**
 * Which PostgreSQL: chosen as the node chooses it (TH_DB_URL, else the embedded one under
 * TH_DATA_DIR).
 */
final class DbOptions {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "The node's data folder; its embedded PostgreSQL is used (default: TH_DATA_DIR, else ./data).")
  Path dataDir;

  @Option(
      names = "--db-url",
      paramLabel = "URL",
      description = "A PostgreSQL JDBC URL instead (default: TH_DB_URL).")
  String dbUrl;

  @Option(
      names = "--db-user",
      paramLabel = "USER",
      description = "Default: TH_DB_USER, else postgres.")
  String dbUser;

  @Option(
      names = "--db-password",
      paramLabel = "PASSWORD",
      description = "Default: TH_DB_PASSWORD.")
  String dbPassword;

  /** {@code create}: an empty data folder gets a new embedded database (import). */
  JournalDb open(Config config, boolean create) throws Exception {
    NodeSettings node = NodeSettings.from(config);
    String url = dbUrl != null ? dbUrl : node.dbUrl();
    if (url != null && !url.isBlank())
      return JournalDb.external(
          url,
          dbUser != null ? dbUser : node.dbUser(),
          dbPassword != null ? dbPassword : node.dbPassword());
    return JournalDb.embedded(dataDir != null ? dataDir : node.dataDir(), create);
  }
}
