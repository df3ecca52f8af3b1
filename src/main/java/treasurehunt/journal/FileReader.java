package treasurehunt.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A journal export file read as a journal, without a database (every read subcommand's {@code
 * --file}).
 */
final class FileReader implements JournalReader {
  private final Path file;
  private final ObjectMapper json;
  private final long maxLine;

  /** {@code maxLine}: the longest line allowed ({@link LineLimitOption}). */
  FileReader(Path file, ObjectMapper json, long maxLine) throws Exception {
    this.file = file;
    this.json = json;
    this.maxLine = maxLine;
    new ExportReader(file, json, maxLine).close(); // fails now on a file that is not an export
  }

  @Override
  public String describe() {
    return file.toString();
  }

  @Override
  public long size() throws Exception {
    return Files.size(file);
  }

  @Override
  public String unit() {
    return "bytes";
  }

  @Override
  public List<EntityInfo> entities() throws Exception {
    List<EntityInfo> out = new ArrayList<>();
    scan(
        null,
        true,
        false,
        new Visitor() {
          String pid;
          long events, last, first, lastTs, snapshot;

          @Override
          public void begin(String persistenceId, List<SnapshotRow> snapshots) {
            pid = persistenceId;
            events = last = first = lastTs = 0;
            snapshot = snapshots.isEmpty() ? 0 : snapshots.get(snapshots.size() - 1).seq();
          }

          @Override
          public void event(EventRow row) {
            if (!row.deleted()) events++;
            last = Math.max(last, row.seq());
            first = first == 0 ? row.timestamp() : Math.min(first, row.timestamp());
            lastTs = Math.max(lastTs, row.timestamp());
          }

          @Override
          public void end() {
            out.add(new EntityInfo(pid, events, last, first, lastTs, snapshot));
          }
        },
        n -> {});
    out.sort((a, b) -> a.persistenceId().compareTo(b.persistenceId()));
    return out;
  }

  @Override
  public boolean exists(String persistenceId) throws Exception {
    try (ExportReader in = new ExportReader(file, json, maxLine)) {
      for (ExportReader.Line l = in.next(); l != null; l = in.next()) {
        if (l.event() != null && l.event().persistenceId().equals(persistenceId)) return true;
        if (l.snapshot() != null && l.snapshot().persistenceId().equals(persistenceId)) return true;
      }
    }
    return false;
  }

  @Override
  public void scan(
      String persistenceId,
      boolean withSnapshots,
      boolean metadata,
      Visitor visitor,
      Progress progress)
      throws Exception {
    Pipeline.run(
        (sink, p) -> read(persistenceId, withSnapshots, metadata, sink, p), visitor, progress);
  }

  private void read(
      String persistenceId,
      boolean withSnapshots,
      boolean metadata,
      Visitor visitor,
      Progress progress)
      throws Exception {
    Set<String> seen = new HashSet<>();
    String current = null;
    boolean begun = false;
    List<SnapshotRow> snapshots = new ArrayList<>();
    long reported = 0;
    int lines = 0;
    try (ExportReader in = new ExportReader(file, json, maxLine).lean(!metadata)) {
      for (ExportReader.Line l = in.next(); l != null; l = in.next()) {
        if (++lines % 1_000 == 0) {
          long at = in.position();
          progress.advance(at - reported);
          reported = at;
        }
        String pid =
            l.event() != null
                ? l.event().persistenceId()
                : l.snapshot() != null ? l.snapshot().persistenceId() : null;
        if (pid == null || (persistenceId != null && !persistenceId.equals(pid))) continue;
        if (!pid.equals(current)) {
          if (current != null) {
            if (!begun) visitor.begin(current, List.copyOf(snapshots));
            visitor.end();
          }
          if (!seen.add(pid))
            throw new JournalException(
                file
                    + ": the rows of "
                    + pid
                    + " are not together (an export lists each entity's rows in one run)");
          current = pid;
          begun = false;
          snapshots.clear();
        }
        if (l.snapshot() != null) {
          if (begun)
            throw new JournalException(file + ": a snapshot of " + pid + " after its events");
          if (withSnapshots) snapshots.add(l.snapshot());
        } else {
          if (!begun) {
            visitor.begin(pid, List.copyOf(snapshots));
            begun = true;
          }
          visitor.event(l.event());
        }
      }
      if (current != null) {
        if (!begun) visitor.begin(current, List.copyOf(snapshots));
        visitor.end();
      }
      progress.advance(in.position() - reported);
    }
  }

  @Override
  public void close() {}
}
