package treasurehunt.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sibling of {@link DocsOnlyClientTest} for version 1.1, written from docs/protocol.md §13
 * only: a client asks for 1.1 in its hello, joins, applies presence frames by the client rule of
 * §13.2 (next expected seq on {@code from}, store {@code seq}), drops, resumes, and ends holding
 * the hunt's head and its player count as the public view shows them; a version 1 client in the
 * same hunt keeps getting player_joined events. It prints what it sent and received in the form of
 * the walk-through of §11 (the transcript of §13.5 comes from it).
 */
class DocsOnlyClient11Test {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String HUNT = "docs-presence";

  @Test
  void followsJoinsAndLeavesAsPresenceFramesUsingOnlyTheDocumentedProtocol() throws Exception {
    treasurehunt.cluster.Database db = treasurehunt.TestDatabase.fresh("docs-client-11");
    treasurehunt.cluster.Node node = treasurehunt.TestNodes.start(db, "");
    try {
      play(treasurehunt.TestNodes.httpPort(node));
    } finally {
      treasurehunt.TestNodes.stop(node);
    }
  }

  private void play(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port;
    String admin = treasurehunt.TestNodes.ADMIN_TOKEN;
    String def =
        "{\"huntId\":\""
            + HUNT
            + "\",\"name\":\"Presence\",\"area\":{\"lat\":52.3702,\"lon\":4.8952,\"radiusM\":1500},"
            + "\"generate\":{\"count\":5}}";
    assertEquals(201, post(http, base + "/api/hunts", def, admin).statusCode());
    assertEquals(200, post(http, base + "/api/hunts/" + HUNT + "/start", "", admin).statusCode());

    List<String> tokens = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (String name : List.of("alice", "bob", "carol", "dave", "erin", "frank", "grace")) {
      JsonNode p =
          JSON.readTree(
              post(http, base + "/api/players", "{\"name\":\"" + name + "\"}", null).body());
      tokens.add(p.path("token").asText());
      ids.add(p.path("playerId").asText());
    }
    String ws = "ws://127.0.0.1:" + port + "/ws";

    // §13.1: ask for 1.1; a version we do not know is refused, the connection stays usable
    Client alice = new Client("alice", ws);
    alice.send("{\"type\":\"hello\",\"token\":\"" + tokens.get(0) + "\",\"protocol\":\"2\"}");
    JsonNode refused = alice.next();
    assertEquals("unsupported_protocol", refused.path("code").asText(), refused.toString());
    alice.send("{\"type\":\"hello\",\"token\":\"" + tokens.get(0) + "\",\"protocol\":\"1.1\"}");
    JsonNode welcome = alice.next();
    assertEquals("1.1", welcome.path("protocol").asText(), welcome.toString());

    alice.send("{\"type\":\"join\",\"id\":\"a1\",\"hunt\":\"" + HUNT + "\"}");
    Held held = new Held();
    held.start(alice.answer("a1"));

    // a version 1 client: no protocol in its hello (§13.4: unchanged below 200 players)
    Client dave = new Client("dave", ws);
    dave.send("{\"type\":\"hello\",\"token\":\"" + tokens.get(3) + "\"}");
    assertEquals(1, dave.next().path("protocol").asInt());
    dave.send("{\"type\":\"join\",\"id\":\"d1\",\"hunt\":\"" + HUNT + "\"}");
    long daveSeq = dave.answer("d1").at("/stream/seq").asLong();

    for (int i : List.of(1, 2)) join(ws, tokens.get(i), "j" + i);
    held.until(alice, 4, null);
    assertEquals(Set.of(ids.get(3), ids.get(1), ids.get(2)), held.present);

    // the v1 client got each join as an event, by the rule of §6
    Set<String> v1Joined = new HashSet<>();
    while (v1Joined.size() < 2) {
      JsonNode e = dave.next();
      if (!e.path("type").asText().equals("event")) continue;
      assertEquals(daveSeq + 1, e.path("seq").asLong(), "v1 gap: " + e);
      daveSeq++;
      assertEquals("player_joined", e.at("/event/kind").asText());
      v1Joined.add(e.at("/event/playerId").asText());
    }
    assertEquals(Set.of(ids.get(1), ids.get(2)), v1Joined);

    // alice's connection drops; meanwhile three join and one leaves
    alice.drop();
    for (int i : List.of(4, 5, 6)) join(ws, tokens.get(i), "j" + i);
    Client bob = new Client("bob", ws);
    bob.send("{\"type\":\"hello\",\"token\":\"" + tokens.get(1) + "\",\"protocol\":\"1.1\"}");
    bob.next();
    bob.send("{\"type\":\"leave\",\"id\":\"b9\",\"hunt\":\"" + HUNT + "\"}");
    assertEquals("ack", bob.answer("b9").path("type").asText());
    bob.close();

    // §13.2: reconnect, hello 1.1 again, resume from the (epoch, seq) held
    Client back = new Client("alice", ws);
    back.send("{\"type\":\"hello\",\"token\":\"" + tokens.get(0) + "\",\"protocol\":\"1.1\"}");
    back.next();
    back.send(
        "{\"type\":\"resume\",\"id\":\"a2\",\"hunt\":\""
            + HUNT
            + "\",\"epoch\":\""
            + held.epoch
            + "\",\"seq\":"
            + held.seq
            + "}");
    JsonNode view =
        JSON.readTree(
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/hunts/" + HUNT)).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    int players = view.path("players").asInt();
    assertEquals(6, players);
    held.until(back, players, "a2");
    assertEquals(view.at("/stream/seq").asLong(), held.seq, "at the hunt's head");
    assertFalse(held.present.contains(ids.get(1)), "bob left");
    assertTrue(held.present.containsAll(List.of(ids.get(4), ids.get(5), ids.get(6))));
    back.close();
    dave.close();
  }

  static void join(String ws, String token, String id) throws Exception {
    Client c = new Client(null, ws);
    c.send("{\"type\":\"hello\",\"token\":\"" + token + "\",\"protocol\":\"1.1\"}");
    c.next();
    c.send("{\"type\":\"join\",\"id\":\"" + id + "\",\"hunt\":\"" + HUNT + "\"}");
    assertEquals("ack", c.answer(id).path("type").asText());
    c.close();
  }

  static HttpResponse<String> post(HttpClient http, String url, String body, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** What the client holds of the hunt by the rule of §13.2. */
  static final class Held {
    String epoch;
    long seq;
    int players = -1;
    final Set<String> present = new HashSet<>();

    void start(JsonNode ack) {
      epoch = ack.at("/stream/epoch").asText();
      seq = ack.at("/stream/seq").asLong();
      players = ack.at("/hunt/players").asInt();
    }

    void apply(JsonNode f) {
      switch (f.path("type").asText()) {
        case "presence" -> {
          if (!f.path("epoch").asText().equals(epoch) || f.path("from").asLong() > seq + 1)
            fail("a gap: resume (not expected here) " + f);
          if (f.path("seq").asLong() <= seq) return; // a duplicate
          seq = f.path("seq").asLong();
          for (JsonNode j : f.path("joined")) present.add(j.path("playerId").asText());
          for (JsonNode l : f.path("left")) present.remove(l.path("playerId").asText());
          players = f.at("/counts/players").asInt();
        }
        case "event" -> {
          String kind = f.at("/event/kind").asText();
          assertFalse(kind.startsWith("player_"), "§13.2: no player_* events in 1.1: " + f);
          if (f.path("seq").asLong() == seq + 1) seq++;
          else if (f.path("seq").asLong() > seq) fail("a gap: " + f);
        }
        default -> {}
      }
    }

    /** Applies frames until the count is {@code expected} (after the answer to {@code re}). */
    void until(Client c, int expected, String re) throws Exception {
      boolean answered = re == null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!(answered && players == expected) && System.nanoTime() < deadline) {
        JsonNode f = c.poll(500);
        if (f == null) continue;
        if (re != null && re.equals(f.path("re").asText(null))) {
          assertEquals("ack", f.path("type").asText(), "§6: the resume is served: " + f);
          answered = true;
        }
        apply(f);
      }
      assertEquals(expected, players, "the count");
    }
  }

  /** A JDK WebSocket that prints its frames as the transcript of §11 does. */
  static final class Client implements WebSocket.Listener {
    final String name;
    final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    final List<JsonNode> kept = new ArrayList<>();
    final StringBuilder partial = new StringBuilder();
    final WebSocket socket;

    Client(String name, String url) throws Exception {
      this.name = name;
      this.socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create(url), this)
              .get(30, TimeUnit.SECONDS);
    }

    void send(String text) {
      if (name != null) System.out.println("→ " + name + "  " + text);
      socket.sendText(text, true).join();
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        if (name != null) System.out.println("← " + name + "  " + partial);
        try {
          inbox.add(JSON.readTree(partial.toString()));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    JsonNode poll(long ms) throws InterruptedException {
      if (!kept.isEmpty()) return kept.remove(0);
      return inbox.poll(ms, TimeUnit.MILLISECONDS);
    }

    JsonNode next() throws InterruptedException {
      JsonNode f = poll(30_000);
      if (f == null) fail(name + ": no frame within 30 s");
      return f;
    }

    /** The answer to {@code id}; other frames stay for {@link #poll}. */
    JsonNode answer(String id) throws InterruptedException {
      List<JsonNode> before = new ArrayList<>();
      while (true) {
        JsonNode f = inbox.poll(30, TimeUnit.SECONDS);
        if (f == null) fail(name + ": no answer to " + id);
        if (id.equals(f.path("re").asText(null))) {
          kept.addAll(before);
          return f;
        }
        before.add(f);
      }
    }

    void drop() {
      System.out.println("(" + name + "'s connection drops)");
      socket.abort();
    }

    void close() {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
  }
}
