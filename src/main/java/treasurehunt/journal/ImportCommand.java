package treasurehunt.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
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
          + " target's, in the same order. An empty --data-dir gets a new embedded database.",
      "",
      "The file may come from anyone: every row is checked as it is read (docs/journal.md, What"
          + " import refuses), hunt definitions with the rules of POST /api/hunts, and the first row"
          + " that breaks a rule refuses the whole file, naming its line. Nothing is written then."
    })
final class ImportCommand extends JournalSubcommand {
  @Parameters(
      paramLabel = "FILE",
      description = "An export file (journal export); .gz is read gzipped.")
  Path file;

  @Mixin DbOptions db;

  @Mixin ProgressOption progress;

  @Mixin LineLimitOption lineLimit;

  @Option(
      names = "--allow-undecodable",
      description =
          "Import a payload the engine cannot decode as it is (with a warning) instead of refusing"
              + " the file: for a trusted export of an incident, never for a file from elsewhere.")
  boolean allowUndecodable;

  @Override
  int run() throws Exception {
    if (!Files.isRegularFile(file)) throw new JournalException("no export file " + file);
    ObjectMapper json = new ObjectMapper();
    // not an export: say so before touching any database
    new ExportReader(file, json, lineLimit.bytes).close();
    long started = System.nanoTime();
    long events = 0, snapshots = 0, entities = 0;
    try (Codec codec = Codec.start(config());
        JournalDb target = db.open(config(), true)) {
      Database.external(target.url(), target.user(), target.password()).applySchema();
      ImportCheck check =
          new ImportCheck(
              file,
              codec,
              ReplaySettings.from(config(), null, null),
              allowUndecodable,
              m -> err().println(m));
      try (Connection c = target.connect(false)) {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          // events and snapshots in the order of the file, with their line; run: the entity's
          // run of rows (one per entity in a well-formed file)
          s.execute(
              "CREATE TEMP TABLE import_rows (line bigint, run bigint, snapshot boolean,"
                  + " persistence_id text, sequence_number bigint, ordering bigint, deleted boolean,"
                  + " writer text, write_timestamp bigint, adapter_manifest text, ser_id int,"
                  + " ser_manifest text, payload bytea, meta_ser_id int, meta_ser_manifest text,"
                  + " meta_payload bytea, tags text[]) ON COMMIT DROP");
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        CopyCsv rows =
            new CopyCsv(pg.getCopyAPI().copyIn("COPY import_rows FROM STDIN WITH (FORMAT csv)"));
        String lastPid = null, lastEventPid = null;
        long run = 0;
        try (ExportReader in = new ExportReader(file, json, lineLimit.bytes);
            ProgressDisplay bar = progress.start("import", () -> Files.size(file), "bytes")) {
          long reported = 0;
          for (ExportReader.Line l = in.next(); l != null; l = in.next()) {
            check.check(in.lineNumber(), l);
            String pid =
                l.event() != null
                    ? l.event().persistenceId()
                    : l.snapshot() != null ? l.snapshot().persistenceId() : null;
            if (pid != null && !pid.equals(lastPid)) {
              run++;
              lastPid = pid;
            }
            if (l.event() != null) {
              EventRow e = l.event();
              events++;
              if (!pid.equals(lastEventPid)) {
                entities++;
                lastEventPid = pid;
              }
              rows.number(in.lineNumber())
                  .number(run)
                  .bool(false)
                  .text(e.persistenceId())
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
            } else if (l.snapshot() != null) {
              SnapshotRow s = l.snapshot();
              snapshots++;
              rows.number(in.lineNumber())
                  .number(run)
                  .bool(true)
                  .text(s.persistenceId())
                  .number(s.seq())
                  .number((Number) null)
                  .bool(false)
                  .text(null)
                  .number(s.created())
                  .text(null)
                  .number(s.serId())
                  .text(s.serManifest())
                  .bytes(s.payload())
                  .number(s.metaSerId())
                  .text(s.metaSerManifest())
                  .bytes(s.metaPayload())
                  .array(null)
                  .endRow();
            } else if ("end".equals(l.kind())
                && (l.endEvents() != events || l.endSnapshots() != snapshots))
              throw new JournalException(
                  file
                      + ": the end line counts "
                      + l.endEvents()
                      + " events and "
                      + l.endSnapshots()
                      + " snapshots but the file holds "
                      + events
                      + " and "
                      + snapshots);
            if (((events + snapshots) & 1023) == 0) {
              bar.advance(in.position() - reported);
              reported = in.position();
            }
          }
          bar.advance(in.position() - reported);
          rows.close();
        } catch (JournalException e) { // the file breaks a rule
          rows.cancel();
          throw new JournalException(e.getMessage() + "; nothing imported", e);
        } catch (Exception | Error e) {
          rows.cancel();
          throw e;
        }
        refuseSplitEntities(c);
        refuseDuplicateOrderings(c);
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
                  + " write_timestamp, adapter_manifest, ser_id, ser_manifest, payload,"
                  + " meta_ser_id, meta_ser_manifest, meta_payload FROM import_rows"
                  + " WHERE NOT snapshot ORDER BY ordering");
          s.execute(
              "INSERT INTO event_tag (event_id, tag) SELECT ordering + "
                  + shift
                  + ", unnest(tags)"
                  + " FROM import_rows WHERE NOT snapshot AND tags IS NOT NULL");
          s.execute(
              "SELECT setval(pg_get_serial_sequence('event_journal', 'ordering'), max(ordering))"
                  + " FROM event_journal HAVING max(ordering) IS NOT NULL");
          s.execute(
              "INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot_ser_id,"
                  + " snapshot_ser_manifest, snapshot_payload, meta_ser_id, meta_ser_manifest, meta_payload)"
                  + " SELECT persistence_id, sequence_number, write_timestamp, ser_id, ser_manifest,"
                  + " payload, meta_ser_id, meta_ser_manifest, meta_payload FROM import_rows"
                  + " WHERE snapshot");
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
      if (check.undecodable() > 0)
        err()
            .println(
                "journal import: "
                    + ListCommand.count(check.undecodable(), "payload")
                    + " imported without being decoded (--allow-undecodable)");
    }
    return OK;
  }

