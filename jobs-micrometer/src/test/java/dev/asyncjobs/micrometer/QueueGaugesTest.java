package dev.asyncjobs.micrometer;

import static dev.asyncjobs.micrometer.Meters.OWNER;
import static dev.asyncjobs.micrometer.Meters.WAIT;
import static dev.asyncjobs.micrometer.Meters.create;
import static dev.asyncjobs.micrometer.Meters.gauge;
import static dev.asyncjobs.micrometer.Meters.scrape;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.WorkerContractSupport.Scripted;
import dev.asyncjobs.testing.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue gauges show what is queued and running, and read the store at most once per refresh
 * interval whatever the number of gauges and scrapes: the store's {@code queueStats()} calls are
 * counted, and the interval passes on a clock the test moves. A slow or failing store never holds a
 * scrape up; the gauges serve the last values read.
 */
@Timeout(60)
class QueueGaugesTest {
  private static final Duration INTERVAL = Duration.ofSeconds(10);
  private final MutableClock clock = new MutableClock();
  private final InMemoryJobStore memory = new InMemoryJobStore(clock);
  private final WatchedStore watched = new WatchedStore(memory);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch slowStarted = new CountDownLatch(1);
  private final ExecutorService refresher = Executors.newSingleThreadExecutor();
  private final ExecutorService scraper = Executors.newSingleThreadExecutor();
  private JobManager jobs;
  private JobWorker worker;

  @AfterEach
  void close() {
    release.countDown();
    CountDownLatch hold = watched.holdQueueStats;
    if (hold != null) {
      hold.countDown();
    }
    if (worker != null) {
      worker.close();
    }
    jobs.close();
    refresher.shutdownNow();
    scraper.shutdownNow();
    memory.close();
  }

  /** A manager with a type no worker claims ("queued") and one whose attempt waits for the test ("slow"). */
  private JobMetrics start(JobMetrics.Builder settings) {
    JobMetrics metrics = settings.refreshInterval(INTERVAL).build();
    jobs = JobManager.builder().store(watched.store()).interceptor(metrics)
        .generator(new Scripted("queued", (step, ctx) -> "never claimed"))
        .generator(new Scripted("slow", (step, ctx) -> {
          slowStarted.countDown();
          release.await();
          return "released";
        }))
        .build();
    metrics.monitor(jobs);
    metrics.bindTo(registry);
    worker = JobWorker.builder(jobs).types(Set.of("slow")).listener(metrics).leaseDuration(Duration.ofMinutes(10))
        .build().start();
    return metrics;
  }

