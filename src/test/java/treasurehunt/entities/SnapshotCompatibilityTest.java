package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.game.HuntDefinition;

/**
 * Snapshots are the serialized state of an entity, and a node recovers from the latest one. A state
 * class changed so that an older snapshot no longer reads (or reads as something else) would make
 * every entity with such a snapshot skip it and replay all its events (snapshot-is-optional), or
 * worse, recover a wrong state. src/test/resources/snapshots/v1 holds the snapshot of a Hunt and of
 * a Player as the first release wrote it (Jackson CBOR, as in the snapshot table); each file is
 * named by the manifest stored next to the bytes (the state's class name when it was written). The
 * hunt's has two: {@code Hunt$State}, written before the state moved to {@link HuntState} (read
 * through {@link HuntStateMigration}), and {@code HuntState}, written after the move, byte for byte
 * the same.
 *
 * <p>The test reads each file with today's code, as recovery would (serializer id + stored
 * manifest), and expects exactly the state today's event handler rebuilds from the same events: a
 * recovery from the old snapshot and a full replay must agree. It then applies one more event to
 * both, so that what the state derives after loading (the ranking, the layout) is checked too.
 *
 * <p>A change that breaks it needs a Jackson migration (docs/events.md), not a new golden file.
 * When the state class is renamed or its format deliberately versioned, the new manifest also gets
 * a sample: {@code mvn test -Dtest=SnapshotCompatibilityTest -Dth.writeGolden=true} writes only the
 * missing files (the samples of today's manifests); never overwrite an existing one.
 */
class SnapshotCompatibilityTest {
  static ActorTestKit testKit;
  static Serialization serialization;
  static ObjectMapper json;
  static final Path DIR = Path.of("src/test/resources/snapshots/v1");

  /** The stream window and idempotency window the samples were written with. */
  static final int STREAM_WINDOW = 5;

