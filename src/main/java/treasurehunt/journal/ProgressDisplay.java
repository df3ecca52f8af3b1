package treasurehunt.journal;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr for long runs (me.tongfei:progressbar), shown only on an interactive
 * terminal and never with {@code --no-progress}, so scripts and tests get clean output.
 */
final class ProgressDisplay implements JournalReader.Progress, AutoCloseable {
  private final ProgressBar bar;

  private ProgressDisplay(ProgressBar bar) {
    this.bar = bar;
  }

  /** No bar at all. */
  static ProgressDisplay none() {
    return new ProgressDisplay(null);
  }

  static boolean interactive() {
    return System.console() != null;
  }

  /**
   * A bar on stderr (see {@link ProgressOption#start}: only at a terminal, never with
   * --no-progress).
   */
  static ProgressDisplay start(String task, long total, String unit) {
    ProgressBarBuilder b =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(250)
            .setConsumer(new ConsoleProgressBarConsumer(System.err))
            .showSpeed();
    if (unit.equals("bytes")) b.setUnit(" MB", 1 << 20);
    else b.setUnit(" " + unit, 1);
    return new ProgressDisplay(b.build());
  }

  @Override
  public void advance(long n) {
    if (bar != null && n > 0) bar.stepBy(n);
  }

  @Override
  public void close() {
    if (bar != null) bar.close();
  }
}
