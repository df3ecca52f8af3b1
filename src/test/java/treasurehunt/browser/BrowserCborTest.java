package treasurehunt.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Node;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;

/**
 * The player page over CBOR (docs/protocol.md §2.1) in a real headless Chromium: {@code
 * /play?encoding=cbor} negotiates {@code treasure-hunt.v1.cbor}, loads the vendored cbor-x from the
 * node itself (the pages' CSP), walks to a treasure and finds it, chats, and after its socket is
 * cut resumes with no gap while a JSON player chats on the same hunt; then a spectator link opened
 * with {@code ?encoding=cbor} shows a JSON player on its map and the find. Only binary frames reach
 * either page, and neither breaks the CSP.
 */
class BrowserCborTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final double M_PER_DEG_LAT = 111_320;
  static final double CLOCK_LAT = 52.3711, CLOCK_LON = 4.8952;

  static Node node;
  static int port;
  static String base;
  static HttpClientSupport http;
  static ChromeDriver phone;

  @BeforeAll
  static void start() throws Exception {
    Browsers.requireChromium();
    node = TestNodes.start(TestDatabase.fresh("browsercbor"));
    port = TestNodes.httpPort(node);
    base = "http://127.0.0.1:" + port;
    http = new HttpClientSupport(port);
    http.createHunt(HttpClientSupport.oldTown("harbour"));
    assertEquals(200, http.postAdmin("/api/hunts/harbour/start", null).status());
    phone = Browsers.start(360, 800);
    recordCspViolations();
  }

  @AfterAll
  static void stop() throws Exception {
    if (phone != null) phone.quit();
    if (node != null) TestNodes.stop(node);
  }

  /** Every violation of the pages' CSP (an eval the vendored library might try), in this tab. */
  static void recordCspViolations() {
    phone.executeCdpCommand(
        "Page.addScriptToEvaluateOnNewDocument",
        java.util.Map.of(
            "source",
            "window.__csp = []; document.addEventListener('securitypolicyviolation',"
                + " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"));
  }

  static <T> T await(Function<WebDriver, T> until) {
    return new WebDriverWait(phone, WAIT)
        .ignoring(StaleElementReferenceException.class)
        .until(until);
  }

  static WebElement visible(String css) {
    return await(
        d -> {
          List<WebElement> found = d.findElements(By.cssSelector(css));
          return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
  }

  static void awaitText(String css, String text) {
    await(
        d ->
            d.findElements(By.cssSelector(css)).stream().anyMatch(e -> e.getText().contains(text)));
  }

  static Object js(String script) {
    return phone.executeScript(script);
  }

  @Test
  void thePlayerPagePlaysOverCbor() throws Exception {
    Browsers.geolocation(phone, base, CLOCK_LAT - 90 / M_PER_DEG_LAT, CLOCK_LON);
    phone.get(base + "/play?encoding=cbor");
    visible("#name").sendKeys("carla");
    phone.findElement(By.id("register-button")).click();
    visible("#hunt-list button[data-hunt='harbour']").click();
    visible("#game");
    awaitText("#hunt-name", "Old Town");
    assertEquals("treasure-hunt.v1.cbor", js("return window.__th.subprotocol"));
    await(d -> ((Number) js("return window.__th.fixes || 0")).longValue() >= 1 ? true : null);

    // walk to the clock: found, scored, on the leaderboard, all decoded from CBOR
    Browsers.geolocation(phone, base, CLOCK_LAT - 40 / M_PER_DEG_LAT, CLOCK_LON);
    await(d -> "hot".equals(d.findElement(By.id("band")).getAttribute("data-band")) ? true : null);
    Browsers.geolocation(phone, base, CLOCK_LAT, CLOCK_LON);
    visible("#finds li[data-treasure='clock']");
    awaitText("#score", "100");
    awaitText("#leaderboard tr.me", "carla");

    // chat in both directions with a JSON player on the same hunt
    String token = http.post("/api/players", "{\"name\":\"jay\"}").json().path("token").asText();
    try (WsClient jay = WsClient.hello(port, token)) {
      jay.request("join", "\"hunt\":\"harbour\"");
      visible("#chat-text").sendKeys("hola from cbor");
      phone.findElement(By.cssSelector("#chat-form button")).click();
      assertEquals("hola from cbor", jay.nextEvent("chat").at("/event/text").asText());
      jay.request("chat", "\"hunt\":\"harbour\",\"text\":\"hi from json\"");
      awaitText("#chat", "hi from json");

      // a cut while the JSON player chats: resumed over CBOR, no gap
      js("window.__th.hold(true); window.__th.cut();");
      jay.request("chat", "\"hunt\":\"harbour\",\"text\":\"missed 1\"");
      jay.request("chat", "\"hunt\":\"harbour\",\"text\":\"missed 2\"");
      long head = http.get("/api/hunts/harbour").json().at("/stream/seq").asLong();
      js("window.__th.hold(false)");
      awaitText("#chat", "missed 2");
      await(d -> seqs().contains(head) ? true : null);
      List<Long> seen = seqs();
      for (int i = 1; i < seen.size(); i++)
        assertEquals(seen.get(i - 1) + 1, seen.get(i), "contiguous, no gap or duplicate: " + seen);
      assertEquals(1L, js("return window.__th.cuts"));
    }

    assertEquals(0L, js("return window.__th.textFrames"), "a CBOR connection gets binary frames");
    assertTrue(((Number) js("return window.__th.binaryFrames")).longValue() > 10);
    // cbor-x came from the node itself, and nothing broke the CSP
    @SuppressWarnings("unchecked")
    List<Object> urls =
        (List<Object>) js("return performance.getEntriesByType('resource').map(e => e.name)");
    assertTrue(
        urls.stream().anyMatch(u -> String.valueOf(u).contains("/static/js/vendor/cbor-x/")),
        "" + urls);
    for (Object url : urls)
      assertTrue(String.valueOf(url).startsWith(base + "/"), "a request to another host: " + url);
    assertEquals(List.of(), js("return window.__csp"), "no Content-Security-Policy violation");
    Browsers.screenshot(phone, "play-cbor");

    // a spectator link opened with ?encoding=cbor: the map and the finds of a JSON player, in CBOR
    String link =
        http.postAdmin("/api/hunts/harbour/spectators", "{}").json().path("token").asText();
    phone.switchTo().newWindow(WindowType.TAB);
    recordCspViolations();
    phone.get(base + "/watch/harbour?encoding=cbor#token=" + link);
    awaitText("#mode", "spectator link");
    awaitText("#conn", "live");
    assertEquals("treasure-hunt.v1.cbor", js("return window.__th.subprotocol"));
    String kim = http.post("/api/players", "{\"name\":\"kim\"}").json().path("token").asText();
    try (WsClient k = WsClient.hello(port, kim)) {
      k.request("join", "\"hunt\":\"harbour\"");
      long t = System.currentTimeMillis() - 30_000;
      k.request("location", "\"hunt\":\"harbour\",\"lat\":52.3705,\"lon\":4.8952,\"at\":" + t);
      k.request(
          "location",
          "\"hunt\":\"harbour\",\"lat\":"
              + CLOCK_LAT
              + ",\"lon\":"
              + CLOCK_LON
              + ",\"at\":"
              + (t + 20_000));
      awaitText("#finds li", "kim found clock (+100)");
      awaitText(".leaflet-tooltip", "kim");
    }
    assertEquals(0L, js("return window.__th.textFrames"));
    assertEquals(List.of(), js("return window.__csp"));
    Browsers.screenshot(phone, "watch-cbor");
  }

  private static List<Long> seqs() {
    @SuppressWarnings("unchecked")
    List<Object> raw = (List<Object>) js("return window.__th.seqs['harbour'] || []");
    List<Long> out = new ArrayList<>();
    for (Object o : raw) out.add(((Number) o).longValue());
    return out;
  }
}
