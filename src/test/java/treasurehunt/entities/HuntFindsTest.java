package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;
import static treasurehunt.entities.Fixtures.definition;
import static treasurehunt.entities.HuntBatchTest.AT;
import static treasurehunt.entities.HuntBatchTest.HUNT;
import static treasurehunt.entities.HuntBatchTest.WINDOW;
import static treasurehunt.entities.HuntBatchTest.live;

import java.util.List;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Hunt.Batched;
import treasurehunt.entities.Hunt.Claim;
import treasurehunt.entities.Hunt.ClaimReply;
import treasurehunt.entities.Hunt.Event;
import treasurehunt.entities.Hunt.FindsReply;
import treasurehunt.entities.Hunt.Grant;
import treasurehunt.entities.Hunt.HuntDefined;
import treasurehunt.entities.Hunt.HuntEnded;
import treasurehunt.entities.Hunt.HuntStarted;
import treasurehunt.entities.Hunt.Join;
import treasurehunt.entities.Hunt.PlayerJoined;
import treasurehunt.entities.Hunt.RecordFinds;
import treasurehunt.entities.Hunt.TreasureFound;
import treasurehunt.entities.HuntBatch.Reply;
import treasurehunt.entities.HuntBatch.Result;
import treasurehunt.game.Area;
import treasurehunt.game.BandSettings;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.Treasure;

/**
 * Finds and claims without an actor ({@link HuntFinds#decide}, and {@link HuntBatch#decide} for a
 * group commit): who scores the treasures a player walked into or claimed, each once, the first
 * finder of an exclusive one alone, also when the commands share one write.
 */
class HuntFindsTest {

  static RecordFinds finds(String player, String cmdId, String... treasures) {
    return new RecordFinds(player, cmdId, List.of(treasures), null);
  }

  @Test
  void aGeoTreasureIsFoundOnceAndGrantedAgainWithItsPoints() {
    HuntState s = live(10, "ann");
    HuntFinds.Result first = HuntFinds.decide(HUNT, s, finds("ann", "l1", "clock", "clock"), AT);
    assertEquals(List.of(new TreasureFound(HUNT, "ann", "clock", 100, "l1", AT)), first.events());
    assertEquals(new FindsReply(List.of(new Grant("clock", 100)), List.of(), null), first.reply());
    first.events().forEach(e -> s.apply(e, WINDOW));
    HuntFinds.Result again = HuntFinds.decide(HUNT, s, finds("ann", "l2", "clock"), AT + 1);
    assertEquals(List.of(), again.events(), "idempotent per player and treasure");
    assertEquals(first.reply(), again.reply());
  }

  @Test
  void anExclusiveTreasureGoesToItsFirstFinderOnly() {
    HuntState s = live(10, "ann", "bob");
    HuntFinds.decide(HUNT, s, finds("ann", "l1", "gold"), AT)
        .events()
        .forEach(e -> s.apply(e, WINDOW));
    HuntFinds.Result bob = HuntFinds.decide(HUNT, s, finds("bob", "l9", "gold", "clock"), AT + 1);
    assertEquals(List.of(new TreasureFound(HUNT, "bob", "clock", 100, "l9", AT + 1)), bob.events());
    assertEquals(
        new FindsReply(List.of(new Grant("clock", 100)), List.of("gold"), null), bob.reply());
  }

  @Test
  void answersNeedAClaimAndUnknownIdsAreSkipped() {
    HuntState s = live(10, "ann");
    HuntFinds.Result r = HuntFinds.decide(HUNT, s, finds("ann", "l1", "riddle", "nope"), AT);
    assertEquals(List.of(), r.events());
    assertEquals(new FindsReply(List.of(), List.of(), null), r.reply());
  }

  // ---------------------------------------------------------------- in one group-commit write

  /** An exclusive treasure that needs the answer "seven" (next to the fixtures' ones). */
  static final Treasure VAULT =
      new Treasure("vault", 52.3702, 4.8930, 20, 500, "How many seals?", "seven", true);

