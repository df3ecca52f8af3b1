package treasurehunt.baselines;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ws.Message;
import akka.http.javadsl.model.ws.TextMessage;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.stream.Materializer;
import akka.stream.javadsl.Flow;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The ceiling for frames: a bare Akka HTTP 10.5.3 WebSocket endpoint at {@code /ws} that answers
 * every text frame with itself (strict text, no parsing, no actors), on the engine's Akka and HTTP
 * versions. Load it with {@code EchoSimulation} at the rate a scenario used; the ratio of the two
 * latencies is what the engine adds. Stops by itself after {@code --seconds} (default 900).
 *
 * <pre>
 * java -cp ... treasurehunt.baselines.EchoServer [--port 18200] [--interface 0.0.0.0] [--seconds 900]
 * </pre>
 */
public final class EchoServer extends AllDirectives {
  public static void main(String[] args) {
    int port = Integer.parseInt(InsertCeiling.arg(args, "--port", "18200"));
    String iface = InsertCeiling.arg(args, "--interface", "0.0.0.0");
    int seconds = Integer.parseInt(InsertCeiling.arg(args, "--seconds", "900"));
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            "echo",
            ConfigFactory.parseString(
                    "akka.http.server.idle-timeout = 120s\nakka.http.server.websocket.periodic-keep-alive-max-idle = 20s\n"
                        + "akka.loglevel = WARNING")
                .withFallback(ConfigFactory.load()));
    EchoServer d = new EchoServer();
    Route route =
        d.path("ws", () -> d.handleWebSocketMessages(echo(Materializer.matFromSystem(system))));
    Http.get(system)
        .newServerAt(iface, port)
        .bind(route)
        .whenComplete(
            (b, e) -> {
              if (e != null) {
                System.err.println("bind failed: " + e);
                system.terminate();
              } else
                System.out.println(
                    "echo WebSocket on ws://" + iface + ":" + port + "/ws for " + seconds + " s");
            });
    system
        .scheduler()
        .scheduleOnce(Duration.ofSeconds(seconds), system::terminate, system.executionContext());
  }

  /**
   * Strict text frames (every small frame) are answered at once; streamed ones are collected first.
   */
  static Flow<Message, Message, NotUsed> echo(Materializer mat) {
    return Flow.<Message>create()
        .mapAsync(
            1,
            m -> {
              if (!m.isText())
                return CompletableFuture.completedFuture((Message) TextMessage.create("binary"));
              TextMessage t = m.asTextMessage();
              if (t.isStrict())
                return CompletableFuture.completedFuture(
                    (Message) TextMessage.create(t.getStrictText()));
              return t.getStreamedText()
                  .runFold("", String::concat, mat)
                  .thenApply(x -> (Message) TextMessage.create(x));
            });
  }
}
