package treasurehunt.simulations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One virtual user's view of the game, kept outside Gatling's session because frames arrive outside
 * the request/answer flow: the command ids it waits for, its walk and last report, and for each
 * hunt stream the last {@code (epoch, seq)} it holds, so that every gap or duplicate is counted. A
 * bot's frames and actions all run on its own event loop, so its fields need no locking.
 */
public final class Bot {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<Long, Bot> BOTS = new ConcurrentHashMap<>();

  public static Bot create(long userId, String group) {
    Bot b = new Bot(userId, group);
    BOTS.put(userId, b);
    return b;
  }

  public static Bot of(io.gatling.javaapi.core.Session s) {
    return BOTS.get(s.userId());
  }

  public static java.util.Collection<Bot> all() {
    return BOTS.values();
  }

  private record Pending(String type, long sentNanos) {}

  private static final class Stream {
    String epoch;
    long seq;
  }

  final long userId;
  public final String group;
  public String token;
  public String playerId;
  public HuntPlan hunt;
  public Walk walk;
  public long walkStart;
  final Random rnd;

  private final Map<String, Pending> pending = new HashMap<>();
  private long nextId;

  /**
   * Arrival: connect attempts so far, join (or watch) attempts, the last {@code overloaded}'s
   * retryAfterMs (0: none), and whether the join or watch was acknowledged.
   */
  public int connectTries;

  public int joinTries;
  public long retryAfterMs;
  public boolean admitted;

  /**
   * No location report before this time (epoch ms): a report answered {@code overloaded} holds the
   * next one back by its {@code retryAfterMs}, as docs/protocol.md §10 tells a client to ({@link
   * Settings#LOCATION_BACKOFF}).
   */
  long locationHoldUntil;

  /** The id (or frame type, for hello/ping) the current Gatling await is matching. */
  public String awaiting = "";

  // location reports
  public long nextPollMs = Settings.POLL_MS;
  public long lastReportAt;
  private long lastAt;
  private double[] lastReported;
  private long lastReportT;
  public final Set<String> found = new HashSet<>();
  public String atTreasure;
  public long reports;

  // streams
  private final Map<String, Stream> streams = new HashMap<>();
  public int gaps;
  public int duplicates;
  public int resets;

  // reconnect storm
  public long droppedAt;
  public long resumedAt;

  /** How the bot's resume was answered: "replayed" (ack, missed events follow), "snapshot". */
  public String resumedBy;

  // the hunt's head as the organiser API showed it at the end of the run
  private String headEpoch;
  private long headSeq = -1;
  public int headTries;

  /** Events the bot was behind its hunt's head at its final check; null before it. */
  public Long behindAtEnd;

  private Bot(long userId, String group) {
    this.userId = userId;
    this.group = group;
    this.rnd = new Random(Settings.SEED * 1_000_003L + userId);
  }

  private String lastId;
  private int misses;
  public boolean lost;

  /** Called after each location await: three unanswered in a row and the bot counts as lost. */
  public void checkAnswered() {
    if (lastId != null && pending.containsKey(lastId)) misses++;
    else misses = 0;
    if (misses >= 3 && !lost) {
      lost = true;
      Stats.count("bots.lost");
    }
  }

  /** A fresh command id, remembered with its send time. */
  public String newId(String type) {
    String id = type.charAt(0) + Long.toString(++nextId);
    pending.put(id, new Pending(type, System.nanoTime()));
    awaiting = id;
    lastId = id;
    Stats.count("sent." + type);
    return id;
  }

  // ---------------------------------------------------------------- frames

  /**
   * Every text frame the bot receives passes here exactly once; returns what the current await
   * matches on: the {@code re} of an answer, or the type of a frame without one.
   */
  public String onFrame(String text) {
    JsonNode f;
    try {
      f = JSON.readTree(text);
    } catch (Exception e) {
      Stats.count("frames.unparseable");
      return "";
    }
    return onFrame(f, text.length()); // the frames are ASCII JSON: characters = bytes
  }