  /** A live hunt with the fixtures' treasures and {@link #VAULT}, {@code present} joined. */
  static HuntState liveWithVault(String... present) {
    HuntState s = new HuntState();
    HuntDefinition d = definition(HUNT, 100, null, null);
    List<Treasure> treasures = new java.util.ArrayList<>(d.treasures());
    treasures.add(VAULT);
    d =
        new HuntDefinition(
            HUNT,
            d.name(),
            new Area(52.3702, 4.8952, 1500),
            treasures,
            null,
            100,
            10,
            false,
            null,
            null,
            BandSettings.DEFAULT);
    s.apply(new HuntDefined(HUNT, d, "e1", AT - 10), WINDOW);
    s.apply(new HuntStarted(HUNT, AT - 9), WINDOW);
    for (String p : present) s.apply(new PlayerJoined(HUNT, p, "name-" + p, AT - 8), WINDOW);
    return s;
  }

  static Claim claim(String player, String cmdId, String treasure, String answer) {
    return new Claim(player, cmdId, treasure, answer, null);
  }

  static Result write(HuntState s, Batched... pending) {
    return HuntBatch.decide(HUNT, s, List.of(pending), 200, AT);
  }

  static HuntState after(HuntState before, Result r) {
    HuntState s = before.copy();
    for (Event e : r.events()) s.apply(e, WINDOW);
    return s;
  }

  static Object message(Result r, int i, HuntState after) {
    return r.replies().get(i).message(after);
  }

  static String code(Result r, int i) {
    Reply<?> reply = r.replies().get(i);
    return reply.problem() == null ? null : reply.problem().code();
  }

  @Test
  void anExclusiveTreasureReachedByManyInOneWriteGoesToTheFirstOfThem() {
    HuntState s = live(10, "ann", "bob", "cy");
    Result r =
        write(s, finds("bob", "b1", "gold"), finds("ann", "a1", "gold"), finds("cy", "c1", "gold"));
    assertEquals(List.of(new TreasureFound(HUNT, "bob", "gold", 300, "b1", AT)), r.events());
    HuntState after = after(s, r);
    assertEquals(
        new FindsReply(List.of(new Grant("gold", 300)), List.of(), null), message(r, 0, after));
    FindsReply lost = new FindsReply(List.of(), List.of("gold"), null);
    assertEquals(lost, message(r, 1, after));
    assertEquals(lost, message(r, 2, after));
    assertEquals(1, after.findsOf("gold").size());
    assertEquals(300, after.member("bob").score());
  }

  @Test
  void aPlayerScoresATreasureOnceHoweverManyOfItsCommandsShareAWrite() {
    HuntState s = live(10, "ann");
    Result r =
        write(
            s,
            finds("ann", "l1", "clock"),
            finds("ann", "l2", "clock", "gold"),
            finds("ann", "l1", "clock"),
            claim("ann", "k1", "gold", null),
            claim("ann", "l2", "gold", null));
    assertEquals(
        List.of(
            new TreasureFound(HUNT, "ann", "clock", 100, "l1", AT),
            new TreasureFound(HUNT, "ann", "gold", 300, "l2", AT)),
        r.events());
    HuntState after = after(s, r);
    assertEquals(400, after.member("ann").score());
    assertEquals(
        new FindsReply(List.of(new Grant("clock", 100), new Grant("gold", 300)), List.of(), null),
        message(r, 1, after));
    assertEquals(Problem.ALREADY_FOUND, code(r, 3), "another command found it in this write");
    assertEquals(new ClaimReply(300, 400, null), message(r, 4, after), "same id: first outcome");
  }

