package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Player;

/**
 * Gap-free delivery of one hunt's stream, and who gets its positions, driven by hand: no actor, no
 * socket. The connection's fill slot and the outbound room are the recorder's: {@code room} says
 * how many more frames the client "reads" before the buffer is full.
 */
class HuntFollowTest {

  static final String HUNT = "h1";
  static final int MAX_HELD = 3;

  /** The player the follow's connection speaks for. */
  static final String ME = "p-me";

  static final HuntFeeds.Positions BATCH =
      new HuntFeeds.Positions(HUNT, ServerFrame.of(Frames.object("positions")));

  /** Records what the follow asks of its session. */
  static final class Recorder implements HuntFollow.Io {
    final List<JsonNode> sent = new ArrayList<>();
    final List<String> fetches = new ArrayList<>();
    final List<String> snapshots = new ArrayList<>();
    final List<String> subscriptions = new ArrayList<>();
    final List<String> slots = new ArrayList<>();
    final List<String> presences = new ArrayList<>();
    boolean unfollowed;

    /** Frames the outbound buffer takes before it is full (paced delivery stops). */
    int room = Integer.MAX_VALUE;

    @Override
    public void send(ServerFrame frame) {
      sent.add(frame.tree());
      if (room != Integer.MAX_VALUE) room--;
    }

    @Override
    public boolean room() {
      return room > 0;
    }

    @Override
    public void requestFill(String hunt) {
      slots.add("request");
    }

    @Override
    public void fillDone(String hunt) {
      slots.add("done");
    }

    @Override
    public void subscribe(String hunt, boolean positions) {
      subscriptions.add(hunt + (positions ? "+positions" : ""));
    }

    @Override
    public void fetchEvents(String hunt, String epoch, long after) {
      fetches.add(epoch + ">" + after);
    }

    @Override
    public void fetchSnapshot(String hunt, String resumeRe) {
      snapshots.add(resumeRe == null ? "-" : resumeRe);
    }

    @Override
    public void unfollow(String hunt) {
      unfollowed = true;
    }

    @Override
    public void fetchPresence(String hunt) {
      presences.add(hunt);
    }

    long positionsSent() {
      return sent.stream().filter(n -> "positions".equals(n.path("type").asText())).count();
    }

    /** The seqs of the events sent so far, in order. */
    List<Long> seqs() {
      List<Long> seqs = new ArrayList<>();
      for (JsonNode n : sent)
        if ("event".equals(n.path("type").asText())) seqs.add(n.get("seq").asLong());
      return seqs;
    }

    JsonNode last() {
      return sent.get(sent.size() - 1);
    }

