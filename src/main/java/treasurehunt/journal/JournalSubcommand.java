package treasurehunt.journal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every journal subcommand shares: the engine's configuration (with its TH_* overrides),
 * output through picocli's writers (so tests capture it), logging kept off stdout, and one-line
 * errors (exit 2).
 */
abstract class JournalSubcommand implements Callable<Integer> {
  /** Exit codes: 0 fine, 1 verify found violations, 2 the command could not do its work. */
  static final int OK = 0, VIOLATIONS = 1, FAILED = 2;

  @Spec CommandSpec spec;

  private Config config;

  Config config() {
    if (config == null) config = ConfigFactory.load();
    return config;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  abstract int run() throws Exception;

  @Override
  public final Integer call() {
    quietLogging();
    try {
      return run();
    } catch (JournalException e) {
      err().println("journal " + spec.name() + ": " + e.getMessage());
      return FAILED;
    } catch (java.sql.SQLException e) {
      err().println("journal " + spec.name() + ": database error: " + e.getMessage());
      return FAILED;
    } catch (Exception e) {
      err().println("journal " + spec.name() + ": " + e);
      e.printStackTrace(err());
      return FAILED;
    } finally {
      out().flush();
      err().flush();
    }
  }

  /**
   * The jar's logback.xml logs INFO to stdout, which would mix with the JSON these commands print:
   * send warnings and errors to stderr and drop the rest. Left alone under the tests'
   * logback-test.xml.
   */
  private static void quietLogging() {
    if (JournalSubcommand.class.getClassLoader().getResource("logback-test.xml") != null) return;
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
    context.reset();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
    encoder.start();
    ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
  }
}
