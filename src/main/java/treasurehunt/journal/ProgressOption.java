package treasurehunt.journal;

import picocli.CommandLine.Option;

/**
 * {@code --no-progress}, a picocli mixin of the subcommands that show a progress bar on a long run
 * (verify, export, import).
 */
final class ProgressOption {
  @Option(
      names = "--no-progress",
      description = "No progress bar (it only shows on a terminal anyway).")
  boolean off;

  /** What the bar counts up to; only asked for when a bar shows (counting can take a while). */
  interface Total {
    long get() throws Exception;
  }

  /** A bar on stderr, or nothing with --no-progress or when stderr is not a terminal. */
  ProgressDisplay start(String task, Total total, String unit) throws Exception {
    if (off || !ProgressDisplay.interactive()) return ProgressDisplay.none();
    return ProgressDisplay.start(task, total.get(), unit);
  }
}
