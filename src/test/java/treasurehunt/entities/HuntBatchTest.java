package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;
import static treasurehunt.entities.Fixtures.definition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Hunt.Ack;
import treasurehunt.entities.Hunt.Batched;
import treasurehunt.entities.Hunt.Chat;
import treasurehunt.entities.Hunt.ChatPosted;
import treasurehunt.entities.Hunt.Event;
import treasurehunt.entities.Hunt.HuntDefined;
import treasurehunt.entities.Hunt.HuntEnded;
import treasurehunt.entities.Hunt.HuntStarted;
import treasurehunt.entities.Hunt.Join;
import treasurehunt.entities.Hunt.JoinReply;
import treasurehunt.entities.Hunt.PlayerJoined;
import treasurehunt.entities.HuntBatch.Reply;
import treasurehunt.entities.HuntBatch.Result;
import treasurehunt.game.Treasure;

/**
 * Group commit without an actor: {@link HuntBatch#decide} on a state and a list of pending joins
 * and chat messages. No reply is sent here (the commands have no reply address); each reply is read
 * as the message it would be, from the state after the write.
 */
class HuntBatchTest {
  static final String HUNT = "h";
  static final long AT = 1_795_415_960_000L;
  static final int WINDOW = 100;

  /** A live hunt for {@code maxPlayers} in which {@code present} have joined. */
  static HuntState live(int maxPlayers, String... present) {
    HuntState s = new HuntState();
    s.apply(new HuntDefined(HUNT, definition(HUNT, maxPlayers, null, null), "e1", AT - 10), WINDOW);
    s.apply(new HuntStarted(HUNT, AT - 9), WINDOW);
    for (String p : present) s.apply(new PlayerJoined(HUNT, p, "name-" + p, AT - 8), WINDOW);
    return s;
  }

  static Join join(String player) {
    return new Join(player, "name-" + player, null);
  }

  static Chat chat(String player, String cmdId) {
    return new Chat(player, cmdId, "hi from " + player, null);
  }

  static Result decide(HuntState state, Batched... pending) {
    return HuntBatch.decide(HUNT, state, List.of(pending), 200, AT);
  }

  /** The state once the batch's events are stored (a copy: the input state stays as it was). */
  static HuntState after(HuntState before, Result r) {
    HuntState s = before.copy();
    for (Event e : r.events()) s.apply(e, WINDOW);
    return s;
  }

  static String code(Reply<?> r) {
    return r.problem() == null ? null : r.problem().code();
  }

  static List<String> codes(Result r) {
    List<String> out = new ArrayList<>();
    for (Reply<?> reply : r.replies()) out.add(code(reply));
    return out;
  }

  @Test
  void capacityCountsTheJoinsBeforeInTheSameWrite() {
    HuntState s = live(3, "a");
    Result r = decide(s, join("b"), join("c"), join("d"), join("a"));
    assertEquals(
        List.of(
            new PlayerJoined(HUNT, "b", "name-b", AT), new PlayerJoined(HUNT, "c", "name-c", AT)),
        r.events());
    // d would be the fourth; a is already in and takes no place
    assertEquals(Arrays.asList(null, null, Problem.HUNT_FULL, null), codes(r));
    assertEquals(1, r.rejections().size());
    assertEquals(3, r.acceptances().size());
    JoinReply full = (JoinReply) r.replies().get(2).message(after(s, r));
    assertEquals(Problem.HUNT_FULL, full.problem().code());
    assertNull(full.view());
  }

  @Test
  void aJoinRepeatedInTheWriteAddsNothingAndBothAreAnsweredWithTheStateAfterIt() {
    HuntState s = live(10);
    Result r = decide(s, join("b"), join("b"));
    assertEquals(List.of(new PlayerJoined(HUNT, "b", "name-b", AT)), r.events());
    assertEquals(Arrays.asList(null, null), codes(r));
    HuntState after = after(s, r);
    for (Reply<?> reply : r.replies()) {
      JoinReply joined = (JoinReply) reply.message(after);
      assertNull(joined.problem());
      assertEquals(1, joined.view().players());
      assertEquals(2, joined.stream().seq()); // hunt_started, player_joined
      assertEquals(s.definition(), joined.definition());
    }
  }

  @Test
  void aChatFromAPlayerWhoseJoinComesEarlierInTheWriteIsPosted() {
    HuntState s = live(10);
    Result r = decide(s, chat("c", "m0"), join("c"), chat("c", "m1"));
    // before its join the player is a stranger; after it, not
    assertEquals(Arrays.asList(Problem.NOT_JOINED, null, null), codes(r));
    assertEquals(
        List.of(
            new PlayerJoined(HUNT, "c", "name-c", AT),
            new ChatPosted(HUNT, "c", "m1", "hi from c", AT)),
        r.events());
    assertEquals(new Ack(null), r.replies().get(2).message(after(s, r)));
  }