    JsonNode first(String type) {
      return sent.stream()
          .filter(n -> type.equals(n.path("type").asText()))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + type + " in " + sent));
    }
  }

  Recorder io;
  HuntFollow follow;

  @BeforeEach
  void setUp() {
    io = new Recorder();
    follow = new HuntFollow(HUNT, ME, io, MAX_HELD, 1000);
  }

  static Hunt.StreamEntry entry(String epoch, long seq) {
    return new Hunt.StreamEntry(
        HUNT,
        epoch,
        seq,
        1_000 + seq,
        new Hunt.PublicEvent("chat", "p1", "ann", null, null, "m" + seq, null));
  }

  static HuntFeeds.Live live(String epoch, long seq) {
    return HuntFeeds.Live.of(entry(epoch, seq));
  }

  /** A player_joined or player_left of {@code player}. */
  static Hunt.StreamEntry membership(String epoch, long seq, String kind, String player) {
    return new Hunt.StreamEntry(
        HUNT,
        epoch,
        seq,
        1_000 + seq,
        new Hunt.PublicEvent(kind, player, "x", null, null, null, null));
  }

  static Hunt.View view(String epoch, long seq) {
    return new Hunt.View(
        HUNT,
        "Old town",
        "live",
        null,
        2,
        List.of(),
        List.of(),
        null,
        null,
        10,
        false,
        new Hunt.StreamPos(epoch, seq));
  }

  /** Started at e1/5 with the catch-up fetch answered empty: live from 6 on. */
  void started() {
    follow.start(new Hunt.StreamPos("e1", 5), HuntFollow.Sight.NONE, false);
    assertEquals(List.of("h1"), io.subscriptions);
    assertEquals(List.of("request"), io.slots, "a fill waits for the connection's slot");
    assertEquals(List.of(), io.fetches);
    assertTrue(follow.fillGranted());
    assertEquals(List.of("e1>5"), io.fetches, "what was published since the answer is fetched");
    follow.filled(List.of(), false);
    assertEquals(List.of("request", "done"), io.slots);
    io.fetches.clear();
    io.slots.clear();
  }

  /** The follow asked for the slot: grant it. */
  void grant() {
    assertEquals("request", io.slots.get(io.slots.size() - 1));
    assertTrue(follow.fillGranted());
  }

  @Test
  void liveEventsInOrderGoOutAtOnceAndDuplicatesAreDropped() {
    started();
    follow.live(live("e1", 6));
    follow.live(live("e1", 7));
    follow.live(live("e1", 7)); // again
    follow.live(live("e1", 5)); // old
    follow.live(live("e0", 8)); // another epoch
    assertEquals(List.of(6L, 7L), io.seqs());
    assertEquals(List.of(), io.fetches);
    assertEquals(List.of(), io.slots);
  }

  @Test
  void eventsPublishedBeforeTheSubscriptionAreFetchedFirst() {
    follow.start(new Hunt.StreamPos("e1", 5), HuntFollow.Sight.NONE, false);
    follow.live(live("e1", 8)); // arrives while the catch-up waits for the slot: held
    grant();
    assertEquals(List.of(), io.seqs());
    follow.filled(List.of(entry("e1", 6), entry("e1", 7)), false);
    assertEquals(List.of(6L, 7L, 8L), io.seqs());
    assertEquals(List.of("e1>5"), io.fetches, "no second fetch: the gap is closed");
    assertEquals(List.of("request", "done"), io.slots);
  }

  @Test
  void aGapIsHeldAndFilledThenDeliveredInOrder() {
    started();
    follow.live(live("e1", 6));
    follow.live(live("e1", 9)); // 7 and 8 were lost
    grant();
    assertEquals(List.of("e1>6"), io.fetches);
    follow.live(live("e1", 10)); // held too, no second fetch while filling
    assertEquals(List.of("e1>6"), io.fetches);
    assertEquals(List.of("request"), io.slots, "one request for the slot");
    assertEquals(List.of(6L), io.seqs());
    follow.filled(List.of(entry("e1", 7), entry("e1", 8), entry("e1", 9)), false);
    assertEquals(List.of(6L, 7L, 8L, 9L, 10L), io.seqs(), "each seq exactly once, in order");
    follow.live(live("e1", 11));
    assertEquals(List.of(6L, 7L, 8L, 9L, 10L, 11L), io.seqs());
  }

  @Test
  void aFillThatLeavesAGapFetchesAgainWithoutGivingUpTheSlot() {
    started();
    follow.live(live("e1", 9));
    grant();
    follow.filled(List.of(entry("e1", 6)), false); // the window had only 6
    assertEquals(List.of(6L), io.seqs());
    assertEquals(List.of("e1>5", "e1>6"), io.fetches);
    assertEquals(List.of("request"), io.slots);
    follow.filled(List.of(entry("e1", 7), entry("e1", 8)), false);
    assertEquals(List.of(6L, 7L, 8L, 9L), io.seqs());
    assertEquals(List.of("request", "done"), io.slots);
  }

  @Test
  void aFillComesPageByPageEachAfterThePreviousWasSent() {
    started();
    follow.head(new HuntFeeds.Head(HUNT, "e1", 11));
    grant();
    follow.filled(List.of(entry("e1", 6), entry("e1", 7), entry("e1", 8)), true);
    assertEquals(List.of("e1>5", "e1>8"), io.fetches, "the next page once this one is sent");
    follow.filled(List.of(entry("e1", 9), entry("e1", 10), entry("e1", 11)), false);
    assertEquals(List.of(6L, 7L, 8L, 9L, 10L, 11L), io.seqs());
    assertEquals(List.of("request", "done"), io.slots);
  }

  @Test
  void aPageGoesOutAtTheClientsPace() {
    started();
    follow.head(new HuntFeeds.Head(HUNT, "e1", 10));
    grant();
    io.room = 2; // the client has read all but two frames' worth
    follow.filled(List.of(entry("e1", 6), entry("e1", 7), entry("e1", 8)), true);
    assertEquals(List.of(6L, 7L), io.seqs(), "no more while the buffer is full");
    assertEquals(List.of("e1>5"), io.fetches, "and no next page either");
    follow.live(live("e1", 11)); // live events wait behind the fill
    follow.pump(); // the client has not read yet
    assertEquals(List.of(6L, 7L), io.seqs());
    io.room = Integer.MAX_VALUE; // it has read: the session pumps again
    follow.pump();
    assertEquals(List.of(6L, 7L, 8L), io.seqs());
    assertEquals(List.of("e1>5", "e1>8"), io.fetches);
    follow.filled(List.of(entry("e1", 9), entry("e1", 10)), false);
    assertEquals(List.of(6L, 7L, 8L, 9L, 10L, 11L), io.seqs());
  }

  @Test
  void theHeadAheadOfTheClientStartsAFetch() {
    started();
    follow.head(new HuntFeeds.Head(HUNT, "e1", 5));
    assertEquals(List.of(), io.slots, "not behind: nothing to fetch");
    follow.head(new HuntFeeds.Head(HUNT, "e1", 7));
    grant();
    assertEquals(List.of("e1>5"), io.fetches, "the last event was lost: fetched");
    follow.head(new HuntFeeds.Head(HUNT, "e1", 8));
    assertEquals(1, io.fetches.size(), "one fetch at a time");
    follow.filled(List.of(entry("e1", 6), entry("e1", 7)), false);
    follow.head(new HuntFeeds.Head(HUNT, "e2", 0));
    grant();
    assertEquals(2, io.fetches.size(), "a new epoch is fetched too");
  }

  @Test
  void aGrantForAFollowThatNoLongerNeedsItIsDeclined() {
    started();
    assertFalse(follow.fillGranted(), "nothing to fill");
    assertEquals(List.of(), io.fetches);
  }

  @Test
  void tooManyHeldEventsResetWithASnapshotAndTheStreamGoesOn() {
    started();
    for (long seq = 7; seq <= 7 + MAX_HELD; seq++) follow.live(live("e1", seq)); // 6 is missing
    assertEquals(List.of("-"), io.snapshots, "past max-held: a reset, not a longer wait");
    follow.live(live("e1", 40)); // held while the snapshot is fetched
    follow.reset(
        null, view("e1", 39), new Player.Progress(true, 100, List.of("clock"), List.of(), true));
    JsonNode snapshot = io.first("snapshot");
    assertTrue(snapshot.get("reset").asBoolean());
    assertFalse(snapshot.has("re"));
    assertEquals(39, snapshot.at("/stream/seq").asLong());
    assertEquals(100, snapshot.at("/you/score").asInt());
    assertEquals(List.of(40L), io.seqs(), "the held event after the snapshot's head goes out");
    follow.live(live("e1", 41));
    assertEquals(List.of(40L, 41L), io.seqs());
  }

  @Test
  void eventsTheHuntCanNoLongerServeResetInsteadOfSkipping() {
    started();
    follow.live(live("e1", 9));
    grant();
    follow.filled(null, false); // neither window nor journal
    assertEquals(List.of("-"), io.snapshots);
    follow.reset(null, view("e2", 3), null);
    assertEquals("snapshot", io.last().get("type").asText());
    assertFalse(io.last().has("you"));
    assertEquals(List.of("request", "done"), io.slots, "the slot goes back after the reset");
    follow.live(live("e1", 10)); // the old epoch is over
    follow.live(live("e2", 4));
    assertEquals(List.of(4L), io.seqs());
  }

  @Test
  void aResumeIsAckedThenGetsExactlyTheMissedEvents() {
    follow.resume("e1", 3, HuntFollow.Sight.ALL, null, "r1");
    assertEquals(List.of("h1+positions"), io.subscriptions);
    assertEquals(List.of("e1>3"), io.fetches, "started with the slot: no request");
    follow.live(live("e1", 6)); // live while filling: held
    follow.filled(List.of(entry("e1", 4), entry("e1", 5)), false);
    JsonNode ack = io.sent.get(0);
    assertEquals("ack", ack.get("type").asText());
    assertEquals("r1", ack.get("re").asText());
    assertEquals("e1", ack.at("/stream/epoch").asText());
    assertEquals(3, ack.at("/stream/seq").asLong());
    assertEquals(List.of(4L, 5L, 6L), io.seqs());
    assertEquals(List.of("done"), io.slots);
  }

  @Test
  void aResumeFromAnotherEpochIsAnsweredWithASnapshotCarryingItsId() {
    follow.resume("e-old", 3, HuntFollow.Sight.NONE, null, "r2");
    follow.filled(null, false);
    assertEquals(List.of("r2"), io.snapshots);
    follow.reset("r2", view("e1", 12), null);
    JsonNode snapshot = io.last();
    assertEquals("snapshot", snapshot.get("type").asText());
    assertEquals("r2", snapshot.get("re").asText());
    follow.live(live("e1", 13));
    assertEquals(List.of(13L), io.seqs());
  }

  @Test
  void aResumeOvertakenByTooManyLiveEventsIsAnsweredByTheSnapshot() {
    follow.resume("e1", 3, HuntFollow.Sight.NONE, null, "r6");
    for (long seq = 10; seq <= 10 + MAX_HELD; seq++) follow.live(live("e1", seq));
    assertEquals(List.of("r6"), io.snapshots, "the resume is answered, by the reset");
    follow.filled(List.of(entry("e1", 4)), false); // the fetch's late answer: ignored
    assertEquals(List.of(), io.seqs());
    assertTrue(io.sent.isEmpty(), "no ack after the reset took over");
  }

  @Test
  void aResumeTheHuntDoesNotAnswerIsUnavailableAndNotFollowed() {
    follow.resume("e1", 3, HuntFollow.Sight.NONE, null, "r3");
    follow.fillFailed(false);
    assertTrue(io.unfollowed);
    JsonNode error = io.last();
    assertEquals("unavailable", error.get("code").asText());
    assertEquals("r3", error.get("re").asText());
    assertEquals(1000, error.get("retryAfterMs").asLong());
    assertEquals(List.of("done"), io.slots);
  }

  @Test
  void aResumePastTheNodesJournalReadsIsOverloadedWithRetryAfter() {
    follow.resume("e1", 0, HuntFollow.Sight.NONE, null, "r7");
    follow.fillFailed(true);
    assertTrue(io.unfollowed);
    JsonNode error = io.last();
    assertEquals("overloaded", error.get("code").asText());
    assertEquals("r7", error.get("re").asText());
    assertEquals(1000, error.get("retryAfterMs").asLong());
    assertEquals(List.of("done"), io.slots);
  }

  @Test
  void aGapFillPastTheNodesJournalReadsResets() {
    started();
    follow.live(live("e1", 9));
    grant();
    follow.fillFailed(true);
    assertEquals(List.of("-"), io.snapshots, "a snapshot rather than a wait for a free read");
    assertFalse(io.unfollowed);
  }

  @Test
  void aFailedFillWithoutAResumeWaitsForTheNextChance() {
    started();
    follow.live(live("e1", 8));
    grant();
    follow.fillFailed(false);
    assertFalse(io.unfollowed);
    assertTrue(io.sent.isEmpty());
    assertEquals(List.of("request", "done"), io.slots);
    follow.head(new HuntFeeds.Head(HUNT, "e1", 8));
    grant();
    assertEquals(List.of("e1>5", "e1>5"), io.fetches, "the head check fetches again");
    follow.filled(List.of(entry("e1", 6), entry("e1", 7)), false);
    assertEquals(List.of(6L, 7L, 8L), io.seqs());
  }

  @Test
  void aResumeOfAHuntThatDoesNotExistIsNotFoundWithoutRetry() {
    follow.resume("e1", 3, HuntFollow.Sight.NONE, null, "r4");
    follow.filled(null, false);
    follow.resetFailed("r4", "no hunt h1");
    assertTrue(io.unfollowed);
    JsonNode error = io.last();
    assertEquals("not_found", error.get("code").asText());
    assertFalse(error.has("retryAfterMs"));

    Recorder other = new Recorder();
    HuntFollow f = new HuntFollow(HUNT, ME, other, MAX_HELD, 1000);
    f.resume("e1", 3, HuntFollow.Sight.NONE, null, "r5");
    f.resetFailed("r5", "Ask timed out");
    assertEquals("unavailable", other.last().get("code").asText());
    assertEquals(1000, other.last().get("retryAfterMs").asLong());
  }

  // ---------------------------------------------------------------- who gets positions

  @Test
  void aPlayerOfAHuntThatDoesNotShowPlayersNeverGetsPositions() {
    follow.start(new Hunt.StreamPos("e1", 5), HuntFollow.Sight.NONE, true); // joined, even
    grant();
    follow.filled(List.of(), false);
    follow.positions(BATCH);
    assertEquals(0, io.positionsSent());
    assertEquals(List.of("h1"), io.subscriptions, "not even subscribed to the batches");
    assertEquals(List.of(), io.presences);
  }

  @Test
  void theOrganiserOrASpectatorGetsEveryBatch() {
    HuntFollow watcher = new HuntFollow(HUNT, null, io, MAX_HELD, 1000);
    watcher.start(new Hunt.StreamPos("e1", 5), HuntFollow.Sight.ALL, false);
    watcher.positions(BATCH);
    watcher.positions(BATCH);
    assertEquals(2, io.positionsSent());
    assertEquals(List.of("h1+positions"), io.subscriptions);
    assertEquals(List.of(), io.presences, "nothing to ask: no player");
  }

  @Test
  void aJoinedPlayerGetsPositionsUntilItsOwnLeaveIsDeliveredAndAgainAfterItsJoin() {
    follow.start(new Hunt.StreamPos("e1", 5), HuntFollow.Sight.WHILE_PRESENT, true);
    grant();
    follow.filled(List.of(), false);
    assertEquals(List.of("h1+positions"), io.subscriptions);
    assertEquals(List.of(), io.presences, "a join's answer says it: nothing to ask");
    follow.positions(BATCH);
    assertEquals(1, io.positionsSent());
    follow.live(HuntFeeds.Live.of(membership("e1", 6, "player_left", "p-other")));
    follow.positions(BATCH);
    assertEquals(2, io.positionsSent(), "someone else left");
    follow.live(HuntFeeds.Live.of(membership("e1", 7, "player_left", ME))); // on another socket
    follow.positions(BATCH);
    assertEquals(2, io.positionsSent(), "from its own leave on: none");
    assertFalse(follow.showsPositions());
    follow.live(HuntFeeds.Live.of(membership("e1", 8, "player_joined", ME)));
    follow.positions(BATCH);
    assertEquals(3, io.positionsSent(), "joined again");
  }

  @Test
  void aLeaveDeliveredByAFillCountsAsMuchAsALiveOne() {
    follow.start(new Hunt.StreamPos("e1", 5), HuntFollow.Sight.WHILE_PRESENT, true);
    grant();
    follow.filled(List.of(entry("e1", 6), membership("e1", 7, "player_left", ME)), false);
    follow.positions(BATCH);
    assertEquals(0, io.positionsSent());
  }

  @Test
  void aWatchingPlayerGetsNothingUntilTheHuntSaysItIsIn() {
    follow.start(new Hunt.StreamPos("e1", 5), HuntFollow.Sight.WHILE_PRESENT, false);
    grant();
    follow.filled(List.of(), false);
    assertEquals(List.of("h1"), io.presences);
    follow.positions(BATCH);
    assertEquals(0, io.positionsSent(), "not known yet: none");
    follow.presence(true, true, new Hunt.StreamPos("e1", 5));
    follow.positions(BATCH);
    assertEquals(1, io.positionsSent());
  }

  @Test
  void anAnswerOlderThanADeliveredLeaveDoesNotGrantPositions() {
    follow.start(new Hunt.StreamPos("e1", 5), HuntFollow.Sight.WHILE_PRESENT, false);
    grant();
    follow.filled(List.of(), false);
    follow.live(HuntFeeds.Live.of(membership("e1", 6, "player_left", ME)));
    follow.presence(true, true, new Hunt.StreamPos("e1", 5)); // asked before the leave
    follow.positions(BATCH);
    assertEquals(0, io.positionsSent());
    follow.presence(false, true, new Hunt.StreamPos("e1", 9));
    follow.live(HuntFeeds.Live.of(membership("e1", 7, "player_joined", ME))); // before the answer
    follow.positions(BATCH);
    assertEquals(0, io.positionsSent(), "the answer at 9 is later than the join at 7");
  }

  @Test
  void aResumeByAPlayerAsksTheHuntAndSubscribesOnlyWhenTheHuntShowsPlayers() {
    follow.resume("e1", 3, HuntFollow.Sight.WHILE_PRESENT, null, "r1");
    assertEquals(List.of("h1"), io.subscriptions, "not known to show players: no batches yet");
    assertEquals(List.of("h1"), io.presences);
    follow.presence(true, false, new Hunt.StreamPos("e1", 3));
    assertEquals(HuntFollow.Sight.NONE, follow.sight());
    assertEquals(List.of("h1"), io.subscriptions);
    follow.positions(BATCH);
    assertEquals(0, io.positionsSent(), "in the hunt, but it does not show players");

    Recorder other = new Recorder();
    HuntFollow f = new HuntFollow(HUNT, ME, other, MAX_HELD, 1000);
    f.resume("e1", 3, HuntFollow.Sight.WHILE_PRESENT, null, "r2");
    f.presence(true, true, new Hunt.StreamPos("e1", 3));
    assertEquals(List.of("h1", "h1+positions"), other.subscriptions);
    f.positions(BATCH);
    assertEquals(1, other.positionsSent());
  }

  @Test
  void aResetForgetsPresenceUntilTheHuntAnswersAgain() {
    follow.start(new Hunt.StreamPos("e1", 5), HuntFollow.Sight.WHILE_PRESENT, true);
    grant();
    follow.filled(List.of(), false);
    follow.positions(BATCH);
    assertEquals(1, io.positionsSent());
    for (long seq = 7; seq <= 7 + MAX_HELD; seq++) follow.live(live("e1", seq)); // 6 is missing
    follow.reset(null, view("e1", 300), null); // skipped events may hold its own leave
    follow.positions(BATCH);
    assertEquals(1, io.positionsSent());
    assertEquals(List.of("h1"), io.presences);
    follow.presence(true, true, new Hunt.StreamPos("e1", 200)); // older than the reset
    follow.positions(BATCH);
    assertEquals(1, io.positionsSent());
    assertEquals(List.of("h1", "h1"), io.presences, "asked again");
    follow.presence(true, true, new Hunt.StreamPos("e1", 301));
    follow.positions(BATCH);
    assertEquals(2, io.positionsSent());
  }

  @Test
  void aFailedPresenceAskIsRepeatedAtTheNextHead() {
    follow.start(new Hunt.StreamPos("e1", 5), HuntFollow.Sight.WHILE_PRESENT, false);
    grant();
    follow.filled(List.of(), false);
    follow.presenceFailed();
    follow.positions(BATCH);
    assertEquals(0, io.positionsSent());
    follow.head(new HuntFeeds.Head(HUNT, "e1", 5));
    assertEquals(List.of("h1", "h1"), io.presences);
  }

  @Test
  void aLaterStartInTheSameEpochDoesNotRewindTheStream() {
    started();
    follow.live(live("e1", 6));
    follow.live(live("e1", 7));
    follow.start(
        new Hunt.StreamPos("e1", 5),
        HuntFollow.Sight.ALL,
        false); // e.g. a watch answered at an older head
    grant();
    follow.filled(List.of(entry("e1", 6), entry("e1", 7)), false);
    assertEquals(List.of(6L, 7L), io.seqs(), "nothing sent twice");
    follow.live(live("e1", 8));
    assertEquals(List.of(6L, 7L, 8L), io.seqs());
  }
}
