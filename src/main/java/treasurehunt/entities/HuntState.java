package treasurehunt.entities;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import treasurehunt.CborSerializable;
import treasurehunt.entities.Hunt.ChatPosted;
import treasurehunt.entities.Hunt.Event;
import treasurehunt.entities.Hunt.Grant;
import treasurehunt.entities.Hunt.HuntDefined;
import treasurehunt.entities.Hunt.HuntEnded;
import treasurehunt.entities.Hunt.HuntStarted;
import treasurehunt.entities.Hunt.LeaderboardEntry;
import treasurehunt.entities.Hunt.PlayerJoined;
import treasurehunt.entities.Hunt.PlayerLeft;
import treasurehunt.entities.Hunt.PublicEvent;
import treasurehunt.entities.Hunt.Status;
import treasurehunt.entities.Hunt.StreamEntry;
import treasurehunt.entities.Hunt.StreamPos;
import treasurehunt.entities.Hunt.StreamReply;
import treasurehunt.entities.Hunt.TreasureFound;
import treasurehunt.entities.Hunt.TreasureView;
import treasurehunt.entities.Hunt.View;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.Treasure;
import treasurehunt.game.TreasureLayout;

/**
 * The state of a {@link Hunt}: definition, status, members and their ranking, finds, recent chat
 * ids and the last {@code stream-window} entries of the hunt's numbered public stream.
 *
 * <p>The public replay API: the entity's event handler, the journal tools ({@code journal state},
 * {@code verify}, {@code timeline}, {@code replay}) and the gateway's deep resume all fold events
 * through {@link #apply}, so state and stream numbers are rebuilt by the same code everywhere.
 *
 * <p>The state is mutable on purpose: a hot hunt has thousands of members and copying its maps for
 * every event would cost O(players) per event. It never leaves the actor except as a deep copy made
 * by the snapshot adapter on the actor's thread ({@link #copy}).
 *
 * <p>It is the snapshot: its fields are its serialized form (Jackson CBOR, by field name; the
 * golden files of SnapshotCompatibilityTest hold that format). Until issue 10 this class was the
 * nested {@code Hunt.State}, and Jackson's manifest is the class name: snapshots stored before the
 * move carry {@code treasurehunt.entities.Hunt$State} and are read as this class through {@link
 * HuntStateMigration} (registered in serialization.conf).
 */
@JsonAutoDetect(
    fieldVisibility = Visibility.ANY,
    getterVisibility = Visibility.NONE,
    isGetterVisibility = Visibility.NONE)
public final class HuntState implements CborSerializable {

  /** A player who joined the hunt at least once; stays on the leaderboard after leaving. */
  @JsonAutoDetect(
      fieldVisibility = Visibility.ANY,
      getterVisibility = Visibility.NONE,
      isGetterVisibility = Visibility.NONE)
  public static final class Member {
    String playerId;
    String name;
    int score;
    int found;
    boolean present;

    /** When the score last changed: earlier ranks first among equal scores. */
    long scoreAt;

    /** Order of first join, the last tie-breaker. */
    long joinOrder;

    Member() {}

    Member copy() {
      Member m = new Member();
      m.playerId = playerId;
      m.name = name;
      m.score = score;
      m.found = found;
      m.present = present;
      m.scoreAt = scoreAt;
      m.joinOrder = joinOrder;
      return m;
    }

    public String playerId() {
      return playerId;
    }

    public String name() {
      return name;
    }

    public int score() {
      return score;
    }

    public int found() {
      return found;
    }

    public boolean present() {
      return present;
    }
  }

  /** One player's find of one treasure. */
  public record Find(String playerId, int points, String cmdId, long at)
      implements CborSerializable {}

  /** Chat command ids remembered, so that a retried chat is not posted twice. */
  static final int RECENT_CHATS = 1_000;

  /** The leaderboard order: score, then who got there first, then who joined first. */
  private static final Comparator<Member> RANKING =
      Comparator.comparingInt((Member m) -> -m.score)
          .thenComparingLong(m -> m.scoreAt)
          .thenComparingLong(m -> m.joinOrder);

  // The fields below are the snapshot format: renaming, removing or retyping one needs a migration.

  HuntDefinition definition;
  String epoch;
  Status status;

  /** The seq of the last public event of this epoch (0: none yet). */
  long seq;

  int present;
  LinkedHashMap<String, Member> members = new LinkedHashMap<>();

  /** treasure id → finds in order (the first is the first finder). */
  LinkedHashMap<String, List<Find>> finds = new LinkedHashMap<>();

  /** The last stream-window public events. */
  ArrayDeque<StreamEntry> window = new ArrayDeque<>();

  /** playerId/cmdId of recent chat messages, so that a retried chat is not posted twice. */
  LinkedHashSet<String> recentChats = new LinkedHashSet<>();

  @JsonIgnore private transient TreasureLayout layout;

  /** The hunt of a state rebuilt from a checkpoint, which has no definition. */
  @JsonIgnore private transient String streamHuntId;

  @JsonIgnore private transient TreeSet<Member> ranking;

  public HuntState() {}

  // ---------------------------------------------------------------- reading

