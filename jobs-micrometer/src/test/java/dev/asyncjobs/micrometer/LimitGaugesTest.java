package dev.asyncjobs.micrometer;

import static dev.asyncjobs.micrometer.Meters.OWNER;
import static dev.asyncjobs.micrometer.Meters.WAIT;
import static dev.asyncjobs.micrometer.Meters.count;
import static dev.asyncjobs.micrometer.Meters.create;
import static dev.asyncjobs.micrometer.Meters.limitGauge;
import static dev.asyncjobs.micrometer.Meters.scrape;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.RateLimitedException;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.WorkerContractSupport.Scripted;
import dev.asyncjobs.testing.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limit gauges show each limit's use, bounds, pause, back-off and waiting jobs from {@code
 * JobManager.limits()} of the in-memory store, with real limits and real attempts, and read the
 * store at most once per refresh interval (its {@code limits()} calls are counted, and the
 * interval passes on a clock the test moves). {@code asyncjobs.jobs.rate.limited} counts the
 * attempts that a provider refused.
 */
@Timeout(60)
class LimitGaugesTest {
  private static final Duration INTERVAL = Duration.ofSeconds(10);
  private static final String RESOURCE = "acme:render";
  private final MutableClock clock = new MutableClock();
  private final InMemoryJobStore memory = new InMemoryJobStore(clock);
  private final WatchedStore watched = new WatchedStore(memory);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final JobMetrics metrics = JobMetrics.builder().refreshInterval(INTERVAL).refreshExecutor(Runnable::run).build();
  private final CountDownLatch release = new CountDownLatch(1);
  private JobManager jobs;
  private JobWorker worker;

  @AfterEach
  void close() {
    release.countDown();
    if (worker != null) {
      worker.close();
    }
    jobs.close();
    memory.close();
  }

  private void monitor(JobManager.Builder manager) {
    jobs = manager.store(watched.store()).interceptor(metrics).build();
  }

  private void bind() {
    metrics.monitor(jobs);
    metrics.bindTo(registry);
  }

  @Test
  void gaugesShowEachLimitsUseBoundsPauseAndWaitingJobs() throws Exception {
    Semaphore started = new Semaphore(0);
    monitor(JobManager.builder()
        .generator(new Scripted("render", (step, ctx) -> {
          started.release();
          release.await();
          return "a clip";
        }).withResources(5, RESOURCE))
        .generator(new Scripted("music", (step, ctx) -> "a song")));
    jobs.defineLimit(Meters.everyBound(RESOURCE)); // 2 running, 10 starts and 100 units a minute
    jobs.pause("music");                            // a name with a pause and no bounds
    bind();
    assertThat(watched.limitsReads.get()).as("the first read, when bound").isEqualTo(1);
    for (String name : Meters.LIMIT_GAUGES) {
      assertThat(registry.get(name).tag("limit", RESOURCE).gauges()).as(name).hasSize(1);
    }
    assertThat(limitGauge(registry, "asyncjobs.limit.running", RESOURCE)).isZero();
    assertThat(limitGauge(registry, "asyncjobs.limit.max.running", RESOURCE)).isEqualTo(2);
    assertThat(limitGauge(registry, "asyncjobs.limit.max.starts", RESOURCE)).isEqualTo(10);
    assertThat(limitGauge(registry, "asyncjobs.limit.max.units", RESOURCE)).isEqualTo(100);
    assertThat(limitGauge(registry, "asyncjobs.limit.paused", "music")).isEqualTo(1);
    for (String bound : List.of("asyncjobs.limit.max.running", "asyncjobs.limit.max.starts", "asyncjobs.limit.max.units")) {
      assertThat(registry.find(bound).tag("limit", "music").gauge()).as("music has no " + bound).isNull();
    }

    worker = JobWorker.builder(jobs).listener(metrics).concurrency(4).leaseDuration(Duration.ofMinutes(10))
        .pollInterval(Duration.ofMillis(20)).build().start();
    List<Job> renders = List.of(create(jobs, "render"), create(jobs, "render"), create(jobs, "render"));
    Job music = create(jobs, "music");
    assertThat(started.tryAcquire(2, WAIT.toSeconds(), TimeUnit.SECONDS)).as("two renders started").isTrue();
    for (int i = 0; i < 20; i++) {
      scrape(registry);
    }
    assertThat(watched.limitsReads.get()).as("within the interval: no read").isEqualTo(1);
    assertThat(limitGauge(registry, "asyncjobs.limit.running", RESOURCE)).as("the cached value").isZero();

    clock.advance(INTERVAL);
    assertThat(limitGauge(registry, "asyncjobs.limit.running", RESOURCE)).isEqualTo(2);
    assertThat(limitGauge(registry, "asyncjobs.limit.waiting", RESOURCE)).as("the third, held by maxRunning").isEqualTo(1);
    assertThat(limitGauge(registry, "asyncjobs.limit.starts.in.window", RESOURCE)).isEqualTo(2);
    assertThat(limitGauge(registry, "asyncjobs.limit.units.in.window", RESOURCE)).as("5 units reserved by each").isEqualTo(10);
    assertThat(limitGauge(registry, "asyncjobs.limit.paused", RESOURCE)).isZero();
    assertThat(limitGauge(registry, "asyncjobs.limit.backoff.remaining", RESOURCE)).isZero();
    assertThat(limitGauge(registry, "asyncjobs.limit.waiting", "music")).isEqualTo(1);
    assertThat(limitGauge(registry, "asyncjobs.limit.running", "music")).isZero();
    for (int i = 0; i < 20; i++) {
      scrape(registry);
    }
    assertThat(watched.limitsReads.get()).as("one read for the interval, whatever the scrapes").isEqualTo(2);

    // Every name leaves limits(): the jobs finish, the pause and the bounds go.
    jobs.resume("music");
    release.countDown();
    Waits.until("every job completed", WAIT, () -> renders.stream().allMatch(j -> completed(j))
        && completed(music));
    assertThat(jobs.removeLimit(RESOURCE)).isTrue();
    clock.advance(INTERVAL);
    scrape(registry);
    assertThat(watched.limitsReads.get()).isEqualTo(3);
    assertThat(jobs.limits()).isEmpty();
    for (String name : List.of("asyncjobs.limit.running", "asyncjobs.limit.waiting", "asyncjobs.limit.starts.in.window",
        "asyncjobs.limit.units.in.window", "asyncjobs.limit.paused", "asyncjobs.limit.backoff.remaining")) {
      for (String limit : List.of(RESOURCE, "music")) {
        assertThat(limitGauge(registry, name, limit)).as("a name gone from limits(): " + name + " " + limit).isZero();
      }
    }
    for (String bound : List.of("asyncjobs.limit.max.running", "asyncjobs.limit.max.starts", "asyncjobs.limit.max.units")) {
      assertThat(limitGauge(registry, bound, RESOURCE)).as("no bound any more: " + bound).isNaN();
    }
  }

