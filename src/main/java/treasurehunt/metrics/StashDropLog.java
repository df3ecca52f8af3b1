package treasurehunt.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Marker;

/**
 * Keeps the persistence runtime's "Stash buffer is full, dropping message" warnings from flooding
 * the log: at most one such line every {@link #INTERVAL_NANOS} (10 s) for the whole node passes;
 * the rest are denied. Each of those commands is counted ({@code
 * th_hunt_commands_overloaded_total}) and answered {@code overloaded} ({@code
 * entities/DroppedCommands}), so the line only tells the operator that it happens; in a hot hunt it
 * came once per dropped command, hundreds to thousands a run (BENCHMARKS.md, issue 14). Every other
 * log event is left to the configuration (NEUTRAL). Installed in logback.xml as a turbo filter.
 */
public final class StashDropLog extends TurboFilter {
  static final String PREFIX = "Stash buffer is full";
  static final long INTERVAL_NANOS = 10_000_000_000L;

  private final LongSupplier clock;
  private final AtomicLong nextAllowed;

  public StashDropLog() {
    this(System::nanoTime);
  }

  StashDropLog(LongSupplier clock) {
    this.clock = clock;
    this.nextAllowed = new AtomicLong(clock.getAsLong());
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null || !format.startsWith(PREFIX)) return FilterReply.NEUTRAL;
    long now = clock.getAsLong();
    long allowed = nextAllowed.get();
    if (now - allowed < 0) return FilterReply.DENY;
    return nextAllowed.compareAndSet(allowed, now + INTERVAL_NANOS)
        ? FilterReply.NEUTRAL
        : FilterReply.DENY;
  }
}
