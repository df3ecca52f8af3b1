package treasurehunt.cluster;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The jar's entry point. With no subcommand it runs an engine node ({@code java -jar treasure-hunt.jar}).
 * Every setting comes from HOCON with TH_* environment overrides (see README).
 */
@Command(
    name = "treasure-hunt",
    mixinStandardHelpOptions = true,
    version = "treasure-hunt 0.1.0",
    description = "The Treasure Hunt Engine. Without a subcommand: run an engine node.",
    subcommands = {Main.NodeCommand.class, PostgresCommand.class, treasurehunt.journal.JournalCommand.class})
public final class Main implements Callable<Integer> {

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    System.exit(code);
  }

  @Override
  public Integer call() throws Exception {
    return new NodeCommand().call();
  }

  @Command(name = "node", mixinStandardHelpOptions = true, description = "Run an engine node (the default).")
  static final class NodeCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      Node node = Node.start(ConfigFactory.load());
      // The ActorSystem keeps the JVM alive; coordinated shutdown (SIGTERM) ends it.
      node.system.getWhenTerminated().toCompletableFuture().join();
      return 0;
    }
  }
}
