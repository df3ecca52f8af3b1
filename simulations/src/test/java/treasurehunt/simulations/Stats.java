package treasurehunt.simulations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What every bot saw, aggregated across the run: counters, HdrHistograms (latency in microseconds,
 * map error in centimetres, resume time in ms) and the JSON summary written at the end. Latency is
 * taken when the answer frame reaches the bot's handler: from the frame's send to its {@code
 * ack}/{@code error}.
 */
public final class Stats {
  private Stats() {}

  private static final Map<String, LongAdder> COUNTERS = new ConcurrentHashMap<>();
  private static final Map<String, Histogram> HISTOGRAMS = new ConcurrentHashMap<>();
  private static final Map<String, Object> FACTS = new ConcurrentHashMap<>();
  private static final Map<String, AtomicLong> FIRST = new ConcurrentHashMap<>();
  private static final Map<String, AtomicLong> LAST = new ConcurrentHashMap<>();
  public static final AtomicLong STARTED = new AtomicLong(System.currentTimeMillis());

  /**
   * Labels a latency by the run's phase (the surge sets it: before/during/after); null: no phases.
   */
  public static volatile java.util.function.LongFunction<String> phaser;

  public static void count(String name) {
    COUNTERS.computeIfAbsent(name, k -> new LongAdder()).increment();
  }

  public static void count(String name, long n) {
    COUNTERS.computeIfAbsent(name, k -> new LongAdder()).add(n);
  }

  public static long counter(String name) {
    LongAdder a = COUNTERS.get(name);
    return a == null ? 0 : a.sum();
  }

  public static Histogram histogram(String name) {
    return HISTOGRAMS.computeIfAbsent(name, k -> new ConcurrentHistogram(3));
  }

  public static void record(String name, long value) {
    histogram(name).recordValue(Math.max(0, value));
  }

  public static void fact(String name, Object value) {
    FACTS.put(name, value);
  }

  /** A fact written so far, or null. */
  public static Object factOf(String name) {
    return FACTS.get(name);
  }

  /** Latency of one command, by type and (when the scenario has them) by bot group and phase. */
  public static void latency(String type, String group, long micros) {
    record("latency_us." + type, micros);
    long now = System.currentTimeMillis();
    FIRST.computeIfAbsent(type, k -> new AtomicLong(now)).accumulateAndGet(now, Math::min);
    LAST.computeIfAbsent(type, k -> new AtomicLong(now)).accumulateAndGet(now, Math::max);
    var p = phaser;
    if (p != null)
      record(
          "latency_us." + type + "." + group + "." + p.apply(System.currentTimeMillis()), micros);
  }

  /** Answers of this type per second, between the first and the last one. */
  public static double ratePerSecond(String type) {
    AtomicLong f = FIRST.get(type), l = LAST.get(type);
    if (f == null || l.get() <= f.get()) return 0;
    return histogram("latency_us." + type).getTotalCount() * 1000.0 / (l.get() - f.get());
  }

  /**
   * Writes {@code <summaryDir>/<name>-<time>.json} and {@code <name>-latest.json}; returns the
   * path.
   */
  public static Path writeSummary(String simulation) {
    long ended = System.currentTimeMillis();
    StringBuilder b = new StringBuilder();
    b.append("{\n  \"simulation\": \"").append(simulation).append("\",\n");
    b.append("  \"settings\": \"").append(Settings.describe().replace("\"", "'")).append("\",\n");
    b.append("  \"startedAt\": \"").append(Instant.ofEpochMilli(STARTED.get())).append("\",\n");
    b.append("  \"durationS\": ")
        .append(String.format("%.1f", (ended - STARTED.get()) / 1000.0))
        .append(",\n");
    b.append("  \"facts\": {");
    appendMap(b, new TreeMap<>(FACTS));
    b.append("},\n  \"counters\": {");
    Map<String, Object> cs = new TreeMap<>();
    COUNTERS.forEach((k, v) -> cs.put(k, v.sum()));
    appendMap(b, cs);
    b.append("},\n  \"histograms\": {");
    boolean first = true;
    for (var e : new TreeMap<>(HISTOGRAMS).entrySet()) {
      Histogram h = e.getValue();
      if (!first) b.append(',');
      first = false;
      String unit =
          e.getKey().startsWith("latency_us")
              ? "us"
              : e.getKey().startsWith("map_error_cm") ? "cm" : "";
      b.append("\n    \"").append(e.getKey()).append("\": {\"count\": ").append(h.getTotalCount());
      if (h.getTotalCount() > 0) {
        b.append(", \"p50\": ")
            .append(h.getValueAtPercentile(50))
            .append(", \"p95\": ")
            .append(h.getValueAtPercentile(95))
            .append(", \"p99\": ")
            .append(h.getValueAtPercentile(99))
            .append(", \"p999\": ")
            .append(h.getValueAtPercentile(99.9))
            .append(", \"max\": ")
            .append(h.getMaxValue())
            .append(", \"mean\": ")
            .append(String.format("%.1f", h.getMean()));
      }
      b.append(", \"unit\": \"").append(unit).append("\"}");
    }
    b.append("\n  }\n}\n");
    try {
      Path dir = Path.of(Settings.SUMMARY_DIR);
      Files.createDirectories(dir);
      String stamp =
          Instant.ofEpochMilli(STARTED.get()).toString().replace(":", "").replace(".", "");
      Path file = dir.resolve(simulation + "-" + stamp + ".json");
      Files.writeString(file, b);
      Files.writeString(dir.resolve(simulation + "-latest.json"), b);
      System.out.println("JSON summary: " + file.toAbsolutePath());
      System.out.print(b);
      return file;
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  private static void appendMap(StringBuilder b, Map<String, Object> m) {
    boolean first = true;
    for (var e : m.entrySet()) {
      if (!first) b.append(',');
      first = false;
      b.append("\n    \"").append(e.getKey()).append("\": ");
      Object v = e.getValue();
      if (v instanceof Number) b.append(v);
      else b.append('"').append(String.valueOf(v).replace("\"", "'")).append('"');
    }
    if (!m.isEmpty()) b.append("\n  ");
  }
}