  public boolean defined() {
    return definition != null;
  }

  public HuntDefinition definition() {
    return definition;
  }

  public String epoch() {
    return epoch;
  }

  public Status status() {
    return status;
  }

  public long seq() {
    return seq;
  }

  public int presentCount() {
    return present;
  }

  public Member member(String playerId) {
    return members.get(playerId);
  }

  public Iterable<Member> members() {
    return members.values();
  }

  /** Whether the player is in the hunt now (joined and not left). */
  public boolean isPresent(String playerId) {
    Member m = members.get(playerId);
    return m != null && m.present;
  }

  public List<Find> findsOf(String treasure) {
    return finds.getOrDefault(treasure, List.of());
  }

  public Map<String, List<Find>> allFinds() {
    return finds;
  }

  public List<StreamEntry> window() {
    return List.copyOf(window);
  }

  public TreasureLayout layout() {
    if (layout == null && definition != null) layout = definition.layout();
    return layout;
  }

  public StreamPos stream() {
    return new StreamPos(epoch, seq);
  }

  /** When the next scheduled transition is due (start, then end), or null when none is. */
  Long nextTransitionAt() {
    if (definition == null) return null;
    return switch (status) {
      case CREATED -> definition.startsAt();
      case LIVE -> definition.endsAt();
      case ENDED -> null;
    };
  }

  /** Whether this chat message (player and command id) was posted recently. */
  boolean chatPosted(String playerId, String cmdId) {
    return recentChats.contains(chatKey(playerId, cmdId));
  }

  static String chatKey(String playerId, String cmdId) {
    return playerId + "/" + cmdId;
  }

  Find findOf(String treasure, String playerId) {
    for (Find f : findsOf(treasure)) if (f.playerId().equals(playerId)) return f;
    return null;
  }

  boolean takenExclusively(Treasure t, String playerId) {
    List<Find> fs = findsOf(t.id());
    return t.exclusive() && !fs.isEmpty() && !fs.get(0).playerId().equals(playerId);
  }

  /** A player's finds (every join answers with them): by player, not a walk of every find. */
  List<Grant> findsBy(String playerId) {
    if (findsByPlayer == null) findsByPlayer = FindsByPlayer.of(finds);
    return findsByPlayer.of(playerId);
  }

  @JsonIgnore private transient FindsByPlayer findsByPlayer;

  private TreeSet<Member> ranking() {
    if (ranking == null) {
      ranking = new TreeSet<>(RANKING);
      ranking.addAll(members.values());
    }
    return ranking;
  }

  public List<LeaderboardEntry> leaderboard(int limit) {
    List<LeaderboardEntry> out = new ArrayList<>(Math.min(limit, members.size()));
    Iterator<Member> it = ranking().iterator();
    while (it.hasNext() && out.size() < limit) {
      Member m = it.next();
      out.add(new LeaderboardEntry(out.size() + 1, m.playerId, m.name, m.score, m.found));
    }
    return out;
  }

  /**
   * The public view (never coordinates or answers), built once per state change: a batch of joins
   * answers every join with it, and on a big hunt (thousands of treasures) building it per reply
   * was most of a join's cost. Not stored (transient): the snapshot format is unchanged.
   */
  public View view() {
    if (view == null) view = buildView();
    return view;
  }

  @JsonIgnore private transient View view;

  private View buildView() {
    List<TreasureView> treasures = new ArrayList<>();
    for (Treasure t : layout().all())
      treasures.add(
          new TreasureView(
              t.id(),
              t.hint(),
              t.points(),
              t.exclusive(),
              t.needsAnswer(),
              findsOf(t.id()).size()));
    return new View(
        definition.huntId(),
        definition.name(),
        status.wire(),
        definition.area(),
        present,
        treasures,
        leaderboard(10),
        definition.startsAt(),
        definition.endsAt(),
        definition.maxPlayers(),
        definition.showPlayers(),
        stream());
  }

  /** The stream entries with seq greater than {@code after}, oldest first. */
  public List<StreamEntry> entriesAfter(long after) {
    ArrayDeque<StreamEntry> out = new ArrayDeque<>();
    Iterator<StreamEntry> it = window.descendingIterator();
    while (it.hasNext()) {
      StreamEntry e = it.next();
      if (e.seq() <= after) break;
      out.addFirst(e);
    }
    return List.copyOf(out);
  }

  /**
   * The entries after ({@code epoch}, {@code after}) for a resume, complete only if the window
   * still holds every one of them; the first {@code max} of them ({@code max} 0: all).
   */
  StreamReply streamSince(String epoch, long after, int max) {
    long oldest = window.isEmpty() ? seq + 1 : window.peekFirst().seq();
    boolean complete = this.epoch.equals(epoch) && after <= seq && after >= oldest - 1;
    List<StreamEntry> entries = complete ? entriesAfter(after) : List.of();
    if (max > 0 && entries.size() > max) entries = entries.subList(0, max);
    return new StreamReply(this.epoch, seq, entries, complete, null);
  }

  // ---------------------------------------------------------------- stream checkpoints