  @Test
  void aRateLimitedAttemptIsCountedAndItsBackOffCountsDown() {
    AtomicInteger renders = new AtomicInteger();
    AtomicInteger flakes = new AtomicInteger();
    monitor(JobManager.builder()
        .generator(new Scripted("render", (step, ctx) -> {
          if (renders.incrementAndGet() == 1) {
            throw new RateLimitedException(RESOURCE, Duration.ofSeconds(30));
          }
          return "a clip";
        }).withResources(5, RESOURCE))
        // declares no resource: its 429 backs off its type, a name with a back-off and no bounds
        .generator(new Scripted("flaky", (step, ctx) -> {
          if (flakes.incrementAndGet() == 1) {
            throw new RateLimitedException(null, Duration.ofSeconds(20));
          }
          return "fine";
        })));
    jobs.defineLimit(JobLimit.builder(RESOURCE).maxRunning(2).build());
    bind();
    ManualWorker manual = JobWorker.builder(jobs).listener(metrics).buildManual();
    assertThat(count(registry, "rate.limited", "render")).as("registered at zero").isZero();

    create(jobs, "render");
    assertThat(manual.runNext().orElseThrow().status()).as("deferred").isEqualTo(JobStatus.PENDING);
    create(jobs, "flaky");
    assertThat(manual.runNext().orElseThrow().status()).as("deferred").isEqualTo(JobStatus.PENDING);
    assertThat(count(registry, "rate.limited", "render")).isEqualTo(1);
    assertThat(count(registry, "rate.limited", "flaky")).isEqualTo(1);
    assertThat(count(registry, "retried", "render")).as("the attempt's own outcome").isEqualTo(1);

    clock.advance(INTERVAL); // t+10 s: a read
    assertThat(limitGauge(registry, "asyncjobs.limit.backoff.remaining", RESOURCE)).isEqualTo(20.0);
    assertThat(limitGauge(registry, "asyncjobs.limit.backoff.remaining", "flaky")).isEqualTo(10.0);
    assertThat(limitGauge(registry, "asyncjobs.limit.waiting", RESOURCE)).isEqualTo(1);
    assertThat(limitGauge(registry, "asyncjobs.limit.waiting", "flaky")).isEqualTo(1);
    assertThat(limitGauge(registry, "asyncjobs.limit.starts.in.window", RESOURCE)).as("no starts bound").isZero();
    assertThat(registry.find("asyncjobs.limit.max.running").tag("limit", "flaky").gauge()).isNull();
    assertThat(registry.find("asyncjobs.limit.max.starts").tag("limit", RESOURCE).gauge()).as("a bound not set").isNull();
    assertThat(watched.limitsReads.get()).isEqualTo(2);

    clock.advance(Duration.ofSeconds(5)); // t+15 s: no read, but the back-offs count down
    assertThat(limitGauge(registry, "asyncjobs.limit.backoff.remaining", RESOURCE)).isEqualTo(15.0);
    assertThat(limitGauge(registry, "asyncjobs.limit.backoff.remaining", "flaky")).isEqualTo(5.0);
    assertThat(watched.limitsReads.get()).isEqualTo(2);

    clock.advance(Duration.ofSeconds(10)); // t+25 s: a read; flaky's back-off ended, and with it its name
    assertThat(limitGauge(registry, "asyncjobs.limit.backoff.remaining", "flaky")).isZero();
    assertThat(limitGauge(registry, "asyncjobs.limit.waiting", "flaky")).as("gone from limits()").isZero();
    assertThat(limitGauge(registry, "asyncjobs.limit.backoff.remaining", RESOURCE)).isEqualTo(5.0);
    assertThat(watched.limitsReads.get()).isEqualTo(3);

    clock.advance(Duration.ofSeconds(5)); // t+30 s: no read; the cached back-off has ended
    assertThat(limitGauge(registry, "asyncjobs.limit.backoff.remaining", RESOURCE)).isZero();
    assertThat(manual.runDue()).extracting(Job::status).containsExactly(JobStatus.COMPLETED, JobStatus.COMPLETED);
    assertThat(count(registry, "rate.limited", "render")).isEqualTo(1);
    assertThat(count(registry, "completed", "render")).isEqualTo(1);
  }

  private boolean completed(Job job) {
    return jobs.get(OWNER, job.id()).status() == JobStatus.COMPLETED;
  }
}
