package treasurehunt.entities;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's own SQL next to Akka Persistence JDBC: the existence lookups of the hunt directory
 * and the hunt streams' checkpoints ({@link StreamCheckpoints}).
 *
 * <p>JDBC blocks, so it never runs on an actor's thread or the default dispatcher: every call runs
 * on a dedicated dispatcher ({@code treasure-hunt.engine-db.dispatcher}, as many threads as
 * connections) with a pool of its own ({@code pool-size}, 2), so that a flood of lookups can never
 * take the journal's connections. At most {@code max-pending} calls wait or run at once, and a call
 * that waited longer than {@code max-wait} for a connection is dropped unrun; either way it fails
 * with {@link Busy} (the caller answers {@code unavailable}), so a flood can neither queue without
 * bound nor leave the database working for callers that have given up.
 *
 * <p>Disabled (every call fails, {@link #enabled} false) where no database is configured: the
 * entity tests run on the in-memory journal.
 */
public final class EngineDb implements Extension {

  private static final ExtensionId<EngineDb> ID =
      new ExtensionId<>() {
        @Override
        public EngineDb createExtension(ActorSystem<?> system) {
          return new EngineDb(system);
        }
      };

  public static EngineDb get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Past {@code max-pending}: retry later. A timeout to its callers (it maps to unavailable). */
  public static final class Busy extends TimeoutException {
    Busy(String message) {
      super(message);
    }
  }

  /** One unit of blocking work on a pooled connection. */
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final ActorSystem<?> system;
  private final String url;
  private final String user;
  private final String password;
  private final int poolSize;
  private final int maxPending;
  private final long maxWaitNanos;
  private final AtomicInteger pending = new AtomicInteger();
  private volatile Executor executor;
  private volatile HikariDataSource pool;

  private EngineDb(ActorSystem<?> system) {
    this.system = system;
    Config config = system.settings().config();
    Config db = config.getConfig("akka-persistence-jdbc.shared-databases.slick.db");
    this.url = db.hasPath("url") ? db.getString("url") : "";
    this.user = db.hasPath("user") ? db.getString("user") : "";
    this.password = db.hasPath("password") ? db.getString("password") : "";
    Config own = config.getConfig("treasure-hunt.engine-db");
    this.poolSize = own.getInt("pool-size");
    this.maxPending = own.getInt("max-pending");
    this.maxWaitNanos = own.getDuration("max-wait").toNanos();
  }

  public boolean enabled() {
    return !url.isBlank();
  }

  /**
   * A connection of its own, outside the pool, for a writer that holds one for its lifetime ({@link
   * PlayerTrail}). The caller closes it.
   */
  Connection connect(java.util.Properties extra) throws SQLException {
    java.util.Properties p = new java.util.Properties();
    p.putAll(extra);
    if (!user.isEmpty()) p.setProperty("user", user);
    if (!password.isEmpty()) p.setProperty("password", password);
    return java.sql.DriverManager.getConnection(url, p);
  }

  /** Calls waiting or running now. */
  public int pending() {
    return pending.get();
  }

  /**
   * Runs {@code work} on the engine's dispatcher and pool; fails with {@link Busy} past the cap.
   */
  public <T> CompletionStage<T> run(Work<T> work) {
    if (!enabled())
      return CompletableFuture.failedFuture(new IllegalStateException("no database configured"));
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      return CompletableFuture.failedFuture(
          new Busy(maxPending + " database calls are waiting on this node; retry"));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    long queued = System.nanoTime();
    try {
      executor()
          .execute(
              () -> {
                if (System.nanoTime() - queued > maxWaitNanos) {
                  pending.decrementAndGet();
                  result.completeExceptionally(
                      new Busy("waited too long for a database connection; retry"));
                  return;
                }
                try (Connection c = pool().getConnection()) {
                  result.complete(work.run(c));
                } catch (Throwable e) {
                  result.completeExceptionally(e);
                } finally {
                  pending.decrementAndGet();
                }
              });
    } catch (RuntimeException rejected) {
      pending.decrementAndGet();
      result.completeExceptionally(rejected);
    }
    return result;
  }

  private Executor executor() {
    Executor e = executor;
    if (e == null) {
      synchronized (this) {
        if (executor == null)
          executor =
              system
                  .dispatchers()
                  .lookup(DispatcherSelector.fromConfig("treasure-hunt.engine-db.dispatcher"));
        e = executor;
      }
    }
    return e;
  }

  /** Created on first use (on the engine's dispatcher), closed when the node terminates. */
  private HikariDataSource pool() {
    HikariDataSource p = pool;
    if (p == null) {
      synchronized (this) {
        if (pool == null) {
          HikariConfig c = new HikariConfig();
          c.setPoolName("th-engine-db");
          c.setJdbcUrl(url);
          c.setUsername(user);
          c.setPassword(password);
          c.setMaximumPoolSize(poolSize);
          c.setMinimumIdle(0);
          c.setConnectionTimeout(5_000);
          c.setInitializationFailTimeout(-1);
          HikariDataSource created = new HikariDataSource(c);
          system.getWhenTerminated().thenRun(created::close);
          pool = created;
        }
        p = pool;
      }
    }
    return p;
  }
}
