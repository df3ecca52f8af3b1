package treasurehunt.journal;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntState;
import treasurehunt.entities.Player;
import treasurehunt.game.HuntDefinition;

/**
 * What {@code journal import} refuses in an export file, which may come from anyone
 * (docs/journal.md, "What import refuses"). Fed the file's rows in order as they are read, before
 * anything is committed; the first row that breaks a rule ends the import with an error naming its
 * line.
 *
 * <p>The rules are those the engine itself keeps when it writes: rows of hunts, players and Cluster
 * Sharding only; sequence numbers and orderings positive and within bounds, each entity's rows
 * together, snapshots before events, sequence numbers increasing; every payload decodes, as an
 * event or a state of its entity that names that entity; a hunt is defined once, first, by a
 * definition the organiser API would accept ({@link HuntDefinition#problems()}, the rules of {@code
 * POST /api/hunts}); the entity's own event handler applies every event, from the first and from
 * the latest snapshot (as the entity recovers). Whether the game adds up (scores, finds) is {@code
 * journal verify}'s to say, not a reason to refuse.
 */
final class ImportCheck {
  /**
   * Sequence numbers and orderings stay below 2^53: beyond any real journal, exact in every JSON
   * reader (jq, JavaScript), and far from the end of the BIGINT sequence the engine writes with.
   */
  static final long MAX_NUMBER = 1L << 53;

  /** The VARCHAR(255) columns of event_journal and snapshot; event_tag.tag is VARCHAR(256). */
  private static final int MAX_TEXT = 255, MAX_TAG = 256;

  private final Path file;
  private final Codec codec;
  private final ReplaySettings settings;
  private final boolean allowUndecodable;
  private final Consumer<String> warn;

  private long line;
  private long undecodable;

  // the entity being read
  private String pid;
  private EntityKind kind;
  private String entityId;
  private long lastSnapshotSeq, lastEventSeq;
  private boolean eventsBegun;
  private Object latestSnapshot;

  /** The entity replayed from its first event, and from its latest snapshot; null: not replayed. */
  private Replay fromStart, fromSnapshot;

  /**
   * {@code allowUndecodable}: let a payload that does not decode through as it is (the entity's
   * replay stops there), with a warning, instead of refusing the file.
   */
  ImportCheck(
      Path file,
      Codec codec,
      ReplaySettings settings,
      boolean allowUndecodable,
      Consumer<String> warn) {
    this.file = file;
    this.codec = codec;
    this.settings = settings;
    this.allowUndecodable = allowUndecodable;
    this.warn = warn;
  }

  /** Payloads let through undecoded ({@code --allow-undecodable}). */
  long undecodable() {
    return undecodable;
  }

  private JournalException refuse(String what) {
    return new JournalException(file + " line " + line + ": " + what);
  }

  /** Checks the row on line {@code lineNumber}; header and end lines pass. */
  void check(long lineNumber, ExportReader.Line l) {
    line = lineNumber;
    if (l.event() != null) event(l.event());
    else if (l.snapshot() != null) snapshot(l.snapshot());
  }

  // ---------------------------------------------------------------- rows

  private void snapshot(SnapshotRow s) {
    enter(s.persistenceId());
    if (eventsBegun)
      throw refuse("a snapshot of " + pid + " after its events (snapshots come first)");
    number("seq", s.seq());
    if (s.seq() <= lastSnapshotSeq)
      throw refuse(
          "snapshot sequence number " + s.seq() + " of " + pid + " after " + lastSnapshotSeq);
    lastSnapshotSeq = s.seq();
    text("serManifest", s.serManifest(), MAX_TEXT);
    text("metaSerManifest", s.metaSerManifest(), MAX_TEXT);
    decodeMeta(s.metaSerId(), s.metaSerManifest(), s.metaPayload());
    Object state = decode("snapshot", s.serId(), s.serManifest(), s.payload());
    if (kind == EntityKind.SHARDING) return;
    if (state == null) { // let through undecoded: the entity would recover without it
      latestSnapshot = null;
      return;
    }
    if (kind == EntityKind.HUNT) {
      if (!(state instanceof HuntState h))
        throw refuse("a snapshot of " + pid + " is a " + state.getClass().getName());
      if (!h.defined()) throw refuse("a snapshot of " + pid + " without a hunt definition");
      if (h.epoch() == null) throw refuse("a snapshot of " + pid + " without its stream's epoch");
      definition("the snapshot's definition", h.definition());
    } else if (!(state instanceof Player.State))
      throw refuse("a snapshot of " + pid + " is a " + state.getClass().getName());
    latestSnapshot = state;
  }

