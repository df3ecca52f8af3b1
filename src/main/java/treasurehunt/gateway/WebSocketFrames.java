package treasurehunt.gateway;

import akka.NotUsed;
import akka.event.LoggingAdapter;
import akka.http.impl.engine.ws.FrameEvent;
import akka.http.impl.engine.ws.FrameEvent$;
import akka.http.impl.engine.ws.FrameHandler;
import akka.http.impl.engine.ws.Protocol;
import akka.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import akka.http.impl.engine.ws.WebSocket;
import akka.http.impl.engine.ws.WebSocket$;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.ws.WebSocketUpgrade;
import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Graph;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.SharedKillSwitch;
import akka.stream.UniformFanInShape;
import akka.stream.UniformFanOutShape;
import akka.stream.javadsl.Broadcast;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.GraphDSL;
import akka.stream.javadsl.Merge;
import akka.stream.javadsl.Source;
import akka.stream.scaladsl.BidiFlow;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
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
 * frame handling (ping/pong, close handshake, protocol errors) stay in place, and this class
 * assembles text and binary messages (refusing, but draining, any above the size limit), sends the
 * session's output as text or binary frames (as the connection's {@link Encoding} rendered it), and
 * turns {@link Out.Close} into Akka's "actively close with code".
 *
 * <p>This is the only class that touches Akka HTTP's internal WebSocket API; the versions are
 * pinned in pom.xml and {@code WebSocketGatewayTest} covers every path through it.
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
   * Answers a WebSocket upgrade request: the connection runs {@code session}, which gets messages
   * of at most {@code maxMessageBytes} (larger ones arrive as {@link TooLarge}); {@code
   * subprotocol}: the one the answer names, or null.
   */
  public static HttpResponse upgrade(
      WebSocketUpgrade upgrade,
      String subprotocol,
      Flow<In, Out, NotUsed> session,
      int maxMessageBytes,
      LoggingAdapter log) {
    return respond(upgrade, subprotocol, handler(session, maxMessageBytes, log));
  }

  /**
   * As {@link #upgrade(WebSocketUpgrade, String, Flow, int, LoggingAdapter)}; aborting {@code kill}
   * drops the connection at once, below the close handshake (a client that does not read).
   */
  public static HttpResponse upgrade(
      WebSocketUpgrade upgrade,
      String subprotocol,
      Flow<In, Out, NotUsed> session,
      int maxMessageBytes,
      LoggingAdapter log,
      SharedKillSwitch kill) {
    return respond(upgrade, subprotocol, handler(session, maxMessageBytes, log).via(kill.flow()));
  }

  /** The frame-level handler: Akka's masking and frame handling around {@link #middle}. */
  private static Flow<FrameEvent, FrameEvent, NotUsed> handler(
      Flow<In, Out, NotUsed> session, int maxMessageBytes, LoggingAdapter log) {
    FiniteDuration closeTimeout = FiniteDuration.apply(CLOSE_TIMEOUT.toMillis(), "ms");
    Function0<Random> random = () -> new Random(MASK_SEED.nextLong());
    // Scala's variance lets frameHandling's FrameStart output feed masking's FrameEvent input; Java
    // needs raw types.
    @SuppressWarnings({"rawtypes", "unchecked"})
    BidiFlow stack =
        WebSocket$.MODULE$
            .masking(true, random)
            .atop((Graph) WebSocket$.MODULE$.frameHandling(true, closeTimeout, log));
    Flow<FrameHandler.Output, Object, NotUsed> middle = middle(session, maxMessageBytes);
    @SuppressWarnings("unchecked")
    akka.stream.scaladsl.Flow<FrameEvent, FrameEvent, NotUsed> joined =
        stack.join(middle.asScala());
    return joined.asJava();
  }

  /** Answers the upgrade request with the frame-level handler. */
  private static HttpResponse respond(
      WebSocketUpgrade upgrade, String subprotocol, Flow<FrameEvent, FrameEvent, NotUsed> handler) {
    @SuppressWarnings({"rawtypes", "unchecked"})
    Graph graph = handler;
    return ((UpgradeToWebSocketLowLevel) upgrade).handleFrames(graph, Option.apply(subprotocol));
  }

  private static boolean bypass(Object o) {
    return o instanceof FrameHandler.BypassEvent;
  }

  /**
   * Between Akka's frame handling and its close handling: control events go straight through,
   * message parts are assembled for the session until the peer closes, and the session's output is
   * rendered.
   */
  private static Flow<FrameHandler.Output, Object, NotUsed> middle(
      Flow<In, Out, NotUsed> session, int maxMessageBytes) {
    // Akka's frame handling checks the close handshake's deadline on these ticks. Once per close
    // timeout, as in Akka HTTP's own WebSocket stack: each tick wakes the connection's stream.
    Source<Object, ?> ticks =
        Source.tick(CLOSE_TIMEOUT, CLOSE_TIMEOUT, (Object) WebSocket.Tick$.MODULE$);
    Flow<FrameHandler.Output, Object, NotUsed> messages =
        Flow.<FrameHandler.Output>create()
            .via(new Messages(maxMessageBytes))
            .via(session)
            .takeWhile(o -> !(o instanceof Close), true)
            .map(WebSocketFrames::render)
            .concat(Source.single(FrameHandler.UserHandlerCompleted$.MODULE$));
    return Flow.fromGraph(
        GraphDSL.create(
            b -> {
              UniformFanOutShape<FrameHandler.Output, FrameHandler.Output> split =
                  b.add(Broadcast.create(2));
              UniformFanInShape<Object, Object> merge = b.add(Merge.create(3));
              FlowShape<FrameHandler.Output, Object> control =
                  b.add(
                      Flow.<FrameHandler.Output>create()
                          .filter(WebSocketFrames::bypass)
                          .map(o -> (Object) o));
              FlowShape<FrameHandler.Output, Object> user = b.add(messages);
              b.from(split).via(control).toInlet(merge.in(0));
              b.from(split).via(user).toInlet(merge.in(1));
              b.from(b.add(ticks)).toInlet(merge.in(2));
              return FlowShape.of(split.in(), merge.out());
            }));
  }

  /** How long a close handshake may take before the connection is dropped (Akka's default). */
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);

  private static final Protocol.Opcode TEXT = Protocol.Opcode$.MODULE$.forCode((byte) 1);
  private static final Protocol.Opcode BINARY = Protocol.Opcode$.MODULE$.forCode((byte) 2);
  private static final Protocol.Opcode PING = Protocol.Opcode$.MODULE$.forCode((byte) 9);

  private static Object render(Out out) {
    if (out instanceof Send s)
      return FrameEvent$.MODULE$.fullFrame(
          s.binary() ? BINARY : TEXT, Option.empty(), s.data(), true, false, false, false);
    if (out instanceof Close c)
      return new FrameHandler.ActivelyCloseWithCode(Option.apply(c.code()), c.reason());
    return FrameEvent$.MODULE$.fullFrame(
        PING, Option.empty(), ByteString.emptyByteString(), true, false, false, false);
  }

  /**
   * Assembles the parts of each message until the peer closes (control events are not its business:
   * the other branch of {@link #middle} passes them), never holding more than the limit. One stage
   * for what a takeWhile, a filter and a statefulMapConcat did: every client frame passes here, and
   * the three cost it two more stage hops and a Java list turned into a Scala one (BENCHMARKS.md,
   * issue 13, "fewer hops and allocations per report").
   */
  private static final class Messages extends GraphStage<FlowShape<FrameHandler.Output, In>> {
    private final int max;
    private final Inlet<FrameHandler.Output> in = Inlet.create("Messages.in");
    private final Outlet<In> out = Outlet.create("Messages.out");
    private final FlowShape<FrameHandler.Output, In> shape = FlowShape.of(in, out);

    Messages(int max) {
      this.max = max;
    }

    @Override
    public FlowShape<FrameHandler.Output, In> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return new GraphStageLogic(shape) {
        private final StringBuilder text = new StringBuilder();
        private ByteString data = ByteString.emptyByteString();
        private long bytes;
        private boolean binary;
        private boolean tooLarge;

        {
          setHandler(
              in,
              new AbstractInHandler() {
                @Override
                public void onPush() {
                  FrameHandler.Output part = grab(in);
                  if (part instanceof FrameHandler.PeerClosed) {
                    completeStage();
                    return;
                  }
                  In message = accept(part);
                  if (message != null) push(out, message);
                  else pull(in);
                }
              });
          setHandler(
              out,
              new AbstractOutHandler() {
                @Override
                public void onPull() {
                  pull(in);
                }
              });
        }

        /** The message that {@code part} completes, or null. */
        private In accept(FrameHandler.Output part) {
          if (part instanceof FrameHandler.TextMessagePart t) {
            bytes += t.data().length(); // chars: an upper bound of what matters here
            if (bytes > max) {
              tooLarge = true;
              text.setLength(0);
            } else if (!tooLarge) text.append(t.data());
            return t.last() ? finish() : null;
          }
          if (part instanceof FrameHandler.BinaryMessagePart bm) {
            binary = true;
            bytes += bm.data().length();
            if (bytes > max) {
              tooLarge = true;
              data = ByteString.emptyByteString();
            } else if (!tooLarge) data = data.concat(bm.data());
            return bm.last() ? finish() : null;
          }
          return null; // control events (bypassed), MessageEnd and the like
        }

        private In finish() {
          In message =
              tooLarge
                  ? new TooLarge(bytes, binary)
                  : binary ? new Binary(data.compact()) : new Text(text.toString());
          text.setLength(0);
          data = ByteString.emptyByteString();
          bytes = 0;
          binary = false;
          tooLarge = false;
          return message;
        }
      };
    }
  }
}