  /** As {@link #onFrame(String)}, for a binary frame of a CBOR run ({@link Wire}). */
  public String onFrame(byte[] cbor) {
    return onFrame(Wire.tree(cbor), cbor.length);
  }

  /** A frame read, {@code bytes} long on the wire (counted as bytes.in and per type). */
  private String onFrame(JsonNode f, int bytes) {
    if (f == null) {
      Stats.count("frames.unparseable");
      return "";
    }
    Stats.count("bytes.in." + group, bytes);
    String type = f.path("type").asText("");
    Stats.count("frames.in");
    switch (type) {
      case "event" -> {
        onEvent(f);
        return "event";
      }
      case "positions" -> {
        Stats.count("deliveries.positions");
        Stats.count("bytes.positions", bytes);
        return "positions";
      }
      case "moves" -> {
        Stats.count("deliveries.moves");
        Stats.count("bytes.moves", bytes);
        return "moves";
      }
      case "presence" -> {
        onPresence(f);
        return "presence";
      }
      case "ack", "error" -> {
        return onAnswer(f, type);
      }
      case "echo" -> {
        // the echo baseline sends its frames back unchanged: the frame's own id is its answer
        String id = f.path("id").asText();
        answered(id, "ack", f);
        return id;
      }
      case "snapshot" -> {
        resets++;
        Stats.count("stream.resets");
        follow(f.path("hunt").path("huntId").asText(null), f.path("stream"));
        String re = f.path("re").asText(null);
        if (re != null) {
          Pending p = answered(re, "snapshot", f);
          if (p != null && p.type().equals("resume")) {
            resumedAt = System.currentTimeMillis();
            resumedBy = "snapshot";
            Stats.count("resume.snapshot");
          }
          return re;
        }
        return "snapshot";
      }
      default -> {
        Stats.count("frames." + type);
        return type;
      }
    }
  }

  private String onAnswer(JsonNode f, String type) {
    String re = f.path("re").isTextual() ? f.path("re").asText() : null;
    if (re == null) {
      Stats.count("errors.unsolicited." + f.path("code").asText());
      return type;
    }
    Pending p = answered(re, type, f);
    if (p == null) return re;
    if (type.equals("error")) {
      // protocol.md §10: `overloaded` on a join, and `unavailable` on anything, are sent again
      // later
      String code = f.path("code").asText();
      if ("overloaded".equals(code) || "unavailable".equals(code))
        retryAfterMs = Math.max(1, f.path("retryAfterMs").asLong(1000));
      if ("overloaded".equals(code) && p.type().equals("location") && Settings.LOCATION_BACKOFF)
        locationHoldUntil = System.currentTimeMillis() + f.path("retryAfterMs").asLong(1000);
      return re;
    }
    switch (p.type()) {
      case "join", "watch" -> {
        admitted = true;
        follow(hunt == null ? f.path("hunt").path("huntId").asText() : hunt.id, f.path("stream"));
      }
      case "resume" -> {
        resumedAt = System.currentTimeMillis();
        if (f.has("hunt")) {
          follow(hunt.id, f.path("stream")); // a re-join (the bot had no stream to resume)
          resumedBy = "rejoined";
        } else resumedBy = "replayed";
        Stats.count("resume." + resumedBy);
      }
      case "location" -> {
        nextPollMs = f.path("nextPollMs").asLong(Settings.POLL_MS);
        for (JsonNode t : f.path("found")) {
          found.add(t.asText());
          Stats.count("treasures.found");
        }
        atTreasure = f.path("atTreasure").isTextual() ? f.path("atTreasure").asText() : null;
      }
      case "claim" -> {
        if (atTreasure != null) found.add(atTreasure);
        atTreasure = null;
        Stats.count("treasures.claimed");
      }
      default -> {}
    }
    return re;
  }

