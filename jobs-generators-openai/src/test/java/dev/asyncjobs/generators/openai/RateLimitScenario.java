package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.LimitStatus;
import dev.asyncjobs.RetryPolicy;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's end-to-end case: a provider answering 429 with {@code Retry-After: 2} is left alone
 * by every worker for 2 s, and the refused jobs then complete without having spent an attempt.
 * Two nodes (a {@link JobManager}, its own OpenAI client and a {@link JobWorker} of 4 threads
 * each) share one store; a subclass says which.
 */
abstract class RateLimitScenario {
  private static final String PATH = "/v1/images/generations";
  private static final String TYPE = "image_generation";
  private static final String RESOURCE = "openai:dall-e-3";
  private static final Duration RETRY_AFTER = Duration.ofSeconds(2);
  /** The first requests, in flight together, each answered 429. */
  private static final int REFUSED = 4;
  /** Jobs created during the back-off: one for every thread of the two workers. */
  private static final int LATER = 8;
  /**
   * The back-off is on the wall clock, the server's times on the monotonic one; they may drift
   * apart by a fraction of a millisecond (NTP slewing).
   */
  private static final Duration CLOCK_ALLOWANCE = Duration.ofMillis(10);
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final FakeOpenAi server = FakeOpenAi.start();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final List<JobManager> nodes = new ArrayList<>();

  /**
   * The store of one node.
   *
   * @param node 0 or 1
   * @return the same store for both, or two stores on one database (as two processes have)
   */
  abstract JobStore store(int node);

  @BeforeEach
  void startTwoNodes() {
    for (int node = 0; node < 2; node++) {
      JobStore store = store(node);
      assumeTrue(store.capabilities().contains(StoreCapability.LIMITS),
          store.getClass().getSimpleName() + " does not declare StoreCapability.LIMITS (yet)");
      OpenAiGenerators openai =
          OpenAiGenerators.builder().apiKey("sk-test").baseUrl(server.baseUrl()).timeout(Duration.ofSeconds(30)).build();
      JobManager jobs = JobManager.builder().store(store).generators(openai.all()).build();
      JobWorker worker = JobWorker.builder(jobs)
          .workerId("node-" + node)
          .concurrency(4)
          // A negligible backoff, so that any wait between attempts is the back-off's.
          .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(1), Duration.ofMillis(1)))
          .pollInterval(Duration.ofMillis(20))
          .build();
      closing.add(0, openai);
      closing.add(0, jobs);
      closing.add(0, worker);
      nodes.add(jobs);
      worker.start();
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    server.close();
  }

  @Test
  void noWorkerCallsARateLimitedModelBeforeItsRetryAfterAndTheRefusedJobsSpendNoAttempt() {
    AtomicInteger arrived = new AtomicInteger();
    CountDownLatch allRefusedInFlight = new CountDownLatch(REFUSED);
    CountDownLatch refuse = new CountDownLatch(1);
    server.onEvery(PATH, request -> {
      int n = arrived.incrementAndGet();
      if (n > REFUSED) {
        return FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl("https://x/" + n + ".png", "revised"));
      }
      // The 429s wait until all of them are in flight and the test lets them go: no request can
      // then have left a worker after a 429 reached one and before its back-off was written, and
      // any request during the back-off is one that should not have been sent.
      allRefusedInFlight.countDown();
      if (!await(refuse)) {
        return FakeOpenAi.Reply.error(500, "server_error", null, "the test did not let the 429s go");
      }
      return FakeOpenAi.Reply.tooManyRequests().withHeader("Retry-After", "2");
    });
    JobManager operator = nodes.get(1);

    List<Job> refused = create(REFUSED);
    assertThat(await(allRefusedInFlight)).as("all %s first requests in flight together", REFUSED).isTrue();
    // The later jobs wait behind a pause until the back-off is on, so that they are claimable from
    // early in the back-off however slowly this thread runs, and never before it. The type is
    // paused, not the resource: resuming the resource would end its back-off too.
    operator.pause(TYPE);
    List<Job> later = create(LATER);
    refuse.countDown();
    Instant backoffUntil = Waits.untilValue("the model to back off", WAIT, () -> backoffUntil(operator), until -> until != null);
    operator.resume(TYPE);
    Instant resumed = Instant.now();
    long firstRefusal = server.answers(PATH).stream().filter(a -> a.status() == 429)
        .mapToLong(FakeOpenAi.Answer::sentNanos).min().orElseThrow();
    assertThat(resumed).as("the later jobs are claimable for most of the back-off")
        .isBefore(backoffUntil.minus(RETRY_AFTER.dividedBy(2)));

    List<Job> all = new ArrayList<>(refused);
    all.addAll(later);
    Waits.until("every job to complete", WAIT, () -> all.stream().map(this::now).allMatch(j -> j.status() == JobStatus.COMPLETED),
        () -> all.stream().map(this::now).map(j -> j.status() + "/" + j.deferrals()).toList());

    List<FakeOpenAi.Answer> answers = server.answers(PATH);
    assertThat(answers).extracting(FakeOpenAi.Answer::status).hasSize(REFUSED + REFUSED + LATER)
        .startsWith(429, 429, 429, 429).containsOnly(429, 200).filteredOn(s -> s == 429).hasSize(REFUSED);
    assertThat(server.requestsWithin(PATH, firstRefusal, RETRY_AFTER.minus(CLOCK_ALLOWANCE)))
        .as("requests within %s of the first 429", RETRY_AFTER)
        .extracting(r -> r.json().path("prompt").asText() + " at +" + (r.receivedNanos() - firstRefusal) / 1_000_000 + " ms")
        .isEmpty();
    long firstAfter = answers.get(REFUSED).request().receivedNanos();
    assertThat(Duration.ofNanos(firstAfter - firstRefusal)).isGreaterThanOrEqualTo(RETRY_AFTER.minus(CLOCK_ALLOWANCE));
    for (Job j : refused) {
      Job done = now(j);
      assertThat(done.attempts()).as("the 429 spent no attempt of %s", j.id()).isEqualTo(1);
      assertThat(done.deferrals()).as("deferrals of %s", j.id()).isGreaterThanOrEqualTo(1);
    }
    for (Job j : later) {
      Job done = now(j);
      assertThat(done.attempts()).isEqualTo(1);
      assertThat(done.deferrals()).as("a job that was never refused").isZero();
    }
  }

  private static @Nullable Instant backoffUntil(JobManager jobs) {
    return jobs.limits().stream().filter(s -> s.name().equals(RESOURCE)).map(LimitStatus::backoffUntil)
        .filter(Objects::nonNull).findFirst().orElse(null);
  }

  private List<Job> create(int n) {
    List<Job> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // Created on both nodes: it does not matter which one a job comes from.
      out.add(nodes.get(i % 2).create(JobRequest.builder("alice", TYPE)
          .payload("{\"prompt\":\"a lighthouse " + out.size() + "\"}").build()));
    }
    return out;
  }

  private Job now(Job job) {
    return nodes.get(0).get("alice", job.id());
  }

  private static boolean await(CountDownLatch latch) {
    try {
      return latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