  @Test
  void gaugesShowQueuedAndRunningJobsAndReadTheStoreOncePerInterval() throws Exception {
    start(JobMetrics.builder().refreshExecutor(Runnable::run)); // reads on the scraping thread: deterministic
    assertThat(watched.queueStatsReads.get()).as("the first read, when bound").isEqualTo(1);
    // every type of the manager has its four gauges from the first read on, at 0
    for (String name : List.of("asyncjobs.jobs.pending", "asyncjobs.jobs.due", "asyncjobs.jobs.running",
        "asyncjobs.queue.oldest.due.age")) {
      assertThat(registry.get(name).gauges()).as(name).hasSize(2);
      assertThat(gauge(registry, name, "queued")).isZero();
    }

    List<Job> queued = List.of(create(jobs, "queued"), create(jobs, "queued"), create(jobs, "queued"));
    Job slow = create(jobs, "slow");
    assertThat(slowStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("slow job started").isTrue();
    for (int i = 0; i < 20; i++) {
      scrape(registry);
    }
    assertThat(watched.queueStatsReads.get()).as("within the interval: no read").isEqualTo(1);
    assertThat(gauge(registry, "asyncjobs.jobs.pending", "queued")).as("the cached value").isZero();

    clock.advance(INTERVAL);
    assertThat(gauge(registry, "asyncjobs.jobs.pending", "queued")).isEqualTo(3);
    assertThat(gauge(registry, "asyncjobs.jobs.due", "queued")).isEqualTo(3);
    assertThat(gauge(registry, "asyncjobs.jobs.running", "queued")).isZero();
    assertThat(gauge(registry, "asyncjobs.jobs.running", "slow")).isEqualTo(1);
    assertThat(gauge(registry, "asyncjobs.jobs.pending", "slow")).isZero();
    assertThat(gauge(registry, "asyncjobs.queue.oldest.due.age", "queued")).isEqualTo(10.0);
    assertThat(registry.get("asyncjobs.queue.oldest.due.age").gauge().getId().getBaseUnit()).isEqualTo("seconds");
    for (int i = 0; i < 20; i++) {
      scrape(registry);
    }
    assertThat(watched.queueStatsReads.get()).as("one read for the interval, whatever the scrapes").isEqualTo(2);

    clock.advance(Duration.ofSeconds(5));
    // no new read, but the age of the job still waiting grows with the clock
    assertThat(gauge(registry, "asyncjobs.queue.oldest.due.age", "queued")).isEqualTo(15.0);
    assertThat(watched.queueStatsReads.get()).isEqualTo(2);

    // the queue empties: every job of both types finishes
    for (Job j : queued) {
      jobs.cancel(OWNER, j.id());
    }
    release.countDown();
    Waits.until("the slow job completed", WAIT, () -> jobs.get(OWNER, slow.id()).status() == JobStatus.COMPLETED);
    clock.advance(Duration.ofSeconds(5));
    scrape(registry);
    assertThat(watched.queueStatsReads.get()).isEqualTo(3);
    for (String name : List.of("asyncjobs.jobs.pending", "asyncjobs.jobs.due", "asyncjobs.jobs.running",
        "asyncjobs.queue.oldest.due.age")) {
      for (String type : List.of("queued", "slow")) {
        assertThat(gauge(registry, name, type)).as("a type with no unfinished job left: " + name + " " + type).isZero();
      }
    }
    assertThat(watched.queueStatsReads.get()).isEqualTo(3);
  }

  @Test
  void aScrapeNeverWaitsForASlowStoreAndServesTheLastValues() throws Exception {
    start(JobMetrics.builder().refreshExecutor(refresher));
    Waits.until("the first read registered the gauges", WAIT, () -> registry.find("asyncjobs.jobs.pending").gauges().size() == 2);
    create(jobs, "queued");

    CountDownLatch hold = new CountDownLatch(1);
    watched.holdQueueStats = hold;
    clock.advance(INTERVAL);
    // This scrape starts a read that the store holds; the scrape itself answers from the last read.
    Future<Double> scraped = scraper.submit(() -> gauge(registry, "asyncjobs.jobs.pending", "queued"));
    assertThat(watched.holdEntered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the read began").isTrue();
    assertThat(scraped.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the last value, while the store is held").isZero();
    for (int i = 0; i < 10; i++) {
      scrape(registry);
    }
    clock.advance(INTERVAL);
    scrape(registry);
    assertThat(watched.queueStatsReads.get()).as("no second read while one is under way").isEqualTo(2);

    hold.countDown();
    Waits.until("the held read arrived", WAIT, () -> gauge(registry, "asyncjobs.jobs.pending", "queued") == 1);
    // The clock passed a whole interval while the read was held: scrapes now start one more read, and only one.
    Waits.until("the read the passed interval asks for", WAIT, () -> {
      scrape(registry);
      return watched.queueStatsReads.get() == 3;
    });
    for (int i = 0; i < 10; i++) {
      scrape(registry);
    }
    assertThat(watched.queueStatsReads.get()).isEqualTo(3);
  }

  @Test
  void aFailingStoreLeavesTheLastValuesUntilAReadSucceeds() throws Exception {
    start(JobMetrics.builder().refreshExecutor(Runnable::run));
    create(jobs, "queued");
    create(jobs, "queued");
    clock.advance(INTERVAL);
    assertThat(gauge(registry, "asyncjobs.jobs.pending", "queued")).isEqualTo(2);

    watched.failQueueStats = true;
    create(jobs, "queued");
    clock.advance(INTERVAL);
    assertThat(gauge(registry, "asyncjobs.jobs.pending", "queued")).as("the read failed: the last value").isEqualTo(2);
    assertThat(watched.queueStatsReads.get()).isEqualTo(3);
    scrape(registry);
    assertThat(watched.queueStatsReads.get()).as("a failed read is not retried before the interval").isEqualTo(3);

    watched.failQueueStats = false;
    clock.advance(INTERVAL);
    assertThat(gauge(registry, "asyncjobs.jobs.pending", "queued")).isEqualTo(3);
    assertThat(watched.queueStatsReads.get()).isEqualTo(4);
  }

  @Test
  void aClockSetBackDoesNotFreezeTheGauges() {
    start(JobMetrics.builder().refreshExecutor(Runnable::run));
    create(jobs, "queued");
    clock.set(clock.instant().minus(Duration.ofHours(1)));
    assertThat(gauge(registry, "asyncjobs.jobs.pending", "queued")).isEqualTo(1);
    assertThat(watched.queueStatsReads.get()).isEqualTo(2);
  }
}
