package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import treasurehunt.game.Area;
import treasurehunt.game.BandSettings;
import treasurehunt.game.Generate;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.Treasure;

/**
 * Events are facts kept forever: the journal written by an older engine must still be read by this
 * one. src/test/resources/events/v1 holds one serialized sample of every event as the first release
 * wrote it (Jackson CBOR, as in the journal). This test reads each with today's code and expects
 * the same event. A change that breaks it needs a Jackson migration (docs/events.md), not a new
 * golden file. To add the sample of a NEW event type: {@code mvn test -Dtest=EventCompatibilityTest
 * -Dth.writeGolden=true} writes only the missing files.
 */
class EventCompatibilityTest {
  static ActorTestKit testKit;
  static Serialization serialization;
  static final Path DIR = Path.of("src/test/resources/events/v1");

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "events",
            ConfigFactory.parseString("akka.actor.provider = local")
                .withFallback(ConfigFactory.load()));
    serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static final HuntDefinition DEFINITION =
      new HuntDefinition(
          "old-town",
          "Old Town",
          new Area(52.3702, 4.8952, 1500),
          List.of(
              new Treasure("t1", 52.3711, 4.896, 15, 100, "Under the clock", "noon", false),
              new Treasure("gold", 52.3702, 4.89814, 15, 300, null, null, true)),
          new Generate(20, 42, 50, 20),
          10_000,
          50,
          false,
          1795400000000L,
          null,
          new BandSettings(50, 200));

  static final List<Object> SAMPLES =
      List.of(
          new Hunt.HuntDefined("old-town", DEFINITION, "emwswb0es", 1795415959000L),
          new Hunt.HuntStarted("old-town", 1795415960000L),
          new Hunt.HuntEnded("old-town", 1795419560000L),
          new Hunt.PlayerJoined("old-town", "p-1", "alice", 1795415961000L),
          new Hunt.PlayerLeft("old-town", "p-1", 1795415999000L),
          new Hunt.TreasureFound("old-town", "p-1", "t1", 100, "c7", 1795415962000L),
          new Hunt.ChatPosted("old-town", "p-1", "c8", "well done", 1795415963000L),
          new Player.Registered("p-1", "alice", 1795415950000L),
          new Player.JoinedHunt("p-1", "old-town", 1795415961000L),
          new Player.LeftHunt("p-1", "old-town", 1795415999000L),
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
              List.of("t2"),
              List.of("gold")),
          new Player.TreasureFound("p-1", "old-town", "t1", 100, "c1", "claim", 1795415967113L));

  @Test
  void everyEventWrittenByTheFirstReleaseStillReads() throws Exception {
    boolean write = Boolean.getBoolean("th.writeGolden");
    for (Object sample : SAMPLES) {
      Serializer serializer = serialization.findSerializerFor(sample);
      String manifest = Serializers.manifestFor(serializer, sample);
      Path file = DIR.resolve(sample.getClass().getName() + ".cbor");
      if (!Files.exists(file)) {
        assertTrue(
            write,
            "no golden sample for " + sample.getClass().getName() + " (see the class comment)");
        Files.createDirectories(DIR);
        Files.write(file, serialization.serialize(sample).get());
      }
      Object read =
          serialization
              .deserialize(Files.readAllBytes(file), serializer.identifier(), manifest)
              .get();
      assertEquals(sample, read, file + " no longer reads as it was written");
    }
  }

  @Test
  void everyEventTypeHasASample() {
    for (Class<?> c : List.of(Hunt.Event.class, Player.Event.class))
      for (Class<?> permitted : c.getPermittedSubclasses())
        assertTrue(
            SAMPLES.stream().anyMatch(s -> s.getClass() == permitted),
            permitted + " has no sample");
  }
}
