package treasurehunt.entities;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a hunt's stream can be read from without replaying the hunt from its first event.
 *
 * <p>A stream entry is not a journal event: the stream numbers public events ({@code seq}), the
 * journal numbers stored events ({@code sequence_number}), and they part ways at once (the
 * definition makes no entry, a find that scores makes two: {@code treasure_found} and {@code
 * leaderboard}). Nor can an entry be rendered from its event alone: it carries the player's name,
 * and a {@code leaderboard} entry the ranking of every member at that moment. So seeking needs the
 * hunt's state at a known journal position — a checkpoint: the stream position, the journal
 * sequence number it corresponds to, and the members (names, scores, tie-breakers). Nothing else of
 * the state (definition, finds, chat ids) matters for rendering the stream.
 *
 * <p>The Hunt entity writes one every {@code stream-checkpoint-every} journal events (and one when
 * it recovers) to the engine's own table {@code hunt_stream_checkpoint} (persistence-schema/), gzip
 * JSON, through {@link EngineDb} so that the entity never waits; the latest {@code
 * stream-checkpoints-kept} of a hunt are kept. A resume from the journal starts from the latest
 * checkpoint at or before the client's position and reads only the events after it. A checkpoint is
 * derived data: a lost write only makes a later read longer (or, past the read's budget, a snapshot
 * reset instead of events).
 */
public final class StreamCheckpoints implements Extension {

  private static final Logger log = LoggerFactory.getLogger(StreamCheckpoints.class);

  private static final ExtensionId<StreamCheckpoints> ID =
      new ExtensionId<>() {
        @Override
        public StreamCheckpoints createExtension(ActorSystem<?> system) {
          return new StreamCheckpoints(system);
        }
      };

  public static StreamCheckpoints get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** One member as the stream needs it. */
  public record MemberRow(
      String playerId,
      String name,
      int score,
      int found,
      boolean present,
      long scoreAt,
      long joinOrder) {}

  /** The hunt's stream state after journal event {@code journalSeqNr}. */
  public record Checkpoint(
      String huntId,
      String epoch,
      long seq,
      long journalSeqNr,
      Hunt.Status status,
      int present,
      List<MemberRow> members) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final EngineDb db;
  private final int every;
  private final int kept;

  private StreamCheckpoints(ActorSystem<?> system) {
    this.db = EngineDb.get(system);
    Config game = system.settings().config().getConfig("treasure-hunt.game");
    this.every = game.getInt("stream-checkpoint-every");
    this.kept = game.getInt("stream-checkpoints-kept");
  }

  /** Journal events between two checkpoints of a hunt. */
  public int every() {
    return every;
  }

  /** Whether a write of {@code events} events ending at {@code journalSeqNr} passes a multiple. */
  public boolean due(long journalSeqNr, int events) {
    return db.enabled() && journalSeqNr / every > (journalSeqNr - events) / every;
  }

  /** Stores a checkpoint (and forgets the hunt's older ones); never fails its caller. */
  public void save(Checkpoint c) {
    if (!db.enabled()) return;
    db.run(
            conn -> {
              try (PreparedStatement up =
                  conn.prepareStatement(
                      "INSERT INTO hunt_stream_checkpoint"
                          + " (hunt_id, stream_seq, epoch, journal_seq_nr, state, created)"
                          + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hunt_id, stream_seq) DO UPDATE"
                          + " SET epoch = EXCLUDED.epoch, journal_seq_nr = EXCLUDED.journal_seq_nr,"
                          + " state = EXCLUDED.state, created = EXCLUDED.created")) {
                up.setString(1, c.huntId());
                up.setLong(2, c.seq());
                up.setString(3, c.epoch());
                up.setLong(4, c.journalSeqNr());
                up.setBytes(5, write(c));
                up.setLong(6, System.currentTimeMillis());
                up.executeUpdate();
              }
              try (PreparedStatement prune =
                  conn.prepareStatement(
                      "DELETE FROM hunt_stream_checkpoint WHERE hunt_id = ? AND stream_seq < ("
                          + " SELECT stream_seq FROM hunt_stream_checkpoint WHERE hunt_id = ?"
                          + " ORDER BY stream_seq DESC OFFSET ? LIMIT 1)")) {
                prune.setString(1, c.huntId());
                prune.setString(2, c.huntId());
                prune.setInt(3, kept - 1);
                prune.executeUpdate();
              }
              return null;
            })
        .whenComplete(
            (ok, failure) -> {
              if (failure != null)
                log.warn(
                    "stream checkpoint of hunt {} at seq {} not stored: {}",
                    c.huntId(),
                    c.seq(),
                    failure.toString());
            });
  }

  /**
   * The latest checkpoint of the hunt in {@code epoch} at or before stream position {@code seq}, or
   * empty when there is none.
   */
  public CompletionStage<Optional<Checkpoint>> latestAtOrBefore(
      String huntId, String epoch, long seq) {
    if (!db.enabled()) return CompletableFuture.completedFuture(Optional.empty());
    return db.run(
        conn -> {
          try (PreparedStatement q =
              conn.prepareStatement(
                  "SELECT state FROM hunt_stream_checkpoint WHERE hunt_id = ? AND epoch = ?"
                      + " AND stream_seq <= ? ORDER BY stream_seq DESC LIMIT 1")) {
            q.setString(1, huntId);
            q.setString(2, epoch);
            q.setLong(3, seq);
            try (ResultSet r = q.executeQuery()) {
              return r.next() ? Optional.of(read(r.getBytes(1))) : Optional.empty();
            }
          }
        });
  }

  /**
   * What rendering the stream from here on needs, and nothing else: the numbering and the members
   * (names for the events, scores and tie-breakers for the leaderboards). A resume from the journal
   * starts its fold from the latest checkpoint before the client's position instead of from the
   * hunt's first event ({@link HuntState#fromCheckpoint}).
   */
  public static Checkpoint of(HuntState state, long journalSeqNr) {
    List<MemberRow> rows = new ArrayList<>(state.members.size());
    for (HuntState.Member m : state.members.values())
      rows.add(
          new MemberRow(m.playerId, m.name, m.score, m.found, m.present, m.scoreAt, m.joinOrder));
    return new Checkpoint(
        state.definition.huntId(),
        state.epoch,
        state.seq,
        journalSeqNr,
        state.status,
        state.present,
        rows);
  }

  static byte[] write(Checkpoint c) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
        JSON.writeValue(gz, c);
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Checkpoint read(byte[] stored) {
    try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(stored))) {
      return JSON.readValue(gz, Checkpoint.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
