package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Hunt;

/**
 * A 1.1 follow's presence frames and a v1 follow's snapshots above the size, driven by hand as in
 * {@link HuntFollowTest} (whose recorder this uses): a run goes out whole at the next seq, anything
 * else is fetched (also a run that came during a fill, once it is over), a fill folds its pages'
 * runs, and what a frame says of the follow's own player counts for who sees positions.
 */
class HuntFollowPresenceTest {
  static final String HUNT = HuntFollowTest.HUNT;
  static final String ME = HuntFollowTest.ME;

  HuntFollowTest.Recorder io;
  HuntFollow follow;

  @BeforeEach
  void setUp() {
    io = new HuntFollowTest.Recorder();
    follow = new HuntFollow(HUNT, ME, io, 10, 1000, new Presence.Fold(100, Integer.MAX_VALUE));
  }

  static Hunt.StreamEntry presence(long seq, String kind, String player) {
    return new Hunt.StreamEntry(
        HUNT,
        "e1",
        seq,
        1000 + seq,
        new Hunt.PublicEvent(kind, player, "x", null, null, null, null, 3));
  }

  static HuntFeeds.PresenceRun run(Hunt.StreamEntry... entries) {
    return new HuntFeeds.PresenceRun(HUNT, Presence.fold(List.of(entries), 100));
  }

  /** Live from 6 on, positions while the player is in a hunt that shows players. */
  void started() {
    follow.start(new Hunt.StreamPos("e1", 5), HuntFollow.Sight.WHILE_PRESENT, false);
    assertTrue(follow.fillGranted());
    follow.filled(List.of(), false);
    io.slots.clear();
    io.fetches.clear();
  }

  List<String> types() {
    return io.sent.stream().map(n -> n.path("type").asText()).toList();
  }

  @Test
  void aRunAtTheNextSeqGoesOutWholeAndTellsWhetherTheFollowsPlayerIsIn() {
    started();
    follow.presence(run(presence(6, "player_joined", "p1"), presence(7, "player_joined", ME)));
    assertEquals(List.of("presence"), types());
    assertEquals(7, io.last().path("seq").asLong());
    follow.presence(run(presence(6, "player_joined", "p1"))); // already sent
    assertEquals(1, io.sent.size());
    follow.live(HuntFollowTest.live("e1", 8));
    assertEquals(List.of(8L), io.seqs(), "the next event follows the run");
    assertTrue(follow.showsPositions(), "its own join, in the run, counts");
    follow.presence(run(presence(9, "player_left", ME)));
    assertFalse(follow.showsPositions(), "and its leave");
    assertEquals(List.of(), io.fetches);
  }

  @Test
  void aRunThatDoesNotStartAtTheNextSeqIsFetchedAndFoldedByTheFill() {
    started();
    follow.presence(run(presence(8, "player_joined", "p3"))); // 6 and 7 missing
    assertEquals(List.of(), io.sent);
    assertTrue(follow.fillGranted());
    assertEquals(List.of("e1>5"), io.fetches);
    follow.filled(
        List.of(
            presence(6, "player_joined", "p1"),
            presence(7, "player_joined", "p2"),
            HuntFollowTest.entry("e1", 8),
            presence(9, "player_left", "p1")),
        false);
    assertEquals(List.of("presence", "event", "presence"), types(), "runs folded, in seq order");
    JsonNode first = io.sent.get(0);
    assertEquals(6, first.path("from").asLong());
    assertEquals(7, first.path("seq").asLong());
    assertEquals(2, first.path("joined").size());
    assertEquals(9, io.last().path("from").asLong());
    assertEquals("p1", io.last().at("/left/0/playerId").asText());
  }

  @Test
  void aNewFollowerWhosePositionIsInsideARunGetsThePartAfterItWithoutAFetch() {
    started();
    follow.presence(
        run(
            presence(4, "player_joined", "p0"),
            presence(5, "player_joined", "p1"),
            presence(6, "player_joined", "p2"),
            presence(7, "player_left", "p0")));
    assertEquals(List.of("presence"), types());
    assertEquals(6, io.last().path("from").asLong());
    assertEquals(7, io.last().path("seq").asLong());
    assertEquals("p2", io.last().at("/joined/0/playerId").asText());
    assertEquals("p0", io.last().at("/left/0/playerId").asText());
    assertEquals(List.of(), io.fetches);
  }

