package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Player;
import treasurehunt.game.Area;

/**
 * Bytes per frame in each encoding (BENCHMARKS.md, "Issue 14: JSON vs CBOR"): representative frames
 * built by {@link Frames} as the node builds them, rendered by {@link Encoding} as the node renders
 * them, and the client frames a player sends. Deterministic; also times rendering and parsing on
 * this JVM (indicative only: the fastest of 9 runs). Prints a table and writes it to
 * target/frame-sizes.md.
 *
 * <pre>mvn -B -q test -Dtest=FrameSizesTest -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class FrameSizesTest {
  static final long T = 1796058411656L;
  static final Hunt.StreamPos POS = new Hunt.StreamPos("emx3iszd3", 12);

  static List<Hunt.LeaderboardEntry> board(int n) {
    List<Hunt.LeaderboardEntry> b = new ArrayList<>();
    for (int i = 0; i < n; i++)
      b.add(
          new Hunt.LeaderboardEntry(
              i + 1, "p-qtes6w8vis" + (10 + i), "player " + i, 900 - i * 50, 3));
    return b;
  }

  static Hunt.View view(int treasures) {
    List<Hunt.TreasureView> t = new ArrayList<>();
    t.add(new Hunt.TreasureView("clock", "Under the clock", 100, false, false, 2));
    t.add(new Hunt.TreasureView("bell", "When does the bell ring?", 200, false, true, 1));
    for (int i = 1; t.size() < treasures; i++)
      t.add(new Hunt.TreasureView("g-" + i, null, 50, false, false, 0));
    return new Hunt.View(
        "harbour",
        "Harbour",
        "live",
        new Area(52.3702, 4.8952, 1500),
        2,
        t,
        board(2),
        null,
        null,
        100,
        false,
        POS);
  }

  static Hunt.StreamEntry entry(Hunt.PublicEvent e) {
    return new Hunt.StreamEntry("harbour", "emx3iszd3", 12, T, e);
  }

  /** The server's frames, by the name BENCHMARKS.md gives them. */
  static Map<String, ObjectNode> serverFrames() {
    Map<String, ObjectNode> f = new LinkedHashMap<>();
    f.put("welcome", Frames.welcome("p-qtes6w8viszh", "alice", T, 1));
    f.put(
        "location ack",
        Frames.located(
            "a3", new Player.LocationAck(1000, "hot", List.of(), null, null, List.of())));
    f.put(
        "location ack (a find)",
        Frames.located(
            "a4", new Player.LocationAck(1155, "warm", List.of("clock"), null, null, List.of())));
    f.put("chat ack", Frames.ack("b2"));
    f.put(
        "error",
        Frames.error(
            "a5", "stale", "a newer location (at 1796058416249) was already accepted", null));
    f.put("pong", Frames.pong(T));
    f.put(
        "event treasure_found",
        Frames.event(
            entry(
                new Hunt.PublicEvent(
                    "treasure_found", "p-qtes6w8viszh", "alice", "clock", 100, null, null))));
    f.put(
        "event chat",
        Frames.event(
            entry(
                new Hunt.PublicEvent(
                    "chat", "p-jbkt9ajp6xsw", "bob", null, null, "nice one, alice", null))));
    f.put(
        "event leaderboard (top 10)",
        Frames.event(
            entry(new Hunt.PublicEvent("leaderboard", null, null, null, null, null, board(10)))));
    List<Player.Position> players = new ArrayList<>();
    for (int i = 0; i < 50; i++)
      players.add(
          new Player.Position(
              "harbour",
              "p-" + Long.toString(1_000_000_000_000L + i * 7919L, 36),
              52.3702 + i * 0.000137,
              4.8952 - i * 0.000211,
              T));
    f.put("positions (50 players)", Frames.positions("harbour", T, players));
    Player.Progress you = new Player.Progress(true, 300, List.of("clock", "bell"), List.of(), true);
    f.put(
        "join ack (4 treasures)",
        Frames.joined("a1", new Player.JoinAck(view(4), you, POS, 1000, null)));
    f.put("snapshot (4 treasures)", Frames.snapshot("a10", view(4), you));
    f.put("snapshot (100 treasures)", Frames.snapshot("a10", view(100), you));
    return f;
  }

  /** What a player sends. */
  static Map<String, String> clientFrames() {
    Map<String, String> f = new LinkedHashMap<>();
    String token = "eyJhbGciOiJIUzI1NiJ9." + "x".repeat(140) + "." + "y".repeat(43);
    f.put("hello", "{\"type\":\"hello\",\"token\":\"" + token + "\"}");
    f.put("join", "{\"type\":\"join\",\"id\":\"c1\",\"hunt\":\"harbour\"}");
    f.put(
        "location",
        "{\"type\":\"location\",\"id\":\"c17\",\"hunt\":\"harbour\",\"lat\":52.37105,\"lon\":4.89598,\"accuracyM\":5,\"at\":1796058416249}");
    f.put(
        "chat",
        "{\"type\":\"chat\",\"id\":\"c18\",\"hunt\":\"harbour\",\"text\":\"nice one, alice\"}");
    f.put("ping", "{\"type\":\"ping\"}");
    return f;
  }

  @Test
  void cborIsSmallerForEveryFrameAndSaysTheSame() throws Exception {
    StringBuilder table = new StringBuilder();
    table.append("| server frame | JSON bytes | CBOR bytes | CBOR/JSON |\n");
    table.append("|---|---:|---:|---:|\n");
    for (Map.Entry<String, ObjectNode> e : serverFrames().entrySet()) {
      ObjectNode tree = e.getValue();
      ByteString json = Encoding.JSON.render(tree).data(), cbor = Encoding.CBOR.render(tree).data();
      assertEquals(Json.MAPPER.readTree(json.toArray()), Cbor.read(cbor), e.getKey());
      assertEquals(Frames.write(tree), json.utf8String(), "JSON as v1 always wrote it");
      assertTrue(cbor.length() < json.length(), e.getKey());
      table.append(row(e.getKey(), json.length(), cbor.length()));
    }
    table.append("\n| client frame | JSON bytes | CBOR bytes | CBOR/JSON |\n");
    table.append("|---|---:|---:|---:|\n");
    for (Map.Entry<String, String> e : clientFrames().entrySet()) {
      JsonNode tree = Json.MAPPER.readTree(e.getValue());
      ByteString json = ByteString.fromString(e.getValue()), cbor = Cbor.write(tree);
      WebSocketFrames.Text text = new WebSocketFrames.Text(e.getValue());
      WebSocketFrames.Binary binary = new WebSocketFrames.Binary(cbor);
      long now = 1796058416249L;
      ClientFrame a = ClientFrame.parse(text, Encoding.JSON, 16384, Duration.ofMinutes(5), now);
      ClientFrame b = ClientFrame.parse(binary, Encoding.CBOR, 16384, Duration.ofMinutes(5), now);
      assertEquals(a, b, e.getKey());
      assertTrue(cbor.length() < json.length(), e.getKey());
      table.append(row(e.getKey(), json.length(), cbor.length()));
    }
    System.out.println(table);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/frame-sizes.md"), table);
  }

  static String row(String name, int json, int cbor) {
    return String.format(
        Locale.ROOT, "| %s | %d | %d | %.2f |%n", name, json, cbor, cbor / (double) json);
  }
}
