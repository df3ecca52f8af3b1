package treasurehunt.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code event_journal} and {@code snapshot} with plain JDBC in one read-only REPEATABLE READ
 * transaction (a consistent picture even while a node writes), streaming the events through a
 * cursor in primary-key order so memory stays flat whatever the journal's size.
 */
final class DbReader implements JournalReader {
  static final int FETCH_SIZE = 5_000;

  private final JournalDb db;
  private final Connection connection;
  private final boolean hasTags;

  DbReader(JournalDb db) throws SQLException {
    this.db = db;
    this.connection = db.connect(true);
    try {
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      connection.setAutoCommit(false);
      if (!tableExists("event_journal"))
        throw new JournalException(
            "no event_journal table in " + db.describe() + ": not an engine database");
      hasTags = tableExists("event_tag") && has("SELECT 1 FROM event_tag LIMIT 1");
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  @Override
  public String describe() {
    return db.describe();
  }

  private boolean tableExists(String table) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      s.setString(1, table);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getBoolean(1);
      }
    }
  }

  private boolean has(String sql) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      return r.next();
    }
  }

  @Override
  public List<EntityInfo> entities() throws SQLException {
    Map<String, Long> snapshots = new HashMap<>();
    try (Statement s = connection.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT persistence_id, max(sequence_number) FROM snapshot GROUP BY persistence_id")) {
      while (r.next()) snapshots.put(r.getString(1), r.getLong(2));
    }
    List<EntityInfo> out = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT persistence_id, count(*) FILTER (WHERE NOT deleted), max(sequence_number),"
                    + " min(write_timestamp), max(write_timestamp)"
                    + " FROM event_journal GROUP BY persistence_id ORDER BY persistence_id")) {
      while (r.next()) {
        String pid = r.getString(1);
        Long snap = snapshots.remove(pid);
        out.add(
            new EntityInfo(
                pid,
                r.getLong(2),
                r.getLong(3),
                r.getLong(4),
                r.getLong(5),
                snap == null ? 0 : snap));
      }
    }
    snapshots.forEach((pid, seq) -> out.add(new EntityInfo(pid, 0, 0, 0, 0, seq)));
    out.sort((a, b) -> a.persistenceId().compareTo(b.persistenceId()));
    return out;
  }

  @Override
  public boolean exists(String persistenceId) throws SQLException {
    try (PreparedStatement s =
        connection.prepareStatement(
            "SELECT 1 FROM event_journal WHERE persistence_id = ? UNION ALL"
                + " SELECT 1 FROM snapshot WHERE persistence_id = ? LIMIT 1")) {
      s.setString(1, persistenceId);
      s.setString(2, persistenceId);
      try (ResultSet r = s.executeQuery()) {
        return r.next();
      }
    }
  }

  @Override
  public long size() throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM event_journal")) {
      r.next();
      return r.getLong(1);
    }
  }

  @Override
  public String unit() {
    return "events";
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
      Visitor sink,
      Progress progress)
      throws Exception {
    // Which entities have snapshots (ids only; payloads are read entity by entity).
    Map<String, Boolean> snapshotted = new LinkedHashMap<>();
    if (withSnapshots) {
      String sql =
          "SELECT DISTINCT persistence_id FROM snapshot"
              + (persistenceId == null ? "" : " WHERE persistence_id = ?");
      try (PreparedStatement s = connection.prepareStatement(sql)) {
        if (persistenceId != null) s.setString(1, persistenceId);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) snapshotted.put(r.getString(1), Boolean.FALSE);
        }
      }
    }
    boolean tags = metadata && hasTags;
    String sql =
        "SELECT persistence_id, sequence_number, deleted, write_timestamp, event_ser_id, event_ser_manifest, event_payload"
            + (metadata
                ? ", ordering, writer, adapter_manifest, meta_ser_id, meta_ser_manifest, meta_payload"
                : "")
            + (tags
                ? ", (SELECT array_agg(tag ORDER BY tag) FROM event_tag t WHERE t.event_id = e.ordering)"
                : "")
            + " FROM event_journal e"
            + (persistenceId == null ? "" : " WHERE persistence_id = ?")
            + " ORDER BY persistence_id, sequence_number";
    try (PreparedStatement s = connection.prepareStatement(sql)) {
      s.setFetchSize(FETCH_SIZE);
      if (persistenceId != null) s.setString(1, persistenceId);
      try (ResultSet r = s.executeQuery()) {
        String current = null;
        String manifest = "";
        int pending = 0;
        while (r.next()) {
          String pid = r.getString(1);
          if (pid.equals(current)) pid = current;
          else {
            if (current != null) sink.end();
            current = pid;
            List<SnapshotRow> snaps = List.of();
            if (snapshotted.containsKey(pid)) {
              snapshotted.put(pid, Boolean.TRUE);
              snaps = snapshots(pid);
            }
            sink.begin(pid, snaps);
          }
          String m = r.getString(6);
          if (m.equals(manifest))
            m = manifest; // one String per run of equal manifests, not one per row
          else manifest = m;
          Integer metaSerId = null;
          List<String> tagList = List.of();
          if (metadata) {
            int metaId = r.getInt(11);
            metaSerId = r.wasNull() ? null : metaId;
            if (tags) {
              java.sql.Array a = r.getArray(14);
              if (a != null) tagList = Arrays.asList((String[]) a.getArray());
            }
          }
          sink.event(
              new EventRow(
                  pid,
                  r.getLong(2),
                  metadata ? r.getLong(8) : 0,
                  r.getBoolean(3),
                  metadata ? r.getString(9) : null,
                  r.getLong(4),
                  metadata ? r.getString(10) : null,
                  r.getInt(5),
                  m,
                  r.getBytes(7),
                  metaSerId,
                  metadata ? r.getString(12) : null,
                  metadata ? r.getBytes(13) : null,
                  tagList));
          if (++pending == 1_000) {
            progress.advance(pending);
            pending = 0;
          }
        }
        progress.advance(pending);
        if (current != null) sink.end();
      }
    }
    // Entities with snapshots but no events left.
    for (Map.Entry<String, Boolean> e : snapshotted.entrySet()) {
      if (e.getValue()) continue;
      sink.begin(e.getKey(), snapshots(e.getKey()));
      sink.end();
    }
  }

  private List<SnapshotRow> snapshots(String pid) throws SQLException {
    List<SnapshotRow> out = new ArrayList<>(2);
    try (PreparedStatement s =
        connection.prepareStatement(
            "SELECT sequence_number, created, snapshot_ser_id, snapshot_ser_manifest, snapshot_payload,"
                + " meta_ser_id, meta_ser_manifest, meta_payload"
                + " FROM snapshot WHERE persistence_id = ? ORDER BY sequence_number")) {
      s.setString(1, pid);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          int metaId = r.getInt(6);
          Integer metaSerId = r.wasNull() ? null : metaId;
          out.add(
              new SnapshotRow(
                  pid,
                  r.getLong(1),
                  r.getLong(2),
                  r.getInt(3),
                  r.getString(4),
                  r.getBytes(5),
                  metaSerId,
                  r.getString(7),
                  r.getBytes(8)));
        }
      }
    }
    return out;
  }

  @Override
  public void close() throws SQLException {
    try {
      connection.rollback();
    } finally {
      connection.close();
    }
  }
}
