package treasurehunt;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import treasurehunt.cluster.Node;
import treasurehunt.cluster.PostgresCommand;
import treasurehunt.journal.JournalCommand;

/**
 * The jar's entry point, above every part it starts: {@code cluster/} (a node, the embedded
 * PostgreSQL) and {@code journal/} (the journal tools), so neither imports the other. With no
 * subcommand it runs an engine node ({@code java -jar treasure-hunt.jar}). Every setting comes from
 * HOCON with TH_* environment overrides (see README).
 */
@Command(
    name = "treasure-hunt",
    mixinStandardHelpOptions = true,
    version = "treasure-hunt 0.1.0",
    description = "The Treasure Hunt Engine. Without a subcommand: run an engine node.",
    subcommands = {Main.NodeCommand.class, PostgresCommand.class, JournalCommand.class})
public final class Main implements Callable<Integer> {

  public static void main(String[] args) {
    commonPoolAtLeast(4);
    int code = new CommandLine(new Main()).execute(args);
    System.exit(code);
  }

  /**
   * On a machine with 2 CPUs the JDK's common ForkJoinPool has parallelism 1, and then every
   * CompletableFuture "async" step runs on a brand-new thread (ThreadPerTaskExecutor). Akka's Java
   * ask returns Scala-backed CompletionStages whose callbacks take that path, so without this each
   * entity reply started an OS thread (found under load, BENCHMARKS.md). Must run before the pool
   * is first used.
   */
  static void commonPoolAtLeast(int parallelism) {
    String key = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(key) == null
        && Runtime.getRuntime().availableProcessors() - 1 < parallelism)
      System.setProperty(key, Integer.toString(parallelism));
  }

  @Override
  public Integer call() throws Exception {
    return new NodeCommand().call();
  }

  @Command(
      name = "node",
      mixinStandardHelpOptions = true,
      description = "Run an engine node (the default).")
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
