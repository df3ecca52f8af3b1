package treasurehunt.entities;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.typed.PersistenceId;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.Config;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import treasurehunt.metrics.Metrics;

/**
 * A player's trail: the ordinary location fixes (those that reach no treasure and change nothing
 * but the player's position) stored in node-wide batches instead of one journal write each.
 *
 * <p>Why: a journal write through Akka Persistence costs ~120 µs of the two cores per fix
 * (BENCHMARKS.md, issue 13, "the trail"), more than everything else a report costs. Here a Player
 * entity hands its fix to this writer (a queue offer, no I/O) and acknowledges it; one thread
 * writes what queued every {@code flush-every} (50 ms) in one transaction of up to {@code
 * max-batch} rows, so PostgreSQL pays its per-transaction cost once per batch.
 *
 * <p>Where: in {@code event_journal} itself, as the events of a persistence id of their own, {@code
 * PlayerTrail|<player id>}, sequence numbers counted by the Player entity, each row the {@link
 * Player.Moved} event serialized exactly as Akka Persistence would. So the journal tools read,
 * list, export, import and verify the trail as any other entity ({@code journal timeline
 * trail:<id>}). No Akka entity has that persistence id, so nothing else ever writes it.
 *
 * <p>The guarantees (docs/protocol.md §5, "When a fix is stored"):
 *
 * <ul>
 *   <li>a fix is written within {@code flush-every} plus one transaction (~0.5 ms idle) of its ack;
 *       a crash ({@code kill -9}) loses at most that much of a player's trail, never a find: a fix
 *       that reaches a treasure, claims, joins and everything else still go through the player's
 *       own journal and are stored before their ack;
 *   <li>a Player entity that starts reads its trail's newest rows ({@link #load}) after every row
 *       offered on this node before is written, and stops (passivation, rebalance) only after its
 *       rows are written ({@link #flushed}), so it judges its next fix from its real last one and
 *       answers a retried report id with its first outcome, on this node or the next;
 *   <li>bounded: at most {@code max-pending} rows wait; past that {@link #offer} refuses and the
 *       entity writes the fix through its journal as before (slower, never lost).
 * </ul>
 *
 * <p>A failed write is retried with the same rows (backing off up to 2 s) until it succeeds; while
 * the database is down the queue fills and entities fall back to their journal, which fails too.
 * The writer is one platform thread of its own ({@code th-player-trail}), never an actor's: it
 * blocks on JDBC, with its own connection.
 */
public final class PlayerTrail implements Extension {
  private static final Logger log = LoggerFactory.getLogger(PlayerTrail.class);

  /** The persistence id prefix of trails: {@code PlayerTrail|<player id>}. */
  public static final String NAME = "PlayerTrail";

  private static final ExtensionId<PlayerTrail> ID =
      new ExtensionId<>() {
        @Override
        public PlayerTrail createExtension(ActorSystem<?> system) {
          return new PlayerTrail(system);
        }
      };

  public static PlayerTrail get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** The persistence id of a player's trail. */
  public static String persistenceId(String playerId) {
    return PersistenceId.of(NAME, playerId).id();
  }

  /** What a starting entity needs of its trail: the last sequence number and the newest fixes. */
  public record Loaded(long lastSeq, List<Player.Moved> newestLast) {}

  private record Row(String persistenceId, long seq, Player.Moved move) {}

  /** Runs on the writer after everything queued before it is written. */
  private sealed interface Waiter {}

  private record Barrier(CompletableFuture<Done> done) implements Waiter {}

  private record Load(String persistenceId, int limit, CompletableFuture<Loaded> done)
      implements Waiter {}

  private static final String INSERT =
      "INSERT INTO event_journal (persistence_id, sequence_number, deleted, writer, write_timestamp,"
          + " adapter_manifest, event_ser_id, event_ser_manifest, event_payload)"
          + " VALUES (?, ?, false, ?, ?, '', ?, ?, ?) ON CONFLICT DO NOTHING";

  // Every trail's newest rows, one round trip for all the entities that start together (a
  // failover): the primary key's index read backwards, `limit` rows per trail.
  private static final String LOAD =
      "SELECT p.pid, e.sequence_number, e.event_ser_id, e.event_ser_manifest, e.event_payload"
          + " FROM unnest(?::varchar[]) AS p(pid) CROSS JOIN LATERAL"
          + " (SELECT sequence_number, event_ser_id, event_ser_manifest, event_payload"
          + " FROM event_journal j WHERE j.persistence_id = p.pid AND NOT j.deleted"
          + " ORDER BY sequence_number DESC LIMIT ?) e ORDER BY p.pid, e.sequence_number DESC";

