package treasurehunt.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.typesafe.config.ConfigFactory;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import picocli.CommandLine;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;

/**
 * Not a test: builds a large journal to measure the journal tools on (docs/journal.md, "Speed").
 * Run on demand only:
 *
 * <pre>
 * mvn -B -q test -Dtest=JournalBenchmark -Djournal.bench.dir=/tmp/jr-bench -Djournal.bench.copies=100
 * </pre>
 *
 * It plays a game on a real node (players walking to treasures over WebSocket, finds, exclusive
 * treasures lost, riddles answered, chat; snapshots every 200 events as configured), then writes
 * {@code copies} copies of that journal under new hunt and player ids: each event is decoded by the
 * engine's serializer, its ids renamed, and encoded again, so every copy is a consistent game that
 * verify checks fully. The copies' rows are interleaved in the global ordering, as concurrent games
 * would be. The result is an export file ({@code DIR/journal.jsonl}) and, through {@code journal
 * import}, the embedded database of the data folder {@code DIR}, which the jar then reads: {@code
 * journal verify --data-dir DIR}.
 */
@EnabledIfSystemProperty(named = "journal.bench.dir", matches = ".+")
class JournalBenchmark {
  static final String HUNT = "bench";
  static final double LAT = 52.3702, LON = 4.8952;

  @Test
  void buildALargeJournal() throws Exception {
    Path dir = Path.of(System.getProperty("journal.bench.dir"));
    int copies = Integer.getInteger("journal.bench.copies", 100);
    int players = Integer.getInteger("journal.bench.players", 30);
    int moves = Integer.getInteger("journal.bench.moves", 300);
    if (Files.exists(dir.resolve("postgres")))
      throw new IllegalStateException(dir + " already has a database");
    Files.createDirectories(dir);

    Database source = TestDatabase.fresh("bench");
    // players here report as fast as the node answers: no per-connection rate limit
    Node node =
        TestNodes.start(
            source,
            TestNodes.SIMULATED_WALKS
                + "treasure-hunt.ws.rate-per-second = 100000\ntreasure-hunt.ws.burst = 100000\n");
    long played = System.nanoTime();
    try {
      play(TestNodes.httpPort(node), players, moves);
    } finally {
      TestNodes.stop(node);
    }
    System.out.printf(
        "played %d players x %d moves in %.1f s%n",
        players, moves, (System.nanoTime() - played) / 1e9);

    Path export = dir.resolve("journal.jsonl");
    long copied = System.nanoTime();
    long[] rows = new long[2];
    try (Codec codec = Codec.start(ConfigFactory.load());
        JournalDb db = JournalDb.external(source.url(), source.user(), source.password());
        DbReader reader = new DbReader(db);
        OutputStream file = ExportFile.Writer.open(export)) {
      ObjectMapper cbor = codec.cbor();
      List<String> playerIds = new ArrayList<>();
      long maxOrdering = 0;
      for (EntityInfo e : reader.entities()) {
        if (e.kind() == EntityKind.PLAYER) playerIds.add(EntityKind.entityId(e.persistenceId()));
      }
      try (java.sql.Connection c = db.connect(true);
          java.sql.ResultSet r =
              c.createStatement().executeQuery("SELECT max(ordering) FROM event_journal")) {
        r.next();
        maxOrdering = r.getLong(1);
      }
      List<Map<String, String>> renames = new ArrayList<>();
      for (int k = 0; k < copies; k++) {
        Map<String, String> m = new HashMap<>();
        m.put(HUNT, HUNT + "-c" + k);
        for (String p : playerIds) m.put(p, p + "-c" + k);
        renames.add(m);
      }
      long stride = copies;
      ExportFile.Writer out =
          new ExportFile.Writer(
              file, codec.json(), "JournalBenchmark: " + copies + " copies of a scripted game");
      reader.scan(
          null,
          true,
          true,
          new JournalReader.Visitor() {
            String pid;
            List<SnapshotRow> snaps;
            final List<EventRow> events = new ArrayList<>();

            @Override
            public void begin(String persistenceId, List<SnapshotRow> snapshots) {
              pid = persistenceId;
              snaps = snapshots;
              events.clear();
            }

            @Override
            public void event(EventRow row) {
              events.add(row);
            }

            @Override
            public void end() throws Exception {
              if (!Replay.replayable(pid)) return; // sharding's bookkeeping: not copied
              List<Object> decodedEvents = new ArrayList<>();
              for (EventRow e : events) decodedEvents.add(codec.decode(e));
              List<Object> decodedSnaps = new ArrayList<>();
              for (SnapshotRow s : snaps) decodedSnaps.add(codec.decode(s));
              for (int k = 0; k < copies; k++) {
                Map<String, String> names = renames.get(k);
                String newPid =
                    EntityKind.of(pid) == EntityKind.HUNT
                        ? EntityKind.huntPid(names.get(HUNT))
                        : EntityKind.playerPid(names.get(EntityKind.entityId(pid)));
                for (int i = 0; i < snaps.size(); i++) {
                  SnapshotRow s = snaps.get(i);
                  Codec.Encoded enc = codec.encode(rename(cbor, decodedSnaps.get(i), names));
                  out.snapshot(
                      new SnapshotRow(
                          newPid,
                          s.seq(),
                          s.created(),
                          enc.serId(),
                          enc.manifest(),
                          enc.payload(),
                          null,
                          null,
                          null));
                  rows[1]++;
                }
                for (int i = 0; i < events.size(); i++) {
                  EventRow e = events.get(i);
                  Object renamed = rename(cbor, decodedEvents.get(i), names);
                  Codec.Encoded enc = codec.encode(renamed);
                  out.event(
                      new EventRow(
                          newPid,
                          e.seq(),
                          e.ordering() * stride + k,
                          e.deleted(),
                          e.writer() + "-c" + k,
                          e.timestamp(),
                          e.adapterManifest(),
                          enc.serId(),
                          enc.manifest(),
                          enc.payload(),
                          null,
                          null,
                          null,
                          List.of()),
                      renamed,
                      null);
                  rows[0]++;
                }
              }
            }
          },
          n -> {});
      out.close();
    }
    System.out.printf(
        "wrote %,d events and %,d snapshots to %s in %.1f s%n",
        rows[0], rows[1], export, (System.nanoTime() - copied) / 1e9);

    StringWriter sw = new StringWriter();
    int code =
        new CommandLine(new JournalCommand())
            .setOut(new PrintWriter(sw))
            .setErr(new PrintWriter(sw))
            .execute("import", export.toString(), "--data-dir", dir.toString());
    System.out.print(sw);
    assertEquals(0, code);
  }

