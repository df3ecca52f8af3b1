package treasurehunt.baselines;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One player on an otherwise idle node (issue 13: "the path itself, not the load, costs the time"):
 * a live hunt, one socket, then rounds of {@code ping}, {@code location} and {@code chat}, each
 * sent only after the previous answer arrived, timed from the send to the answer on the client.
 * Prints the median and p90 of each after {@code --warmup} rounds. Only the JDK: runs as {@code
 * java simulations/src/main/java/treasurehunt/baselines/IdleLatency.java}.
 *
 * <pre>
 * java IdleLatency.java --base http://127.0.0.1:8080 --admin TOKEN [--warmup 150] [--rounds 40]
 *     [--after-pause-ping]
 * </pre>
 *
 * The location of each round is sent after a pause of ~200 ms in which nothing moves: both ends'
 * threads are parked by then, and on a virtual machine waking them (the client's, the node's socket
 * selector, its dispatcher) costs more than the node's own path. {@code --after-pause-ping} tells
 * the two apart: each round then sends a {@code ping} after the pause (timed: "ping after pause",
 * the wake-up and transport alone) and the location right after its pong ("location, warm": the
 * engine's path without the wake-up), in place of the location after the pause.
 *
 * <p>The node should run with {@code TH_CHAT_PER_MINUTE=0} (the rounds chat faster than a player
 * may). A round every 200 ms (3 frames: under the connection's 20 frames a second); locations walk
 * 1 m per round (5 m/s as the server's clock judges it), away from the hunt's only treasure.
 */
public final class IdleLatency {
  static final Pattern RE = Pattern.compile("\"re\":\"([^\"]+)\"");

  public static void main(String[] args) throws Exception {
    String base = arg(args, "--base", "http://127.0.0.1:8080");
    String admin = arg(args, "--admin", "");
    int warmup = Integer.parseInt(arg(args, "--warmup", "150"));
    int rounds = Integer.parseInt(arg(args, "--rounds", "40"));
    boolean afterPausePing = List.of(args).contains("--after-pause-ping");
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String hunt = "idle-" + Long.toString(System.nanoTime(), 36);
    post(
        client,
        base + "/api/hunts",
        admin,
        "{\"huntId\":\""
            + hunt
            + "\",\"name\":\"idle\",\"area\":{\"lat\":52.37,\"lon\":4.89,\"radiusM\":3000},"
            + "\"treasures\":[{\"id\":\"t1\",\"lat\":52.38,\"lon\":4.90,\"radiusM\":10,\"points\":10}],"
            + "\"maxSpeedMps\":50}");
    post(client, base + "/api/hunts/" + hunt + "/start", admin, null);
    String token = token(post(client, base + "/api/players", null, "{\"name\":\"idle\"}"));

    LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    StringBuilder partial = new StringBuilder();
    WebSocket w =
        client
            .newWebSocketBuilder()
            .buildAsync(
                URI.create(base.replace("http", "ws") + "/ws"),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(
                      WebSocket ws, CharSequence data, boolean lastPart) {
                    partial.append(data);
                    if (lastPart) {
                      frames.add(partial.toString());
                      partial.setLength(0);
                    }
                    ws.request(1);
                    return null;
                  }
                })
            .get(30, TimeUnit.SECONDS);
    w.sendText("{\"type\":\"hello\",\"token\":\"" + token + "\"}", true).get();
    frames.poll(10, TimeUnit.SECONDS); // welcome
    answer(w, frames, "j", "{\"type\":\"join\",\"id\":\"j\",\"hunt\":\"" + hunt + "\"}");

    List<Long> ping = new ArrayList<>(), location = new ArrayList<>(), chat = new ArrayList<>();
    List<Long> pausedPing = new ArrayList<>();
    double lat = 52.37;
    long lastFix = 0;
    for (int i = 0; i < warmup + rounds; i++) {
      boolean measured = i >= warmup;
      long t = System.nanoTime();
      w.sendText("{\"type\":\"ping\"}", true).get();
      until(frames, "\"type\":\"pong\"");
      if (measured) ping.add(System.nanoTime() - t);

      long wait = 200 - (System.currentTimeMillis() - lastFix); // 15 frames/s: under the limit
      if (wait > 0) Thread.sleep(wait);
      if (afterPausePing) {
        t = System.nanoTime();
        w.sendText("{\"type\":\"ping\"}", true).get();
        until(frames, "\"type\":\"pong\"");
        if (measured) pausedPing.add(System.nanoTime() - t);
      }
      lat += 0.000009; // ~1 m north
      lastFix = System.currentTimeMillis();
      String id = "l" + i;
      t = System.nanoTime();
      answer(
          w,
          frames,
          id,
          String.format(
              Locale.ROOT,
              "{\"type\":\"location\",\"id\":\"%s\",\"hunt\":\"%s\",\"lat\":%.7f,\"lon\":4.89,"
                  + "\"accuracyM\":5,\"at\":%d}",
              id,
              hunt,
              lat,
              lastFix));
      if (measured) location.add(System.nanoTime() - t);

      id = "c" + i;
      t = System.nanoTime();
      answer(
          w,
          frames,
          id,
          "{\"type\":\"chat\",\"id\":\"" + id + "\",\"hunt\":\"" + hunt + "\",\"text\":\"hi\"}");
      if (measured) chat.add(System.nanoTime() - t);
    }
    System.out.println(
        "idle: "
            + line("ping", ping)
            + " | "
            + (afterPausePing ? line("ping after pause", pausedPing) + " | " : "")
            + line(afterPausePing ? "location, warm" : "location", location)
            + " | "
            + line("chat", chat));
    w.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    System.exit(0);
  }

  /** Sends a frame and waits for the answer naming its id; fails on an error answer. */
  static void answer(WebSocket w, LinkedBlockingQueue<String> frames, String id, String frame)
      throws Exception {
    w.sendText(frame, true).get();
    while (true) {
      String f = frames.poll(10, TimeUnit.SECONDS);
      if (f == null) throw new IllegalStateException("no answer to " + frame);
      Matcher m = RE.matcher(f);
      if (m.find() && m.group(1).equals(id)) {
        if (f.contains("\"type\":\"error\""))
          throw new IllegalStateException(frame + " was answered " + f);
        return;
      }
    }
  }

  static void until(LinkedBlockingQueue<String> frames, String marker) throws Exception {
    while (true) {
      String f = frames.poll(10, TimeUnit.SECONDS);
      if (f == null) throw new IllegalStateException("nothing with " + marker);
      if (f.contains(marker)) return;
    }
  }

  static String line(String name, List<Long> nanos) {
    List<Long> s = new ArrayList<>(nanos);
    Collections.sort(s);
    return String.format(
        Locale.ROOT,
        "%s median %.2f ms p90 %.2f ms",
        name,
        s.get(s.size() / 2) / 1e6,
        s.get((int) (s.size() * 0.9)) / 1e6);
  }

  static String post(HttpClient client, String url, String admin, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (admin != null) b.header("Authorization", "Bearer " + admin);
    b.header("Content-Type", "application/json");
    b.POST(
        json == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json));
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300)
      throw new IllegalStateException(url + " answered " + r.statusCode() + " " + r.body());
    return r.body();
  }

  static String token(String body) {
    Matcher m = Pattern.compile("\"token\":\"([^\"]+)\"").matcher(body);
    if (!m.find()) throw new IllegalStateException("no token: " + body);
    return m.group(1);
  }

  static String arg(String[] args, String name, String dflt) {
    for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(name)) return args[i + 1];
    return dflt;
  }
}
