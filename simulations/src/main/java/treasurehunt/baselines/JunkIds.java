package treasurehunt.baselines;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Made-up hunt ids against a node (simulations/junk-ids.sh): {@code --http} requests spread over
 * the four {@code /api/hunts/{id}} routes (view, leaderboard, and the organiser's start and end),
 * then {@code --ws} WebSocket frames spread over the seven frame types that name a hunt (join,
 * watch, chat, resume, location, claim, leave), every id new. Prints how each was answered. Only
 * the JDK: runs as {@code java simulations/src/main/java/treasurehunt/baselines/JunkIds.java}.
 *
 * <pre>
 * java JunkIds.java --base http://127.0.0.1:8080 --admin TOKEN [--http 100000] [--ws 20000]
 *     [--concurrency 64] [--sockets 50] [--prefix junk]
 * </pre>
 */
public final class JunkIds {
  static final List<String> FRAMES =
      List.of("join", "watch", "chat", "resume", "location", "claim", "leave");
  static final Pattern CODE = Pattern.compile("\"code\":\"([a-z_]+)\"");
  static final Pattern RE = Pattern.compile("\"re\":\"([^\"]+)\"");

  public static void main(String[] args) throws Exception {
    String base = arg(args, "--base", "http://127.0.0.1:8080");
    String admin = arg(args, "--admin", "");
    int http = Integer.parseInt(arg(args, "--http", "100000"));
    int ws = Integer.parseInt(arg(args, "--ws", "20000"));
    int concurrency = Integer.parseInt(arg(args, "--concurrency", "64"));
    int sockets = Integer.parseInt(arg(args, "--sockets", "50"));
    String prefix = arg(args, "--prefix", "junk");
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .executor(java.util.concurrent.Executors.newFixedThreadPool(4))
            .build();

    Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    long t0 = System.nanoTime();
    Semaphore window = new Semaphore(concurrency);
    CountDownLatch done = new CountDownLatch(http);
    for (int i = 0; i < http; i++) {
      window.acquire();
      String id = prefix + "-h" + i;
      HttpRequest.Builder b =
          switch (i % 4) {
            case 0 -> HttpRequest.newBuilder(URI.create(base + "/api/hunts/" + id)).GET();
            case 1 ->
                HttpRequest.newBuilder(URI.create(base + "/api/hunts/" + id + "/leaderboard"))
                    .GET();
            case 2 ->
                HttpRequest.newBuilder(URI.create(base + "/api/hunts/" + id + "/start"))
                    .header("Authorization", "Bearer " + admin)
                    .POST(HttpRequest.BodyPublishers.noBody());
            default ->
                HttpRequest.newBuilder(URI.create(base + "/api/hunts/" + id + "/end"))
                    .header("Authorization", "Bearer " + admin)
                    .POST(HttpRequest.BodyPublishers.noBody());
          };
      client
          .sendAsync(
              b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (r, e) -> {
                String key =
                    e != null
                        ? "http failed " + e.getClass().getSimpleName()
                        : "http " + r.statusCode() + " " + code(r.body());
                answers.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                window.release();
                done.countDown();
              });
    }
    done.await(30, TimeUnit.MINUTES);
    double httpSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "http: %d requests in %.1f s (%.0f/s)%n", http, httpSeconds, http / httpSeconds);

    if (ws > 0) {
      String token = register(client, base);
      long t1 = System.nanoTime();
      int perSocket = (ws + sockets - 1) / sockets;
      CountDownLatch socketsDone = new CountDownLatch(sockets);
      for (int s = 0; s < sockets; s++) {
        int first = s * perSocket;
        int last = Math.min(ws, first + perSocket);
        new Thread(
                () -> {
                  try {
                    socket(client, base, token, prefix, first, last, answers);
                  } catch (Exception e) {
                    answers
                        .computeIfAbsent("ws failed " + e, k -> new AtomicInteger())
                        .incrementAndGet();
                  } finally {
                    socketsDone.countDown();
                  }
                })
            .start();
      }
      socketsDone.await(30, TimeUnit.MINUTES);
      double wsSeconds = (System.nanoTime() - t1) / 1e9;
      System.out.printf(
          "ws: %d frames on %d sockets in %.1f s (%.0f/s)%n",
          ws, sockets, wsSeconds, ws / wsSeconds);
    }
    for (Map.Entry<String, AtomicInteger> e : new TreeMap<>(answers).entrySet())
      System.out.println("  " + e.getKey() + ": " + e.getValue().get());
    System.exit(0);
  }

  /** Frames {@code first} to {@code last - 1} on one socket, 16 unanswered at most. */
  static void socket(
      HttpClient client,
      String base,
      String token,
      String prefix,
      int first,
      int last,
      Map<String, AtomicInteger> answers)
      throws Exception {
    Semaphore window = new Semaphore(16);
    CountDownLatch answered = new CountDownLatch(last - first);
    StringBuilder partial = new StringBuilder();
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean lastPart) {
            partial.append(data);
            if (lastPart) {
              String frame = partial.toString();
              partial.setLength(0);
              Matcher re = RE.matcher(frame);
              if (re.find()) {
                String type = frame.contains("\"type\":\"ack\"") ? "ack" : code(frame);
                String kind = re.group(1).replaceAll("[0-9]+$", "");
                answers
                    .computeIfAbsent("ws " + kind + " " + type, k -> new AtomicInteger())
                    .incrementAndGet();
                window.release();
                answered.countDown();
              }
            }
            w.request(1);
            return null;
          }
        };
    WebSocket w =
        client
            .newWebSocketBuilder()
            .buildAsync(URI.create(base.replace("http", "ws") + "/ws?token=" + token), listener)
            .get(30, TimeUnit.SECONDS);
    long now = System.currentTimeMillis();
    for (int i = first; i < last; i++) {
      window.acquire();
      String type = FRAMES.get(i % FRAMES.size());
      String extra =
          switch (type) {
            case "chat" -> ",\"text\":\"hello?\"";
            case "resume" -> ",\"epoch\":\"e1\",\"seq\":0";
            case "location" -> ",\"lat\":52.37,\"lon\":4.89,\"at\":" + (now + i);
            case "claim" -> ",\"treasure\":\"t1\",\"answer\":\"x\"";
            default -> "";
          };
      w.sendText(
              "{\"type\":\""
                  + type
                  + "\",\"id\":\""
                  + type
                  + i
                  + "\",\"hunt\":\""
                  + prefix
                  + "-w"
                  + i
                  + "\""
                  + extra
                  + "}",
              true)
          .get(30, TimeUnit.SECONDS);
    }
    answered.await(5, TimeUnit.MINUTES);
    w.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
  }

  static String register(HttpClient client, String base) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/api/players"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"junk\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = Pattern.compile("\"token\":\"([^\"]+)\"").matcher(r.body());
    if (!m.find()) throw new IllegalStateException("no token: " + r.statusCode() + " " + r.body());
    return m.group(1);
  }

  static String code(String body) {
    Matcher m = CODE.matcher(body);
    return m.find() ? m.group(1) : "-";
  }

  static String arg(String[] args, String name, String dflt) {
    for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(name)) return args[i + 1];
    return dflt;
  }
}
