package treasurehunt.journal;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import treasurehunt.entities.Hunt;
import treasurehunt.gateway.Frames;

@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Re-emits a hunt's public stream to stdout, paced as it happened.",
      "",
      "One WebSocket `event` frame (JSON) per line, numbered as the clients saw them, in time order, paced"
          + " by the recorded times divided by --speed."
    })
final class ReplayCommand extends ReadCommand {
  @Parameters(
      paramLabel = "HUNT",
      description = "The hunt: old-town, hunt:old-town or Hunt|old-town.")
  String hunt;

  @Option(
      names = "--speed",
      paramLabel = "X",
      defaultValue = "1",
      description =
          "How many times faster than it happened (default ${DEFAULT-VALUE}); 0: no pauses at all.")
  double speed;

  @Option(
      names = "--max-pause",
      paramLabel = "SECONDS",
      description =
          "Longest pause between two events, after dividing by the speed (default: no limit).")
  Double maxPause;

  @Override
  int run() throws Exception {
    if (speed < 0) throw new JournalException("--speed must be 0 (no pauses) or more");
    try (Opened journal = openDecoding()) {
      Codec codec = journal.codec();
      JournalReader reader = journal.reader();
      String pid =
          resolve(reader, hunt.contains(":") || hunt.contains("|") ? hunt : "hunt:" + hunt);
      if (EntityKind.of(pid) != EntityKind.HUNT) throw new JournalException(pid + " is not a hunt");
      // A window of at least 2 holds every entry a single event publishes (a find: the find and
      // the board).
      ReplaySettings s = replaySettings();
      Replay replay =
          new Replay(pid, new ReplaySettings(Math.max(2, s.streamWindow()), s.idempotencyWindow()));
      reader.scan(
          pid,
          false,
          false,
          new JournalReader.Visitor() {
            long lastAt = Long.MIN_VALUE;

            @Override
            public void begin(String persistenceId, List<SnapshotRow> snapshots) {}

            @Override
            public void event(EventRow row) throws Exception {
              if (row.deleted()) return;
              Object event;
              try {
                event = codec.decode(row);
              } catch (Exception e) {
                throw new JournalException(
                    pid + " seq " + row.seq() + ": cannot decode " + row.serManifest() + ": " + e);
              }
              long before = replay.hunt().seq();
              replay.apply(event, row.seq(), row.timestamp());
              for (Hunt.StreamEntry entry : replay.hunt().entriesAfter(before)) {
                pause(entry.at());
                out().print(Frames.event(entry) + "\n");
                if (speed > 0) out().flush();
              }
            }

            private void pause(long at) throws InterruptedException {
              if (speed > 0 && lastAt != Long.MIN_VALUE && at > lastAt) {
                double ms = (at - lastAt) / speed;
                if (maxPause != null) ms = Math.min(ms, maxPause * 1000);
                if (ms >= 1) Thread.sleep((long) ms);
              }
              lastAt = Math.max(lastAt, at);
            }

            @Override
            public void end() {}
          },
          n -> {});
    }
    return OK;
  }
}
