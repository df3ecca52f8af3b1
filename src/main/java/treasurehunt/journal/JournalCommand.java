package treasurehunt.journal;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar treasure-hunt.jar journal ...}: tools to replay and inspect the event journal
 * (README, docs/journal.md). They read the node's database (embedded under the data folder, or by
 * URL) or an export file, never write to it except {@code import}, and rebuild states with the
 * entities' own event handlers.
 */
@Command(
    name = "journal",
    mixinStandardHelpOptions = true,
    description = {
      "Replay and inspect the event journal.",
      "",
      "Reads the node's embedded database (--data-dir, default ./data), any PostgreSQL (--db-url) or an"
          + " export file (--file). Read-only, except import. See docs/journal.md."
    },
    subcommands = {
      ListCommand.class,
      TimelineCommand.class,
      StateCommand.class,
      VerifyCommand.class,
      ExportCommand.class,
      ImportCommand.class,
      ReplayCommand.class
    })
public final class JournalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }
}
