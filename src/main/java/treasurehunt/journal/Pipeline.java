package treasurehunt.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads on a thread of its own while the caller's thread decodes and replays: the rows (JDBC cursor
 * or export file parser) are handed over in batches through a small bounded queue, so reading and
 * replaying overlap and memory stays bounded.
 */
final class Pipeline {
  private Pipeline() {}

  /** The reading loop: calls the sink as it would a visitor, from the reading thread. */
  interface Producer {
    void produce(JournalReader.Visitor sink, JournalReader.Progress progress) throws Exception;
  }

  private static final int BATCH = 1_000;
  private static final Object END = new Object();
  private static final Object DONE = new Object();

  private record Begin(String persistenceId, List<SnapshotRow> snapshots) {}

  private record Advance(long n) {}

  private record Failure(Throwable error) {}

  static void run(Producer producer, JournalReader.Visitor visitor, JournalReader.Progress progress)
      throws Exception {
    ArrayBlockingQueue<List<Object>> queue = new ArrayBlockingQueue<>(16);
    AtomicBoolean stop = new AtomicBoolean();
    Thread reader =
        new Thread(
            () -> {
              Sink sink = new Sink(queue, stop);
              try {
                producer.produce(sink, sink::advance);
                sink.add(DONE);
                sink.flush();
              } catch (CancellationException e) {
                // the visitor failed: nobody is reading any more
              } catch (Throwable t) {
                queue.clear();
                queue.offer(List.of(new Failure(t)));
              }
            },
            "journal-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      while (true) {
        List<Object> batch = queue.take();
        for (Object o : batch) {
          if (o instanceof EventRow row) visitor.event(row);
          else if (o instanceof Begin b) visitor.begin(b.persistenceId(), b.snapshots());
          else if (o == END) visitor.end();
          else if (o instanceof Advance a) progress.advance(a.n());
          else if (o == DONE) return;
          else if (o instanceof Failure f) {
            if (f.error() instanceof Exception e) throw e;
            throw (Error) f.error();
          }
        }
      }
    } finally {
      stop.set(true);
      queue.clear();
      reader.join();
    }
  }

  private static final class Sink implements JournalReader.Visitor {
    private final ArrayBlockingQueue<List<Object>> queue;
    private final AtomicBoolean stop;
    private List<Object> batch = new ArrayList<>(BATCH);

    Sink(ArrayBlockingQueue<List<Object>> queue, AtomicBoolean stop) {
      this.queue = queue;
      this.stop = stop;
    }

    void add(Object o) throws InterruptedException {
      batch.add(o);
      if (batch.size() >= BATCH) flush();
    }

    void flush() throws InterruptedException {
      if (batch.isEmpty()) return;
      while (!queue.offer(batch, 100, TimeUnit.MILLISECONDS))
        if (stop.get()) throw new CancellationException();
      batch = new ArrayList<>(BATCH);
    }

    void advance(long n) {
      try {
        if (n > 0) add(new Advance(n));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException();
      }
    }

    @Override
    public void begin(String persistenceId, List<SnapshotRow> snapshots) throws Exception {
      add(new Begin(persistenceId, snapshots));
    }

    @Override
    public void event(EventRow row) throws Exception {
      add(row);
    }

    @Override
    public void end() throws Exception {
      add(END);
    }
  }
}
