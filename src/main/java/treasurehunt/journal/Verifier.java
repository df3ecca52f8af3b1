package treasurehunt.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntState;
import treasurehunt.entities.Player;
import treasurehunt.game.Treasure;

/**
 * Replays every hunt and player of a journal and checks what must hold (docs/journal.md):
 *
 * <ul>
 *   <li>every event decodes and the entity's event handler applies it; sequence numbers have no
 *       gaps; every event names the entity whose journal holds it;
 *   <li>the state after replay equals the entity's latest snapshot;
 *   <li>hunts: the public stream is numbered without gaps; a find names a treasure of the hunt with
 *       its points, by a player who joined; no exclusive treasure is found twice; no player finds a
 *       treasure twice; each member's score is the sum of the points of its finds;
 *   <li>players: the score in each hunt equals the points of the player's finds there, none found
 *       twice;
 *   <li>across entities ({@link Credits}): every find a player recorded is recorded by its hunt
 *       with the same points; a find the hunt credits that the player has not recorded yet is a
 *       warning (the engine heals it at the player's next join), not a violation.
 * </ul>
 */
final class Verifier implements JournalReader.Visitor {

  private final Codec codec;
  private final ObjectMapper json;
  private final ReplaySettings settings;
  private final List<Finding> findings = new ArrayList<>();
  private int violations;
  private int warnings;

  // totals
  long hunts, players, trails, others, events, otherEvents, snapshotsCompared;

  // the entity being read
  private String pid;
  private String entityId;
  private EntityKind kind;
  private Replay replay;
  private SnapshotRow snapshot;
  private boolean snapshotChecked;
  private long lastSeq;
  private boolean broken;

  /** Player: points of its TreasureFound events by hunt. */
  private final Map<String, Integer> pointsByHunt = new HashMap<>();

  /** Both sides of every find, for the checks across entities. */
  private final Credits credits = new Credits();

  Verifier(Codec codec, ReplaySettings settings) {
    this.codec = codec;
    this.json = codec.json();
    this.settings = settings;
  }

  List<Finding> findings() {
    return findings;
  }

  int violations() {
    return violations;
  }

  int warnings() {
    return warnings;
  }

  private void violation(long seq, String message) {
    violation(pid, seq, message);
  }

  private void violation(String persistenceId, long seq, String message) {
    violations++;
    findings.add(new Finding(true, persistenceId, seq, message));
  }

  // ---------------------------------------------------------------- per entity

  @Override
  public void begin(String persistenceId, List<SnapshotRow> snapshots) {
    pid = persistenceId;
    entityId = EntityKind.entityId(persistenceId);
    kind = EntityKind.of(persistenceId);
    snapshot = snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
    snapshotChecked = false;
    lastSeq = 0;
    broken = false;
    pointsByHunt.clear();
    switch (kind) {
      case HUNT -> {
        hunts++;
        credits.sawHunt(entityId);
        replay = new Replay(pid, settings);
      }
      case PLAYER -> {
        players++;
        credits.sawPlayer(entityId);
        replay = new Replay(pid, settings);
      }
      case TRAIL -> {
        trails++;
        replay = new Replay(pid, settings);
      }
      default -> {
        others++;
        replay = null;
      }
    }
  }

  @Override
  public void event(EventRow row) {
    if (replay == null) { // sharding's own bookkeeping: not an entity of the game
      otherEvents++;
      return;
    }
    events++;
    long seq = row.seq();
    if (seq != lastSeq + 1) {
      if (lastSeq == 0 && snapshot != null && snapshot.seq() >= seq - 1 && startFromSnapshot()) {
        // events before the snapshot were deleted: the entity recovers from the snapshot, and so do
        // we
      } else if (seq <= lastSeq) {
        violation(seq, "sequence number " + seq + " again after " + lastSeq);
      } else {
        String missing =
            lastSeq + 1 == seq - 1
                ? "event " + (seq - 1) + " is"
                : "events " + (lastSeq + 1) + ".." + (seq - 1) + " are";
        violation(
            seq,
            "sequence numbers jump from "
                + lastSeq
                + " to "
                + seq
                + ": "
                + missing
                + " missing from the journal"
                + (kind == EntityKind.HUNT && replay.hunt().defined()
                    ? "; the public stream rebuilt from here on is numbered from #"
                        + (replay.hunt().seq() + 1)
                        + ", not as the clients saw it"
                    : ""));
      }
    }
    lastSeq = Math.max(lastSeq, seq);
    if (broken || row.deleted() || seq <= replay.seq) return;

    Object event;
    try {
      event = codec.decode(row);
    } catch (Exception e) {
      broken = true;
      violation(
          seq, "cannot decode " + row.serManifest() + " (serializer " + row.serId() + "): " + e);
      return;
    }
    if (!replay.accepts(event)) {
      broken = true;
      violation(seq, "a " + event.getClass().getName() + " is not an event of a " + kind.label);
      return;
    }
    if (kind == EntityKind.HUNT) {
      if (!checkHunt(replay.hunt(), (Hunt.Event) event, seq)) return;
    } else checkPlayer(replay.player(), (Player.Event) event, seq);

    long streamBefore = kind == EntityKind.HUNT ? replay.hunt().seq() : 0;
    try {
      replay.apply(event, seq, row.timestamp());
    } catch (RuntimeException e) {
      broken = true;
      violation(
          seq, "the event handler fails on " + Names.type(row.serManifest(), event) + ": " + e);
      return;
    }
    if (kind == EntityKind.HUNT && !(event instanceof Hunt.HuntDefined))
      checkStream(replay.hunt(), streamBefore, seq);
    if (snapshot != null && snapshot.seq() == seq) compareSnapshot();
  }