  private final ActorSystem<?> system;
  private final EngineDb db;
  private final boolean enabled;
  private final long flushEveryNanos;
  private final int maxBatch;
  private final int maxPending;
  private final boolean rewrite;
  private final boolean copy;
  private final LinkedBlockingQueue<Object> queue;
  private final String writer;
  private volatile Thread thread;
  private volatile boolean stopping;
  private Counter rowsWritten;
  private Counter refused;
  private Timer batchTime;

  private PlayerTrail(ActorSystem<?> system) {
    this.system = system;
    this.db = EngineDb.get(system);
    Config c = system.settings().config().getConfig("treasure-hunt.trail");
    this.enabled = c.getBoolean("enabled") && db.enabled();
    this.flushEveryNanos = c.getDuration("flush-every").toNanos();
    this.maxBatch = c.getInt("max-batch");
    this.maxPending = c.getInt("max-pending");
    this.rewrite = c.getBoolean("rewrite-batched-inserts");
    this.copy = c.getString("write-with").equals("copy");
    // the bound on rows, plus room for the waiters (a few per starting or stopping entity)
    this.queue = new LinkedBlockingQueue<>(maxPending + 10_000);
    this.writer = "trail-" + system.address();
    if (enabled) {
      Metrics metrics = Metrics.get(system);
      rowsWritten =
          Counter.builder("th.trail.rows")
              .description("Ordinary fixes written to players' trails")
              .register(metrics.registry());
      refused =
          Counter.builder("th.trail.refused")
              .description("Fixes the trail queue was too full to take (written by the journal)")
              .register(metrics.registry());
      batchTime =
          Timer.builder("th.trail.batch")
              .description("One trail transaction")
              .publishPercentiles(0.5, 0.99)
              .register(metrics.registry());
      Gauge.builder("th.trail.pending", queue, LinkedBlockingQueue::size)
          .description("Trail rows and waiters queued")
          .register(metrics.registry());
      system.getWhenTerminated().thenRun(this::stop);
    }
  }

  /** Off where no database is configured (the entity tests) or {@code treasure-hunt.trail}. */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Queues one fix of {@code persistenceId} at {@code seq}; false when {@code max-pending} rows
   * wait already (the caller writes it another way). Never blocks.
   */
  public boolean offer(String persistenceId, long seq, Player.Moved move) {
    if (!enabled) return false;
    if (queue.size() >= maxPending || !queue.offer(new Row(persistenceId, seq, move))) {
      refused.increment();
      return false;
    }
    start();
    if (idle.get() && idle.compareAndSet(true, false)) wake();
    return true;
  }

  /** Completes once every row offered before this call is written. */
  public CompletionStage<Done> flushed() {
    CompletableFuture<Done> done = new CompletableFuture<>();
    waiter(new Barrier(done), done);
    return done;
  }

  /**
   * The newest {@code limit} rows of a trail (oldest of them first) and its last sequence number,
   * read after every row offered before this call is written.
   */
  public CompletionStage<Loaded> load(String persistenceId, int limit) {
    CompletableFuture<Loaded> done = new CompletableFuture<>();
    waiter(new Load(persistenceId, limit, done), done);
    return done;
  }

  private void waiter(Waiter w, CompletableFuture<?> done) {
    waitersQueued.incrementAndGet();
    if (!queue.offer(w)) {
      waitersQueued.decrementAndGet();
      done.completeExceptionally(new EngineDb.Busy("the player trail's queue is full; retry"));
      return;
    }
    start();
    wake();
  }

  /** Waiters queued and not yet taken by the writer: it writes at once for them. */
  private final AtomicInteger waitersQueued = new AtomicInteger();

  /** The writer sleeps with nothing queued: the next row wakes it. */
  private final AtomicBoolean idle = new AtomicBoolean();

  private void wake() {
    Thread t = thread;
    if (t != null) LockSupport.unpark(t);
  }

  private void start() {
    if (thread != null) return;
    synchronized (this) {
      if (thread != null || stopping) return;
      Thread t = new Thread(this::run, "th-player-trail");
      t.setDaemon(true);
      thread = t;
      t.start();
    }
  }

  private void stop() {
    stopping = true;
    Thread t = thread;
    if (t != null) t.interrupt();
  }

  // ---------------------------------------------------------------- the writer thread

  private Connection connection;
  private Serialization serialization;
  private final List<Row> batch = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();