  /**
   * The rows of one entity come together (as an export writes them): the checks follow one entity
   * at a time.
   */
  private void refuseSplitEntities(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT persistence_id, min(run) FROM import_rows GROUP BY persistence_id"
                    + " HAVING min(run) <> max(run) LIMIT 1")) {
      if (!r.next()) return;
      String pid = r.getString(1);
      long first = r.getLong(2);
      try (PreparedStatement p =
          c.prepareStatement(
              "SELECT min(line) FROM import_rows WHERE persistence_id = ? AND run > ?")) {
        p.setString(1, pid);
        p.setLong(2, first);
        try (ResultSet again = p.executeQuery()) {
          again.next();
          throw new JournalException(
              file
                  + " line "
                  + again.getLong(1)
                  + ": rows of "
                  + pid
                  + " again, after other entities (an export keeps each entity's rows together);"
                  + " nothing imported");
        }
      }
    }
  }

  /** Every event has an ordering of its own (the journal's global order). */
  private void refuseDuplicateOrderings(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT ordering, min(line), max(line) FROM import_rows WHERE NOT snapshot"
                    + " GROUP BY ordering HAVING count(*) > 1 ORDER BY 3 LIMIT 1")) {
      if (r.next())
        throw new JournalException(
            file
                + " line "
                + r.getLong(3)
                + ": ordering "
                + r.getLong(1)
                + " again (first on line "
                + r.getLong(2)
                + "; each event has its own); nothing imported");
    }
  }

  /**
   * An import never mixes with an entity the target already has, by its events or its snapshots:
   * its sequence numbers would clash, or a foreign snapshot would become the entity's state.
   */
  private static void refuseExisting(Connection c) throws SQLException {
    List<String> clash = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT DISTINCT persistence_id FROM import_rows i WHERE"
                    + " EXISTS (SELECT 1 FROM event_journal e WHERE e.persistence_id = i.persistence_id)"
                    + " OR EXISTS (SELECT 1 FROM snapshot e WHERE e.persistence_id = i.persistence_id)"
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
}