  private void event(EventRow e) {
    enter(e.persistenceId());
    number("seq", e.seq());
    number("ordering", e.ordering());
    if (e.seq() <= lastEventSeq)
      throw refuse(
          "sequence number "
              + e.seq()
              + " of "
              + pid
              + " after "
              + lastEventSeq
              + " (each appears once, in increasing order)");
    lastEventSeq = e.seq();
    text("writer", e.writer(), MAX_TEXT);
    text("adapterManifest", e.adapterManifest(), MAX_TEXT);
    text("serManifest", e.serManifest(), MAX_TEXT);
    text("metaSerManifest", e.metaSerManifest(), MAX_TEXT);
    Set<String> tags = new HashSet<>();
    for (String t : e.tags()) {
      text("tags", t, MAX_TAG);
      if (!tags.add(t)) throw refuse("tag " + t + " twice on one event");
    }
    decodeMeta(e.metaSerId(), e.metaSerManifest(), e.metaPayload());
    if (!eventsBegun) firstEvent(e.seq());
    Object event = decode("event", e.serId(), e.serManifest(), e.payload());
    if (event == null) { // let through undecoded: nothing after it can be replayed
      fromStart = fromSnapshot = null;
      return;
    }
    if (kind == EntityKind.SHARDING) return;
    String type = Names.type(e.serManifest(), event);
    if (kind == EntityKind.HUNT) {
      if (!(event instanceof Hunt.Event h))
        throw refuse("a " + event.getClass().getName() + " is not an event of a hunt");
      if (!entityId.equals(h.huntId()))
        throw refuse(type + " names hunt " + h.huntId() + ", not " + entityId);
      if (h instanceof Hunt.HuntDefined d) {
        if (d.epoch() == null) throw refuse("HuntDefined without its stream's epoch");
        definition("HuntDefined", d.definition());
      }
    } else {
      if (!(event instanceof Player.Event p))
        throw refuse("a " + event.getClass().getName() + " is not an event of a player");
      if (kind == EntityKind.TRAIL && !(event instanceof Player.Moved))
        throw refuse("a trail holds location fixes only, not " + type);
      if (!entityId.equals(p.playerId()))
        throw refuse(type + " names player " + p.playerId() + ", not " + entityId);
    }
    if (e.deleted()) return; // never replayed
    fromStart = apply(fromStart, event, type, e);
    fromSnapshot = apply(fromSnapshot, event, type, e);
  }

  // ---------------------------------------------------------------- entities

  /** A row of {@code persistenceId}: the same entity as the row before, or the next one. */
  private void enter(String persistenceId) {
    if (persistenceId.equals(pid)) return;
    text("persistenceId", persistenceId, MAX_TEXT);
    EntityKind k = EntityKind.of(persistenceId);
    String id = EntityKind.entityId(persistenceId);
    switch (k) {
      case HUNT -> {
        if (!HuntDefinition.ID.matcher(id).matches())
          throw refuse(
              persistenceId
                  + ": a hunt id is 1-64 letters, digits, '_', '.' or '-', starting with a letter"
                  + " or digit");
      }
      case PLAYER, TRAIL -> {
        if (id.isEmpty()) throw refuse(persistenceId + ": a player without an id");
      }
      case SHARDING -> {}
      default ->
          throw refuse(
              persistenceId
                  + " is not an entity of this engine (Hunt|..., Player|..., PlayerTrail|... or /sharding/...)");
    }
    pid = persistenceId;
    kind = k;
    entityId = id;
    lastSnapshotSeq = lastEventSeq = 0;
    eventsBegun = false;
    latestSnapshot = null;
    fromStart = fromSnapshot = null;
  }

