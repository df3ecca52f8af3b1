package treasurehunt.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;

/**
 * Node CPU per location report in each encoding (BENCHMARKS.md, "Issue 14: JSON vs CBOR"): against
 * a node process started with the tests' admin token ({@code simulations/encoding-cpu.sh} starts
 * one), {@code players} clients of one encoding join a fresh hunt and each walks {@code
 * reports/players} steps of 5 cm, one report at a time (each waits for its ack); the node's CPU
 * time (utime + stime of /proc/PID/stat) before and after, over the reports, is the cost per
 * report. Each round measures both encodings, in alternating order; the ratio CBOR/JSON is taken
 * within a round, then the median over rounds.
 *
 * <pre>java -cp … treasurehunt.bench.EncodingCpu PORT PID [players] [reports] [rounds]</pre>
 */
public final class EncodingCpu {
  private EncodingCpu() {}

  /** Exits when done or failed: a failed walk must not leave its pool (and the script) waiting. */
  public static void main(String[] args) {
    try {
      measure(args);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  static void measure(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long pid = Long.parseLong(args[1]);
    int players = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int reports = args.length > 3 ? Integer.parseInt(args[3]) : 4000;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
    HttpClientSupport http = new HttpClientSupport(port);
    for (int w = 0; w < 2; w++) { // JIT warm-up of both paths, not counted
      run(http, port, pid, false, players, reports / 2, "warm-json-" + w);
      run(http, port, pid, true, players, reports / 2, "warm-cbor-" + w);
    }
    double[][] us = new double[rounds][2];
    long[][] bytes = new long[rounds][2];
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < 2; k++) {
        boolean cbor = (r + k) % 2 == 1; // JSON first in even rounds, CBOR first in odd ones
        Result res = run(http, port, pid, cbor, players, reports, "cpu-" + r + (cbor ? "c" : "j"));
        us[r][cbor ? 1 : 0] = res.cpuUsPerReport;
        bytes[r][cbor ? 1 : 0] = res.bytesInPerReport;
        System.out.printf(
            Locale.ROOT,
            "round %d %s: %.1f µs node CPU per report, %d bytes received per report, %.0f reports/s%n",
            r + 1,
            cbor ? "cbor" : "json",
            res.cpuUsPerReport,
            res.bytesInPerReport,
            res.reportsPerSecond);
      }
    }
    double[] json = new double[rounds], cbor = new double[rounds], ratio = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      json[r] = us[r][0];
      cbor[r] = us[r][1];
      ratio[r] = us[r][1] / us[r][0];
    }
    System.out.printf(
        Locale.ROOT,
        "median of %d rounds: json %.1f µs, cbor %.1f µs per report; ratio cbor/json %.3f (per round %s)%n",
        rounds,
        median(json),
        median(cbor),
        median(ratio),
        Arrays.toString(Arrays.stream(ratio).map(x -> Math.round(x * 1000) / 1000.0).toArray()));
  }

  record Result(double cpuUsPerReport, long bytesInPerReport, double reportsPerSecond) {}

  static Result run(
      HttpClientSupport http,
      int port,
      long pid,
      boolean cbor,
      int players,
      int reports,
      String hunt)
      throws Exception {
    http.createHunt(HttpClientSupport.oldTown(hunt));
    http.postAdmin("/api/hunts/" + hunt + "/start", null);
    List<WsClient> clients = new ArrayList<>();
    for (int i = 0; i < players; i++) {
      JsonNode p = http.post("/api/players", "{\"name\": \"cpu" + i + "\"}").json();
      String token = p.get("token").asText();
      WsClient c = cbor ? WsClient.helloCbor(port, token) : WsClient.hello(port, token);
      expect(c.request("join", "\"hunt\":\"" + hunt + "\""));
      clients.add(c);
    }
    long[] last = new long[players];
    for (int i = 0; i < players; i++) last[i] = report(clients.get(i), hunt, i, 0, 0);
    long bytesBefore = clients.stream().mapToLong(c -> c.bytesIn.get()).sum();
    int each = reports / players;
    ExecutorService pool = Executors.newFixedThreadPool(players);
    long cpu0 = cpuNanos(pid), t0 = System.nanoTime();
    List<Future<?>> walks = new ArrayList<>();
    for (int i = 0; i < players; i++) {
      int who = i;
      walks.add(
          pool.submit(
              () -> {
                for (int s = 1; s <= each; s++)
                  last[who] = report(clients.get(who), hunt, who, s, last[who]);
                return null;
              }));
    }
    for (Future<?> w : walks) w.get();
    long cpu1 = cpuNanos(pid), t1 = System.nanoTime();
    pool.shutdown();
    long bytes = clients.stream().mapToLong(c -> c.bytesIn.get()).sum() - bytesBefore;
    for (WsClient c : clients) c.close();
    int sent = each * players;
    return new Result((cpu1 - cpu0) / 1000.0 / sent, bytes / sent, sent / ((t1 - t0) / 1e9));
  }

  /**
   * One step of a player's walk (5 cm north per step, lanes 7 m apart: plausible however fast the
   * acks come back); returns its {@code at}.
   */
  static long report(WsClient c, String hunt, int who, int step, long lastAt) throws Exception {
    long at = Math.max(lastAt + 1, System.currentTimeMillis());
    double lat = 52.3702 + step * 0.00000045, lon = 4.8952 + who * 0.0001;
    JsonNode ack =
        c.request(
            "location",
            "\"hunt\":\""
                + hunt
                + "\",\"lat\":"
                + lat
                + ",\"lon\":"
                + lon
                + ",\"accuracyM\":5,\"at\":"
                + at);
    expect(ack);
    return at;
  }

  static void expect(JsonNode ack) {
    if (!"ack".equals(ack.path("type").asText()))
      throw new IllegalStateException("not an ack: " + ack);
  }

  /** utime + stime of a process, in nanoseconds (clock ticks of 10 ms). */
  static long cpuNanos(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