  @Test
  void aRunThatCameDuringAFillIsHeldAndSentAfterItWithoutAnotherFetch() {
    started();
    follow.head(new HuntFeeds.Head(HUNT, "e1", 7));
    assertTrue(follow.fillGranted());
    follow.presence(run(presence(7, "player_joined", "p2"), presence(8, "player_joined", "p3")));
    assertEquals(List.of(), io.sent, "held during the fill");
    follow.filled(
        List.of(presence(6, "player_joined", "p1"), HuntFollowTest.entry("e1", 7)), false);
    assertEquals(List.of("presence", "event", "presence"), types());
    assertEquals(8, io.last().path("from").asLong(), "the part of the run after the fill");
    assertEquals("p3", io.last().at("/joined/0/playerId").asText());
    assertEquals(List.of("e1>5"), io.fetches, "no second read of the hunt");
    assertEquals(List.of("request", "done"), io.slots);
  }

  @Test
  void aV1FollowTakesTheSnapshotStandingForSkippedJoinsAndGoesOnAfterIt() {
    HuntFollow v1 = new HuntFollow(HUNT, ME, io, 10, 1000);
    v1.start(new Hunt.StreamPos("e1", 5), HuntFollow.Sight.WHILE_PRESENT, false);
    assertTrue(v1.fillGranted());
    v1.filled(List.of(), false);
    v1.v1Reset(
        new HuntFeeds.V1Reset(
            HUNT, "e1", 300, ServerFrame.of(Frames.object("snapshot")), Map.of(ME, true)));
    assertEquals(List.of("snapshot"), types());
    v1.live(HuntFollowTest.live("e1", 301));
    assertEquals(List.of(301L), io.seqs(), "no gap after the snapshot");
    assertTrue(v1.showsPositions(), "its join was among the skipped ones");
    v1.v1Reset(
        new HuntFeeds.V1Reset(
            HUNT, "e1", 200, ServerFrame.of(Frames.object("snapshot")), Map.of()));
    assertEquals(2, io.sent.size(), "an older one is dropped");
  }

  static Hunt.StreamEntry found(long seq, String kind, int players) {
    return new Hunt.StreamEntry(
        HUNT,
        "e1",
        seq,
        1000 + seq,
        new Hunt.PublicEvent(
            kind,
            kind.equals("leaderboard") ? null : "p9",
            null,
            kind.equals("leaderboard") ? null : "t1",
            kind.equals("leaderboard") ? null : 50,
            null,
            kind.equals("leaderboard")
                ? List.of(new Hunt.LeaderboardEntry(1, "p9", "x", 50, 1))
                : null,
            players));
  }

  @Test
  void aFillFoldsABigHuntsFindsIntoTheRunAndSendsASmallHuntsAsEvents() {
    HuntFollow f = new HuntFollow(HUNT, ME, io, 10, 1000, new Presence.Fold(100, 200));
    f.start(new Hunt.StreamPos("e1", 5), HuntFollow.Sight.WHILE_PRESENT, false);
    assertTrue(f.fillGranted());
    f.filled(
        List.of(
            found(6, "treasure_found", 50), // small: events
            found(7, "leaderboard", 50),
            presence(8, "player_joined", ME),
            found(9, "treasure_found", 201), // big: in the run
            found(10, "leaderboard", 201),
            HuntFollowTest.entry("e1", 11), // an event ends the run
            found(12, "treasure_found", 201)),
        false);
    assertEquals(List.of("event", "event", "presence", "event", "presence"), types());
    JsonNode run = io.sent.get(2);
    assertEquals(8, run.path("from").asLong());
    assertEquals(10, run.path("seq").asLong());
    assertEquals(9, run.at("/found/0/seq").asLong());
    assertEquals("p9", run.at("/leaderboard/0/playerId").asText());
    assertEquals(201, run.at("/counts/players").asInt());
    assertEquals(12, io.last().path("from").asLong());
    assertEquals(12, io.last().path("seq").asLong());
    assertFalse(io.last().has("leaderboard"));
    assertTrue(f.showsPositions(), "its own join, in the run with finds, counts");
    f.live(HuntFollowTest.live("e1", 13));
    assertEquals(13, io.last().path("seq").asLong(), "no gap after the runs");
  }
}
