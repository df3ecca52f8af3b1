package treasurehunt.gateway;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.server.Route;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the node's HTTP port; a failed bind terminates the node. */
public final class HttpServer {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, Route route, String host, int port) {
    return Http.get(system)
        .newServerAt(host, port)
        .bind(route)
        .whenComplete(
            (binding, failure) -> {
              if (binding != null) {
                // Stop accepting at shutdown, give in-flight requests 10 s, then close what is
                // left.
                binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system);
                log.info(
                    "HTTP and WebSocket on http://{}:{}/", host, binding.localAddress().getPort());
              } else {
                log.error("could not bind HTTP on {}:{}; stopping", host, port, failure);
                system.terminate();
              }
            });
  }
}