  static final int IDEMPOTENCY_WINDOW = 3;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "snapshots",
            ConfigFactory.parseString("akka.actor.provider = local")
                .withFallback(ConfigFactory.load()));
    serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    json =
        JacksonObjectMapperProvider.get(Adapter.toClassic(testKit.system()))
            .getOrCreate("jackson-json", Optional.empty());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** The same hunt the event samples define (one definition for both golden sets). */
  static final HuntDefinition DEFINITION = EventCompatibilityTest.DEFINITION;

  /**
   * A hunt with members present and gone, equal scores (ranked by time), finds of an exclusive
   * treasure, chat, and a stream longer than the window.
   */
  static final List<Hunt.Event> HUNT_EVENTS =
      List.of(
          new Hunt.HuntDefined("old-town", DEFINITION, "emwswb0es", 1795415959000L),
          new Hunt.HuntStarted("old-town", 1795415960000L),
          new Hunt.PlayerJoined("old-town", "p-1", "alice", 1795415961000L),
          new Hunt.PlayerJoined("old-town", "p-2", "bob", 1795415961500L),
          new Hunt.PlayerJoined("old-town", "p-3", "cy", 1795415962000L),
          new Hunt.TreasureFound("old-town", "p-2", "t1", 100, "c1", 1795415962500L),
          new Hunt.TreasureFound("old-town", "p-1", "t1", 100, "c7", 1795415963000L),
          new Hunt.TreasureFound("old-town", "p-3", "gold", 300, "l4", 1795415963500L),
          new Hunt.ChatPosted("old-town", "p-1", "c8", "well done", 1795415964000L),
          new Hunt.PlayerLeft("old-town", "p-3", 1795415965000L),
          new Hunt.ChatPosted("old-town", "p-2", "c2", "thanks", 1795415966000L));

  /** Applied after loading: a find (a generated treasure) that moves p-1 above p-2. */
  static final Hunt.Event HUNT_NEXT =
      new Hunt.TreasureFound("old-town", "p-1", "g-3", 50, "l9", 1795415967000L);

  /** A player in two hunts, with location answers, finds by location and by claim, and a leave. */
  static final List<Player.Event> PLAYER_EVENTS =
      List.of(
          new Player.Registered("p-1", "alice", 1795415950000L),
          new Player.JoinedHunt("p-1", "old-town", 1795415961000L),
          new Player.Moved(
              "p-1",
              "l1",
              "old-town",
              52.372,
              4.896,
              8.5,
              1795415966607L,
              "warm",
              17884,
              null,
              List.of(),
              List.of("gold")),
          new Player.Moved(
              "p-1",
              "l2",
              "old-town",
              52.3711,
              4.896,
              5,
              1795415976607L,
              "hot",
              2000,
              "t1",
              List.of("t1"),
              List.of()),
          new Player.TreasureFound("p-1", "old-town", "t1", 100, "l2", "location", 1795415976607L),
          new Player.TreasureFound("p-1", "old-town", "t2", 50, "c1", "claim", 1795415977113L),
          new Player.TreasureFound("p-1", "old-town", "t3", 20, "c0", "reconcile", 1795415978000L),
          new Player.JoinedHunt("p-1", "harbour", 1795415980000L),
          new Player.LeftHunt("p-1", "old-town", 1795415999000L));

  static final Player.Event PLAYER_NEXT =
      new Player.TreasureFound("p-1", "harbour", "h1", 70, "c2", "claim", 1795416000000L);

  static HuntState huntState() {
    HuntState s = new HuntState();
    for (Hunt.Event e : HUNT_EVENTS) s = s.apply(e, STREAM_WINDOW);
    return s;
  }

  static Player.State playerState() {
    Player.State s = Player.State.EMPTY;
    for (Player.Event e : PLAYER_EVENTS) s = s.apply(e, IDEMPOTENCY_WINDOW);
    return s;
  }

  /** The states as the entities hand them to the snapshot store today. */
  static List<Object> samples() {
    return List.of(huntState().copy(), playerState());
  }

  @Test
  void theSamplesAreWhatTheyClaimToBe() {
    HuntState hunt = huntState();
    assertEquals(Hunt.Status.LIVE, hunt.status());
    assertEquals(2, hunt.presentCount());
    assertEquals(13, hunt.seq()); // more than the window: the window holds 9..13
    assertEquals(
        List.of(9L, 10L, 11L, 12L, 13L), hunt.window().stream().map(e -> e.seq()).toList());
    assertEquals(
        List.of("p-3", "p-2", "p-1"),
        hunt.leaderboard(10).stream().map(Hunt.LeaderboardEntry::playerId).toList());
    Player.State player = playerState();
    assertEquals(170, player.score());
    assertEquals(IDEMPOTENCY_WINDOW, player.recent().size());
  }

  @Test
  void everySnapshotWrittenByTheFirstReleaseStillReads() throws Exception {
    List<Path> files = goldenFiles();
    assertTrue(files.size() >= 2, "no golden snapshots in " + DIR);
    for (Path file : files) {
      String manifest = file.getFileName().toString().replaceFirst("\\.cbor$", "");
      Object expected = expectedFor(manifest);
      Object read = read(file, expected);
      assertSame(expected.getClass(), read.getClass(), file + " reads as another class");
      assertEquals(tree(expected), tree(read), file + " no longer reads as it was written");
      if (read instanceof HuntState h) {
        HuntState e = (HuntState) expected;
        assertEquals(e.view(), h.view(), file + ": another view");
        assertEquals(e.entriesAfter(9), h.entriesAfter(9), file + ": another stream window");
        e.apply(HUNT_NEXT, STREAM_WINDOW);
        h.apply(HUNT_NEXT, STREAM_WINDOW);
        assertEquals(
            List.of("p-3", "p-1", "p-2"),
            h.leaderboard(10).stream().map(Hunt.LeaderboardEntry::playerId).toList(),
            file + ": another ranking after loading");
        assertEquals(
            e.leaderboard(10), h.leaderboard(10), file + ": another ranking after loading");
        assertEquals(tree(e), tree(h), file + ": another state after one more event");
      } else {
        Player.State e = (Player.State) expected;
        Player.State p = (Player.State) read;
        assertEquals(e, p, file + " no longer reads as it was written");
        assertEquals(
            e.apply(PLAYER_NEXT, IDEMPOTENCY_WINDOW),
            p.apply(PLAYER_NEXT, IDEMPOTENCY_WINDOW),
            file + ": another state after one more event");
      }
    }
  }

  /**
   * The manifest a state is stored under today has its own sample (write it with th.writeGolden).
   */
  @Test
  void everyStateClassHasASampleUnderTheManifestWrittenToday() throws Exception {
    boolean write = Boolean.getBoolean("th.writeGolden");
    for (Object sample : samples()) {
      Serializer serializer = serialization.findSerializerFor(sample);
      String manifest = Serializers.manifestFor(serializer, sample);
      Path file = DIR.resolve(manifest + ".cbor");
      if (!Files.exists(file)) {
        assertTrue(write, "no golden snapshot for " + manifest + " (see the class comment)");
        Files.createDirectories(DIR);
        Files.write(file, serialization.serialize(sample).get());
      }
    }
  }

  private static List<Path> goldenFiles() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".cbor")).sorted().toList();
    }
  }

  /** The state today's code rebuilds from the events a sample was written from. */
  private static Object expectedFor(String manifest) {
    if (manifest.startsWith("treasurehunt.entities.Player")) return playerState();
    if (manifest.startsWith("treasurehunt.entities.Hunt")) return asFirstReleased(huntState());
    throw new AssertionError("a golden snapshot of an unknown entity: " + manifest);
  }

  /**
   * The stream window as the first release stored it: a join's or leave's entry had no {@code
   * players} then (issue 14 added it; an old entry reads with none, and a presence frame made of it
   * has no count).
   */
  private static HuntState asFirstReleased(HuntState s) {
    java.util.ArrayDeque<Hunt.StreamEntry> window = new java.util.ArrayDeque<>();
    for (Hunt.StreamEntry e : s.window) {
      Hunt.PublicEvent p = e.event();
      window.add(
          new Hunt.StreamEntry(
              e.hunt(),
              e.epoch(),
              e.seq(),
              e.at(),
              new Hunt.PublicEvent(
                  p.kind(),
                  p.playerId(),
                  p.name(),
                  p.treasure(),
                  p.points(),
                  p.text(),
                  p.leaderboard())));
    }
    s.window = window;
    return s;
  }

  /** Decoded as the snapshot store decodes it: the serializer id and the stored manifest. */
  private static Object read(Path file, Object sample) throws IOException {
    Serializer serializer = serialization.findSerializerFor(sample);
    String manifest = file.getFileName().toString().replaceFirst("\\.cbor$", "");
    return serialization
        .deserialize(Files.readAllBytes(file), serializer.identifier(), manifest)
        .get();
  }

  private static JsonNode tree(Object state) {
    return json.valueToTree(state);
  }
}
