package treasurehunt.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import treasurehunt.cluster.Database;

@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Writes an export file into a database (the one command that writes).",
      "",
      "The same rows, byte for byte, in one transaction. Entities the target already has are refused."
          + " Into an empty journal the global ordering is kept; otherwise it is shifted past the"
          + " target's, in the same order. An empty --data-dir gets a new embedded database."
    })
final class ImportCommand extends JournalSubcommand {
  @Parameters(
      paramLabel = "FILE",
      description = "An export file (journal export); .gz is read gzipped.")
  Path file;

  @Mixin DbOptions db;

  @Mixin ProgressOption progress;

  @Mixin LineLimitOption lineLimit;

  @Override
  int run() throws Exception {
    if (!Files.isRegularFile(file)) throw new JournalException("no export file " + file);
    ObjectMapper json = new ObjectMapper();
    new ExportReader(file, json, lineLimit.bytes)
        .close(); // not an export: say so before touching any database
    long started = System.nanoTime();
    long events = 0, snapshots = 0, entities = 0;
    try (JournalDb target = db.open(config(), true)) {
      Database.external(target.url(), target.user(), target.password()).applySchema();
      try (Connection c = target.connect(false)) {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.execute(
              "CREATE TEMP TABLE import_events (persistence_id text, sequence_number bigint, ordering bigint,"
                  + " deleted boolean, writer text, write_timestamp bigint, adapter_manifest text, event_ser_id int,"
                  + " event_ser_manifest text, event_payload bytea, meta_ser_id int, meta_ser_manifest text,"
                  + " meta_payload bytea, tags text[]) ON COMMIT DROP");
          s.execute(
              "CREATE TEMP TABLE import_snapshots (persistence_id text, sequence_number bigint, created bigint,"
                  + " snapshot_ser_id int, snapshot_ser_manifest text, snapshot_payload bytea, meta_ser_id int,"
                  + " meta_ser_manifest text, meta_payload bytea) ON COMMIT DROP");
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        Csv ev = new Csv(pg.getCopyAPI().copyIn("COPY import_events FROM STDIN WITH (FORMAT csv)"));
        List<SnapshotRow> snaps = new ArrayList<>();
        String lastPid = null;
        try (ExportReader in = new ExportReader(file, json, lineLimit.bytes);
            ProgressDisplay bar = progress.start("import", () -> Files.size(file), "bytes")) {
          long reported = 0;
          for (ExportReader.Line l = in.next(); l != null; l = in.next()) {
            if (l.event() != null) {
              EventRow e = l.event();
              events++;
              if (!e.persistenceId().equals(lastPid)) {
                entities++;
                lastPid = e.persistenceId();
              }
              ev.text(e.persistenceId())
                  .number(e.seq())
                  .number(e.ordering())
                  .bool(e.deleted())
                  .text(e.writer())
                  .number(e.timestamp())
                  .text(e.adapterManifest())
                  .number(e.serId())
                  .text(e.serManifest())
                  .bytes(e.payload())
                  .number(e.metaSerId())
                  .text(e.metaSerManifest())
                  .bytes(e.metaPayload())
                  .array(e.tags())
                  .endRow();
            } else if (l.snapshot() != null) snaps.add(l.snapshot());
            else if ("end".equals(l.kind())
                && (l.endEvents() != events || l.endSnapshots() != snaps.size()))
              throw new JournalException(
                  file
                      + ": the end line counts "
                      + l.endEvents()
                      + " events and "
                      + l.endSnapshots()
                      + " snapshots but the file holds "
                      + events
                      + " and "
                      + snaps.size());
            if ((events & 1023) == 0) {
              bar.advance(in.position() - reported);
              reported = in.position();
            }
          }
          bar.advance(in.position() - reported);
          ev.close();
        } catch (Exception | Error e) {
          ev.cancel();
          throw e;
        }
        Csv sn =
            new Csv(pg.getCopyAPI().copyIn("COPY import_snapshots FROM STDIN WITH (FORMAT csv)"));
        for (SnapshotRow s : snaps)
          sn.text(s.persistenceId())
              .number(s.seq())
              .number(s.created())
              .number(s.serId())
              .text(s.serManifest())
              .bytes(s.payload())
              .number(s.metaSerId())
              .text(s.metaSerManifest())
              .bytes(s.metaPayload())
              .endRow();
        sn.close();
        snapshots = snaps.size();
        refuseExisting(c);
        try (Statement s = c.createStatement()) {
          long shift;
          try (ResultSet r =
              s.executeQuery("SELECT coalesce(max(ordering), 0) FROM event_journal")) {
            r.next();
            shift = r.getLong(1);
          }
          s.execute(
              "INSERT INTO event_journal (ordering, persistence_id, sequence_number, deleted, writer,"
                  + " write_timestamp, adapter_manifest, event_ser_id, event_ser_manifest, event_payload,"
                  + " meta_ser_id, meta_ser_manifest, meta_payload)"
                  + " SELECT ordering + "
                  + shift
                  + ", persistence_id, sequence_number, deleted, writer,"
                  + " write_timestamp, adapter_manifest, event_ser_id, event_ser_manifest, event_payload,"
                  + " meta_ser_id, meta_ser_manifest, meta_payload FROM import_events ORDER BY ordering");
          s.execute(
              "INSERT INTO event_tag (event_id, tag) SELECT ordering + "
                  + shift
                  + ", unnest(tags)"
                  + " FROM import_events WHERE tags IS NOT NULL");
          s.execute(
              "SELECT setval(pg_get_serial_sequence('event_journal', 'ordering'), max(ordering))"
                  + " FROM event_journal HAVING max(ordering) IS NOT NULL");
          s.execute(
              "INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot_ser_id,"
                  + " snapshot_ser_manifest, snapshot_payload, meta_ser_id, meta_ser_manifest, meta_payload)"
                  + " SELECT * FROM import_snapshots");
        }
        c.commit();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      out()
          .printf(
              "Imported %s and %s of %s from %s into %s in %.1f s%n",
              ListCommand.count(events, "event"),
              ListCommand.count(snapshots, "snapshot"),
              ListCommand.count(entities, "entit", "y", "ies"),
              file,
              target.describe(),
              seconds);
    }
    return OK;
  }

  /**
   * An import never mixes with an entity the target already has: its sequence numbers would clash.
   */
  private static void refuseExisting(Connection c) throws SQLException {
    List<String> clash = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT DISTINCT persistence_id FROM ("
                    + " SELECT persistence_id FROM import_events i WHERE EXISTS"
                    + "  (SELECT 1 FROM event_journal e WHERE e.persistence_id = i.persistence_id)"
                    + " UNION ALL SELECT persistence_id FROM import_snapshots i WHERE EXISTS"
                    + "  (SELECT 1 FROM snapshot e WHERE e.persistence_id = i.persistence_id)) x"
                    + " ORDER BY 1 LIMIT 6")) {
      while (r.next()) clash.add(r.getString(1));
    }
    if (!clash.isEmpty())
      throw new JournalException(
          "the target already has "
              + String.join(", ", clash.subList(0, Math.min(5, clash.size())))
              + (clash.size() > 5 ? " and more" : "")
              + ": nothing imported (import into a database without these entities)");
  }

