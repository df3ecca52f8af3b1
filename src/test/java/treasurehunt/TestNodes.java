package treasurehunt;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.ClusterShardingQuery;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import treasurehunt.cluster.Database;
import treasurehunt.cluster.Node;
import treasurehunt.entities.Player;

/** Starts real engine nodes inside the test JVM on free ports. */
public final class TestNodes {
  public static final String ADMIN_TOKEN = "test-admin-token";
  public static final String TOKEN_SECRET = "test-token-secret-of-at-least-32-bytes!!";

  /**
   * Extra configuration for tests that simulate walks faster than real time: fixes sent
   * milliseconds apart whose {@code at}s are seconds or minutes apart. The server's clock then
   * tolerates an hour of network jitter, so such moves are judged by the client's clock alone, as
   * the tests intend; {@code at} must still lie within the window around the real clock.
   * AntiCheatTest runs with the shipped setting.
   */
  public static final String SIMULATED_WALKS = "treasure-hunt.game.location-jitter = 1h\n";

  private TestNodes() {}

  /**
   * Tests register players and chat from one address (127.0.0.1) at machine speed: the limits per
   * address and per player on registrations and chat messages are off unless a test's {@code extra}
   * sets them (FloodTest does).
   */
  public static final String TEST_LIMITS =
      "treasure-hunt.limits.registrations-per-minute = 0\n"
          + "treasure-hunt.limits.chat-per-minute = 0\n";

  /** Configuration of a node on free ports, with its own data directory, on the given database. */
  public static Config config(Database db, String extra) throws Exception {
    Path dataDir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "node");
    return ConfigFactory.parseString(extra)
        .withFallback(ConfigFactory.parseString(TEST_LIMITS))
        .withFallback(
            ConfigFactory.parseString(
                "akka.remote.artery.canonical.port = 0\n"
                    + "akka.coordinated-shutdown.exit-jvm = off\n"
                    + "akka.coordinated-shutdown.terminate-actor-system = on\n"
                    + "akka.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                    + "treasure-hunt.http.port = 0\n"
                    + "treasure-hunt.http.interface = \"127.0.0.1\"\n"
                    + "treasure-hunt.management-port = 0\n"
                    + "treasure-hunt.http.admin-token = \""
                    + ADMIN_TOKEN
                    + "\"\n"
                    // Every node of a cluster must share the token secret (README, operators).
                    + "treasure-hunt.http.token-secret = \""
                    + TOKEN_SECRET
                    + "\"\n"
                    + "treasure-hunt.data-dir = \""
                    + dataDir
                    + "\"\n"
                    + "treasure-hunt.db.url = \""
                    + db.url()
                    + "\"\n"))
        .withFallback(ConfigFactory.load());
  }

  public static Node start(Database db) throws Exception {
    return start(db, "");
  }

  public static Node start(Database db, String extra) throws Exception {
    return Node.start(config(db, extra), Database.external(db.url(), db.user(), db.password()));
  }

  public static int httpPort(Node node) throws Exception {
    return node.http.toCompletableFuture().get(30, TimeUnit.SECONDS).localAddress().getPort();
  }

  public static void stop(Node node) throws Exception {
    node.system.terminate();
    node.system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /**
   * The ids of the entities of {@code key} that run on {@code node} now (its shard region's state).
   */
  public static Set<String> entitiesOn(Node node, EntityTypeKey<?> key) throws Exception {
    ShardRegion.CurrentShardRegionState state =
        AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
                ClusterSharding.get(node.system).shardState(),
                replyTo -> new GetShardRegionState(key, replyTo),
                Duration.ofSeconds(10),
                node.system.scheduler())
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
    Set<String> ids = new HashSet<>();
    for (ShardRegion.ShardState shard : state.getShards()) ids.addAll(shard.getEntityIds());
    return ids;
  }

  /**
   * The player's entity's own ref, asked through sharding (which starts it if it is not running).
   */
  public static ActorRef<Player.Command> locate(Node node, String playerId) throws Exception {
    return ClusterSharding.get(node.system)
        .entityRefFor(Player.ENTITY_KEY, playerId)
        .<ActorRef<Player.Command>>ask(Player.Locate::new, Duration.ofSeconds(10))
        .toCompletableFuture()
        .get(15, TimeUnit.SECONDS);
  }

  /**
   * Has the entity's shard passivate it, as sharding's idle passivation and a rebalance do: what an
   * entity sends its shard ({@code ClusterSharding.Passivate}) is the classic {@code
   * ShardRegion.Passivate} from the entity, and the shard is the entity's parent. The shard then
   * sends the entity its stop message, holds back what comes through sharding until the entity
   * stopped, and starts a new one for it.
   */
  public static void passivate(Node node, ActorRef<Player.Command> entity) {
    akka.actor.ActorRef classic = Adapter.toClassic(entity);
    Adapter.toClassic(node.system)
        .actorSelection(classic.path().parent())
        .tell(new ShardRegion.Passivate(Player.Stop.INSTANCE), classic);
  }
}
