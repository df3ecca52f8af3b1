package treasurehunt.simulations;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The organiser's side of a run (before the bots start): creates and starts the hunts it plays. */
public final class Admin {
  private Admin() {}

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * Creates and starts {@code count} hunts named {@code <runId>-<name>-<i>}, each with its own
   * seeded layout.
   */
  public static List<HuntPlan> createHunts(
      String name, int count, int treasures, double radiusM, int maxPlayers) {
    List<HuntPlan> plans = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      HuntPlan p =
          HuntPlan.generate(
              Settings.RUN_ID + "-" + name + "-" + i,
              Settings.SEED + i,
              radiusM,
              treasures,
              maxPlayers);
      create(p);
      plans.add(p);
    }
    return plans;
  }

  public static void create(HuntPlan p) {
    if (Settings.ADMIN_TOKEN.isEmpty())
      throw new IllegalStateException(
          "-DadminToken=... (or TH_ADMIN_TOKEN) is required: the simulation defines its own hunts");
    post("/api/hunts", p.definitionJson(), 201);
    post("/api/hunts/" + p.id + "/start", "", 200);
  }

  private static void post(String path, String body, int expected) {
    String base = Settings.BASE_URLS.get(0);
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + Settings.ADMIN_TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    for (int attempt = 1; ; attempt++) {
      try {
        HttpResponse<String> r = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == expected) return;
        if (r.statusCode() != 503 || attempt >= 5)
          throw new IllegalStateException(
              "POST " + path + " answered " + r.statusCode() + ": " + r.body());
      } catch (java.io.IOException e) {
        if (attempt >= 5)
          throw new IllegalStateException("POST " + base + path + " failed: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        Thread.sleep(1000L * attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
