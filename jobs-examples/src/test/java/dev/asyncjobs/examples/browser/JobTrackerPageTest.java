package dev.asyncjobs.examples.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobStatus;
import dev.asyncjobs.examples.testing.TcpProxy;
import dev.asyncjobs.examples.testing.TestServer;
import dev.asyncjobs.testing.Waits;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The JobTracker page in real headless Chromium (Debian's chromium and chromium-driver): create a
 * job and watch its bar fill to done without a reload, cancel another, read an error; lose the
 * event stream to a network outage mid-job and see the page resume it and show the job done.
 */
class JobTrackerPageTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** For the outage test, which waits on the browser's reconnect delay (3 s in Chromium) twice. */
  private static final Duration LONG_WAIT = Duration.ofSeconds(30);

  private static TestServer server;
  private static HeadlessChromium chromium;
  private static WebDriver browser;

  /** Why the tests of this class are skipped (outside CI only), or null when the browser is there. */
  private static String skipped;

  @BeforeAll
  static void start() throws IOException {
    skipped = HeadlessChromium.missing("JobTrackerPageTest");
    if (skipped != null) {
      return;
    }
    // Steps of 250 ms: a text job runs about 2 s, a video job about 3 s, long enough to cancel.
    server = TestServer.builder().withWorker().step(Duration.ofMillis(250)).start();
    chromium = HeadlessChromium.start("jobtracker");
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

  @Test
  void createWatchCancelAndReadAnError() throws IOException {
    try {
      walkThrough();
    } catch (AssertionError | RuntimeException e) {
      screenshot("failure");
      throw new AssertionError("page at failure: " + browser.findElement(By.tagName("main")).getText(), e);
    }
  }

  private void walkThrough() throws IOException {
    String base = "http://127.0.0.1:" + server.server().port();
    browser.get(base + "/#token=" + server.token("browser-user"));
    WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(20));
    wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
    assertThat(browser.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token=");
    assertThat(browser.findElement(By.id("who")).getText()).contains("browser-user");

    JavascriptExecutor js = (JavascriptExecutor) browser;
    // Marks this page load, and records every progress value the page shows, as it shows it.
    js.executeScript("window.__sameLoad = true; window.__progress = {};"
        + "new MutationObserver(ms => ms.forEach(m => { const li = m.target.closest('[data-job-id]');"
        + "  if (li && m.attributeName === 'data-progress') {"
        + "    (window.__progress[li.dataset.jobId] = window.__progress[li.dataset.jobId] || []).push(Number(m.target.dataset.progress)); } }))"
        + ".observe(document.getElementById('job-list'), {subtree: true, attributes: true, attributeFilter: ['data-progress']});");

    // 1. A text job: its bar moves and reaches done.
    browser.findElement(By.cssSelector("label[data-type='text_generation']")).click();
    browser.findElement(By.id("field-prompt")).sendKeys("explain durable job queues");
    browser.findElement(By.id("create-button")).click();
    WebElement textJob = wait.until(d -> d.findElement(By.cssSelector(".job[data-status]")));
    String textId = textJob.getAttribute("data-job-id");
    wait.until(d -> "COMPLETED".equals(job(d, textId).getAttribute("data-status")));

    @SuppressWarnings("unchecked")
    List<Long> seen = (List<Long>) js.executeScript("return window.__progress[arguments[0]] || [];", textId);
    assertThat(seen).as("progress values the bar showed").isSorted()
        .anySatisfy(p -> assertThat(p).isStrictlyBetween(0L, 100L)).endsWith(100L);
    WebElement done = job(browser, textId);
    assertThat(done.findElement(By.cssSelector(".progress")).getAttribute("aria-valuenow")).isEqualTo("100");
    assertThat(done.findElement(By.cssSelector(".bar")).getAttribute("style")).contains("width: 100%");
    wait.until(d -> job(d, textId).findElement(By.cssSelector(".result")).isDisplayed());
    assertThat(done.findElement(By.cssSelector(".result")).getText()).contains("durable");
    assertThat(done.findElement(By.cssSelector(".badge.demo")).isDisplayed()).isTrue();
    // What the demo model "consumed", as the job's usage says.
    wait.until(d -> job(d, textId).findElement(By.cssSelector(".usage")).isDisplayed());
    assertThat(done.findElement(By.cssSelector(".usage")).getText()).matches("demo-text-1: [0-9,.]+ input tokens · [0-9,.]+ output tokens");

    // 2. A video job, cancelled while it runs.
    browser.findElement(By.cssSelector("label[data-type='video_generation']")).click();
    browser.findElement(By.id("field-prompt")).sendKeys("a paper boat on a rainy street");
    browser.findElement(By.id("create-button")).click();
    String videoId = wait.until(d -> d.findElements(By.cssSelector(".job[data-job-id]")).stream()
        .map(e -> e.getAttribute("data-job-id")).filter(id -> !id.equals(textId)).findFirst().orElse(null));
    wait.until(d -> "PROCESSING".equals(job(d, videoId).getAttribute("data-status")));
    screenshot("desktop");
    job(browser, videoId).findElement(By.cssSelector(".cancel")).click();
    wait.until(d -> "CANCELLED".equals(job(d, videoId).getAttribute("data-status")));
    assertThat(job(browser, videoId).findElement(By.cssSelector(".status")).getText()).isEqualToIgnoringCase("cancelled");
    assertThat(job(browser, videoId).findElement(By.cssSelector(".cancel")).isDisplayed()).isFalse();

    // 3. A readable error that points at the field.
    browser.findElement(By.cssSelector("label[data-type='image_generation']")).click();
    browser.findElement(By.id("create-button")).click();
    WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("create-error")));
    assertThat(error.getText()).contains("Invalid request").contains("prompt is required");
    assertThat(browser.findElement(By.id("field-prompt")).getAttribute("class")).contains("invalid");

    assertThat(js.executeScript("return window.__sameLoad === true;")).as("no reload happened").isEqualTo(true);

    browser.manage().window().setSize(new Dimension(390, 1100));
    assertThat((Long) js.executeScript("return document.documentElement.scrollWidth;"))
        .as("nothing wider than a phone screen").isLessThanOrEqualTo(390L);
    screenshot("phone");
    browser.manage().window().setSize(new Dimension(1280, 1000));
  }

  /**
   * The page reaches the server through a {@link TcpProxy}. While a job runs, the test cuts the
   * network: every connection dies, reconnects are refused. The job ends during the outage. Then
   * the network comes back, and without a reload or a click the page reconnects by itself with a
   * new stream ticket and the last position it saw ({@code ?after=}), the server replays what was
   * missed, and the page shows the job done, without re-reading the list. No URL the page asks
   * for ever holds the token.
   */
  @Test
  void losesTheStreamMidJobReconnectsAndShowsTheFinalState() throws IOException {
    // Steps of 750 ms: a text job runs about 6 s, so it surely still runs when the test cuts the
    // network just after its first progress; the test waits for it to end before restoring.
    try (TestServer slow = TestServer.builder().withWorker().step(Duration.ofMillis(750)).start();
        TcpProxy proxy = TcpProxy.start("127.0.0.1", slow.server().port())) {
      try {
        reconnectAfterAnOutage(slow, proxy);
      } catch (AssertionError | RuntimeException e) {
        screenshot("reconnect-failure");
        throw new AssertionError("page at failure: " + browser.findElement(By.tagName("main")).getText()
            + "\nrequests through the proxy (" + proxy.refused() + " refused during the cut):\n"
            + String.join("\n", proxy.requests().stream().map(TcpProxy.Request::toString).toList()), e);
      } finally {
        browser.get("about:blank"); // no EventSource of this page retries into the other test
      }
    }
  }

  private void reconnectAfterAnOutage(TestServer slow, TcpProxy proxy) {
    String owner = "reconnect-user";
    browser.get("http://127.0.0.1:" + proxy.port() + "/#token=" + slow.token(owner));
    WebDriverWait wait = new WebDriverWait(browser, LONG_WAIT, Duration.ofMillis(20));
    wait.ignoring(StaleElementReferenceException.class); // the first list load may re-render an item
    wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
    JavascriptExecutor js = (JavascriptExecutor) browser;
    js.executeScript("window.__sameLoad = true;");

    browser.findElement(By.cssSelector("label[data-type='text_generation']")).click();
    browser.findElement(By.id("field-prompt")).sendKeys("resume after a network outage");
    browser.findElement(By.id("create-button")).click();
    String id = wait.until(d -> d.findElement(By.cssSelector(".job[data-status]"))).getAttribute("data-job-id");
    UUID jobId = UUID.fromString(id);
    // Running, and the page shows the first words of the text as they stream: the cut falls
    // mid-stream, and the page has an event id to resume after.
    wait.until(d -> "PROCESSING".equals(job(d, id).getAttribute("data-status")) && progress(d, id) > 0
        && !streamedText(d, id).isEmpty() && job(d, id).findElement(By.cssSelector(".stream")).isDisplayed());
    String beforeCut = streamedText(browser, id);

    proxy.cut();
    assertThat(slow.jobs().get(owner, jobId).status()).as("the job still runs when the network is cut")
        .isEqualTo(JobStatus.PROCESSING);
    // The page sees its stream break; the EventSource stays open and retries by itself.
    wait.until(ExpectedConditions.textToBe(By.id("live"), "reconnecting"));
    // No event can reach the page now: this is the last id it saw, the one a resume must send.
    String lastSeen = (String) js.executeScript("return state.lastEventId;");
    assertThat(lastSeen).as("the event id the page remembers").isNotNull().containsOnlyDigits();

    // The job ends during the outage, and the browser tries to reconnect and is refused.
    Waits.until("the job to complete on the server", LONG_WAIT,
        () -> slow.jobs().get(owner, jobId).status() == JobStatus.COMPLETED);
    Waits.until("the browser to try reconnecting during the outage", LONG_WAIT, () -> proxy.refused() > 0);
    assertThat(job(browser, id).getAttribute("data-status")).as("the page while cut off").isEqualTo("PROCESSING");
    assertThat(browser.findElement(By.id("live")).getText()).isEqualTo("reconnecting");

    proxy.restore();
    // No reload, no click: the browser's next retry gets through and the page catches up.
    wait.until(d -> "COMPLETED".equals(job(d, id).getAttribute("data-status")));
    wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
    WebElement done = job(browser, id);
    assertThat(done.findElement(By.cssSelector(".progress")).getAttribute("aria-valuenow")).isEqualTo("100");
    assertThat(done.findElement(By.cssSelector(".bar")).getAttribute("style")).contains("width: 100%");
    assertThat(done.findElement(By.cssSelector(".percent")).getText()).isEqualTo("100%");
    wait.until(d -> job(d, id).findElement(By.cssSelector(".result")).isDisplayed());
    assertThat(js.executeScript("return window.__sameLoad === true;")).as("no reload happened").isEqualTo(true);
    // The text streamed before the cut and the rest the resume replayed are the result's text:
    // nothing missing, nothing twice. The finished result replaces the streamed text on screen.
    String resultText = slow.jobs().get(owner, jobId).resultTree().get("text").asText();
    assertThat(resultText).startsWith(beforeCut);
    assertThat(streamedText(browser, id)).as("streamed before and after the outage").isEqualTo(resultText);
    assertThat(done.findElement(By.cssSelector(".stream")).isDisplayed()).isFalse();

    // It was a resume: the page's reconnect took a new ticket and sent the last id it saw as
    // ?after=; every stream after the outage resumed; and the page never re-read the list, which
    // it does on a fresh stream (`resumed: false`) or a `resync`: the COMPLETED it shows came from
    // the server replaying the events the browser missed.
    List<TcpProxy.Request> afterOutage = proxy.requests().stream().filter(r -> r.outage() > 0).toList();
    List<TcpProxy.Request> streams = afterOutage.stream().filter(r -> r.path().equals("/api/jobs/events")).toList();
    assertThat(streams).as("event streams opened after the outage").isNotEmpty();
    assertThat(streams.get(0).target()).as("the reconnect's URL").contains("after=" + lastSeen).contains("ticket=");
    assertThat(streams).as("every stream after the outage resumes")
        .allSatisfy(r -> assertThat(r.target()).contains("after="));
    assertThat(afterOutage).as("a new ticket before each stream").filteredOn(r -> r.path().equals("/api/stream-tickets"))
        .hasSizeGreaterThanOrEqualTo(streams.size());
    assertThat(afterOutage).as("requests after the outage: no re-list of the jobs")
        .noneMatch(r -> r.path().equals("/api/jobs"));
    String token = (String) js.executeScript("return state.token;");
    assertThat(proxy.requests()).as("URLs the page asked for").isNotEmpty()
        .allSatisfy(r -> assertThat(r.target()).doesNotContain(token).doesNotContain("token="));
    assertThat(proxy.requests()).filteredOn(r -> r.path().equals("/api/jobs/events"))
        .allSatisfy(r -> assertThat(r.target()).contains("ticket="));
  }

  /**
   * A {@code #token=} link for another user than the one signed in asks before it switches (anyone
   * can send such a link); a link for the same user, or with nobody signed in, is taken silently.
   * Either way the token leaves the address bar.
   */
  @Test
  void aLinkForAnotherUserAsksBeforeSwitching() throws IOException {
    try (TestServer own = TestServer.builder().start()) {
      try {
        switchUsers(own);
      } catch (AssertionError | RuntimeException e) {
        screenshot("switch-failure");
        throw new AssertionError("page at failure: " + browser.findElement(By.tagName("body")).getText(), e);
      } finally {
        browser.get("about:blank");
      }
    }
  }

  private void switchUsers(TestServer own) {
    String base = "http://127.0.0.1:" + own.server().port();
    WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(20));
    By who = By.id("who");
    By dialog = By.id("switch-dialog");

    // Nobody signed in: the link is taken without a question.
    browser.get(base + "/#token=" + own.token("link-alice"));
    wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
    assertThat(browser.findElement(who).getText()).contains("link-alice");
    assertThat(browser.findElement(dialog).isDisplayed()).isFalse();

    // Another user's link: asked, and told to stay.
    browser.get(base + "/?second#token=" + own.token("link-mallory"));
    WebElement asked = wait.until(ExpectedConditions.visibilityOfElementLocated(dialog));
    assertThat(asked.getText()).contains("link-mallory").contains("link-alice");
    assertThat(browser.getCurrentUrl()).as("the token leaves the address bar while asking").doesNotContain("token=");
    assertThat(browser.findElement(who).getText()).as("still the user signed in").contains("link-alice");
    browser.findElement(By.id("switch-keep")).click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(dialog));
    assertThat(browser.findElement(who).getText()).contains("link-alice");
    assertThat(storedSubject()).isEqualTo("link-alice");

    // The same link followed on the open page (only the hash changes): asked again; this time switch.
    ((JavascriptExecutor) browser).executeScript("location.hash = '#token=' + arguments[0];", own.token("link-mallory"));
    wait.until(ExpectedConditions.visibilityOfElementLocated(dialog));
    assertThat(browser.getCurrentUrl()).doesNotContain("token=");
    browser.findElement(By.id("switch-accept")).click();
    wait.until(ExpectedConditions.textMatches(who, java.util.regex.Pattern.compile(".*link-mallory.*")));
    assertThat(storedSubject()).isEqualTo("link-mallory");
    wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));

    // A link for the user signed in: taken without a question.
    browser.get(base + "/?third#token=" + own.auth().issue("link-mallory", Duration.ofHours(2)));
    wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
    assertThat(browser.findElement(dialog).isDisplayed()).isFalse();
    assertThat(browser.getCurrentUrl()).doesNotContain("token=");
    assertThat(browser.findElement(who).getText()).contains("link-mallory");
  }

  private static String storedSubject() {
    return (String) ((JavascriptExecutor) browser).executeScript(
        "return subjectOf(sessionStorage.getItem('asyncjobs.token'));");
  }

  private static int progress(WebDriver d, String id) {
    String p = job(d, id).findElement(By.cssSelector(".progress")).getAttribute("data-progress");
    return p == null || p.isEmpty() ? -1 : Integer.parseInt(p);
  }

  /** The text the page shows as streamed for the job (kept in the DOM once the result replaces it). */
  private static String streamedText(WebDriver d, String id) {
    String t = job(d, id).findElement(By.cssSelector(".stream .streamed")).getAttribute("textContent");
    return t == null ? "" : t;
  }

  private static WebElement job(WebDriver d, String id) {
    return d.findElement(By.cssSelector(".job[data-job-id='" + id + "']"));
  }

  /** Keeps a screenshot under target/screenshots for a person to look at (and CI to archive). */
  private static void screenshot(String name) throws IOException {
    chromium.screenshot(name);
  }

}
