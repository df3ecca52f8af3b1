package treasurehunt.metrics;

import static org.junit.jupiter.api.Assertions.*;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A flood of stash drops logs one line per 10 s, and nothing else is held back: what an operator
 * reading the log of a node under a hot hunt sees.
 */
class StashDropLogTest {
  final AtomicLong now = new AtomicLong(1_000);
  final StashDropLog filter = new StashDropLog(now::get);
  final Logger hunt = new LoggerContext().getLogger("treasurehunt.entities.HuntBehavior");
  static final String DROP = "Stash buffer is full, dropping message [{}]";

  FilterReply log(String format) {
    return filter.decide(null, hunt, Level.WARN, format, new Object[] {"Join"}, null);
  }

  @Test
  void aFloodOfDropsLogsOneLineEveryTenSeconds() {
    assertEquals(FilterReply.NEUTRAL, log(DROP), "the first drop is logged");
    for (int i = 0; i < 1_000; i++) {
      now.addAndGet(1_000_000); // 1 ms apart: 1 s in all
      assertEquals(FilterReply.DENY, log(DROP), "drop " + i + " within 10 s of the logged one");
    }
    now.addAndGet(StashDropLog.INTERVAL_NANOS);
    assertEquals(FilterReply.NEUTRAL, log(DROP), "10 s later: logged again");
    assertEquals(FilterReply.DENY, log(DROP));
  }

  @Test
  void everyOtherLineIsLeftToTheConfiguration() {
    assertEquals(FilterReply.NEUTRAL, log(DROP));
    assertEquals(FilterReply.NEUTRAL, log("Hunt {} is full"));
    assertEquals(FilterReply.NEUTRAL, log(null));
    assertEquals(FilterReply.DENY, log(DROP));
  }
}
