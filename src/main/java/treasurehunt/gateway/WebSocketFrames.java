package treasurehunt.gateway;

import akka.NotUsed;
import akka.event.LoggingAdapter;
import akka.http.impl.engine.ws.FrameEvent;
import akka.http.impl.engine.ws.FrameEvent$;
import akka.http.impl.engine.ws.FrameHandler;
import akka.http.impl.engine.ws.Protocol;
import akka.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import akka.http.impl.engine.ws.WebSocket$;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.ws.WebSocketUpgrade;
import akka.stream.Graph;
import akka.stream.SharedKillSwitch;
import akka.stream.javadsl.Flow;
import akka.stream.scaladsl.BidiFlow;
import akka.util.ByteString;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Random;
import scala.Function0;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * WebSocket at the frame level, so the engine can close a connection with the status codes of
 * PROTOCOL.md (4401, 4408, 1008, 1001). Akka HTTP 10.5's message API can only close with 1000 or
 * 1011 (akka/akka-http#2458), so this adapter plugs the session in below it: Akka's own masking and
 * frame handling (ping/pong, close handshake, protocol errors) stay in place, and the connection's
 * {@link SessionBridge} below them assembles text and binary messages (refusing, but draining, any
 * above the size limit), sends the session's output as text or binary frames (as the connection's
 * {@link Encoding} rendered it, {@link #render}), and turns {@link Out.Close} into Akka's "actively
 * close with code".
 *
 * <p>This class and {@link SessionBridge} are the only ones that touch Akka HTTP's internal
 * WebSocket API; the versions are pinned in pom.xml and {@code WebSocketGatewayTest} covers every
 * path through them.
 */
public final class WebSocketFrames {
  private WebSocketFrames() {}

  /** What the session receives. */
  public sealed interface In {}

  public record Text(String text) implements In {}

  /**
   * A message larger than the limit (its content was dropped): {@code size} in characters for text,
   * in bytes for binary.
   */
  public record TooLarge(long size, boolean binary) implements In {
    public TooLarge(long size) {
      this(size, false);
    }
  }

  /** A binary message: a frame of a CBOR connection, not part of the protocol on a JSON one. */
  public record Binary(ByteString bytes) implements In {}

  /** What the session sends. */
  public sealed interface Out {}

  /** One frame as its encoding rendered it: UTF-8 JSON in a text frame, or CBOR in a binary one. */
  public record Send(ByteString data, boolean binary) implements Out {
    /** A JSON text frame. */
    public Send(String text) {
      this(ByteString.fromString(text, StandardCharsets.UTF_8), false);
    }
  }

  /** Closes the connection with a status code and reason; nothing is sent after it. */
  public record Close(int code, String reason) implements Out {}

  /** A WebSocket ping frame (heartbeat; browsers answer it on their own). */
  public record Ping() implements Out {}

  /**
   * Seeds the masking stage's random (a server never masks its frames, so Akka does not draw from
   * it): one per node rather than a SecureRandom built for every connection.
   */
  private static final SecureRandom MASK_SEED = new SecureRandom();

  /**
   * Akka's masking atop its frame handling: one blueprint for all of a node's connections (each
   * connection materializes its own stages from it; built per connection, ~1 KB of its blueprint
   * stayed in the heap for as long as the connection, BENCHMARKS.md, issue 13, "session 18").
   */
  static final class Stack {
    @SuppressWarnings("rawtypes")
    private final BidiFlow stack;

    @SuppressWarnings({"rawtypes", "unchecked"})
    Stack(LoggingAdapter log) {
      FiniteDuration closeTimeout = FiniteDuration.apply(CLOSE_TIMEOUT.toMillis(), "ms");
      Function0<Random> random = () -> new Random(MASK_SEED.nextLong());
      // Scala's variance lets frameHandling's FrameStart output feed masking's FrameEvent input;
      // Java needs raw types.
      this.stack =
          WebSocket$.MODULE$
              .masking(true, random)
              .atop((Graph) WebSocket$.MODULE$.frameHandling(true, closeTimeout, log));
    }

    /** The frame-level handler: the stack around the connection's own stage. */
    @SuppressWarnings("unchecked")
    private Flow<FrameEvent, FrameEvent, NotUsed> around(SessionBridge bridge) {
      akka.stream.scaladsl.Flow<FrameEvent, FrameEvent, NotUsed> joined =
          stack.join(akka.stream.scaladsl.Flow.fromGraph(bridge));
      return joined.asJava();
    }
  }

  /**
   * Answers a WebSocket upgrade request: the connection runs {@code bridge} (its session's stage)
   * below the node's {@link Stack}; {@code subprotocol}: the one the answer names, or null.
   */
  static HttpResponse upgrade(
      WebSocketUpgrade upgrade, String subprotocol, SessionBridge bridge, Stack stack) {
    return respond(upgrade, subprotocol, stack.around(bridge));
  }

  /**
   * As {@link #upgrade(WebSocketUpgrade, String, SessionBridge, Stack)}; aborting {@code kill}
   * drops the connection at once, below the close handshake (a client that does not read).
   */
  static HttpResponse upgrade(
      WebSocketUpgrade upgrade,
      String subprotocol,
      SessionBridge bridge,
      Stack stack,
      SharedKillSwitch kill) {
    return respond(upgrade, subprotocol, stack.around(bridge).via(kill.flow()));
  }

  /** Answers the upgrade request with the frame-level handler. */
  private static HttpResponse respond(
      WebSocketUpgrade upgrade, String subprotocol, Flow<FrameEvent, FrameEvent, NotUsed> handler) {
    @SuppressWarnings({"rawtypes", "unchecked"})
    Graph graph = handler;
    return ((UpgradeToWebSocketLowLevel) upgrade).handleFrames(graph, Option.apply(subprotocol));
  }

  /** How long a close handshake may take before the connection is dropped (Akka's default). */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);

  private static final Protocol.Opcode TEXT = Protocol.Opcode$.MODULE$.forCode((byte) 1);
  private static final Protocol.Opcode BINARY = Protocol.Opcode$.MODULE$.forCode((byte) 2);
  private static final Protocol.Opcode PING = Protocol.Opcode$.MODULE$.forCode((byte) 9);

  /** What Akka's frame handling takes for {@code out}. */
  static Object render(Out out) {
    if (out instanceof Send s)
      return FrameEvent$.MODULE$.fullFrame(
          s.binary() ? BINARY : TEXT, Option.empty(), s.data(), true, false, false, false);
    if (out instanceof Close c)
      return new FrameHandler.ActivelyCloseWithCode(Option.apply(c.code()), c.reason());
    return FrameEvent$.MODULE$.fullFrame(
        PING, Option.empty(), ByteString.emptyByteString(), true, false, false, false);
  }
}