  /**
   * A state to fold the stream on from a checkpoint: the stream's numbering and ranking are the
   * hunt's; the definition, finds and chat ids are not there, so it serves only to render stream
   * entries, never to judge a command.
   */
  public static HuntState fromCheckpoint(StreamCheckpoints.Checkpoint c) {
    HuntState s = new HuntState();
    s.streamHuntId = c.huntId();
    s.epoch = c.epoch();
    s.seq = c.seq();
    s.status = c.status();
    s.present = c.present();
    for (StreamCheckpoints.MemberRow r : c.members()) {
      Member m = new Member();
      m.playerId = r.playerId();
      m.name = r.name();
      m.score = r.score();
      m.found = r.found();
      m.present = r.present();
      m.scoreAt = r.scoreAt();
      m.joinOrder = r.joinOrder();
      s.members.put(m.playerId, m);
    }
    return s;
  }

  // ---------------------------------------------------------------- applying events

  /**
   * Applies one event: the entity's event handler and the journal tools' replay both call this, so
   * state and stream numbers are rebuilt by the same code. Pure: no clock, random or I/O.
   */
  public HuntState apply(Event event, int windowSize) {
    view = null;
    if (event instanceof HuntDefined e) {
      reset(); // a replay starts here, maybe on an object a failed write changed
      definition = e.definition();
      epoch = e.epoch();
      status = Status.CREATED;
      seq = 0;
    } else if (event instanceof HuntStarted e) {
      status = Status.LIVE;
      publish(e.at(), PublicEvent.of("hunt_started"), windowSize);
    } else if (event instanceof HuntEnded e) {
      status = Status.ENDED;
      publish(e.at(), PublicEvent.of("hunt_ended"), windowSize);
    } else if (event instanceof PlayerJoined e) {
      Member m = members.get(e.playerId());
      if (m == null) {
        m = new Member();
        m.playerId = e.playerId();
        m.joinOrder = members.size();
        m.scoreAt = e.at();
        members.put(e.playerId(), m);
        ranking().add(m);
      }
      m.name = e.name();
      if (!m.present) {
        m.present = true;
        present++;
      }
      publish(
          e.at(),
          PublicEvent.presence("player_joined", e.playerId(), e.name(), present),
          windowSize);
    } else if (event instanceof PlayerLeft e) {
      Member m = members.get(e.playerId());
      if (m != null && m.present) {
        m.present = false;
        present--;
      }
      String name = m == null ? null : m.name;
      publish(e.at(), PublicEvent.presence("player_left", e.playerId(), name, present), windowSize);
    } else if (event instanceof TreasureFound e) {
      finds
          .computeIfAbsent(e.treasure(), t -> new ArrayList<>(1))
          .add(new Find(e.playerId(), e.points(), e.cmdId(), e.at()));
      if (findsByPlayer != null) findsByPlayer.add(e.playerId(), e.treasure(), e.points());
      Member m = members.get(e.playerId());
      if (m != null) {
        TreeSet<Member> r = ranking();
        r.remove(m);
        m.score += e.points();
        m.found++;
        if (e.points() > 0) m.scoreAt = e.at();
        r.add(m);
      }
      publish(
          e.at(),
          new PublicEvent(
              "treasure_found",
              e.playerId(),
              m == null ? null : m.name,
              e.treasure(),
              e.points(),
              null,
              null,
              present),
          windowSize);
      if (e.points() > 0)
        publish(
            e.at(),
            new PublicEvent("leaderboard", null, null, null, null, null, leaderboard(10), present),
            windowSize);
    } else if (event instanceof ChatPosted e) {
      recentChats.add(chatKey(e.playerId(), e.cmdId()));
      if (recentChats.size() > RECENT_CHATS) {
        Iterator<String> it = recentChats.iterator();
        it.next();
        it.remove();
      }
      Member m = members.get(e.playerId());
      publish(
          e.at(),
          new PublicEvent(
              "chat", e.playerId(), m == null ? null : m.name, null, null, e.text(), null),
          windowSize);
    }
    return this;
  }

  private void publish(long at, PublicEvent event, int windowSize) {
    seq++;
    String hunt = definition != null ? definition.huntId() : streamHuntId;
    window.addLast(new StreamEntry(hunt, epoch, seq, at, event));
    while (window.size() > windowSize) window.removeFirst();
  }

  /** Empty again, in place: a restart recovers into the same object (HuntBehavior#recovered). */
  void reset() {
    definition = null;
    epoch = null;
    status = null;
    seq = 0;
    present = 0;
    members.clear();
    finds.clear();
    window.clear();
    recentChats.clear();
    layout = null;
    ranking = null;
    view = null;
  }

  /** Deep copy for a snapshot, taken on the actor's thread. */
  HuntState copy() {
    HuntState s = new HuntState();
    s.definition = definition;
    s.epoch = epoch;
    s.status = status;
    s.seq = seq;
    s.present = present;
    members.forEach((id, m) -> s.members.put(id, m.copy()));
    finds.forEach((id, fs) -> s.finds.put(id, new ArrayList<>(fs)));
    s.window = new ArrayDeque<>(window);
    s.recentChats = new LinkedHashSet<>(recentChats);
    return s;
  }
}
