package treasurehunt.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;
import treasurehunt.TestDatabase;
import treasurehunt.TestNodes;
import treasurehunt.cluster.Node;
import treasurehunt.gateway.HttpClientSupport;
import treasurehunt.gateway.WsClient;

/**
 * The three pages in a real browser (issue 12), as their users see them, in order: the organiser
 * creates a hunt in the console by clicking on the map and starts it; a spectator opens the link
 * the console minted; a player on a 360 px phone registers, joins and walks (emulated GPS) to the
 * treasure — the band turns hot, the find and the score show, and the spectator sees the find, the
 * leaderboard and the player on the map as they happen; then the player's socket is cut while
 * another player chats, and the page shows "reconnecting…" and resumes with no gap.
 *
 * <p>One node and two browsers for the whole class (the organiser's tab becomes the player's).
 * Screenshots of each page go to target/screenshots/ (those in docs/screenshots/ come from there);
 * on a failure both browsers' screens are saved there too.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final double M_PER_DEG_LAT = 111_320;

  static Node node;
  static String base;
  static HttpClientSupport http;
  static ChromeDriver organiser; // the console, then the player's phone
  static ChromeDriver spectator;

  static double treasureLat;
  static double treasureLon;
  static double bellLat;
  static double bellLon;
  static String spectatorLink;

  @RegisterExtension
  static final TestWatcher SCREENSHOTS_ON_FAILURE =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          String test = context.getRequiredTestMethod().getName();
          Browsers.screenshot(organiser, "failed-" + test + "-organiser-or-player");
          Browsers.screenshot(spectator, "failed-" + test + "-spectator");
        }
      };

  @BeforeAll
  static void start() throws Exception {
    Browsers.requireChromium();
    node = TestNodes.start(TestDatabase.fresh("browser"));
    int port = TestNodes.httpPort(node);
    base = "http://127.0.0.1:" + port;
    http = new HttpClientSupport(port);
    organiser = Browsers.start(1280, 1000);
    spectator = Browsers.start(1280, 900);
  }

  @AfterAll
  static void stop() throws Exception {
    for (WebDriver d : new WebDriver[] {organiser, spectator}) if (d != null) d.quit();
    if (node != null) TestNodes.stop(node);
  }

  static <T> T await(WebDriver driver, Function<WebDriver, T> until) {
    // Lists are re-rendered as frames arrive: an element read between two renders is stale.
    return new WebDriverWait(driver, WAIT)
        .ignoring(StaleElementReferenceException.class)
        .until(until);
  }

  static WebElement visible(WebDriver driver, String css) {
    return await(
        driver,
        d -> {
          List<WebElement> found = d.findElements(By.cssSelector(css));
          return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
  }

  static void setField(String id, String value) {
    WebElement e = organiser.findElement(By.id(id));
    organiser.executeScript("arguments[0].scrollIntoView({block: 'center'})", e);
    e.clear();
    e.sendKeys(value);
  }

  /** Clicks an element scrolled to the middle of the screen (clear of the sticky header). */
  static void click(ChromeDriver driver, String css) {
    WebElement e = visible(driver, css);
    driver.executeScript("arguments[0].scrollIntoView({block: 'center'})", e);
    e.click();
  }

  static void awaitText(WebDriver driver, String css, String text) {
    await(
        driver,
        d ->
            d.findElements(By.cssSelector(css)).stream().anyMatch(e -> e.getText().contains(text)));
  }

  @Test
  @Order(1)
  void theConsoleCreatesAHuntByClicksAndStartsIt() throws Exception {
    organiser.get(base + "/");
    visible(organiser, "#link-console");
    Browsers.screenshot(organiser, "index");
    organiser.findElement(By.id("link-console")).click();

    visible(organiser, "#admin-token").sendKeys("wrong");
    organiser.findElement(By.cssSelector("#sign-in-form button")).click();
    awaitText(organiser, "#sign-in-error", "not the admin token");
    organiser.findElement(By.id("admin-token")).sendKeys(TestNodes.ADMIN_TOKEN);
    organiser.findElement(By.cssSelector("#sign-in-form button")).click();
    visible(organiser, "#create-panel");
    // The token is kept for this tab only, and never in a URL.
    assertEquals(
        TestNodes.ADMIN_TOKEN,
        organiser.executeScript("return sessionStorage.getItem('th.admin')"));
    assertEquals(0L, organiser.executeScript("return localStorage.length"));
    assertTrue(!organiser.getCurrentUrl().contains(TestNodes.ADMIN_TOKEN));

    WebElement name = organiser.findElement(By.id("hunt-name"));
    name.clear();
    name.sendKeys("Harbour");
    organiser.findElement(By.id("new-hunt-id")).sendKeys("harbour");
    // A click on the map places a treasure where it was clicked (here: the middle of the map).
    WebElement map = visible(organiser, "#map .leaflet-pane");
    new Actions(organiser)
        .moveToElement(organiser.findElement(By.id("map")), 0, 0)
        .click()
        .perform();
    WebElement row = visible(organiser, "#treasures li[data-treasure='t1']");
    row.findElement(By.cssSelector("input.hint")).sendKeys("Under the clock");
    @SuppressWarnings("unchecked")
    List<Object> at =
        (List<Object>)
            organiser.executeScript(
                "const c = window.__thConsoleMap.getCenter(); return [c.lat, c.lng];");
    String coords = row.findElement(By.cssSelector("span")).getText().trim();
    treasureLat = Double.parseDouble(coords.split(",")[0]);
    treasureLon = Double.parseDouble(coords.split(",")[1].trim());
    assertEquals(((Number) at.get(0)).doubleValue(), treasureLat, 0.0005, "clicked where it shows");
    assertTrue(map.isDisplayed());
    // A second click, 15 px (about 45 m) north: a treasure that needs an answer.
    new Actions(organiser)
        .moveToElement(organiser.findElement(By.id("map")), 0, -15)
        .click()
        .perform();
    WebElement bell = visible(organiser, "#treasures li[data-treasure='t2']");
    bell.findElement(By.cssSelector("input.hint")).sendKeys("When does the bell ring?");
    WebElement points = bell.findElement(By.cssSelector("input.points"));
    points.clear();
    points.sendKeys("200");
    bell.findElement(By.cssSelector("input.answer")).sendKeys("noon");
    String bellAt = bell.findElement(By.cssSelector("span")).getText().trim();
    bellLat = Double.parseDouble(bellAt.split(",")[0]);
    bellLon = Double.parseDouble(bellAt.split(",")[1].trim());
    assertTrue(bellLat > treasureLat, "north of the first: " + bellAt);
    click(organiser, "#create");

    visible(organiser, "#hunts tr[data-hunt='harbour'][data-status='created']");
    click(organiser, "#hunts tr[data-hunt='harbour'] button.start");
    visible(organiser, "#hunts tr[data-hunt='harbour'][data-status='live']");
    JsonNode view = view();
    assertEquals("live", view.path("status").asText());
    assertEquals("Under the clock", view.path("treasures").get(0).path("hint").asText());

    click(organiser, "#hunts tr[data-hunt='harbour'] button.mint");
    spectatorLink =
        await(
            organiser,
            d -> {
              String v = d.findElement(By.id("spectator-link")).getAttribute("value");
              return v == null || v.isEmpty() ? null : v;
            });
    assertTrue(spectatorLink.startsWith(base + "/watch/harbour#token="), spectatorLink);

    // A second hunt, scattered from a seed only: the same seed gives the same treasures.
    setField("hunt-name", "Scatter");
    setField("new-hunt-id", "scatter");
    setField("gen-count", "5");
    setField("gen-seed", "7");
    click(organiser, "#create");
    visible(organiser, "#hunts tr[data-hunt='scatter'][data-status='created']");
    awaitText(organiser, "#hunts tr[data-hunt='scatter'] td:nth-child(5)", "5");
    assertEquals(5, http.get("/api/hunts/scatter").json().path("treasures").size());
    setField("gen-count", "0");

    // The cluster panel: this node, Up, with its shards.
    click(organiser, "#cluster-refresh");
    awaitText(organiser, "#members td", "Up");
    awaitText(organiser, "#shards td", "Hunt");
    organiser.executeScript("window.scrollTo(0, 0)");
    Browsers.screenshot(organiser, "console");
    assertOnlyThisOrigin(organiser);
  }

  /** The spectator page's viewport counters: at least {@code views} boxes sent, moves drawn. */
  static void assertViewport(int views) {
    Map<?, ?> v = (Map<?, ?>) spectator.executeScript("return window.__thView");
    assertTrue(((Number) v.get("sent")).intValue() >= views, "view frames sent: " + v);
    assertTrue(((Number) v.get("moves")).intValue() >= 1, "moves frames drawn: " + v);
    assertEquals(0, ((Number) v.get("positions")).intValue(), "no positions batch: " + v);
  }

  @Test
  @Order(2)
  void aPlayerWalksToTheTreasureWhileASpectatorWatches() {
    // A public spectator (no link) in one tab: the live view without positions.
    spectator.get(base + "/watch/harbour");
    awaitText(spectator, "#mode", "public view");
    awaitText(spectator, "#hunt-status", "live");
    awaitText(spectator, "#conn", "live");
    String publicTab = spectator.getWindowHandle();
    // The organiser's link in another: positions as well.
    spectator.switchTo().newWindow(WindowType.TAB);
    spectator.get(spectatorLink);
    awaitText(spectator, "#mode", "spectator link");
    awaitText(spectator, "#conn", "live");
    String linkTab = spectator.getWindowHandle();

    // The organiser's tab becomes a player's phone, 360 px wide, standing 90 m south of the clock.
    organiser.manage().window().setSize(new Dimension(360, 800));
    Browsers.geolocation(organiser, base, treasureLat - 90 / M_PER_DEG_LAT, treasureLon);
    organiser.get(base + "/play");
    visible(organiser, "#name").sendKeys("alice");
    organiser.findElement(By.id("register-button")).click();
    visible(organiser, "#hunt-list button[data-hunt='harbour']").click();
    visible(organiser, "#game");
    awaitText(organiser, "#hunt-name", "Harbour");
    // The first fix only anchors the player: no band yet.
    await(organiser, d -> fixes() >= 1);
    assertEquals("none", band());

    Browsers.geolocation(organiser, base, treasureLat - 40 / M_PER_DEG_LAT, treasureLon);
    await(organiser, d -> "hot".equals(band()) ? true : null);
    Browsers.screenshot(organiser, "play-hot");

    Browsers.geolocation(organiser, base, treasureLat, treasureLon);
    visible(organiser, "#finds li[data-treasure='t1']");
    awaitText(organiser, "#score", "100");
    awaitText(organiser, "#message", "You found t1");
    awaitText(organiser, "#leaderboard tr.me", "alice");
    // Usable on a 360 px phone: nothing wider than the screen.
    assertEquals(
        Boolean.TRUE,
        organiser.executeScript(
            "return document.documentElement.scrollWidth <= window.innerWidth"));
    Browsers.screenshot(organiser, "play");

    // The spectator saw it happen: the find, the leaderboard and alice on the map.
    awaitText(spectator, "#finds li", "alice found t1 (+100)");
    awaitText(spectator, "#leaderboard tbody tr", "alice");
    awaitText(spectator, "#leaderboard tbody tr", "100");
    awaitText(spectator, "#positions-note", "1 player");
    awaitText(spectator, ".leaflet-tooltip", "alice");
    Browsers.screenshot(spectator, "watch");
    // Through its viewport (protocol 1.1): the page sent the map's bounds and drew `moves` frames,
    // never a `positions` batch. Panned away, alice is gone; panned back, she is sent in full.
    assertViewport(1);
    spectator.executeScript("window.__thMap.panBy([4000, 0], {animate: false})");
    awaitText(spectator, "#positions-note", "0 player");
    spectator.executeScript("window.__thMap.panBy([-4000, 0], {animate: false})");
    awaitText(spectator, "#positions-note", "1 player");
    awaitText(spectator, ".leaflet-tooltip", "alice");
    assertViewport(3);
    assertOnlyThisOrigin(spectator);
    assertOnlyThisOrigin(organiser);

    // The public view saw the find and the leaderboard too, but nobody's position.
    spectator.switchTo().window(publicTab);
    awaitText(spectator, "#finds li", "alice found t1 (+100)");
    awaitText(spectator, "#leaderboard tbody tr", "alice");
    awaitText(spectator, "#positions-note", "only with a spectator link");
    assertTrue(spectator.findElements(By.cssSelector(".leaflet-tooltip")).isEmpty(), "positions");
    spectator.close();
    spectator.switchTo().window(linkTab);

    // The bell needs an answer: standing there shows the claim form; a wrong answer is refused.
    Browsers.geolocation(organiser, base, bellLat, bellLon);
    visible(organiser, "#claim-form");
    awaitText(organiser, "#claim-treasure", "t2");
    awaitText(organiser, "#claim-hint", "When does the bell ring?");
    organiser.findElement(By.id("answer")).sendKeys("midnight");
    click(organiser, "#claim-form button");
    awaitText(organiser, "#message", "Not the answer");
    WebElement answer = organiser.findElement(By.id("answer"));
    answer.clear();
    answer.sendKeys("Noon");
    click(organiser, "#claim-form button");
    awaitText(organiser, "#message", "Right! +200");
    awaitText(organiser, "#score", "300");
    visible(organiser, "#finds li[data-treasure='t2']");
    awaitText(spectator, "#finds li", "alice found t2 (+200)");
    awaitText(spectator, "#leaderboard tbody tr", "300");
  }

  @Test
  @Order(3)
  void aCutSocketShowsReconnectingAndResumesWithNoGap() throws Exception {
    // The network drops, and stays down while bob joins and chats (an attacker's markup as text).
    // The spectator's network drops at the same time.
    organiser.executeScript("window.__th.hold(true); window.__th.cut();");
    spectator.executeScript("window.__th.hold(true); window.__th.cut();");
    awaitText(organiser, "#conn", "reconnecting…");
    awaitText(spectator, "#conn", "reconnecting…");
    Browsers.screenshot(organiser, "play-reconnecting");
    String bobToken = http.post("/api/players", "{\"name\":\"bob\"}").json().path("token").asText();
    String xss = "<img src=x onerror=alert(1)>";
    try (WsClient bob = WsClient.hello(Integer.parseInt(base.replaceAll(".*:", "")), bobToken)) {
      assertEquals("ack", bob.request("join", "\"hunt\":\"harbour\"").path("type").asText());
      assertEquals(
          "ack",
          bob.request("chat", "\"hunt\":\"harbour\",\"text\":\"" + xss + "\"")
              .path("type")
              .asText());
      assertEquals(
          "ack",
          bob.request("chat", "\"hunt\":\"harbour\",\"text\":\"where are you, alice?\"")
              .path("type")
              .asText());
      assertEquals("reconnecting", organiser.executeScript("return window.__th.state"));

      // The network is back: the page resumes from what it held.
      organiser.executeScript("window.__th.hold(false)");
      spectator.executeScript("window.__th.hold(false)");
      awaitText(organiser, "#conn", "live");
      awaitText(organiser, "#chat li", "where are you, alice?");
      awaitText(organiser, "#chat .chat-text", xss);
      assertTrue(organiser.findElements(By.cssSelector("#chat img")).isEmpty(), "markup ran");
      awaitText(spectator, "#chat .chat-text", xss);
      assertTrue(spectator.findElements(By.cssSelector("#chat img")).isEmpty(), "markup ran");

      long head = view().path("stream").path("seq").asLong();
      await(organiser, d -> seqs().contains(head) ? true : null);
      List<Long> seen = seqs();
      for (int i = 1; i < seen.size(); i++)
        assertEquals(seen.get(i - 1) + 1, seen.get(i), "contiguous, no gap or duplicate: " + seen);
      assertEquals(head, seen.get(seen.size() - 1), "up to the head: " + seen);
      assertTrue(seen.size() >= 4, "the find, the leaderboard, bob's join and chats: " + seen);
      assertEquals(1L, organiser.executeScript("return window.__th.cuts"));
      await(spectator, d -> seqs(spectator).contains(head) ? true : null);
      List<Long> watched = seqs(spectator);
      for (int i = 1; i < watched.size(); i++)
        assertEquals(watched.get(i - 1) + 1, watched.get(i), "spectator, contiguous: " + watched);
      assertTrue(watched.containsAll(List.of(head - 2, head - 1, head)), "missed: " + watched);

      // Back live: alice answers from the page's chat form; bob and the spectator read it.
      organiser.findElement(By.id("chat-text")).sendKeys("back, bob");
      click(organiser, "#chat-form button");
      awaitText(organiser, "#chat .chat-text", "back, bob");
      awaitText(spectator, "#chat .chat-text", "back, bob");
      String heard = "";
      for (int i = 0; i < 4 && !heard.equals("back, bob"); i++) // bob's own chats come first
      heard = bob.nextEvent("chat").path("event").path("text").asText();
      assertEquals("back, bob", heard);
    }
  }

  @Test
  @Order(4)
  void theOrganiserWatchesLiveAndEndsTheHunt() {
    // The spectator's browser signs in to the console (a tab of its own: sessionStorage).
    spectator.get(base + "/console");
    visible(spectator, "#admin-token").sendKeys(TestNodes.ADMIN_TOKEN);
    spectator.findElement(By.cssSelector("#sign-in-form button")).click();
    awaitText(spectator, "#hunts tr[data-hunt='harbour']", "2"); // alice and bob joined
    click(spectator, "#hunts tr[data-hunt='harbour'] button.watch");
    awaitText(spectator, "#live-name", "Harbour");
    awaitText(spectator, "#live-leaderboard tbody tr", "alice");
    awaitText(spectator, "#conn", "live");

    click(spectator, "#hunts tr[data-hunt='harbour'] button.end");
    visible(spectator, "#hunts tr[data-hunt='harbour'][data-status='ended']");
    awaitText(spectator, "#live-ticker li", "the hunt ended");
    awaitText(organiser, "#hunt-status", "This hunt has ended.");
    awaitText(organiser, "#chat li", "the hunt ended");
    assertEquals("ended", view().path("status").asText());
    spectator.executeScript("window.scrollTo(0, 0)");
    Browsers.screenshot(spectator, "console-live");
  }

  /** Every file the page loaded (scripts, styles, images, fetches) came from the node. */
  static void assertOnlyThisOrigin(ChromeDriver driver) {
    @SuppressWarnings("unchecked")
    List<Object> urls =
        (List<Object>)
            driver.executeScript(
                "return [location.href]"
                    + ".concat(performance.getEntriesByType('resource').map(e => e.name))");
    assertTrue(urls.size() > 3, "the page loaded its modules: " + urls);
    for (Object url : urls)
      assertTrue(String.valueOf(url).startsWith(base + "/"), "a request to another host: " + url);
  }

  private static JsonNode view() {
    try {
      return http.get("/api/hunts/harbour").json();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static long fixes() {
    Object n = organiser.executeScript("return window.__th && window.__th.fixes || 0");
    return ((Number) n).longValue();
  }

  private static String band() {
    return organiser.findElement(By.id("band")).getAttribute("data-band");
  }

  private static List<Long> seqs() {
    return seqs(organiser);
  }

  private static List<Long> seqs(ChromeDriver driver) {
    @SuppressWarnings("unchecked")
    List<Object> raw =
        (List<Object>) driver.executeScript("return window.__th.seqs['harbour'] || []");
    List<Long> out = new ArrayList<>();
    for (Object o : raw) out.add(((Number) o).longValue());
    return out;
  }
}
