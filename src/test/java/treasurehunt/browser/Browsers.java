package treasurehunt.browser;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium under Selenium, for the real-browser tests. Headless, no sandbox (CI runs as
 * root), no background networking or component updates (the browser never reaches the internet),
 * and Selenium Manager kept offline: the driver is named, never downloaded.
 *
 * <p>Outside CI, a machine without Chromium skips these tests and says how to install it; with
 * {@code CI=true} a missing Chromium fails them (.ci/run installs it first).
 */
final class Browsers {
  static final String BINARY = env("TH_CHROMIUM", "/usr/bin/chromium");
  static final String DRIVER = env("TH_CHROMEDRIVER", "/usr/bin/chromedriver");
  static final Path SHOTS = Path.of("target", "screenshots");

  private Browsers() {}

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** Skips (or, in CI, fails) when Chromium or its driver is missing. */
  static void requireChromium() {
    boolean present = new File(BINARY).canExecute() && new File(DRIVER).canExecute();
    String message =
        "Chromium not found ("
            + BINARY
            + ", "
            + DRIVER
            + "): install it with `sudo apt-get install -y chromium chromium-driver`"
            + " (or set TH_CHROMIUM and TH_CHROMEDRIVER) to run the browser tests";
    if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) fail(message);
    // Surefire reports a class skipped in @BeforeAll as 0 tests run: say why on the console too.
    if (!present) System.err.println("SKIPPED browser tests: " + message);
    assumeTrue(present, message);
  }

  static ChromeDriver start(int width, int height) {
    System.setProperty("SE_OFFLINE", "true");
    System.setProperty("webdriver.chrome.driver", DRIVER);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=" + width + "," + height);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    return driver;
  }

  /** Lets the pages of {@code origin} read the location, and sets where the browser is. */
  static void geolocation(ChromeDriver driver, String origin, double lat, double lon) {
    driver.executeCdpCommand(
        "Browser.grantPermissions",
        Map.of("origin", origin, "permissions", List.of("geolocation")));
    driver.executeCdpCommand(
        "Emulation.setGeolocationOverride",
        Map.of("latitude", lat, "longitude", lon, "accuracy", 10));
  }

  static void screenshot(ChromeDriver driver, String name) {
    if (driver == null) return;
    try {
      Files.createDirectories(SHOTS);
      File f = driver.getScreenshotAs(OutputType.FILE);
      Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (Exception e) {
      System.err.println("could not save the screenshot " + name + ": " + e);
    }
  }
}