  private boolean startFromSnapshot() {
    try {
      replay.startFrom(codec.decode(snapshot), snapshot.seq());
      snapshotChecked = true;
      lastSeq = snapshot.seq();
      // what the deleted events recorded, as far as the snapshot tells (points of a player's find:
      // unknown)
      if (kind == EntityKind.HUNT)
        replay
            .hunt()
            .allFinds()
            .forEach(
                (t, finds) ->
                    finds.forEach(
                        f ->
                            credits.recordByHunt(
                                new Credits.Credit(
                                    entityId, f.playerId(), t, pid, snapshot.seq(), f.points()))));
      else
        replay
            .player()
            .hunts()
            .forEach(
                (h, progress) -> {
                  pointsByHunt.put(h, progress.score());
                  for (String t : progress.found())
                    credits.recordByPlayer(
                        new Credits.Credit(h, entityId, t, pid, snapshot.seq(), -1));
                });
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** Checks made before a hunt event is applied; false: the event cannot be applied at all. */
  private boolean checkHunt(HuntState s, Hunt.Event e, long seq) {
    if (!entityId.equals(e.huntId()))
      violation(
          seq,
          Names.type(e.getClass().getName(), e)
              + " names hunt "
              + e.huntId()
              + ", not "
              + entityId);
    if (e instanceof Hunt.HuntDefined) {
      if (s.defined()) violation(seq, "the hunt is defined a second time");
      return true;
    }
    if (!s.defined()) {
      broken = true;
      violation(
          seq,
          Names.type(e.getClass().getName(), e) + " before the hunt was defined (HuntDefined)");
      return false;
    }
    if (e instanceof Hunt.TreasureFound f) {
      Treasure t = s.layout().get(f.treasure());
      if (t == null)
        violation(
            seq,
            f.playerId() + " finds treasure " + f.treasure() + ", which the hunt does not have");
      else if (t.points() != f.points())
        violation(
            seq,
            f.playerId()
                + " is credited "
                + f.points()
                + " points for "
                + f.treasure()
                + ", which is worth "
                + t.points());
      if (s.member(f.playerId()) == null)
        violation(
            seq, f.playerId() + " finds " + f.treasure() + " without ever having joined the hunt");
      List<HuntState.Find> before = s.findsOf(f.treasure());
      Credits.Credit mine = credits.byHunt(entityId, f.playerId(), f.treasure());
      if (mine != null)
        violation(
            seq,
            f.playerId()
                + " finds "
                + f.treasure()
                + " a second time (first at seq "
                + mine.seq()
                + ")");
      else if (t != null && t.exclusive() && !before.isEmpty()) {
        Credits.Credit first = credits.byHunt(entityId, before.get(0).playerId(), f.treasure());
        violation(
            seq,
            "exclusive treasure "
                + f.treasure()
                + " found again, by "
                + f.playerId()
                + " (first found by "
                + before.get(0).playerId()
                + (first == null ? "" : " at seq " + first.seq())
                + ")");
      }
      if (mine == null)
        credits.recordByHunt(
            new Credits.Credit(entityId, f.playerId(), f.treasure(), pid, seq, f.points()));
    }
    return true;
  }

  /**
   * The public entries this event published are numbered on from the previous one, without a gap.
   */
  private void checkStream(HuntState s, long before, long seq) {
    List<Hunt.StreamEntry> added = s.entriesAfter(before);
    long expect = before + 1;
    for (Hunt.StreamEntry entry : added) {
      if (entry.seq() != expect) {
        violation(seq, "public stream jumps from #" + (expect - 1) + " to #" + entry.seq());
        return;
      }
      expect++;
    }
    if (expect - 1 != s.seq())
      violation(
          seq, "public stream head is #" + s.seq() + " but the last entry is #" + (expect - 1));
  }

  private void checkPlayer(Player.State s, Player.Event e, long seq) {
    if (!entityId.equals(e.playerId()))
      violation(
          seq,
          Names.type(e.getClass().getName(), e)
              + " names player "
              + e.playerId()
              + ", not "
              + entityId);
    if (e instanceof Player.TreasureFound f) {
      Credits.Credit first = credits.byPlayer(f.hunt(), entityId, f.treasure());
      if (first != null || s.progress(f.hunt()).found().contains(f.treasure()))
        violation(
            seq,
            "finds "
                + f.treasure()
                + " in hunt "
                + f.hunt()
                + " a second time"
                + (first == null ? "" : " (first at seq " + first.seq() + ")"));
      else
        credits.recordByPlayer(
            new Credits.Credit(f.hunt(), entityId, f.treasure(), pid, seq, f.points()));
      pointsByHunt.merge(f.hunt(), f.points(), Integer::sum);
    }
  }

  private void compareSnapshot() {
    snapshotChecked = true;
    snapshotsCompared++;
    // Fast path: the replayed state serialized as the entity would save it is the snapshot, byte
    // for byte.
    try {
      Codec.Encoded mine = codec.encode(replay.state());
      if (mine.serId() == snapshot.serId()
          && mine.manifest().equals(snapshot.serManifest())
          && Arrays.equals(mine.payload(), snapshot.payload())) return;
    } catch (RuntimeException e) {
      // compared below, where a failure is reported
    }
    // Otherwise compare as JSON trees: equal up to the order of map entries, else the first
    // difference.
    Object saved;
    try {
      saved = codec.decode(snapshot);
    } catch (Exception e) {
      violation(snapshot.seq(), "cannot decode the snapshot: " + e);
      return;
    }
    JsonNode replayed = json.valueToTree(replay.state());
    JsonNode stored = json.valueToTree(saved);
    String diff = JsonDiff.first(replayed, stored);
    if (diff != null)
      violation(
          snapshot.seq(),
          "the state rebuilt from events 1.."
              + snapshot.seq()
              + " differs from the snapshot at "
              + snapshot.seq()
              + ": "
              + diff
              + " (also the case when the node ran with other game settings, see --stream-window and"
              + " --idempotency-window, or when an engine whose state or event handler differs saved it)");
  }

  @Override
  public void end() {
    if (replay == null) return;
    if (snapshot != null && !snapshotChecked && !broken)
      violation(
          snapshot.seq(),
          "the latest snapshot is at seq "
              + snapshot.seq()
              + " but the journal "
              + (lastSeq == 0 ? "has no events" : "ends at seq " + lastSeq));
    if (broken || replay.applied == 0 && !snapshotChecked) return;
    if (kind == EntityKind.HUNT) endHunt(replay.hunt());
    else endPlayer(replay.player());
  }

  private void endHunt(HuntState s) {
    if (!s.defined()) return;
    Map<String, Integer> points = new HashMap<>();
    for (Map.Entry<String, List<HuntState.Find>> e : s.allFinds().entrySet())
      for (HuntState.Find f : e.getValue()) points.merge(f.playerId(), f.points(), Integer::sum);
    for (HuntState.Member m : s.members()) {
      int sum = points.getOrDefault(m.playerId(), 0);
      if (m.score() != sum)
        violation(
            replay.seq,
            "member "
                + m.playerId()
                + " has score "
                + m.score()
                + " but its finds are worth "
                + sum);
    }
  }

  private void endPlayer(Player.State s) {
    for (Map.Entry<String, Player.Progress> e : new TreeMap<>(s.hunts()).entrySet()) {
      int sum = pointsByHunt.getOrDefault(e.getKey(), 0);
      if (e.getValue().score() != sum)
        violation(
            replay.seq,
            "score in hunt "
                + e.getKey()
                + " is "
                + e.getValue().score()
                + " but its finds there are worth "
                + sum);
    }
  }

  // ---------------------------------------------------------------- across entities

  /**
   * The checks across hunts and players ({@link Credits}); call after the scan. Their findings come
   * after the others, by entity and seq.
   */
  void finish() {
    for (Finding f : credits.findings()) {
      if (f.violation()) violations++;
      else warnings++;
      findings.add(f);
    }
  }

  /**
   * Drops findings beyond {@code max} from memory once counted (a badly broken journal can have
   * millions).
   */
  void trim(int max) {
    if (findings.size() <= max) return;
    Iterator<Finding> it = findings.listIterator(max);
    while (it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
