package treasurehunt.gateway;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import treasurehunt.entities.EngineDb;
import treasurehunt.entities.Hunt;

/**
 * The hunts created last, newest first, read from the journal: a hunt exists once its first event
 * ({@code HuntDefined}, sequence number 1 of persistence id {@code Hunt|<id>}) is stored, as {@link
 * HuntDirectory} holds. For the console's list and the player page's picker ({@link ConsoleApi}).
 *
 * <p>The journal has no index on persistence id prefixes a LIKE can use under every collation, so
 * the query walks the journal's {@code ordering} index instead, newest first, and stops after
 * {@code limit} hunts. A node remembers the highest {@code ordering} it has read and the hunts it
 * found; the next read only walks the rows written since, less a margin of {@link #RESCAN} rows (an
 * insert can commit after one with a higher ordering, the same race Akka's own queries allow for).
 * So listing hunts costs a node one walk at its first list, then a bounded one.
 */
final class HuntIndex {
  record Created(String huntId, Long at, long ordering) {}

  static final int RESCAN = 10_000;
  private static final String PREFIX = Hunt.ENTITY_KEY.name() + "|";

  private final EngineDb db;
  private final int limit;
  private final Map<String, Created> known = new HashMap<>();
  private long readTo = -1;

  HuntIndex(EngineDb db, int limit) {
    this.db = db;
    this.limit = limit;
  }

  /** At most {@code limit} hunts, newest first. */
  CompletionStage<List<Created>> newest() {
    long from;
    synchronized (this) {
      from = readTo < 0 ? -1 : Math.max(0, readTo - RESCAN);
    }
    return db.run(
        c -> {
          long head;
          try (Statement s = c.createStatement();
              ResultSet r = s.executeQuery("SELECT max(ordering) FROM event_journal")) {
            head = r.next() ? r.getLong(1) : 0;
          }
          List<Created> found = new ArrayList<>();
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT persistence_id, write_timestamp, ordering FROM event_journal"
                      + " WHERE ordering > ? AND persistence_id LIKE ? AND sequence_number = 1"
                      + " ORDER BY ordering DESC LIMIT ?")) {
            s.setQueryTimeout(30);
            s.setLong(1, from);
            s.setString(2, PREFIX + "%");
            s.setInt(3, limit);
            try (ResultSet r = s.executeQuery()) {
              while (r.next()) {
                long at = r.getLong(2);
                Long written = r.wasNull() ? null : at;
                found.add(
                    new Created(r.getString(1).substring(PREFIX.length()), written, r.getLong(3)));
              }
            }
          }
          return merge(found, head);
        });
  }

  private synchronized List<Created> merge(List<Created> found, long head) {
    for (Created c : found) known.put(c.huntId(), c);
    readTo = Math.max(readTo, head);
    List<Created> all = new ArrayList<>(known.values());
    all.sort(Comparator.comparingLong(Created::ordering).reversed());
    if (all.size() > limit) {
      for (Created dropped : all.subList(limit, all.size())) known.remove(dropped.huntId());
      all = new ArrayList<>(all.subList(0, limit));
    }
    return all;
  }
}