  /**
   * The object with every text value and object key that is a renamed id replaced, via the CBOR
   * mapper.
   */
  static Object rename(ObjectMapper cbor, Object o, Map<String, String> names) throws Exception {
    JsonNode tree = cbor.valueToTree(o);
    return cbor.treeToValue(rename(tree, names), o.getClass());
  }

  static JsonNode rename(JsonNode n, Map<String, String> names) {
    if (n.isTextual()) {
      String text = n.asText();
      String to = names.get(text);
      int slash = text.indexOf('/'); // a hunt's recent chats: playerId/cmdId
      if (to == null && slash > 0 && names.containsKey(text.substring(0, slash)))
        to = names.get(text.substring(0, slash)) + text.substring(slash);
      return to == null ? n : TextNode.valueOf(to);
    }
    if (n.isArray()) {
      ArrayNode a = (ArrayNode) n;
      for (int i = 0; i < a.size(); i++) a.set(i, rename(a.get(i), names));
      return a;
    }
    if (n.isObject()) {
      ObjectNode o = (ObjectNode) n;
      ObjectNode out = o.objectNode();
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        out.set(names.getOrDefault(e.getKey(), e.getKey()), rename(e.getValue(), names));
      }
      return out;
    }
    return n;
  }

  /**
   * The game: treasures on a grid, players walking from one to the next and reporting every second
   * of simulated time.
   */
  static void play(int port, int players, int moves) throws Exception {
    HttpClientSupport http = new HttpClientSupport(port);
    StringBuilder treasures = new StringBuilder();
    List<double[]> spots = new ArrayList<>();
    int n = 0;
    for (int i = -4; i <= 4; i++)
      for (int j = -4; j <= 4; j++) {
        double lat = LAT + i * 0.0012, lon = LON + j * 0.002;
        spots.add(new double[] {lat, lon});
        if (n > 0) treasures.append(',');
        treasures.append(
            String.format(
                Locale.ROOT,
                "{\"id\":\"t%d\",\"lat\":%.6f,\"lon\":%.6f,\"radiusM\":25,\"points\":%d,\"hint\":\"spot %d\"%s%s}",
                n,
                lat,
                lon,
                10 * (1 + n % 10),
                n,
                n % 9 == 0 ? ",\"exclusive\":true" : "",
                n % 11 == 5 ? ",\"answer\":\"noon\"" : ""));
        n++;
      }
    String def =
        String.format(
            Locale.ROOT,
            "{\"huntId\":\"%s\",\"name\":\"Bench\",\"area\":{\"lat\":%f,\"lon\":%f,\"radiusM\":1500},\"treasures\":[%s],"
                + "\"maxPlayers\":10000,\"maxSpeedMps\":100}",
            HUNT,
            LAT,
            LON,
            treasures);
    assertEquals(201, http.postAdmin("/api/hunts", def).status());
    assertEquals(200, http.postAdmin("/api/hunts/" + HUNT + "/start", null).status());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int p = 0; p < players; p++) {
      int seed = p;
      done.add(
          pool.submit(
              () -> {
                JsonNode who =
                    http.post("/api/players", "{\"name\":\"walker " + seed + "\"}").json();
                Random random = new Random(seed);
                try (WsClient ws = WsClient.hello(port, who.get("token").asText())) {
                  ws.request("join", "\"hunt\":\"" + HUNT + "\"");
                  double lat = LAT + (random.nextDouble() - 0.5) * 0.01,
                      lon = LON + (random.nextDouble() - 0.5) * 0.01;
                  double[] target = spots.get(random.nextInt(spots.size()));
                  // Fix times a second apart (90 m steps: the hunt allows 100 m/s), kept within
                  // the server's window (at most 2 minutes old) however long the run takes.
                  long at = System.currentTimeMillis() - 60_000;
                  for (int m = 0; m < moves; m++) {
                    at = Math.max(at + 1000, System.currentTimeMillis() - 60_000);
                    double dLat = target[0] - lat, dLon = target[1] - lon;
                    double meters = Math.hypot(dLat * 111_000, dLon * 68_000);
                    double step = Math.min(1, 90 / Math.max(meters, 1));
                    lat += dLat * step;
                    lon += dLon * step;
                    if (step >= 1) target = spots.get(random.nextInt(spots.size()));
                    JsonNode ack =
                        ws.request(
                            "location",
                            String.format(
                                Locale.ROOT,
                                "\"hunt\":\"%s\",\"lat\":%.7f,\"lon\":%.7f,\"at\":%d,\"accuracyM\":5",
                                HUNT,
                                lat,
                                lon,
                                at));
                    String riddle = ack.path("atTreasure").asText("");
                    if (!riddle.isEmpty() && !"null".equals(riddle))
                      ws.request(
                          "claim",
                          "\"hunt\":\""
                              + HUNT
                              + "\",\"treasure\":\""
                              + riddle
                              + "\",\"answer\":\"noon\"");
                    if (m % 50 == 25)
                      ws.request("chat", "\"hunt\":\"" + HUNT + "\",\"text\":\"move " + m + "\"");
                  }
                  ws.request("leave", "\"hunt\":\"" + HUNT + "\"");
                }
                return null;
              }));
    }
    for (Future<?> f : done) f.get();
    pool.shutdown();
  }
}
