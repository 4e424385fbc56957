package dev.asyncjobs.examples.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import dev.asyncjobs.testing.Prerequisites;
import org.jspecify.annotations.Nullable;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Real headless Chromium (Debian's chromium and chromium-driver) for the page tests: one browser
 * with a profile of its own, screenshots into {@code target/screenshots}, and the rule that a
 * missing browser skips the tests outside CI only.
 */
final class HeadlessChromium implements AutoCloseable {
  /** Debian's paths; {@code -Djobs.test.chromium=…} and {@code -Djobs.test.chromedriver=…} override them. */
  private static final Path CHROMIUM = Path.of(System.getProperty("jobs.test.chromium", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER = Path.of(System.getProperty("jobs.test.chromedriver", "/usr/bin/chromedriver"));

  private final WebDriver browser;
  private final Path profile;
  private final String prefix;

  private HeadlessChromium(WebDriver browser, Path profile, String prefix) {
    this.browser = browser;
    this.profile = profile;
    this.prefix = prefix;
  }

  /**
   * {@return why the tests are skipped, or null when the browser is there} A missing browser or
   * driver skips them outside CI and fails them under {@code CI=true} ({@link Prerequisites}).
   *
   * @param test the test class's name, for the messages
   */
  static @Nullable String missing(String test) {
    List<String> missing = new ArrayList<>();
    if (!Files.isExecutable(CHROMIUM)) {
      missing.add(CHROMIUM + " (Debian package chromium)");
    }
    if (!Files.isExecutable(CHROMEDRIVER)) {
      missing.add(CHROMEDRIVER + " (Debian package chromium-driver)");
    }
    if (missing.isEmpty()) {
      return null;
    }
    return Prerequisites.skipReason(test, "headless Chromium and ChromeDriver are needed; missing: " + String.join(", ", missing)
        + ". Install them with `apt-get install -y chromium chromium-driver` (.ci/run does).");
  }

  /**
   * {@return a browser of 1280×1000 on a profile of its own}
   *
   * @param prefix the start of its profile directory's and screenshots' names
   */
  static HeadlessChromium start(String prefix) throws IOException {
    Path profile = Files.createTempDirectory(prefix + "-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1280,1000");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    return new HeadlessChromium(new ChromeDriver(service, options), profile, prefix);
  }

  /** {@return the browser} */
  WebDriver browser() {
    return browser;
  }

  /**
   * Saves what the browser shows as {@code target/screenshots/<prefix>-<name>.png}.
   *
   * @param name what the picture shows
   */
  void screenshot(String name) throws IOException {
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), dir.resolve(prefix + "-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() throws IOException {
    browser.quit();
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }
}