  @Test
  void aRetriedChatIsAnsweredButPostedOnce() {
    HuntState s = live(10, "a");
    s.apply(new ChatPosted(HUNT, "a", "m1", "hi from a", AT - 5), WINDOW);
    // m1 was posted before this write; m2 twice within it
    Result r = decide(s, chat("a", "m1"), chat("a", "m2"), chat("a", "m2"));
    assertEquals(List.of(new ChatPosted(HUNT, "a", "m2", "hi from a", AT)), r.events());
    assertEquals(Arrays.asList(null, null, null), codes(r));
    // the same command id from another player is another message
    Result other = decide(live(10, "a", "b"), chat("a", "m1"), chat("b", "m1"));
    assertEquals(2, other.events().size());
  }

  @Test
  void aStrangersChatIsRejectedAndWritesNothing() {
    HuntState s = live(10, "a");
    Result r = decide(s, chat("zz", "m9"));
    assertTrue(r.events().isEmpty());
    assertEquals(Problem.NOT_JOINED, code(r.replies().get(0)));
    assertEquals(Problem.NOT_JOINED, ((Ack) r.replies().get(0).message(s)).problem().code());
    // one who left is a stranger too
    s.apply(new Hunt.PlayerLeft(HUNT, "a", AT - 1), WINDOW);
    assertEquals(Problem.NOT_JOINED, code(decide(s, chat("a", "m1")).replies().get(0)));
  }

  @Test
  void aChatNeedsOneTo500Characters() {
    HuntState s = live(10, "a");
    Result r =
        decide(
            s,
            new Chat("a", "m1", " ", null),
            new Chat("a", "m2", "x".repeat(501), null),
            new Chat("a", "m3", null, null),
            new Chat("a", "m4", "x".repeat(500), null));
    assertEquals(
        Arrays.asList(Problem.BAD_REQUEST, Problem.BAD_REQUEST, Problem.BAD_REQUEST, null),
        codes(r));
    assertEquals(1, r.events().size());
  }

  @Test
  void afterTheEndJoinsAndChatsAreRejected() {
    HuntState s = live(10, "a");
    s.apply(new HuntEnded(HUNT, AT - 1), WINDOW);
    Result r = decide(s, join("b"), join("a"), chat("a", "m1"));
    assertTrue(r.events().isEmpty());
    assertEquals(
        Arrays.asList(Problem.HUNT_NOT_LIVE, Problem.HUNT_NOT_LIVE, Problem.HUNT_NOT_LIVE),
        codes(r));
  }

  @Test
  void aWriteTakesAtMostBatchMaxCommandsTheOldestFirst() {
    HuntState s = live(10);
    List<Batched> pending = List.of(join("a"), join("b"), join("c"), join("d"), join("e"));
    Result first = HuntBatch.decide(HUNT, s, pending, 2, AT);
    assertEquals(2, first.taken());
    assertEquals(2, first.replies().size());
    assertEquals(
        List.of("a", "b"),
        first.events().stream().map(e -> ((PlayerJoined) e).playerId()).toList());
    // the rest, decided against the state after the first write
    Result second = HuntBatch.decide(HUNT, after(s, first), pending.subList(2, 5), 2, AT);
    assertEquals(2, second.taken());
    assertEquals(
        List.of("c", "d"),
        second.events().stream().map(e -> ((PlayerJoined) e).playerId()).toList());
    // fewer pending than the maximum: all of them; a maximum below one still takes one
    assertEquals(5, HuntBatch.decide(HUNT, s, pending, 200, AT).taken());
    assertEquals(1, HuntBatch.decide(HUNT, s, pending, 0, AT).taken());
    assertEquals(0, HuntBatch.decide(HUNT, s, List.of(), 200, AT).taken());
  }

  /** Quotas that allow {@code joins} joins and {@code chats} chat messages, and count the asks. */
  static final class Counting implements HuntBatch.Quotas {
    int joins, chats, joinAsks, chatAsks, answerAsks;

    Counting(int joins, int chats) {
      this.joins = joins;
      this.chats = chats;
    }

    public long join(String playerId, long at) {
      joinAsks++;
      return joins-- > 0 ? 0 : 5_000;
    }

    public long chat(String playerId, long at) {
      chatAsks++;
      return chats-- > 0 ? 0 : 3_000;
    }

    public Problem answer(String playerId, Treasure treasure, String answer, long at) {
      answerAsks++;
      return HuntBatch.Quotas.NONE.answer(playerId, treasure, answer, at);
    }
  }

