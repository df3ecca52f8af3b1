package treasurehunt.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real WebSocket client (the JDK's) speaking the protocol as a test player or spectator would.
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(15);

  private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();

  /** Frames skipped while waiting for a particular answer, in arrival order. */
  private final List<JsonNode> skipped = new ArrayList<>();

  private final StringBuilder partial = new StringBuilder();
  public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

  /** The reason of the server's close frame, once {@link #closeCode} is complete. */
  public volatile String closeReason;

  /** WebSocket ping control frames received (the JDK answers each with a pong by itself). */
  public final AtomicInteger pings = new AtomicInteger();

  /** A position in a hunt's stream. */
  public record StreamPos(String epoch, long seq) {}

  /** The last event received of each hunt, to resume from after a reconnect. */
  private final Map<String, StreamPos> lastEvents = new ConcurrentHashMap<>();

  private final boolean reads;
  private WebSocket socket;
  private int counter;

  private WsClient(boolean reads) {
    this.reads = reads;
  }

  public static WsClient connect(int port, String query) throws Exception {
    return connect(port, query, true);
  }

  /** {@code reads = false}: a client that never reads what the server sends. */
  public static WsClient connect(int port, String query, boolean reads) throws Exception {
    WsClient c = new WsClient(reads);
    String uri = "ws://127.0.0.1:" + port + "/ws" + (query == null ? "" : "?" + query);
    c.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(20)) // a loaded CI machine can be slow to accept
            .buildAsync(URI.create(uri), c)
            .get(30, TimeUnit.SECONDS);
    return c;
  }

  /** Connects and says hello; returns after the welcome. */
  public static WsClient hello(int port, String token) throws Exception {
    WsClient c = connect(port, null);
    c.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
    JsonNode welcome = c.next();
    if (!"welcome".equals(welcome.path("type").asText()))
      throw new AssertionError("expected welcome: " + welcome);
    return c;
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(reads ? Long.MAX_VALUE : 1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try {
        JsonNode frame = Json.MAPPER.readTree(partial.toString());
        if ("event".equals(frame.path("type").asText()))
          lastEvents.put(
              frame.path("hunt").asText(),
              new StreamPos(frame.path("epoch").asText(), frame.path("seq").asLong()));
        inbox.add(frame);
      } catch (Exception e) {
        throw new IllegalStateException("server sent non-JSON: " + partial, e);
      }
      partial.setLength(0);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    pings.incrementAndGet();
    return WebSocket.Listener.super.onPing(webSocket, message);
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeReason = reason;
    closeCode.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeCode.complete(-1);
  }

  public void send(String text) {
    socket.sendText(text, true).join();
  }

  public void sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  public String nextId() {
    return "c" + (++counter) + "-" + System.nanoTime();
  }

  /** The next frame (skipped ones first). */
  public JsonNode next() throws InterruptedException {
    if (!skipped.isEmpty()) return skipped.remove(0);
    JsonNode n = inbox.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (n == null) throw new AssertionError("no frame within " + WAIT);
    return n;
  }

  /** The next frame if one comes within {@code wait}, else null. */
  public JsonNode poll(Duration wait) throws InterruptedException {
    if (!skipped.isEmpty()) return skipped.remove(0);
    return inbox.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Sends a frame with a fresh id and returns the ack or error answering it (other frames are
   * kept).
   */
  public JsonNode request(String type, String fields) throws InterruptedException {
    String id = nextId();
    return request(id, type, fields);
  }

  public JsonNode request(String id, String type, String fields) throws InterruptedException {
    send(
        "{\"type\":\""
            + type
            + "\",\"id\":\""
            + id
            + "\""
            + (fields.isEmpty() ? "" : "," + fields)
            + "}");
    return answerTo(id);
  }

  /**
   * Waits for the frame whose {@code re} is {@code id} (also one already skipped while waiting for
   * another answer); frames before it stay available to {@link #next}.
   */
  public JsonNode answerTo(String id) throws InterruptedException {
    for (int i = 0; i < skipped.size(); i++)
      if (id.equals(skipped.get(i).path("re").asText(null))) return skipped.remove(i);
    List<JsonNode> before = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode n = inbox.poll(100, TimeUnit.MILLISECONDS);
      if (n == null) continue;
      if (id.equals(n.path("re").asText(null))) {
        skipped.addAll(before);
        return n;
      }
      before.add(n);
    }
    skipped.addAll(before);
    throw new AssertionError("no answer to " + id + "; got " + before);
  }

  /** The next frame of a type, dropping the others. */
  public JsonNode nextOfType(String type) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode n = poll(Duration.ofMillis(100));
      if (n != null && type.equals(n.path("type").asText())) return n;
    }
    throw new AssertionError("no " + type + " frame within " + WAIT);
  }

  /** The next stream event of a hunt, dropping other frames. */
  public JsonNode nextEvent(String kind) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode n = poll(Duration.ofMillis(100));
      if (n != null
          && "event".equals(n.path("type").asText())
          && kind.equals(n.at("/event/kind").asText())) return n;
    }
    throw new AssertionError("no " + kind + " event within " + WAIT);
  }

  /** The last event of the hunt this client received (stream events arrive in order), or null. */
  public StreamPos lastEvent(String hunt) {
    return lastEvents.get(hunt);
  }

  public int awaitClose() throws Exception {
    return closeCode.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  public boolean isOpen() {
    return !socket.isOutputClosed() && !closeCode.isDone();
  }

  /** Drops the connection without a close handshake, as a phone losing its network would. */
  public void drop() {
    socket.abort();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    socket.abort();
  }
}
