package treasurehunt.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.server.Route;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import akka.management.javadsl.AkkaManagement;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import treasurehunt.entities.DroppedCommands;
import treasurehunt.entities.GameSettings;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Player;
import treasurehunt.gateway.ConsoleApi;
import treasurehunt.gateway.GatewaySettings;
import treasurehunt.gateway.HttpApi;
import treasurehunt.gateway.HttpServer;
import treasurehunt.gateway.Tokens;
import treasurehunt.gateway.WebPages;
import treasurehunt.gateway.WebSocketGateway;
import treasurehunt.gateway.WsSettings;
import treasurehunt.metrics.ShardWatcher;

/**
 * One engine node: its PostgreSQL (embedded or by URL, schema applied), the ActorSystem {@code
 * treasure-hunt} in the cluster, the sharded Hunt and Player entities, the HTTP/WebSocket gateway
 * and Akka Management.
 */
public final class Node {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  public final ActorSystem<Void> system;
  public final Database database;
  public final Secrets secrets;

  /** Completes with the HTTP binding (its port, when the configured port was 0). */
  public final CompletionStage<ServerBinding> http;

  /** The WebSocket gateway (its connection count). */
  public volatile WebSocketGateway ws;

  private Node(
      ActorSystem<Void> system,
      Database database,
      Secrets secrets,
      CompletionStage<ServerBinding> http) {
    this.system = system;
    this.database = database;
    this.secrets = secrets;
    this.http = http;
  }

  /**
   * Starts a node from configuration, starting the embedded PostgreSQL when no TH_DB_URL is set,
   * after its warm-up ({@link WarmUp}: TH_WARM_UP, 20 s by default) and before it joins its
   * cluster.
   */
  public static Node start(Config config) throws Exception {
    NodeSettings settings = NodeSettings.from(config);
    Database database = Database.forNode(settings);
    try {
      WarmUp.run(config, database);
      return start(config, database);
    } catch (Exception | Error e) {
      database.close();
      throw e;
    }
  }

  /** Starts a node on a database that is already running (closed when the node terminates). */
  public static Node start(Config config, Database database) throws Exception {
    NodeSettings settings = NodeSettings.from(config);
    database.applySchema();
    Secrets secrets =
        Secrets.resolve(
            settings.dataDir(),
            config.getString("treasure-hunt.http.admin-token"),
            config.getString("treasure-hunt.http.token-secret"));

    Map<String, Object> overrides = new HashMap<>();
    overrides.put("akka-persistence-jdbc.shared-databases.slick.db.url", database.url());
    overrides.put("akka-persistence-jdbc.shared-databases.slick.db.user", database.user());
    overrides.put("akka-persistence-jdbc.shared-databases.slick.db.password", database.password());
    if (!settings.seedNodes().isEmpty())
      overrides.put(
          "akka.cluster.seed-nodes", ConfigValueFactory.fromIterable(settings.seedNodes()));
    if (!"off".equals(settings.bootstrap())) {
      overrides.put(
          "akka.management.cluster.bootstrap.contact-point-discovery.discovery-method",
          settings.bootstrap());
      String service =
          config.getString(
              "akka.management.cluster.bootstrap.contact-point-discovery.service-name");
      java.util.List<Map<String, Object>> endpoints = new java.util.ArrayList<>();
      for (String hostPort : config.getString("treasure-hunt.bootstrap-endpoints").split(",")) {
        if (hostPort.isBlank()) continue;
        int colon = hostPort.trim().lastIndexOf(':');
        if (colon < 0)
          throw new IllegalArgumentException(
              "TH_BOOTSTRAP_ENDPOINTS: expected host:port, got " + hostPort);
        endpoints.add(
            Map.of(
                "host",
                hostPort.trim().substring(0, colon),
                "port",
                Integer.parseInt(hostPort.trim().substring(colon + 1))));
      }
      if (!endpoints.isEmpty())
        overrides.put(
            "akka.discovery.config.services." + service + ".endpoints",
            ConfigValueFactory.fromIterable(endpoints));
    }
    Config full = ConfigFactory.parseMap(overrides).withFallback(config).resolve();

    CompletableFuture<CompletionStage<ServerBinding>> binding = new CompletableFuture<>();
    CompletableFuture<WebSocketGateway> gateway = new CompletableFuture<>();
    ActorSystem<Void> system =
        ActorSystem.create(
            guardian(full, settings, secrets, binding, gateway), "treasure-hunt", full);
    system.getWhenTerminated().thenRun(() -> closeQuietly(database));
    if (secrets.adminTokenGenerated())
      log.info(
          "admin token (TH_ADMIN_TOKEN not set; kept in {}): {}",
          settings.dataDir().resolve("admin-token"),
          secrets.adminToken());
    PauseCheck.Verdict pauses = PauseCheck.ofThisJvm();
    if (pauses.lowPause()) log.info("garbage collector: {}", pauses.describe());
    else log.warn("garbage collector: {}", pauses.describe());
    Node node = new Node(system, database, secrets, binding.thenCompose(b -> b));
    node.ws = gateway.get(30, java.util.concurrent.TimeUnit.SECONDS);
    return node;
  }

  private static Behavior<Void> guardian(
      Config config,
      NodeSettings settings,
      Secrets secrets,
      CompletableFuture<CompletionStage<ServerBinding>> binding,
      CompletableFuture<WebSocketGateway> gateway) {
    return Behaviors.setup(
        ctx -> {
          ActorSystem<Void> system = ctx.getSystem();
          GameSettings game = GameSettings.from(config);
          Hunt.init(system, game);
          Player.init(system, game);
          ctx.spawn(
              ShardWatcher.create(
                  java.util.List.of(Hunt.ENTITY_KEY, Player.ENTITY_KEY),
                  java.time.Duration.ofSeconds(2)),
              "shard-watcher");
          ctx.spawn(DroppedCommands.create(), "dropped-commands");

          OperatorRoutes.Credential.ID.apply(system).set(secrets.adminToken());
          AkkaManagement.get(system).start();
          Cluster cluster = Cluster.get(system);
          if (!"off".equals(settings.bootstrap())) ClusterBootstrap.get(system).start();
          else if (settings.seedNodes().isEmpty())
            cluster.manager().tell(Join.create(cluster.selfMember().address()));

          GatewaySettings http = GatewaySettings.from(config);
          Tokens tokens = new Tokens(secrets.tokenSecret(), http.tokenTtl());
          HttpApi api = new HttpApi(system, http, tokens, secrets.adminToken());
          WebSocketGateway ws =
              new WebSocketGateway(
                  system, WsSettings.from(config), tokens, secrets.adminToken(), http.askTimeout());
          gateway.complete(ws);
          Route pages =
              new ConsoleApi(
                      system,
                      http,
                      secrets.adminToken(),
                      config.getBoolean("treasure-hunt.web.list-live-hunts"),
                      () -> OperatorRoutes.distribution(system))
                  .route()
                  .orElse(new WebPages(WebPages.Settings.from(config)).route());
          binding.complete(
              HttpServer.start(
                  system, api.route(ws.route(), pages), http.httpInterface(), http.httpPort()));
          return Behaviors.empty();
        });
  }

  private static void closeQuietly(Database database) {
    try {
      database.close();
    } catch (Exception e) {
      log.warn("closing the database failed", e);
    }
  }
}
