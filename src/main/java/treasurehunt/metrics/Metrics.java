package treasurehunt.metrics;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The node's Prometheus registry (Micrometer), one per ActorSystem, scraped at {@code /metrics} on
 * the management port. Meters are created once and cached, so recording on the hot path is a map
 * lookup and an atomic add; latency timers publish histogram buckets so Prometheus can compute
 * percentiles across nodes ({@code histogram_quantile}).
 *
 * <p>Names (Prometheus form): {@code th_ws_connections}, {@code th_ws_frames_in_total}, {@code
 * th_ws_frames_out_total}, {@code th_ws_rejected_total{code}}, {@code th_command_seconds{type}},
 * {@code th_persist_seconds{entity}}, {@code th_hunt_batch_commands}, {@code th_entities{type}},
 * {@code th_shards{type}}, {@code th_shards_arrived_total{type}}, {@code
 * th_shards_left_total{type}}, {@code th_hunt_feeds}, {@code th_hunt_topics}, {@code
 * th_hunt_directory_known}, {@code th_hunt_directory_lookups_total}, {@code th_journal_reads},
 * {@code th_journal_read_events_total}, {@code th_stream_fills_total{source}}, plus {@code jvm_*}
 * (memory, GC pauses, threads), {@code process_*} and {@code system_*}.
 */
public final class Metrics implements Extension {
  private static final class Id extends ExtensionId<Metrics> {
    @Override
    public Metrics createExtension(ActorSystem<?> system) {
      return new Metrics();
    }
  }

  private static final Id ID = new Id();

  public static Metrics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter framesIn;
  private final Counter framesOut;
  private final DistributionSummary huntBatch;
  private final Counter fillsFromFeed;
  private final Counter fillsFromHunt;
  private final Counter reportsStraight;
  private final Counter reportsSharded;
  private final Counter reportsResent;
  private final ConcurrentHashMap<String, Timer> commands = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> persists = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> rejected = new ConcurrentHashMap<>();

  private Metrics() {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmHeapPressureMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    framesIn =
        Counter.builder("th.ws.frames.in")
            .description("WebSocket frames received")
            .register(registry);
    framesOut =
        Counter.builder("th.ws.frames.out").description("WebSocket frames sent").register(registry);
    huntBatch =
        DistributionSummary.builder("th.hunt.batch.commands")
            .description(
                "Commands (joins, chat, finds, claims) a hunt decided together in one"
                    + " group-commit batch (one journal write at most)")
            .register(registry);
    fillsFromFeed = fills("feed");
    fillsFromHunt = fills("hunt");
    reportsStraight = route("straight");
    reportsSharded = route("sharding");
    reportsResent = route("resent");
  }

  private Counter route(String route) {
    return Counter.builder("th.location.route")
        .tag("route", route)
        .description(
            "Location reports a session sent to its player's entity straight (the entity's own ref)"
                + " or through sharding, and straight reports sent again through sharding because"
                + " their entity stopped (resent) (gateway/PlayerRoute)")
        .register(registry);
  }

  /** A straight location report sent again through sharding: its entity stopped. */
  public void locationResent() {
    reportsResent.increment();
  }

  /** A location report left for its entity, {@code straight} or through sharding. */
  public void locationRoute(boolean straight) {
    (straight ? reportsStraight : reportsSharded).increment();
  }

  private Counter fills(String source) {
    return Counter.builder("th.stream.fills")
        .tag("source", source)
        .description(
            "Pages of a follow's fill (a gap, a new follower behind the live feed, a resume):"
                + " served by this node's feed of the hunt (feed) or asked of the Hunt entity (hunt)")
        .register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  public void frameIn() {
    framesIn.increment();
  }

  public void frameOut() {
    framesOut.increment();
  }

  public void rejected(String code) {
    rejected
        .computeIfAbsent(
            code,
            c ->
                Counter.builder("th.ws.rejected")
                    .tag("code", c)
                    .description("Client frames answered with an error")
                    .register(registry))
        .increment();
  }

  /** Time from a client command's arrival to its answer, by frame type (join, location, ...). */
  public void command(String type, long startedNanos) {
    commands
        .computeIfAbsent(
            type,
            t -> latency("th.command", "type", t, "Client command round trip through the entities"))
        .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
  }

  /** Time from persisting an entity's events to the journal's confirmation, by entity type. */
  public void persisted(String entity, long startedNanos) {
    persists
        .computeIfAbsent(
            entity,
            e -> latency("th.persist", "entity", e, "Event persistence latency (journal write)"))
        .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A hunt decided a group-commit batch of {@code commands} commands (stored in one write, or in
   * none when they add no event): {@code th_hunt_batch_commands_sum} over {@code _count} is the
   * mean batch, {@code _max} the largest of late.
   */
  public void huntBatch(int commands) {
    huntBatch.record(commands);
  }

  /** A page of a fill was served by the node's feed ({@code fromFeed}) or asked of the hunt. */
  public void fill(boolean fromFeed) {
    (fromFeed ? fillsFromFeed : fillsFromHunt).increment();
  }

  private Timer latency(String name, String tag, String value, String description) {
    return Timer.builder(name)
        .tag(tag, value)
        .description(description)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }
}