  private Pending answered(String re, String type, JsonNode f) {
    Pending p = pending.remove(re);
    if (p == null) {
      Stats.count("answers.unknown");
      return null;
    }
    long micros = (System.nanoTime() - p.sentNanos()) / 1000;
    Stats.latency(p.type(), group, micros);
    if (type.equals("error")) {
      Stats.count("errors." + p.type() + "." + f.path("code").asText());
      if (p.type().equals("claim")) atTreasure = null;
    } else {
      Stats.count("ok." + p.type());
      // accepted answers alone: with admission control a node answers some reports `overloaded` at
      // once,
      // which would pull the all-answers percentiles down
      Stats.latency(p.type() + ".ok", group, micros);
    }
    return p;
  }

  private void follow(String huntId, JsonNode stream) {
    if (huntId == null || !stream.isObject()) return;
    Stream s = streams.computeIfAbsent(huntId, k -> new Stream());
    s.epoch = stream.path("epoch").asText();
    s.seq = stream.path("seq").asLong();
  }

  private void onEvent(JsonNode f) {
    Stats.count("deliveries.events");
    Stats.count("events." + f.path("event").path("kind").asText());
    Stream s = streams.get(f.path("hunt").asText());
    if (s == null) {
      Stats.count("stream.unexpected");
      return;
    }
    String epoch = f.path("epoch").asText();
    long seq = f.path("seq").asLong();
    if (!epoch.equals(s.epoch)) {
      Stats.count("stream.epochChanges");
      gaps++;
      Stats.count("stream.gaps");
    } else if (seq <= s.seq) {
      duplicates++;
      Stats.count("stream.duplicates");
      return;
    } else if (seq > s.seq + 1) {
      gaps++;
      Stats.count("stream.gaps");
    }
    s.epoch = epoch;
    s.seq = seq;
  }

  /**
   * Protocol 1.1 (docs/protocol.md §13): joins and leaves folded into one frame standing for the
   * seqs {@code from} … {@code seq}; the same gap rule as events, on {@code from}. Counted as
   * deliveries.presence, with the entries listed and cut ({@code more}), the finds folded in
   * ({@code found}, {@code moreFound}) and the last count seen.
   */
  private void onPresence(JsonNode f) {
    Stats.count("deliveries.presence");
    Stats.count("presence.entries", f.path("joined").size() + f.path("left").size());
    Stats.count("presence.more", f.path("more").asLong());
    // a big hunt's finds, folded in (fold-finds-above-players): listed and cut
    Stats.count("presence.found", f.path("found").size() + f.path("moreFound").asLong());
    if (f.path("counts").has("players"))
      Stats.fact("presence.lastCount", f.path("counts").path("players").asLong());
    Stream s = streams.get(f.path("hunt").asText());
    if (s == null) {
      Stats.count("stream.unexpected");
      return;
    }
    String epoch = f.path("epoch").asText();
    long from = f.path("from").asLong(), seq = f.path("seq").asLong();
    if (!epoch.equals(s.epoch)) {
      Stats.count("stream.epochChanges");
      gaps++;
      Stats.count("stream.gaps");
    } else if (seq <= s.seq) {
      duplicates++;
      Stats.count("stream.duplicates");
      return;
    } else if (from != s.seq + 1) {
      gaps++;
      Stats.count("stream.gaps");
    }
    s.epoch = epoch;
    s.seq = seq;
  }

  /** The resume frame for the bot's hunt: the last (epoch, seq) it holds. */
  public String resumeFrame(String id) {
    Stream s = streams.get(hunt.id);
    if (s == null) return "{\"type\":\"join\",\"id\":\"" + id + "\",\"hunt\":\"" + hunt.id + "\"}";
    return "{\"type\":\"resume\",\"id\":\""
        + id
        + "\",\"hunt\":\""
        + hunt.id
        + "\",\"epoch\":\""
        + s.epoch
        + "\",\"seq\":"
        + s.seq
        + "}";
  }

  public boolean follows() {
    return hunt != null && streams.containsKey(hunt.id);
  }

