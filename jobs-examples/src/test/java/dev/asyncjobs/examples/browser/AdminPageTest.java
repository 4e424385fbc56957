package dev.asyncjobs.examples.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobType;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.examples.testing.TestServer;
import dev.asyncjobs.testing.Waits;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operators' page ({@code /admin}) in real headless Chromium: a tenant's token is turned away
 * and sees nothing; an operator finds a failed job of another user, retries it and sees it
 * complete (the worker in the same server runs it), pauses and resumes a type; on a phone too.
 */
class AdminPageTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** Fails its first call for good, then answers. */
  static final class FailsFirst extends AbstractGenerator<Map<String, Object>> {
    @SuppressWarnings("unchecked")
    static final JobType<Map<String, Object>> TYPE = JobType.of("flaky_report", (Class<Map<String, Object>>) (Class<?>) Map.class);
    final AtomicInteger calls = new AtomicInteger();

    FailsFirst() {
      super(TYPE);
    }

    @Override
    public Object generate(Map<String, Object> p, JobContext context) {
      if (calls.incrementAndGet() == 1) {
        throw new PermanentGenerationException("upstream report service timed out");
      }
      return Map.of("report", "ready");
    }
  }

  private static final FailsFirst FLAKY = new FailsFirst();
  private static TestServer server;
  private static HeadlessChromium chromium;
  private static WebDriver browser;
  private static String skipped;

  @BeforeAll
  static void start() throws IOException {
    skipped = HeadlessChromium.missing("AdminPageTest");
    if (skipped != null) {
      return;
    }
    server = TestServer.builder().withWorker().step(Duration.ofMillis(50)).manager(m -> m.generator(FLAKY)).start();
    chromium = HeadlessChromium.start("admin");
    browser = chromium.browser();
  }

  @BeforeEach
  void skipWithoutBrowser() {
    Assumptions.assumeTrue(skipped == null, skipped);
  }

  @AfterAll
  static void stop() throws IOException {
    if (chromium != null) {
      chromium.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private String base() {
    return "http://127.0.0.1:" + server.server().port();
  }

  @Test
  void aTenantsTokenIsTurnedAwayAndSeesNothing() throws IOException {
    browser.manage().window().setSize(new Dimension(1280, 1000));
    browser.get(base() + "/admin#token=" + server.token("page-tenant"));
    WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(20));
    try {
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("auth-error")));
      assertThat(browser.findElement(By.id("auth-error")).getText()).contains("operators only");
      assertThat(browser.findElement(By.id("queues")).isDisplayed()).isFalse();
      assertThat(browser.findElement(By.id("search")).isDisplayed()).isFalse();
      assertThat(browser.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token=");
      chromium.screenshot("tenant");
    } catch (AssertionError | RuntimeException e) {
      chromium.screenshot("tenant-failure");
      throw e;
    }
  }

  @Test
  void anOperatorRetriesAFailedJobOfAnotherUserAndSeesItComplete() throws IOException {
    Job job = server.jobs().create(JobRequest.builder("page-bob", FailsFirst.TYPE.name()).payload("{\"month\":\"november\"}")
        .maxAttempts(1).build());
    Waits.until("the job failed", WAIT, () -> server.jobs().get("page-bob", job.id()).status() == JobStatus.FAILED);
    browser.manage().window().setSize(new Dimension(1280, 1000));
    browser.get(base() + "/admin/#token=" + server.operatorToken("page-ops"));
    WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(20));
    try {
      wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
      By row = By.cssSelector("#job-table tr[data-id='" + job.id() + "']");
      wait.until(ExpectedConditions.visibilityOfElementLocated(row));
      assertThat(browser.findElement(row).getText()).contains("page-bob").contains("FAILED")
          .contains("upstream report service timed out");
      assertThat(browser.findElement(By.id("hour-caption")).getText()).contains("1 failed or cancelled");
      browser.findElement(row).click();
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("retry")));
      assertThat(browser.findElement(By.id("attempt-errors")).getText()).contains("attempt 1 (last)")
          .contains("upstream report service timed out");
      chromium.screenshot("failed-job");

      browser.findElement(By.id("retry")).click();
      wait.until(ExpectedConditions.alertIsPresent()).accept(); // the confirmation
      wait.until(ExpectedConditions.textToBe(By.cssSelector("#detail-facts [data-fact='status']"), "COMPLETED"));
      assertThat(server.jobs().get("page-bob", job.id()).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(browser.findElement(By.id("result")).getText()).contains("ready");
      assertThat(browser.findElement(By.id("retry")).isDisplayed()).isFalse();
      chromium.screenshot("completed-after-retry");

      By pause = By.cssSelector("#queue-table tr[data-type='flaky_report'] button");
      browser.findElement(pause).click();
      wait.until(ExpectedConditions.alertIsPresent()).accept();
      wait.until(ExpectedConditions.textToBe(By.cssSelector("#queue-table tr[data-type='flaky_report'] .state"), "paused"));
      assertThat(server.jobs().limits()).anyMatch(l -> l.name().equals("flaky_report") && l.paused());
      // Another user's job, created while the type is paused, shows up by the event stream (the
      // page's timer reads again only every 30 s, longer than this wait).
      By waiting = By.cssSelector("#queue-table tr[data-type='flaky_report'] .pending");
      Job held = server.jobs().create(JobRequest.builder("page-carol", FailsFirst.TYPE.name()).payload("{}").build());
      wait.until(ExpectedConditions.textToBe(waiting, "1"));
      browser.findElement(pause).click();
      wait.until(ExpectedConditions.alertIsPresent()).accept();
      wait.until(ExpectedConditions.textToBe(By.cssSelector("#queue-table tr[data-type='flaky_report'] .state"), "running"));
      wait.until(ExpectedConditions.textToBe(waiting, "0")); // resumed: the worker ran it
      assertThat(server.jobs().get("page-carol", held.id()).status()).isEqualTo(JobStatus.COMPLETED);

      browser.manage().window().setSize(new Dimension(390, 844));
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("queue-table")));
      Object wider = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
          "return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1"
              + " && !e.closest('.scroll')).map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 10);");
      assertThat((java.util.List<?>) wider).as("nothing but the scrolling tables is wider than a phone's screen").isEmpty();
      chromium.screenshot("phone");
    } catch (AssertionError | RuntimeException e) {
      chromium.screenshot("operator-failure");
      throw new AssertionError("page at failure: " + browser.findElement(By.tagName("main")).getText(), e);
    }
  }
}