  @Test
  void aClaimRaceForAnExclusiveAnswerIsWonOnceAndWrongAnswersDoNotCount() {
    HuntState s = liveWithVault("ann", "bob", "cy", "di");
    HuntBatchTest.Counting quotas = new HuntBatchTest.Counting(0, 0);
    Result r =
        HuntBatch.decide(
            HUNT,
            s,
            List.of(
                claim("cy", "c1", "vault", "eight"), // wrong: counted, loses nothing
                claim("bob", "b1", "vault", " Seven "), // first right answer: wins
                claim("ann", "a1", "vault", "seven"), // too late
                claim("bob", "b1", "vault", "seven"), // bob's retry: his first outcome
                claim("di", "d1", "vault", "eight")), // claimed already: answer not asked
            200,
            AT,
            quotas);
    assertEquals(List.of(new TreasureFound(HUNT, "bob", "vault", 500, "b1", AT)), r.events());
    HuntState after = after(s, r);
    assertEquals(Problem.WRONG_ANSWER, code(r, 0));
    assertEquals(new ClaimReply(500, 500, null), message(r, 1, after));
    assertEquals(Problem.ALREADY_CLAIMED, code(r, 2));
    assertEquals(new ClaimReply(500, 500, null), message(r, 3, after));
    assertEquals(Problem.ALREADY_CLAIMED, code(r, 4));
    assertEquals(2, quotas.answerAsks, "only the claims that could score were checked");
    // the same commands one write each decide the same
    HuntState oneByOne = s.copy();
    List<String> codes = new java.util.ArrayList<>();
    for (Batched c :
        List.<Batched>of(
            claim("cy", "c1", "vault", "eight"),
            claim("bob", "b1", "vault", " Seven "),
            claim("ann", "a1", "vault", "seven"),
            claim("bob", "b1", "vault", "seven"),
            claim("di", "d1", "vault", "eight"))) {
      Result one = write(oneByOne, c);
      codes.add(code(one, 0));
      for (Event e : one.events()) oneByOne.apply(e, WINDOW);
    }
    assertEquals(
        java.util.Arrays.asList(
            Problem.WRONG_ANSWER, null, Problem.ALREADY_CLAIMED, null, Problem.ALREADY_CLAIMED),
        codes);
    assertEquals(after.findsOf("vault"), oneByOne.findsOf("vault"));
  }

  @Test
  void aFindAndAClaimOfOneExclusiveTreasureInOneWrite() {
    HuntState s = live(10, "ann", "bob");
    Result r = write(s, claim("ann", "k1", "gold", null), finds("bob", "l1", "gold", "clock"));
    assertEquals(
        List.of(
            new TreasureFound(HUNT, "ann", "gold", 300, "k1", AT),
            new TreasureFound(HUNT, "bob", "clock", 100, "l1", AT)),
        r.events());
    assertEquals(
        new FindsReply(List.of(new Grant("clock", 100)), List.of("gold"), null),
        message(r, 1, after(s, r)));
  }

  @Test
  void findsAndClaimsNeedALiveHuntAndAPlayerInItJoinedEarlierInTheWriteCounts() {
    HuntState s = live(10, "ann");
    Result r =
        write(
            s,
            finds("zz", "z1", "clock"),
            new Join("bob", "Bob", null),
            finds("bob", "b1", "clock"),
            claim("nobody", "n1", "gold", null),
            claim("ann", "a1", "nope", null),
            new RecordFinds("ann", "a2", null, null));
    assertEquals(Problem.NOT_JOINED, code(r, 0));
    assertNull(code(r, 2));
    assertEquals(Problem.NOT_JOINED, code(r, 3));
    assertEquals(Problem.NOT_FOUND, code(r, 4));
    assertNull(code(r, 5), "no treasures: nothing found, nothing crashes");
    assertEquals(2, r.events().size()); // bob's join and find
    s.apply(new HuntEnded(HUNT, AT), WINDOW);
    Result ended = write(s, finds("ann", "a3", "clock"), claim("ann", "a4", "gold", null));
    assertEquals(Problem.HUNT_NOT_LIVE, code(ended, 0));
    assertEquals(Problem.HUNT_NOT_LIVE, code(ended, 1));
    assertTrue(ended.events().isEmpty());
  }
}