  /**
   * Rows for COPY ... (FORMAT csv): strings always quoted (so "" stays empty and a bare field is
   * NULL).
   */
  private static final class Csv {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private final CopyIn copy;
    private final StringBuilder row = new StringBuilder(1024);
    private byte[] buffer = new byte[1 << 16];
    private int used;
    private boolean first = true;

    Csv(CopyIn copy) {
      this.copy = copy;
    }

    private Csv sep() {
      if (!first) row.append(',');
      first = false;
      return this;
    }

    Csv text(String s) {
      sep();
      if (s != null) row.append('"').append(s.replace("\"", "\"\"")).append('"');
      return this;
    }

    Csv number(Number n) {
      sep();
      if (n != null) row.append(n.longValue());
      return this;
    }

    Csv number(long n) {
      sep();
      row.append(n);
      return this;
    }

    Csv bool(boolean b) {
      sep();
      row.append(b ? 't' : 'f');
      return this;
    }

    Csv bytes(byte[] b) {
      sep();
      if (b == null) return this;
      row.append("\"\\x");
      for (byte x : b) row.append(HEX[(x >> 4) & 15]).append(HEX[x & 15]);
      row.append('"');
      return this;
    }

    Csv array(List<String> items) {
      if (items == null || items.isEmpty()) return sep();
      StringBuilder a = new StringBuilder("{");
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) a.append(',');
        a.append('"').append(items.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      }
      return text(a.append('}').toString());
    }

    void endRow() throws SQLException {
      row.append('\n');
      byte[] b = row.toString().getBytes(StandardCharsets.UTF_8);
      row.setLength(0);
      first = true;
      if (used + b.length > buffer.length) flush();
      if (b.length > buffer.length) copy.writeToCopy(b, 0, b.length);
      else {
        System.arraycopy(b, 0, buffer, used, b.length);
        used += b.length;
      }
    }

    private void flush() throws SQLException {
      if (used > 0) copy.writeToCopy(buffer, 0, used);
      used = 0;
    }

    void close() throws SQLException, IOException {
      flush();
      copy.endCopy();
    }

    /** Ends a COPY left open by a failure (nothing happens after a successful close). */
    void cancel() throws SQLException {
      if (copy.isActive()) copy.cancelCopy();
    }
  }
}
