package treasurehunt.journal;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import treasurehunt.TestDatabase;
import treasurehunt.cluster.Database;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntState;
import treasurehunt.entities.Player;
import treasurehunt.game.Area;
import treasurehunt.game.BandSettings;
import treasurehunt.game.Generate;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.Treasure;

/**
 * {@code journal import} of export files made by someone else: each hostile file is refused with
 * exit 2 and a message naming its line, and the target journal stays empty. The files are written
 * here with the engine's own serializer (a small valid journal, then broken one way at a time); the
 * target is a real PostgreSQL, and the command runs in-process through picocli as the jar runs it.
 */
class HostileImportTest {
  static final String HUNT = "Hunt|old-town", ANN = "Player|p-ann";
  static final double LAT = 52.3702, LON = 4.8952;
  static final Treasure CLOCK = new Treasure("clock", 52.3711, LON, 15, 100, "Clock", null, false);

  static Codec codec;

  /** One target for every refused import: it must stay empty throughout. */
  static Database target;

  @BeforeAll
  static void start() throws Exception {
    codec = Codec.start(ConfigFactory.load());
    target = TestDatabase.fresh("hostile_import");
  }

  @AfterAll
  static void stop() throws Exception {
    codec.close();
  }

  @AfterEach
  void theTargetIsStillEmpty() throws Exception {
    for (String table : List.of("event_journal", "event_tag", "snapshot"))
      assertEquals(0, count(target, "SELECT count(*) FROM " + table), table + " after a refusal");
  }

  // ---------------------------------------------------------------- running the tool

  record Run(int code, String out, String err) {}