  /**
   * Sets up the replays at an entity's first event: from the latest snapshot (as the entity
   * recovers), and from the first event (as it recovers without the snapshot), unless the events
   * before the snapshot are gone.
   */
  private void firstEvent(long seq) {
    eventsBegun = true;
    if (kind == EntityKind.SHARDING) return;
    boolean covered = latestSnapshot != null && seq > 1 && lastSnapshotSeq >= seq - 1;
    if (!covered) fromStart = new Replay(pid, settings);
    if (latestSnapshot != null) {
      fromSnapshot = new Replay(pid, settings);
      fromSnapshot.startFrom(latestSnapshot, lastSnapshotSeq);
    }
  }

  /** Applies the event through the entity's handler, as recovery would; the replay, or null. */
  private Replay apply(Replay r, Object event, String type, EventRow e) {
    if (r == null || e.seq() <= r.seq) return r;
    if (kind == EntityKind.HUNT) {
      boolean defined = r.hunt().defined();
      if (event instanceof Hunt.HuntDefined && defined)
        throw refuse("the hunt is defined a second time");
      if (!(event instanceof Hunt.HuntDefined) && !defined)
        throw refuse(type + " before the hunt is defined (its first event is HuntDefined)");
    }
    try {
      r.apply(event, e.seq(), e.timestamp());
    } catch (RuntimeException | StackOverflowError x) {
      throw refuse("the event handler of " + pid + " fails on " + type + ": " + x);
    }
    return r;
  }

  // ---------------------------------------------------------------- values

  /** A hunt definition with the organiser API's rules, naming the hunt of its entity. */
  private void definition(String where, HuntDefinition d) {
    if (d == null) throw refuse(where + ": no definition");
    if (!entityId.equals(d.huntId()))
      throw refuse(where + " defines hunt " + d.huntId() + ", not " + entityId);
    List<String> problems = d.problems();
    if (!problems.isEmpty())
      throw refuse(
          where
              + " of "
              + entityId
              + " is not a valid hunt definition (as POST /api/hunts would say): "
              + String.join("; ", problems));
  }

  private void number(String field, long n) {
    if (n < 1 || n > MAX_NUMBER) throw refuse(field + " " + n + " is not in [1, 2^53]");
  }

  private void text(String field, String s, int max) {
    if (s == null) return;
    if (s.length() > max) throw refuse(field + ": longer than " + max + " characters");
    if (s.indexOf('\u0000') >= 0) throw refuse(field + ": contains a NUL character");
  }

  /**
   * The decoded payload; null when it does not decode and {@code --allow-undecodable} lets it
   * through.
   */
  private Object decode(String what, int serId, String manifest, byte[] payload) {
    try {
      return codec.decode(serId, manifest, payload);
    } catch (Exception | StackOverflowError x) {
      String message =
          "the "
              + what
              + " of "
              + pid
              + " does not decode ("
              + manifest
              + ", serializer "
              + serId
              + "): "
              + x;
      if (!allowUndecodable)
        throw refuse(message + " (a file from an engine that reads it: --allow-undecodable)");
      undecodable++;
      warn.accept(
          "journal import: " + file + " line " + line + ": " + message + "; imported as is");
      return null;
    }
  }

  private void decodeMeta(Integer serId, String manifest, byte[] payload) {
    if (payload == null) return;
    if (serId == null) throw refuse("metaPayload without metaSerId");
    decode("metadata", serId, manifest == null ? "" : manifest, payload);
  }
}
