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
 * Connected with the subprotocol {@code treasure-hunt.v1.cbor} ({@link #connectCbor}) it speaks
 * CBOR: the tests' frames are still written as JSON text, and each is sent as the CBOR map of the
 * same tree in a binary frame; the server's binary frames are read back into the tree their JSON
 * would give, so every assertion reads the same in both encodings.
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(15);

  private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();

  /** Frames skipped while waiting for a particular answer, in arrival order. */
  private final List<JsonNode> skipped = new ArrayList<>();

  private final StringBuilder partial = new StringBuilder();
  private final java.io.ByteArrayOutputStream partialBinary = new java.io.ByteArrayOutputStream();

  /** Frames received as text and as binary messages. */
  public final AtomicInteger textFrames = new AtomicInteger(), binaryFrames = new AtomicInteger();

  /** Bytes of the frames received (payloads, as the encoding rendered them). */
  public final java.util.concurrent.atomic.AtomicLong bytesIn =
      new java.util.concurrent.atomic.AtomicLong();

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

  /** Whether the server chose CBOR for this connection. */
  private boolean cbor;

  private int counter;

  private WsClient(boolean reads) {
    this.reads = reads;
  }

  public static WsClient connect(int port, String query) throws Exception {
    return connect(port, query, true);
  }

  /** {@code reads = false}: a client that never reads what the server sends. */
  public static WsClient connect(int port, String query, boolean reads) throws Exception {
    return connect(port, query, reads, new String[0]);
  }

  /** A client that speaks CBOR (the server must answer the subprotocol, else it fails). */
  public static WsClient connectCbor(int port, String query) throws Exception {
    WsClient c = connect(port, query, true, Encoding.CBOR.subprotocol);
    if (!c.cbor) throw new AssertionError("the server did not choose CBOR: " + c.subprotocol());
    return c;
  }

  /**
   * Connects offering {@code subprotocols} (most preferred first); the client speaks CBOR when the
   * server answers {@code treasure-hunt.v1.cbor}.
   */
  public static WsClient connect(int port, String query, boolean reads, String... subprotocols)
      throws Exception {
    WsClient c = new WsClient(reads);
    String uri = "ws://127.0.0.1:" + port + "/ws" + (query == null ? "" : "?" + query);
    WebSocket.Builder builder =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(20)); // a loaded CI machine can be slow to accept
    if (subprotocols.length > 0)
      builder.subprotocols(
          subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
    c.socket = builder.buildAsync(URI.create(uri), c).get(30, TimeUnit.SECONDS);
    c.cbor = Encoding.CBOR.subprotocol.equals(c.socket.getSubprotocol());
    return c;
  }

  /** The subprotocol the server answered ("" for none). */
  public String subprotocol() {
    return socket.getSubprotocol();
  }

  /** Connects and says hello; returns after the welcome. */
  public static WsClient hello(int port, String token) throws Exception {
    return hello(connect(port, null), token);
  }

  /** Connects with CBOR and says hello; returns after the welcome. */
  public static WsClient helloCbor(int port, String token) throws Exception {
    return hello(connectCbor(port, null), token);
  }

  private static WsClient hello(WsClient c, String token) throws Exception {
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
      textFrames.incrementAndGet();
      try {
        bytesIn.addAndGet(
            partial.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        received(Json.MAPPER.readTree(partial.toString()));
      } catch (Exception e) {
        throw new IllegalStateException("server sent non-JSON: " + partial, e);
      }
      partial.setLength(0);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] part = new byte[data.remaining()];
    data.get(part);
    partialBinary.writeBytes(part);
    if (last) {
      binaryFrames.incrementAndGet();
      byte[] all = partialBinary.toByteArray();
      partialBinary.reset();
      bytesIn.addAndGet(all.length);
      try {
        received(Cbor.read(akka.util.ByteString.fromArrayUnsafe(all)));
      } catch (Cbor.Malformed e) {
        throw new IllegalStateException("server sent malformed CBOR: " + e.getMessage(), e);
      }
    }
    return null;
  }

  private void received(JsonNode frame) {
    if ("event".equals(frame.path("type").asText()))
      lastEvents.put(
          frame.path("hunt").asText(),
          new StreamPos(frame.path("epoch").asText(), frame.path("seq").asLong()));
    inbox.add(frame);
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

  /** Sends a frame written as JSON: as it is, or as CBOR on a CBOR connection. */
  public void send(String text) {
    if (!cbor) {
      socket.sendText(text, true).join();
      return;
    }
    try {
      sendBinary(Cbor.write(Json.MAPPER.readTree(text)).toArray());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + text, e);
    }
  }

  /** Sends a text frame whatever the encoding (a CBOR connection does not expect one). */
  public void sendText(String text) {
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