  static Run journal(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    CommandLine cl = new CommandLine(new JournalCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static Run importInto(Database d, Path file, String... options) {
    List<String> all = new ArrayList<>(List.of("import", file.toString(), "--no-progress"));
    all.addAll(List.of(options));
    all.addAll(List.of("--db-url", d.url(), "--db-user", d.user(), "--db-password", d.password()));
    return journal(all.toArray(String[]::new));
  }

  static long count(Database d, String sql) throws Exception {
    try (Connection c = d.connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /**
   * Refused: exit 2 and a one-line message on stderr with every one of {@code expected}, saying
   * that nothing was imported.
   */
  static void assertRefused(Path file, String... expected) {
    assertRefused(importInto(target, file), expected);
  }

  static void assertRefused(Run r, String... expected) {
    assertEquals(2, r.code(), r.out() + r.err());
    for (String e : expected) assertTrue(r.err().contains(e), "'" + e + "' in: " + r.err());
    assertTrue(r.err().contains("nothing imported"), r.err());
    assertFalse(r.err().contains("\tat "), "a one-line error, no stack trace: " + r.err());
  }

  // ---------------------------------------------------------------- files

  static HuntDefinition definition(Area area, List<Treasure> treasures, Generate generate) {
    return new HuntDefinition(
        "old-town",
        "Old Town",
        area,
        treasures,
        generate,
        100,
        10,
        false,
        null,
        null,
        BandSettings.DEFAULT);
  }

  static HuntDefinition valid() {
    return definition(new Area(LAT, LON, 1500), List.of(CLOCK), null);
  }

  /** {@link #valid()} under another hunt id and name. */
  static HuntDefinition valid(String huntId, String name) {
    HuntDefinition d = valid();
    return new HuntDefinition(
        huntId,
        name,
        d.area(),
        d.treasures(),
        d.generate(),
        d.maxPlayers(),
        d.maxSpeedMps(),
        d.showPlayers(),
        d.startsAt(),
        d.endsAt(),
        d.bands());
  }

  static Hunt.HuntDefined defined(HuntDefinition d) {
    return new Hunt.HuntDefined("old-town", d, "e1", 1L);
  }

  /** An export being written: rows in order, each event encoded by the engine's serializer. */
  static final class Export {
    final List<Object> rows = new ArrayList<>();
    long ordering;

    Export event(String pid, long seq, Object event) {
      return row(row(pid, seq, ++ordering, event));
    }

    Export row(EventRow row) {
      rows.add(row);
      return this;
    }

    Export snapshot(String pid, long seq, Object state) {
      Codec.Encoded e = codec.encode(state);
      rows.add(
          new SnapshotRow(pid, seq, 1L, e.serId(), e.manifest(), e.payload(), null, null, null));
      return this;
    }

    static EventRow row(String pid, long seq, long ordering, Object event) {
      Codec.Encoded e = codec.encode(event);
      return new EventRow(
          pid,
          seq,
          ordering,
          false,
          "test",
          1_000L + seq,
          "",
          e.serId(),
          e.manifest(),
          e.payload(),
          null,
          null,
          null,
          List.of());
    }

    /** A hunt defined by {@code d}, started, and joined by p-ann (lines 2-4). */
    static Export hunt(HuntDefinition d) {
      return new Export()
          .event(HUNT, 1, defined(d))
          .event(HUNT, 2, new Hunt.HuntStarted("old-town", 2L))
          .event(HUNT, 3, new Hunt.PlayerJoined("old-town", "p-ann", "ann", 3L));
    }

    /** The hunt, then the player p-ann who joined it (lines 5-6). */
    static Export game(HuntDefinition d) {
      return hunt(d)
          .event(ANN, 1, new Player.Registered("p-ann", "ann", 1L))
          .event(ANN, 2, new Player.JoinedHunt("p-ann", "old-town", 2L));
    }

    Path write() throws Exception {
      return write(".jsonl");
    }

    Path write(String suffix) throws Exception {
      Path file =
          Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "hostile", suffix);
      try (OutputStream out = ExportFile.Writer.open(file);
          ExportFile.Writer w =
              new ExportFile.Writer(out, new ObjectMapper(), "HostileImportTest")) {
        for (Object r : rows)
          if (r instanceof EventRow e) w.event(e, null, null);
          else w.snapshot((SnapshotRow) r);
      }
      return file;
    }
  }

  /** The file's lines edited: for what the writer would never write. */
  static Path edit(Path file, UnaryOperator<List<String>> change) throws Exception {
    List<String> lines = change.apply(new ArrayList<>(Files.readAllLines(file)));
    Files.write(file, lines);
    return file;
  }

  // ---------------------------------------------------------------- the valid file

  @Test
  void theUntouchedFileImports() throws Exception {
    // the fixture the other tests break: a journal verify finds nothing wrong with
    Path file = Export.game(valid()).write();
    Run verify = journal("verify", "--file", file.toString(), "--no-progress");
    assertEquals(0, verify.code(), verify.out() + verify.err());
    assertTrue(verify.out().contains("OK: 0 violations, 0 warnings"), verify.out());
    Database d = TestDatabase.fresh("hostile_valid");
    Run r = importInto(d, file);
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("Imported 5 events and 0 snapshots of 2 entities"), r.out());
    assertEquals(5, count(d, "SELECT count(*) FROM event_journal"));
    // with a snapshot of the hunt after its first event, which it recovers from
    Export withSnapshot =
        new Export().snapshot(HUNT, 1, new HuntState().apply(defined(valid()), 1000));
    withSnapshot.rows.addAll(Export.game(valid()).rows);
    Database e = TestDatabase.fresh("hostile_valid_snapshot");
    Run s = importInto(e, withSnapshot.write());
    assertEquals(0, s.code(), s.out() + s.err());
    assertEquals(1, count(e, "SELECT count(*) FROM snapshot"));
  }

  /**
   * A trail ({@code PlayerTrail|<id>}) holds ordinary location fixes only: a find smuggled into one
   * (points the player's own journal never credited) is refused, and so is a registration.
   */
  @Test
  void aTrailThatHoldsMoreThanFixesIsRefused() throws Exception {
    String trail = treasurehunt.entities.PlayerTrail.persistenceId("p-ann");
    // the game is lines 2-6; the forged row is line 7
    assertRefused(
        Export.game(valid())
            .event(
                trail,
                1,
                new Player.TreasureFound("p-ann", "old-town", "clock", 100, "l1", "location", 9L))
            .write(),
        "line 7: a trail holds location fixes only, not Player.TreasureFound");
    assertRefused(
        Export.game(valid()).event(trail, 1, new Player.Registered("p-bob", "bob", 9L)).write(),
        "line 7: a trail holds location fixes only, not Player.Registered");
  }

  // ---------------------------------------------------------------- hunt definitions

  static Stream<Arguments> definitionsTheApiRefuses() {
    Area area = new Area(LAT, LON, 1500);
    return Stream.of(
        Arguments.of(
            "a treasure outside the area",
            definition(
                area,
                List.of(new Treasure("far", 48.8584, 2.2945, 15, 100, null, null, false)),
                null)),
        Arguments.of("no treasure at all", definition(area, List.of(), null)),
        Arguments.of(
            "a negative area radius", definition(new Area(LAT, LON, -5), List.of(CLOCK), null)),
        Arguments.of(
            "a treasure with a negative radius",
            definition(
                area,
                List.of(new Treasure("clock", 52.3711, LON, -1, 100, null, null, false)),
                null)),
        Arguments.of(
            "NaN coordinates",
            definition(
                new Area(Double.NaN, LON, 1500),
                List.of(new Treasure("nan", Double.NaN, Double.NaN, 15, 100, null, null, false)),
                null)),
        Arguments.of(
            "too many generated treasures",
            definition(area, List.of(), new Generate(HuntDefinition.MAX_TREASURES + 1, 1, 50, 20))),
        Arguments.of("two treasures with one id", definition(area, List.of(CLOCK, CLOCK), null)),
        Arguments.of(
            "negative points",
            definition(
                area,
                List.of(new Treasure("clock", 52.3711, LON, 15, -100, null, null, false)),
                null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitionsTheApiRefuses")
  void aHuntDefinitionThatPostApiHuntsRefusesIsRefused(String label, HuntDefinition d)
      throws Exception {
    List<String> problems = d.problems();
    assertFalse(problems.isEmpty(), "the API refuses " + label);
    // the HuntDefined is line 2 (after the header); the message is the API's own
    assertRefused(
        Export.game(d).write(),
        "line 2: HuntDefined of old-town is not a valid hunt definition",
        String.join("; ", problems));
  }

  @Test
  void aHuntSnapshotWithAnInvalidDefinitionIsRefused() throws Exception {
    HuntDefinition far =
        definition(
            new Area(LAT, LON, 1500),
            List.of(new Treasure("far", 48.8584, 2.2945, 15, 100, null, null, false)),
            null);
    Export e = new Export().snapshot(HUNT, 3, new HuntState().apply(defined(far), 1000));
    assertRefused(
        e.write(),
        "line 2: the snapshot's definition of old-town is not a valid hunt definition",
        "treasures[0]: outside the area");
  }

  @Test
  void aDefinitionOfAnotherHuntIsRefused() throws Exception {
    HuntDefinition other = valid("elsewhere", "X");
    assertRefused(
        new Export().event(HUNT, 1, new Hunt.HuntDefined("old-town", other, "e1", 1L)).write(),
        "line 2: HuntDefined defines hunt elsewhere, not old-town");
  }

  // ---------------------------------------------------------------- the line cap

  @Test
  void aLineOverTheCapIsRefusedUnread() throws Exception {
    Path file = Export.game(valid()).write();
    String huge = "{\"kind\":\"event\",\"padding\":\"" + "A".repeat(200 * 1024) + "\"}";
    edit(
        file,
        lines -> {
          lines.add(3, huge);
          return lines;
        });
    assertRefused(
        importInto(target, file, "--max-line-size", "64KiB"),
        "line 4: longer than 65536 bytes, the longest line allowed (--max-line-size)");
    // the same file imports with a cap that holds the line... up to that line, which is no event
    assertRefused(
        importInto(target, file, "--max-line-size", "1MiB"),
        "line 4: an event needs persistenceId");
  }

  @Test
  void aGzipBombOfOneGiganticLineIsRefusedAtTheDefaultCap() throws Exception {
    Path file =
        Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "bomb", ".jsonl.gz");
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) 'A');
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
      out.write(
          "{\"kind\":\"header\",\"format\":\"treasure-hunt-journal\",\"version\":1}\n{\"kind\":\"event\",\"x\":\""
              .getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < 80; i++)
        out.write(chunk); // 80 MiB in one line, a few hundred KiB gzipped
      out.write("\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    assertTrue(Files.size(file) < 1 << 20, "a small file: " + Files.size(file));
    assertRefused(file, "line 2: longer than " + (64 << 20) + " bytes, the longest line allowed");
  }

  @Test
  void theCapMustBeASize() {
    Run r = importInto(target, Path.of("x.jsonl"), "--max-line-size", "lots");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("'lots' is not a size"), r.err());
  }

  // ---------------------------------------------------------------- other hostile rows

  @Test
  void badSequenceNumbersAndOrderingsAreRefused() throws Exception {
    assertRefused(
        new Export().row(Export.row(HUNT, -3, 1, defined(valid()))).write(),
        "line 2: seq -3 is not in [1, 2^53]");
    assertRefused(
        new Export().row(Export.row(HUNT, 0, 1, defined(valid()))).write(), "line 2: seq 0");
    assertRefused(
        new Export().row(Export.row(HUNT, 1, -1, defined(valid()))).write(),
        "line 2: ordering -1 is not in [1, 2^53]");
    assertRefused(
        new Export().row(Export.row(HUNT, 1L << 60, 1, defined(valid()))).write(),
        "line 2: seq " + (1L << 60));
    // the same sequence number twice, or going back
    Export twice = Export.hunt(valid()).event(HUNT, 3, new Hunt.HuntEnded("old-town", 4L));
    assertRefused(twice.write(), "line 5: sequence number 3 of Hunt|old-town after 3");
    Export back = Export.hunt(valid()).event(HUNT, 2, new Hunt.HuntEnded("old-town", 4L));
    assertRefused(back.write(), "line 5: sequence number 2 of Hunt|old-town after 3");
    // two events with one ordering
    Export sameOrdering = Export.game(valid());
    sameOrdering.row(Export.row("Player|p-bob", 1, 2, new Player.Registered("p-bob", "bob", 1L)));
    assertRefused(sameOrdering.write(), "line 7: ordering 2 again (first on line 3");
  }

  @Test
  void rowsOfUnknownEntitiesOrWithForeignEventsAreRefused() throws Exception {
    assertRefused(
        new Export().event("Other|x", 1, new Player.Registered("x", "x", 1L)).write(),
        "line 2: Other|x is not an entity of this engine");
    assertRefused(
        new Export().event("Hunt|-bad", 1, defined(valid())).write(),
        "line 2: Hunt|-bad: a hunt id is 1-64 letters");
    // a player's event in a hunt's journal, and an event naming another player
    assertRefused(
        Export.hunt(valid()).event(HUNT, 4, new Player.Registered("p-ann", "ann", 1L)).write(),
        "line 5: a treasurehunt.entities.Player$Registered is not an event of a hunt");
    assertRefused(
        Export.game(valid()).event(ANN, 3, new Player.Registered("p-bob", "bob", 1L)).write(),
        "line 7: Player.Registered names player p-bob, not p-ann");
    // bytes that decode to nothing the engine knows
    EventRow real = Export.row(ANN, 3, 9, new Player.Registered("p-ann", "ann", 1L));
    EventRow garbage =
        new EventRow(
            ANN,
            3,
            9,
            false,
            "test",
            1L,
            "",
            real.serId(),
            real.serManifest(),
            "not cbor at all".getBytes(StandardCharsets.UTF_8),
            null,
            null,
            null,
            List.of());
    Path file = Export.game(valid()).row(garbage).write();
    assertRefused(file, "line 7: the event of Player|p-ann does not decode", "--allow-undecodable");
    // which a trusted incident export may let through, as it is
    Database d = TestDatabase.fresh("hostile_undecodable");
    Run r = importInto(d, file, "--allow-undecodable");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("line 7: the event of Player|p-ann does not decode"), r.err());
    assertEquals(6, count(d, "SELECT count(*) FROM event_journal"));
  }

  @Test
  void eventsTheHuntCouldNeverHaveWrittenAreRefused() throws Exception {
    assertRefused(
        new Export().event(HUNT, 1, new Hunt.HuntStarted("old-town", 1L)).write(),
        "line 2: Hunt.HuntStarted before the hunt is defined");
    assertRefused(
        Export.hunt(valid()).event(HUNT, 4, defined(valid())).write(),
        "line 5: the hunt is defined a second time");
    assertRefused(
        Export.hunt(valid()).event(HUNT, 4, new Hunt.HuntEnded("new-town", 4L)).write(),
        "line 5: Hunt.HuntEnded names hunt new-town, not old-town");
    assertRefused(
        new Export().event(HUNT, 1, new Hunt.HuntDefined("old-town", valid(), null, 1L)).write(),
        "line 2: HuntDefined without its stream's epoch");
    // a snapshot of a hunt that was never defined
    assertRefused(
        new Export().snapshot(HUNT, 1, new HuntState()).write(),
        "line 2: a snapshot of Hunt|old-town without a hunt definition");
  }

  @Test
  void aBrokenLayoutOfTheFileIsRefused() throws Exception {
    // an entity's rows in two runs (each fine on its own)
    Export split =
        Export.game(valid())
            .event("Player|p-bob", 1, new Player.Registered("p-bob", "bob", 1L))
            .event(ANN, 3, new Player.LeftHunt("p-ann", "old-town", 3L));
    assertRefused(split.write(), "line 8: rows of Player|p-ann again, after other entities");
    // a snapshot after the entity's events
    assertRefused(
        Export.game(valid()).snapshot(ANN, 2, Player.State.EMPTY).write(),
        "line 7: a snapshot of Player|p-ann after its events");
    // anything after the end line
    Path after =
        edit(
            Export.game(valid()).write(),
            lines -> {
              lines.add(lines.get(1));
              return lines;
            });
    assertRefused(after, "line 8: a line after the end line");
    // a value of the wrong type
    Path wrongType =
        edit(
            Export.game(valid()).write(),
            lines -> {
              lines.set(1, lines.get(1).replace("\"seq\":1,", "\"seq\":\"1\","));
              return lines;
            });
    assertRefused(wrongType, "line 2: seq: expected an integer");
  }

  @Test
  void aSnapshotForAnEntityTheTargetHasIsRefused() throws Exception {
    Database d = TestDatabase.fresh("hostile_takeover");
    Run first = importInto(d, Export.game(valid()).write());
    assertEquals(0, first.code(), first.out() + first.err());
    // only a snapshot of the hunt the target already has: it would become the hunt's state
    HuntDefinition mine = valid("old-town", "Mine now");
    Run r =
        importInto(
            d,
            new Export().snapshot(HUNT, 1000, new HuntState().apply(defined(mine), 1000)).write());
    assertRefused(r, "the target already has Hunt|old-town", "nothing imported");
    assertEquals(0, count(d, "SELECT count(*) FROM snapshot"));
  }
}