  /**
   * The writer's loop. It never waits on the queue while a batch gathers: a thread woken for every
   * row would cost each report a park and an unpark (a third of the node's CPU at 1k/s on this
   * machine, BENCHMARKS.md, session 5). It sleeps until the batch is due; only the first row after
   * an idle spell and every waiter (a starting or stopping entity, a claim) wake it.
   */
  private void run() {
    serialization = SerializationExtension.get(Adapter.toClassic(system));
    try {
      while (!stopping || !queue.isEmpty()) {
        if (queue.isEmpty()) {
          idle.set(true);
          if (queue.isEmpty() && !stopping) LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
          idle.set(false);
          continue;
        }
        long deadline = System.nanoTime() + flushEveryNanos;
        while (!stopping && waitersQueued.get() == 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) break;
          LockSupport.parkNanos(left);
        }
        // everything queued now, in transactions of at most max-batch rows; the waiters after
        // the rows queued before them
        int due = queue.size();
        do {
          due -= drainInto();
          write();
          answerWaiters();
        } while (due > 0 || waitersQueued.get() > 0 || stopping && !queue.isEmpty());
      }
    } finally {
      closeConnection();
    }
  }

  /** Moves queued rows (at most max-batch) and waiters into this round; returns how many. */
  private int drainInto() {
    int taken = 0;
    Object item;
    while (batch.size() < maxBatch && (item = queue.poll()) != null) {
      taken++;
      if (item instanceof Row r) batch.add(r);
      else {
        waitersQueued.decrementAndGet();
        waiters.add((Waiter) item);
      }
    }
    return taken;
  }

  /** Writes the batch, retrying until it is stored (the rows are acknowledged fixes). */
  private void write() {
    long backoff = 100;
    while (!batch.isEmpty()) {
      long started = System.nanoTime();
      try {
        insert();
        batchTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        rowsWritten.increment(batch.size());
        batch.clear();
      } catch (SQLException | RuntimeException e) {
        log.warn(
            "Writing {} trail rows failed, retrying in {} ms: {}",
            batch.size(),
            backoff,
            e.toString());
        closeConnection();
        if (stopping && backoff > 400) {
          log.error("Giving up on {} trail rows at shutdown", batch.size());
          batch.clear();
          return;
        }
        sleep(backoff);
        backoff = Math.min(2_000, backoff * 2);
      }
    }
  }

  private void insert() throws SQLException {
    Connection c = connection();
    if (copy) {
      try {
        copyRows(c);
        c.commit();
        return;
      } catch (SQLException e) {
        rollback(c);
        // A row of the batch is stored already (an entity's sequence number used twice: two
        // incarnations at once, or a batch written whose commit was not confirmed). COPY cannot
        // skip it, the INSERT below does.
        if (!"23505".equals(e.getSQLState())) throw e;
        log.warn("A trail batch holds a row stored already; written row by row: {}", e.toString());
      }
    }
    insertRows(c);
  }

  private void insertRows(Connection c) throws SQLException {
    long now = System.currentTimeMillis();
    try (PreparedStatement s = c.prepareStatement(INSERT)) {
      for (Row r : batch) {
        Serializer serializer = serialization.findSerializerFor(r.move());
        s.setString(1, r.persistenceId());
        s.setLong(2, r.seq());
        s.setString(3, writer);
        s.setLong(4, now);
        s.setInt(5, serializer.identifier());
        s.setString(6, Serializers.manifestFor(serializer, r.move()));
        s.setBytes(7, serializer.toBinary(r.move()));
        s.addBatch();
      }
      s.executeBatch();
      c.commit();
    } catch (SQLException | RuntimeException e) {
      rollback(c);
      throw e;
    }
  }

  private static final String COPY =
      "COPY event_journal (persistence_id, sequence_number, deleted, writer, write_timestamp,"
          + " adapter_manifest, event_ser_id, event_ser_manifest, event_payload)"
          + " FROM STDIN (FORMAT binary)";

  /** A reusable buffer for the COPY stream (grows to the largest batch, then stays). */
  private static final class Buffer extends java.io.ByteArrayOutputStream {
    Buffer() {
      super(1 << 16);
    }

    byte[] array() {
      return buf;
    }
  }

  private final Buffer copyBuffer = new Buffer();
  private final java.io.DataOutputStream copyOut = new java.io.DataOutputStream(copyBuffer);
  private byte[] writerBytes;
  private final Map<String, byte[]> manifests = new HashMap<>();

  /**
   * The batch as one binary COPY (PostgreSQL's own bulk load: no statement per row). The format:
   * https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format".
   */
  private void copyRows(Connection c) throws SQLException {
    long now = System.currentTimeMillis();
    if (writerBytes == null) writerBytes = writer.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    copyBuffer.reset();
    try {
      java.io.DataOutputStream d = copyOut;
      d.write(COPY_SIGNATURE);
      d.writeInt(0); // flags
      d.writeInt(0); // header extension
      for (Row r : batch) {
        Serializer serializer = serialization.findSerializerFor(r.move());
        byte[] manifest =
            manifests.computeIfAbsent(
                Serializers.manifestFor(serializer, r.move()),
                m -> m.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        d.writeShort(9);
        bytes(d, r.persistenceId().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        d.writeInt(8);
        d.writeLong(r.seq());
        d.writeInt(1);
        d.writeByte(0); // deleted: false
        bytes(d, writerBytes);
        d.writeInt(8);
        d.writeLong(now);
        d.writeInt(0); // adapter_manifest: ''
        d.writeInt(4);
        d.writeInt(serializer.identifier());
        bytes(d, manifest);
        bytes(d, serializer.toBinary(r.move()));
      }
      d.writeShort(-1);
      d.flush();
    } catch (java.io.IOException impossible) { // in memory
      throw new IllegalStateException(impossible);
    }
    org.postgresql.copy.CopyIn in =
        c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn(COPY);
    try {
      in.writeToCopy(copyBuffer.array(), 0, copyBuffer.size());
      in.endCopy();
    } finally {
      if (in.isActive()) in.cancelCopy();
    }
  }

  private static final byte[] COPY_SIGNATURE = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0
  };

  private static void bytes(java.io.DataOutputStream d, byte[] b) throws java.io.IOException {
    d.writeInt(b.length);
    d.write(b);
  }

  private void answerWaiters() {
    List<Load> loads = new ArrayList<>();
    for (Waiter w : waiters) {
      if (w instanceof Barrier b) b.done().complete(Done.getInstance());
      else loads.add((Load) w);
    }
    waiters.clear();
    if (loads.isEmpty()) return;
    try {
      Map<String, Loaded> found = read(loads);
      for (Load l : loads)
        l.done().complete(found.getOrDefault(l.persistenceId(), new Loaded(0, List.of())));
    } catch (SQLException | RuntimeException e) {
      log.warn("Reading {} trails failed: {}", loads.size(), e.toString());
      closeConnection();
      for (Load l : loads) l.done().completeExceptionally(e);
    }
  }

  private Map<String, Loaded> read(List<Load> loads) throws SQLException {
    Connection c = connection();
    int limit = 1;
    List<String> ids = new ArrayList<>(loads.size());
    for (Load l : loads) {
      ids.add(l.persistenceId());
      limit = Math.max(limit, l.limit());
    }
    Map<String, List<Player.Moved>> moves = new HashMap<>();
    Map<String, Long> last = new HashMap<>();
    try (PreparedStatement s = c.prepareStatement(LOAD)) {
      Array array = c.createArrayOf("varchar", ids.toArray());
      s.setArray(1, array);
      s.setInt(2, limit);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          String pid = r.getString(1);
          long seq = r.getLong(2);
          last.merge(pid, seq, Math::max);
          Object event =
              serialization.deserialize(r.getBytes(5), r.getInt(3), r.getString(4)).get();
          if (event instanceof Player.Moved m)
            moves.computeIfAbsent(pid, k -> new ArrayList<>()).add(m);
        }
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      rollback(c);
      throw e;
    }
    Map<String, Loaded> out = new HashMap<>();
    for (Map.Entry<String, Long> e : last.entrySet()) {
      List<Player.Moved> newestFirst = moves.getOrDefault(e.getKey(), new ArrayList<>());
      List<Player.Moved> newestLast = new ArrayList<>(newestFirst.size());
      for (int i = newestFirst.size() - 1; i >= 0; i--) newestLast.add(newestFirst.get(i));
      out.put(e.getKey(), new Loaded(e.getValue(), List.copyOf(newestLast)));
    }
    return out;
  }

  /** Ends a failed transaction; a broken connection is closed and opened again by the caller. */
  private static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is broken: closeConnection() follows
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      // a batch's INSERTs sent as multi-row statements (128 rows each): PostgreSQL's cost per
      // statement, not per commit, is what a batch of hundreds of rows pays (BENCHMARKS.md)
      java.util.Properties p = new java.util.Properties();
      p.setProperty("reWriteBatchedInserts", String.valueOf(rewrite));
      Connection c = db.connect(p);
      c.setAutoCommit(false);
      connection = c;
    }
    return connection;
  }

  private void closeConnection() {
    if (connection == null) return;
    try {
      connection.close();
    } catch (SQLException ignored) {
      // broken already
    }
    connection = null;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