  /** The hunt's head (epoch, seq), read from its public view. */
  public void head(String epoch, long seq) {
    headEpoch = epoch;
    headSeq = seq;
  }

  /**
   * Events between the last one the bot holds of its hunt and the head last read: 0 at the head,
   * negative past it (the head was read before the newest events); {@link Long#MAX_VALUE} when the
   * bot follows no stream of the hunt, holds another epoch, or no head was read yet.
   */
  public long behindHead() {
    Stream s = hunt == null ? null : streams.get(hunt.id);
    if (s == null || headSeq < 0 || !s.epoch.equals(headEpoch)) return Long.MAX_VALUE;
    return headSeq - s.seq;
  }

  /** The last (epoch, seq) the bot holds of its hunt, for reports. */
  public String lastHeld() {
    Stream s = hunt == null ? null : streams.get(hunt.id);
    return s == null ? "none" : s.epoch + "/" + s.seq;
  }

  public String headRead() {
    return headEpoch + "/" + headSeq;
  }

  public boolean streamIntact() {
    return gaps == 0 && duplicates == 0;
  }

  // ---------------------------------------------------------------- walking

  public long elapsed() {
    return System.currentTimeMillis() - walkStart;
  }

  /**
   * Milliseconds to wait before the next report: fixed interval or the server's advice, since the
   * last one.
   */
  public long delayMs(boolean adaptive) {
    long interval = adaptive ? Math.max(nextPollMs, 250) : Settings.pollMsNow;
    long now = System.currentTimeMillis();
    return Math.max(0, Math.max(lastReportAt + interval, locationHoldUntil) - now);
  }

  /**
   * The next location frame: true position plus GPS noise; records the map error since the last
   * report.
   */
  public String locationFrame(String id) {
    long now = System.currentTimeMillis();
    long t = now - walkStart;
    sampleMapError(t);
    double[] p = walk.at(t);
    double nx = p[0] + rnd.nextGaussian() * Settings.NOISE_M;
    double ny = p[1] + rnd.nextGaussian() * Settings.NOISE_M;
    lastReported = new double[] {nx, ny};
    lastReportT = t;
    lastReportAt = now;
    long at = Math.max(now, lastAt + 1);
    lastAt = at;
    reports++;
    Stats.count("reports." + group);
    return "{\"type\":\"location\",\"id\":\""
        + id
        + "\",\"hunt\":\""
        + hunt.id
        + "\",\"lat\":"
        + hunt.lat(ny)
        + ",\"lon\":"
        + hunt.lon(nx)
        + ",\"accuracyM\":"
        + Math.round(Settings.NOISE_M * 2)
        + ",\"at\":"
        + at
        + "}";
  }

  /**
   * Map error: the distance between where the bot truly is and where the server last saw it,
   * sampled every 100 ms of walk time since the last report (so it weighs time, not reports).
   */
  public void sampleMapError(long untilT) {
    if (lastReported == null) return;
    for (long s = lastReportT; s < untilT; s += 100) {
      double[] p = walk.at(s);
      Stats.record(
          "map_error_cm." + group,
          Math.round(Math.hypot(p[0] - lastReported[0], p[1] - lastReported[1]) * 100));
    }
    lastReportT = Math.max(lastReportT, untilT);
  }

  /** A location-sized frame for the echo baseline. */
  public String echoFrame(String id) {
    String loc = locationFrame(id);
    return "{\"type\":\"echo\"," + loc.substring(loc.indexOf("\"id\""));
  }

  public String claimFrame(String id) {
    HuntPlan.Treasure t = hunt.treasure(atTreasure);
    return "{\"type\":\"claim\",\"id\":\""
        + id
        + "\",\"hunt\":\""
        + hunt.id
        + "\",\"treasure\":\""
        + atTreasure
        + "\",\"answer\":\""
        + (t == null || t.answer() == null ? "" : t.answer())
        + "\"}";
  }
}
