package treasurehunt.journal;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Replays every hunt and player and checks that the journal adds up.",
      "",
      "Events decode and apply, no sequence gaps, the rebuilt state equals the latest snapshot, scores"
          + " equal the points of the finds, no exclusive treasure found twice, hunt streams numbered"
          + " without gaps, players' finds recorded by their hunts. Exit 0 when all holds, 1 on a"
          + " violation (each named with entity and sequence number), 2 on an error."
    })
final class VerifyCommand extends ReadCommand {
  @Option(
      names = "--max-report",
      paramLabel = "N",
      defaultValue = "100",
      description = "Findings printed at most (default ${DEFAULT-VALUE}); all are counted.")
  int maxReport;

  @Option(names = "--strict", description = "Warnings fail too (exit 1).")
  boolean strict;

  @Mixin ProgressOption progress;

  @Override
  int run() throws Exception {
    try (Opened journal = openDecoding()) {
      JournalReader reader = journal.reader();
      Verifier verifier = new Verifier(journal.codec(), replaySettings());
      err().println("journal verify: " + reader.describe());
      err().flush();
      long started;
      try (ProgressDisplay bar = progress.start("verify", reader::size, reader.unit())) {
        started = System.nanoTime();
        reader.scan(null, true, false, new TrimmingVisitor(verifier, Math.max(maxReport, 0)), bar);
      }
      verifier.finish();
      long elapsed = System.nanoTime() - started;
      double seconds = elapsed / 1e9;
      out()
          .printf(
              "Replayed %s and %s: %s%s, %s compared, in %.2f s (%,.0f events/s)%n",
              ListCommand.count(verifier.hunts, "hunt"),
              ListCommand.count(verifier.players, "player")
                  + (verifier.trails == 0
                      ? ""
                      : " with " + ListCommand.count(verifier.trails, "trail")),
              ListCommand.count(verifier.events, "event"),
              verifier.others == 0
                  ? ""
                  : " (and "
                      + ListCommand.count(verifier.otherEvents, "event")
                      + " of "
                      + ListCommand.count(verifier.others, "sharding entr", "y", "ies")
                      + ", not checked)",
              ListCommand.count(verifier.snapshotsCompared, "snapshot"),
              seconds,
              verifier.events / Math.max(seconds, 1e-9));
      int shown = 0;
      for (Finding f : verifier.findings()) {
        if (shown++ >= maxReport) break;
        out().println(f.line());
      }
      int all = verifier.violations() + verifier.warnings();
      if (all > maxReport) out().println("... and " + (all - maxReport) + " more (--max-report)");
      boolean failed = verifier.violations() > 0 || strict && verifier.warnings() > 0;
      out()
          .println(
              (failed ? "FAILED: " : "OK: ")
                  + ListCommand.count(verifier.violations(), "violation")
                  + ", "
                  + ListCommand.count(verifier.warnings(), "warning"));
      return failed ? VIOLATIONS : OK;
    }
  }

  /** Keeps the findings in memory bounded while counting them all. */
  private static final class TrimmingVisitor implements JournalReader.Visitor {
    private final Verifier verifier;
    private final int max;

    TrimmingVisitor(Verifier verifier, int max) {
      this.verifier = verifier;
      this.max = max;
    }

    @Override
    public void begin(String persistenceId, java.util.List<SnapshotRow> snapshots) {
      verifier.begin(persistenceId, snapshots);
    }

    @Override
    public void event(EventRow row) {
      verifier.event(row);
    }

    @Override
    public void end() {
      verifier.end();
      verifier.trim(Math.max(max, 1_000));
    }
  }
}
