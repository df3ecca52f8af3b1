package treasurehunt.journal;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Writes the whole journal as JSON lines (stdout or -o FILE).",
      "",
      "Events and snapshots of every entity, each event with its metadata, as readable JSON and as its"
          + " exact stored bytes (base64): `journal import` restores it losslessly elsewhere and the other"
          + " subcommands read it with --file. A name ending in .gz is gzipped."
    })
final class ExportCommand extends ReadCommand {
  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Where to write (default: stdout).")
  Path output;

  @Mixin ProgressOption progress;

  @Override
  int run() throws Exception {
    try (Opened journal = openDecoding()) {
      Codec codec = journal.codec();
      JournalReader reader = journal.reader();
      long started = System.nanoTime();
      long[] entities = new long[1];
      ExportFile.Writer writer;
      try (OutputStream file = output == null ? null : ExportFile.Writer.open(output)) {
        if (file != null) writer = new ExportFile.Writer(file, codec.json(), reader.describe());
        else writer = new ExportFile.Writer(out(), codec.json(), reader.describe());
        // no bar while the export itself goes to the terminal
        try (ProgressDisplay bar =
            output == null
                ? ProgressDisplay.none()
                : progress.start("export", reader::size, reader.unit())) {
          ExportFile.Writer w = writer;
          reader.scan(
              null,
              true,
              true,
              new JournalReader.Visitor() {
                @Override
                public void begin(String persistenceId, List<SnapshotRow> snapshots)
                    throws Exception {
                  entities[0]++;
                  for (SnapshotRow s : snapshots) w.snapshot(s);
                }

                @Override
                public void event(EventRow row) throws Exception {
                  Object decoded = null;
                  String error = null;
                  try {
                    decoded = codec.decode(row);
                  } catch (Exception e) {
                    error = e.toString();
                  }
                  w.event(row, decoded, error);
                }

                @Override
                public void end() {}
              },
              bar);
        }
        writer.close();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      err()
          .printf(
              "journal export: %s and %s of %s from %s to %s in %.1f s%n",
              ListCommand.count(writer.events(), "event"),
              ListCommand.count(writer.snapshots(), "snapshot"),
              ListCommand.count(entities[0], "entit", "y", "ies"),
              reader.describe(),
              output == null ? "stdout" : output,
              seconds);
    }
    return OK;
  }
}