  @Test
  void theQuotasAreAskedOnlyForWhatWouldBeWrittenAndRefuseWithRetryAfter() {
    HuntState s = live(2, "a");
    s.apply(new ChatPosted(HUNT, "a", "old", "hi from a", AT - 5), WINDOW);
    Counting quotas = new Counting(1, 1);
    Result r =
        HuntBatch.decide(
            HUNT,
            s,
            List.of(
                join("a"), // already in: free
                join("b"), // counted, accepted
                join("b"), // repeated in the write: free
                join("c"), // full: refused before counting
                chat("a", "old"), // retried: free
                chat("zz", "m1"), // stranger: refused before counting
                new Chat("a", "blank", "\u200B", null), // nothing left: refused before counting
                chat("a", "m1"), // counted, accepted
                chat("a", "m1"), // repeated in the write: free
                chat("b", "m2")), // counted, over the quota
            200,
            AT,
            quotas);
    assertEquals(
        Arrays.asList(
            null,
            null,
            null,
            Problem.HUNT_FULL,
            null,
            Problem.NOT_JOINED,
            Problem.BAD_REQUEST,
            null,
            null,
            Problem.RATE_LIMITED),
        codes(r));
    assertEquals(1, quotas.joinAsks);
    assertEquals(2, quotas.chatAsks);
    assertEquals(
        List.of(
            new PlayerJoined(HUNT, "b", "name-b", AT),
            new ChatPosted(HUNT, "a", "m1", "hi from a", AT)),
        r.events());
    Ack limited = (Ack) r.replies().get(9).message(after(s, r));
    assertEquals(3_000L, limited.problem().retryAfterMs());

    Result joins = HuntBatch.decide(HUNT, live(10), List.of(join("x")), 200, AT, quotas);
    assertEquals(Problem.RATE_LIMITED, code(joins.replies().get(0)));
    assertEquals(5_000L, joins.replies().get(0).problem().retryAfterMs());
    assertTrue(joins.events().isEmpty());
  }

  @Test
  void namesAndChatTextAreStoredClean() {
    HuntState s = live(10, "a");
    Result r =
        decide(
            s,
            new Join("b", "\u202Eb\u0000ob\u200B\n", null),
            new Join("c", "\u200B\u202E", null),
            new Chat("a", "m1", "evil\u202Egnp.exe\r\nline\uFEFF two\uD800", null),
            new Chat("a", "m2", "👩\u200D💻 ok", null));
    assertEquals(Arrays.asList(null, null, null, null), codes(r));
    assertEquals(
        List.of(
            new PlayerJoined(HUNT, "b", "bob", AT),
            new PlayerJoined(HUNT, "c", "c", AT), // nothing left of the name: the player id
            new ChatPosted(HUNT, "a", "m1", "evilgnp.exe line two", AT),
            new ChatPosted(HUNT, "a", "m2", "👩\u200D💻 ok", AT)),
        r.events());
  }

  @Test
  void aChatOf500CodePointsFitsWhateverItsUtf16Length() {
    HuntState s = live(10, "a");
    Result r =
        decide(
            s,
            new Chat("a", "m1", "😀".repeat(500), null),
            new Chat("a", "m2", "😀".repeat(501), null),
            new Chat("a", "m3", "x".repeat(500) + "\u200B".repeat(100), null));
    assertEquals(Arrays.asList(null, Problem.BAD_REQUEST, null), codes(r));
  }

  /**
   * The batch HuntTest runs through the actor, decided here in one step: capacity, a repeated join,
   * a chat from a player joining in the same write, a retried chat and a stranger's chat.
   */
  @Test
  void theRulesTogetherInOneWrite() {
    HuntState s = live(3, "a");
    long seqBefore = s.seq();
    Result r =
        decide(
            s,
            join("b"),
            join("c"),
            chat("c", "m1"),
            join("b"),
            join("d"),
            chat("c", "m1"),
            chat("zz", "m9"));
    assertEquals(
        Arrays.asList(null, null, null, null, Problem.HUNT_FULL, null, Problem.NOT_JOINED),
        codes(r));
    assertEquals(
        List.of(
            new PlayerJoined(HUNT, "b", "name-b", AT),
            new PlayerJoined(HUNT, "c", "name-c", AT),
            new ChatPosted(HUNT, "c", "m1", "hi from c", AT)),
        r.events());
    // deciding changed nothing: the state changes only when the events are applied
    assertEquals(seqBefore, s.seq());
    assertEquals(1, s.presentCount());
    JoinReply bob = (JoinReply) r.replies().get(0).message(after(s, r));
    assertEquals(5, bob.stream().seq());
    assertEquals(3, bob.view().players());
  }
}
