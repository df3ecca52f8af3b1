package treasurehunt.journal;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;

/**
 * The journal subcommands on the journal of a game played on a real node over HTTP and WebSocket,
 * on a real PostgreSQL, each run in-process through picocli as the jar runs it.
 */
class JournalToolsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static Database db;
  static ScriptedGame game;
  static Path export;
  static String ann, bob;

  record Run(int code, String out, String err) {
    List<JsonNode> jsonLines() throws Exception {
      List<JsonNode> out = new ArrayList<>();
      for (String line : this.out.split("\n")) if (!line.isBlank()) out.add(JSON.readTree(line));
      return out;
    }
  }

  static Run journal(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    CommandLine cl = new CommandLine(new JournalCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static String[] on(Database d, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--db-url", d.url(), "--db-user", d.user(), "--db-password", d.password()));
    return all.toArray(String[]::new);
  }

  @BeforeAll
  static void playAGame() throws Exception {
    db = TestDatabase.fresh("journal");
    // Snapshots every 4 events, so that verify has snapshots to compare. The trail is off: these
    // tests read a game whose every fix is in its player's journal (the trail's rows in the tools:
    // PlayerTrailTest).
    Node node =
        TestNodes.start(
            db,
            TestNodes.SIMULATED_WALKS
                + "treasure-hunt.game.snapshot-every = 4\ntreasure-hunt.trail.enabled = off\n");
    try {
      game = ScriptedGame.play(TestNodes.httpPort(node));
      ann = "Player|" + game.ann;
      bob = "Player|" + game.bob;
      // Snapshots are saved after the events they follow: wait for the hunt's second one (after
      // event 8)
      // and for one of each player.
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (count(
                  db,
                  "SELECT count(*) FROM snapshot WHERE persistence_id = 'Hunt|old-town' AND sequence_number = 8")
              == 0
          || count(
                  db,
                  "SELECT count(DISTINCT persistence_id) FROM snapshot WHERE persistence_id LIKE 'Player|%'")
              < 2) {
        if (System.nanoTime() > deadline) fail("the snapshots were never saved");
        Thread.sleep(50);
      }
    } finally {
      TestNodes.stop(node);
    }
    export =
        Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "journal", ".jsonl");
    Run r = journal(on(db, "export", "-o", export.toString()));
    assertEquals(0, r.code(), r.err());
  }

  static long count(Database d, String sql) throws Exception {
    try (Connection c = d.connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  static void sql(Database d, String sql) throws Exception {
    try (Connection c = d.connect();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** A fresh database holding a copy of the game's journal, made with journal import. */
  static Database copy(String label) throws Exception {
    Database d = TestDatabase.fresh(label);
    Run r = journal(on(d, "import", export.toString()));
    assertEquals(0, r.code(), r.out() + r.err());
    return d;
  }

  @Test
  void listShowsEachHuntAndPlayerWithItsEvents() throws Exception {
    Run text = journal(on(db, "list"));
    assertEquals(0, text.code(), text.err());
    assertTrue(text.out().contains("Hunt|old-town"), text.out());
    assertTrue(text.out().contains(ann) && text.out().contains(bob), text.out());
    assertTrue(text.out().contains("1 hunt (9 events), 2 players (14 events)"), text.out());
    assertFalse(text.out().contains("/sharding/"), "sharding's bookkeeping only with --all");

    Run json = journal(on(db, "list", "--json", "--type", "player"));
    List<JsonNode> rows = json.jsonLines();
    assertEquals(2, rows.size(), json.out());
    for (JsonNode n : rows) {
      assertEquals("player", n.get("type").asText());
      assertEquals(7, n.get("events").asInt());
      assertEquals(7, n.get("lastSeq").asInt());
      // a snapshot every 4 events: after the 4th, or after a write of several events crossing it
      assertTrue(
          n.get("snapshotSeq").asInt() >= 4 && n.get("snapshotSeq").asInt() <= 7, n.toString());
      // as instants: ISO text leaves out a zero fraction ("…:05Z" sorts after "…:05.250Z")
      assertFalse(
          Instant.parse(n.get("firstEvent").asText())
              .isAfter(Instant.parse(n.get("lastEvent").asText())),
          n.toString());
    }
  }

  @Test
  void aPlayersTimelineExplainsItsScore() throws Exception {
    Run r = journal(on(db, "timeline", "player:" + game.ann));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("registered as \"ann\""), r.out());
    assertTrue(r.out().contains("found clock +100 via location"), r.out());
    assertTrue(r.out().contains("found gold +300 via location"), r.out());
    assertTrue(r.out().contains("-> 400 in old-town, total 400"), r.out());
    assertTrue(r.out().contains(ann + " \"ann\": 7 events, score 400"), r.out());
    assertTrue(r.out().contains("old-town: 400 points from clock +100, gold +300"), r.out());

    Run b = journal(on(db, "timeline", game.bob)); // a bare id is found too
    assertTrue(b.out().contains("already claimed by others: gold"), b.out());
    assertTrue(b.out().contains("found riddle +200 via claim"), b.out());
    assertTrue(b.out().contains("old-town: 200 points from riddle +200 (left)"), b.out());
  }

  @Test
  void aHuntsTimelineShowsWhoFoundWhatAndTheStreamNumbers() {
    Run r = journal(on(db, "timeline", "Hunt|old-town"));
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out().contains("\"Old Town\": 23 treasures (1 exclusive, 1 with an answer)"), r.out());
    assertTrue(
        r.out().contains(game.ann + " \"ann\" found gold (exclusive) +300 -> score 400"), r.out());
    assertTrue(r.out().contains("[stream #6-7]"), r.out());
    assertTrue(r.out().contains("stream at #11"), r.out());
    assertTrue(r.out().contains("1. " + game.ann), r.out());
  }

  @Test
  void theTimelineAsJsonLinesCarriesEveryEventAndItsMetadata() throws Exception {
    List<JsonNode> lines = journal(on(db, "timeline", "player:" + game.ann, "--json")).jsonLines();
    assertEquals(7, lines.size());
    for (int i = 0; i < lines.size(); i++) {
      JsonNode n = lines.get(i);
      assertEquals(i + 1, n.get("seq").asInt());
      assertEquals(ann, n.get("persistenceId").asText());
      assertTrue(n.get("timestamp").asLong() > 0 && n.get("writer").asText().length() > 0);
      assertEquals(game.ann, n.at("/event/playerId").asText());
    }
    assertEquals("Player.Registered", lines.get(0).get("type").asText());
    JsonNode gold = lines.get(6);
    assertEquals("Player.TreasureFound", gold.get("type").asText());
    assertEquals("gold", gold.at("/event/treasure").asText());
    assertEquals(400, gold.get("score").asInt());
  }

  @Test
  void stateIsRebuiltAtAnySequenceNumberOrMoment() throws Exception {
    List<JsonNode> lines = journal(on(db, "timeline", "player:" + game.ann, "--json")).jsonLines();
    JsonNode clock =
        lines.stream()
            .filter(n -> "clock".equals(n.at("/event/treasure").asText(null)))
            .findFirst()
            .orElseThrow();
    long clockSeq = clock.get("seq").asLong();

    JsonNode latest = JSON.readTree(journal(on(db, "state", "player:" + game.ann)).out());
    assertEquals(400, latest.get("score").asInt());
    assertEquals(7, latest.get("seq").asInt());
    assertEquals("ann", latest.at("/state/name").asText());
    assertEquals(400, latest.at("/state/hunts/old-town/score").asInt());
    assertEquals("[\"clock\",\"gold\"]", latest.at("/state/hunts/old-town/found").toString());

    JsonNode atSeq =
        JSON.readTree(journal(on(db, "state", ann, "--at-seq", String.valueOf(clockSeq))).out());
    assertEquals(100, atSeq.get("score").asInt());
    assertEquals(clockSeq, atSeq.get("seq").asLong());

    JsonNode atTime =
        JSON.readTree(journal(on(db, "state", ann, "--at-time", clock.get("time").asText())).out());
    assertEquals(100, atTime.at("/state/hunts/old-town/score").asInt());
    JsonNode before = JSON.readTree(journal(on(db, "state", ann, "--at-time", "2001-01-01")).out());
    assertEquals(0, before.get("eventsApplied").asInt());

    JsonNode hunt = JSON.readTree(journal(on(db, "state", "hunt:old-town")).out());
    assertEquals("LIVE", hunt.at("/state/status").asText());
    assertEquals(400, hunt.at("/state/members/" + game.ann + "/score").asInt());
    assertEquals(200, hunt.at("/state/members/" + game.bob + "/score").asInt());
    assertEquals(game.ann, hunt.at("/state/finds/gold/0/playerId").asText());
    assertEquals(1, hunt.at("/state/finds/gold").size(), "an exclusive treasure has one finder");
  }

  @Test
  void unknownEntitiesAndBadTimesAreClearErrors() {
    Run r = journal(on(db, "state", "player:p-nobody"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("no entity player:p-nobody"), r.err());
    Run t = journal(on(db, "state", ann, "--at-time", "yesterday"));
    assertEquals(2, t.code());
    assertTrue(t.err().contains("--at-time yesterday"), t.err());
  }

  @Test
  void verifyReplaysEverythingAndComparesTheSnapshots() {
    Run r = journal(on(db, "verify"));
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("Replayed 1 hunt and 2 players: 23 events"), r.out());
    Matcher m = Pattern.compile("(\\d+) snapshots compared").matcher(r.out());
    assertTrue(m.find(), r.out());
    assertEquals(3, Integer.parseInt(m.group(1)), "the latest snapshot of each entity: " + r.out());
    assertTrue(r.out().contains("OK: 0 violations, 0 warnings"), r.out());
  }

  @Test
  void replayReEmitsTheHuntsStreamAsTheClientsSawIt() throws Exception {
    Run r = journal(on(db, "replay", "old-town", "--speed", "0"));
    assertEquals(0, r.code(), r.err());
    List<JsonNode> frames = r.jsonLines();
    assertEquals(11, frames.size(), r.out());
    List<String> kinds = new ArrayList<>();
    long lastAt = 0;
    for (int i = 0; i < frames.size(); i++) {
      JsonNode f = frames.get(i);
      assertEquals("event", f.get("type").asText());
      assertEquals("old-town", f.get("hunt").asText());
      assertEquals(i + 1, f.get("seq").asInt(), "numbered without gaps");
      assertTrue(f.get("at").asLong() >= lastAt, "in time order");
      lastAt = f.get("at").asLong();
      kinds.add(f.at("/event/kind").asText());
    }
    assertEquals(
        List.of(
            "hunt_started",
            "player_joined",
            "player_joined",
            "treasure_found",
            "leaderboard",
            "treasure_found",
            "leaderboard",
            "treasure_found",
            "leaderboard",
            "chat",
            "player_left"),
        kinds);
    assertEquals("gold", frames.get(5).at("/event/treasure").asText());
    assertEquals(game.ann, frames.get(5).at("/event/playerId").asText());
    assertEquals("well done", frames.get(9).at("/event/text").asText());
  }

  @Test
  void theExportIsReadWithoutADatabaseAndImportsLosslessly() throws Exception {
    assertEquals(
        journal(on(db, "list", "--json", "--all")).out(),
        journal("list", "--json", "--all", "--file", export.toString()).out());
    assertEquals(
        journal(on(db, "timeline", ann)).out(),
        journal("timeline", ann, "--file", export.toString()).out());
    Run fromFile = journal("verify", "--file", export.toString());
    assertEquals(0, fromFile.code(), fromFile.out() + fromFile.err());
    assertTrue(fromFile.out().contains("3 snapshots compared"), fromFile.out());

    Database copy = copy("journal_copy");
    Run verified = journal(on(copy, "verify"));
    assertEquals(0, verified.code(), verified.out() + verified.err());
    for (String entity : List.of("Hunt|old-town", ann, bob))
      assertEquals(
          JSON.readTree(journal(on(db, "state", entity)).out()),
          JSON.readTree(journal(on(copy, "state", entity)).out()),
          entity + " after import");
    // The same rows byte for byte, ordering included: a second export is the first one.
    Path again =
        Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "journal", ".jsonl");
    assertEquals(0, journal(on(copy, "export", "-o", again.toString())).code());
    assertEquals(withoutHeader(export), withoutHeader(again));

    Run twice = journal(on(copy, "import", export.toString()));
    assertEquals(2, twice.code());
    assertTrue(
        twice.err().contains("the target already has") && twice.err().contains("nothing imported"),
        twice.err());
    assertEquals(
        23 + 3,
        count(copy, "SELECT count(*) FROM event_journal"),
        "a refused import writes nothing");
  }

  @Test
  void aTruncatedOrCorruptExportImportsNothingAndSaysWhy() throws Exception {
    byte[] whole = Files.readAllBytes(export);
    List<String> lines = Files.readAllLines(export);
    int events = 0;
    for (String l : lines) if (l.contains("\"kind\":\"event\"")) events++;
    int firstEvent = 0;
    while (!lines.get(firstEvent).contains("\"kind\":\"event\"")) firstEvent++;
    String event = lines.get(firstEvent);
    int cut = whole.length / 2;
    while (whole[cut - 1] == '\n' || whole[cut] == '\n') cut++; // within a line, not at its end
    int cutLine = 1;
    for (int i = 0; i < cut; i++) if (whole[i] == '\n') cutLine++;

    record Bad(String name, byte[] content, String error) {}
    List<Bad> bad = new ArrayList<>();
    bad.add(
        new Bad(
            "cut within a line",
            Arrays.copyOf(whole, cut),
            "line " + cutLine + ": unreadable JSON"));
    bad.add(
        new Bad(
            "cut after a line",
            String.join("\n", lines.subList(0, lines.size() - 3)).concat("\n").getBytes(),
            "ends without its end line: the export was cut short"));
    List<String> missing = new ArrayList<>(lines);
    missing.remove(firstEvent);
    bad.add(
        new Bad(
            "an event line missing",
            (String.join("\n", missing) + "\n").getBytes(),
            "the end line counts "
                + events
                + " events and \\d+ snapshots but the file holds "
                + (events - 1)));
    List<String> garbled = new ArrayList<>(lines);
    garbled.set(firstEvent, event.replaceFirst("\"seq\":", "\"seq\":#"));
    bad.add(
        new Bad(
            "a garbled line",
            (String.join("\n", garbled) + "\n").getBytes(),
            "line " + (firstEvent + 1) + ": unreadable JSON"));
    List<String> badPayload = new ArrayList<>(lines);
    badPayload.set(firstEvent, event.replaceFirst("\"payload\":\"", "\"payload\":\"!!"));
    bad.add(
        new Bad(
            "a payload that is not base64",
            (String.join("\n", badPayload) + "\n").getBytes(),
            "line " + (firstEvent + 1) + ": payload: bad base64"));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
      z.write(whole);
    }
    bad.add(
        new Bad(
            "gzipped, cut short",
            Arrays.copyOf(gz.toByteArray(), gz.size() / 2),
            "(cut short|cannot be read: Unexpected end of ZLIB input stream)"));
    byte[] flipped = gz.toByteArray().clone();
    for (int i = flipped.length / 2; i < flipped.length / 2 + 8; i++) flipped[i] ^= 0x5a;
    // damaged deflate data may still inflate, to garbage: then the line it broke says why, and
    // which reason depends on which bytes the garbage hit (a field, a payload, the JSON itself)
    bad.add(
        new Bad(
            "gzipped, corrupt",
            flipped,
            "(corrupt gzip data|cannot be read|line \\d+: [a-z\"]"
                + "|ends within its gzip data)"));
    bad.add(new Bad("gzipped, not gzip", whole, "is not gzip data"));
    bad.add(new Bad("not an export", "hello\n".getBytes(), "is not a journal export"));
    bad.add(new Bad("empty", new byte[0], "is not a journal export"));

    Database target = TestDatabase.fresh("journal_bad");
    for (Bad b : bad) {
      Path file =
          Files.createTempFile(
              Path.of(System.getProperty("java.io.tmpdir")),
              "bad",
              b.name().startsWith("gzipped") ? ".jsonl.gz" : ".jsonl");
      Files.write(file, b.content());
      Run r = journal(on(target, "import", file.toString()));
      assertEquals(2, r.code(), b.name() + ": " + r.out() + r.err());
      assertTrue(r.err().startsWith("journal import: " + file), b.name() + ": " + r.err());
      assertTrue(Pattern.compile(b.error()).matcher(r.err()).find(), b.name() + ": " + r.err());
      assertEquals(
          1, r.err().strip().lines().count(), b.name() + ": one line, no trace: " + r.err());
      assertEquals(0, count(target, "SELECT count(*) FROM event_journal"), b.name());
      assertEquals(0, count(target, "SELECT count(*) FROM snapshot"), b.name());
    }
    // nothing was left behind that would stand in the way of the intact file
    Run intact = journal(on(target, "import", export.toString()));
    assertEquals(0, intact.code(), intact.out() + intact.err());
    assertEquals(events, count(target, "SELECT count(*) FROM event_journal"));
  }

  private static List<String> withoutHeader(Path file) throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    assertTrue(lines.remove(0).contains("\"header\""));
    return lines;
  }

  @Test
  void aFindCopiedToAnotherPlayerFailsVerify() throws Exception {
    Database d = copy("journal_forged");
    // ann's TreasureFound of the gold, copied by SQL into bob's journal as his 8th event.
    sql(
        d,
        "INSERT INTO event_journal (persistence_id, sequence_number, deleted, writer, write_timestamp, adapter_manifest,"
            + " event_ser_id, event_ser_manifest, event_payload)"
            + " SELECT '"
            + bob
            + "', 8, deleted, writer, write_timestamp, adapter_manifest, event_ser_id, event_ser_manifest, event_payload"
            + " FROM event_journal WHERE persistence_id = '"
            + ann
            + "' AND sequence_number = 7");
    Run r = journal(on(d, "verify"));
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(
        r.out()
            .contains("VIOLATION " + bob + " seq 8: Player.TreasureFound names player " + game.ann),
        r.out());
    assertTrue(
        r.out()
            .contains(
                "VIOLATION "
                    + bob
                    + " seq 8: finds gold (+300) in hunt old-town but Hunt|old-town does not record that find (it credits gold to "
                    + game.ann
                    + ")"),
        r.out());
    assertTrue(r.out().contains("FAILED: 2 violations"), r.out());
  }

  @Test
  void aDeletedHuntEventFailsVerify() throws Exception {
    Database d = copy("journal_gap");
    sql(
        d,
        "DELETE FROM event_journal WHERE persistence_id = 'Hunt|old-town' AND sequence_number = 5");
    Run r = journal(on(d, "verify"));
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(
        r.out()
            .contains(
                "VIOLATION Hunt|old-town seq 6: sequence numbers jump from 4 to 6: event 5 is missing"),
        r.out());
    assertTrue(
        r.out().contains("the public stream rebuilt from here on is numbered from #4"), r.out());
    // what the lost event held shows up too: the snapshot differs, and ann's clock is not in the
    // hunt
    assertTrue(
        r.out()
            .contains(
                "VIOLATION Hunt|old-town seq 8: the state rebuilt from events 1..8 differs from the snapshot"),
        r.out());
    assertTrue(
        r.out()
            .contains(
                "VIOLATION "
                    + ann
                    + " seq 5: finds clock (+100) in hunt old-town but Hunt|old-town does not record that find"),
        r.out());
  }

  @Test
  void verifyNamesAnExclusiveTreasureFoundTwiceAndAWrongScore() throws Exception {
    Database d = copy("journal_twice");
    // the hunt's record of ann's gold, copied as bob's (payload rewritten by the engine's own
    // serializer)
    try (Codec codec = Codec.start(com.typesafe.config.ConfigFactory.load());
        Connection c = d.connect()) {
      var forged =
          new treasurehunt.entities.Hunt.TreasureFound(
              "old-town", game.bob, "gold", 300, "forged", 1L);
      Codec.Encoded e = codec.encode(forged);
      try (var s =
          c.prepareStatement(
              "INSERT INTO event_journal (persistence_id, sequence_number, writer, write_timestamp, adapter_manifest,"
                  + " event_ser_id, event_ser_manifest, event_payload) VALUES ('Hunt|old-town', 10, 'test', 1, '', ?, ?, ?)")) {
        s.setInt(1, e.serId());
        s.setString(2, e.manifest());
        s.setBytes(3, e.payload());
        s.executeUpdate();
      }
    }
    Run r = journal(on(d, "verify"));
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(
        r.out()
            .contains(
                "VIOLATION Hunt|old-town seq 10: exclusive treasure gold found again, by "
                    + game.bob
                    + " (first found by "
                    + game.ann
                    + " at seq 6)"),
        r.out());
    assertTrue(
        r.out()
            .contains(
                "warning   Hunt|old-town seq 10: credits gold (+300) to "
                    + game.bob
                    + ", which "
                    + bob
                    + " has not recorded yet"),
        r.out());
    assertTrue(r.out().contains("FAILED: 1 violation, 1 warning"), r.out());
  }
}
