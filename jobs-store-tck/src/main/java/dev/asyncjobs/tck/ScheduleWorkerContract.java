package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobSchedules;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.Maintenance;
import dev.asyncjobs.MissedTicks;
import dev.asyncjobs.Page;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Schedule;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.tck.WorkerContractSupport.Scripted;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Recurring jobs and maintenance with real workers: one job per tick however many workers fire
 * it, changes and removals seen by running workers, the missed-tick policies, and maintenance run
 * once per tick among the workers. The store may hold schedules and jobs of earlier tests: each
 * test uses names and types of its own.
 */
abstract class ScheduleWorkerContract {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final String owner = "owner-" + UUID.randomUUID();
  private final String suffix = COUNTER.incrementAndGet() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));

  /** For subclasses. */
  protected ScheduleWorkerContract() {}

  /**
   * A store on {@code clock}; closed after each test; may hold other tests' rows.
   *
   * @param clock the clock the store must use
   * @return the store
   */
  protected abstract JobStore createStore(Clock clock);

  /**
   * Closes what one test opened, newest first.
   *
   * @throws Exception when closing fails
   */
  @AfterEach
  protected final void closeEverything() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
    toClose.clear();
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    toClose.add(c);
    return c;
  }

  private JobStore store(Clock clock) {
    JobStore store = closeLater(createStore(clock));
    Assumptions.assumeTrue(store.capabilities().contains(StoreCapability.SCHEDULES),
        () -> store.getClass().getName() + " does not declare SCHEDULES: test skipped");
    return store;
  }

  private JobManager manager(JobStore store, String type) {
    return closeLater(JobManager.builder().store(store).generator(new Scripted(type, (step, ctx) -> "done"))
        .quotaPolicy(QuotaPolicy.unlimited()).build());
  }

  private JobWorker worker(JobManager jobs, String id, Maintenance maintenance) {
    return closeLater(JobWorker.builder(jobs).workerId(id + "-" + suffix).schedulePollInterval(Duration.ofMillis(100))
        .maintenance(maintenance).build()).start();
  }

  private JobRequest request(String type) {
    return JobRequest.builder(owner, type).payload("{\"n\":1}").build();
  }

  private static List<Job> jobsOf(JobStore store, String type) {
    List<Job> all = new ArrayList<>();
    @Nullable String cursor = null;
    do {
      Page<Job> page = store.query(JobQuery.allOwners().types(type).limit(JobQuery.MAX_LIMIT).cursor(cursor).build());
      all.addAll(page.items());
      cursor = page.nextCursor();
    } while (cursor != null);
    return all;
  }

  private static void await(BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " did not happen within " + WAIT);
      }
      Thread.sleep(20);
    }
  }

  /** Two workers fire a one-second schedule: one job per tick, the ticks one second apart, none left out. */
  @Test
  void twoWorkersCreateOneJobPerTick() throws Exception {
    JobStore store = store(Clock.systemUTC());
    String type = "tick_" + suffix.replace('-', '_');
    JobManager a = manager(store, type);
    JobManager b = manager(store, type);
    JobSchedules.of(a).save(Schedule.every("every-second-" + suffix, Duration.ofSeconds(1)).job(request(type)).build());
    worker(a, "a", Maintenance.disabled());
    worker(b, "b", Maintenance.disabled());

    await(() -> jobsOf(store, type).size() >= 4, "four ticks' jobs");
    toClose.get(toClose.size() - 1).close();
    toClose.get(toClose.size() - 2).close();

    List<Job> jobs = jobsOf(store, type);
    TreeMap<Instant, Integer> perTick = new TreeMap<>();
    for (Job j : jobs) {
      perTick.merge(Instant.parse(j.metadata().get("asyncjobs.tick")), 1, Integer::sum);
      assertThat(j.metadata()).containsEntry("asyncjobs.schedule", "every-second-" + suffix);
    }
    assertThat(perTick.values()).as("jobs per tick").allMatch(n -> n == 1);
    List<Instant> ticks = new ArrayList<>(perTick.keySet());
    for (int i = 1; i < ticks.size(); i++) {
      assertThat(Duration.between(ticks.get(i - 1), ticks.get(i))).as("no tick left out").isEqualTo(Duration.ofSeconds(1));
    }
  }

  /** A schedule removed through one manager stops the workers of another from firing it. */
  @Test
  void aRemovedScheduleStopsFiring() throws Exception {
    JobStore store = store(Clock.systemUTC());
    String type = "removed_" + suffix.replace('-', '_');
    JobManager jobs = manager(store, type);
    JobManager operator = manager(store, type);
    String name = "removed-" + suffix;
    JobSchedules.of(operator).save(Schedule.every(name, Duration.ofSeconds(1)).job(request(type)).build());
    worker(jobs, "w", Maintenance.disabled());
    await(() -> !jobsOf(store, type).isEmpty(), "a first tick's job");

    assertThat(JobSchedules.of(operator).remove(name)).isTrue();
    assertThat(JobSchedules.of(operator).find(name)).isEmpty();
    // A poll that read the schedule before the removal may still fire one more tick; after that, none.
    Thread.sleep(1500);
    int after = jobsOf(store, type).size();
    Thread.sleep(2200);

    assertThat(jobsOf(store, type)).as("jobs after the removal").hasSize(after);
  }

  /** Ticks missed while no worker ran: RUN_ONCE creates one job for the newest; SKIP creates none. */
  @Test
  void missedTicksRunOnceOrAreSkipped() throws Exception {
    MutableClock clock = new MutableClock();
    JobStore store = store(clock);
    String type = "missed_" + suffix.replace('-', '_');
    JobManager jobs = manager(store, type);
    JobSchedules schedules = JobSchedules.of(jobs);
    Schedule once = Schedule.every("once-" + suffix, Duration.ofMinutes(1)).missedTicks(MissedTicks.RUN_ONCE)
        .misfireThreshold(Duration.ofSeconds(1))
        .job(JobRequest.builder(owner, type).payload("{\"n\":1}").metadata("policy", "once").build()).build();
    Schedule skip = Schedule.every("skip-" + suffix, Duration.ofMinutes(1)).missedTicks(MissedTicks.SKIP)
        .misfireThreshold(Duration.ofSeconds(1))
        .job(JobRequest.builder(owner, type).payload("{\"n\":2}").metadata("policy", "skip").build()).build();
    schedules.save(once);
    schedules.save(skip);
    // every worker was down for half an hour; the newest tick is 30 s old, past the 1 s threshold
    Instant newestMissed = once.nextTickAfter(clock.instant().plus(Duration.ofMinutes(30))).orElseThrow();
    clock.advance(Duration.between(clock.instant(), newestMissed.plusSeconds(30)));

    worker(jobs, "late", Maintenance.disabled());
    await(() -> schedules.list().stream().filter(s -> s.schedule().name().endsWith(suffix))
        .allMatch(s -> s.nextRunAt().isAfter(clock.instant())), "both schedules moved past now");

    List<Job> created = jobsOf(store, type);
    assertThat(created).as("jobs: one for RUN_ONCE, none for SKIP").extracting(j -> j.metadata().get("policy")).containsExactly("once");
    assertThat(created.get(0).metadata()).as("the newest missed tick's").containsEntry("asyncjobs.tick", newestMissed.toString());
  }

  /**
   * Two workers with maintenance every second on a clock the test moves: each tick runs it once
   * among them, and it deletes a finished job past its retention.
   */
  @Test
  void maintenanceRunsOncePerTickAndDeletesOldJobs() throws Exception {
    MutableClock clock = new MutableClock();
    AtomicInteger cleanups = new AtomicInteger();
    JobStore real = store(clock);
    JobStore counted = countingCleanups(real, cleanups);
    String type = "maint_" + suffix.replace('-', '_');
    JobManager jobs = manager(counted, type);
    Maintenance everySecond = Maintenance.builder().interval(Duration.ofSeconds(1)).finishedJobRetention(Duration.ofMinutes(1)).build();
    worker(jobs, "m1", everySecond);
    worker(manager(counted, type), "m2", everySecond);
    await(() -> real.schedules().stream().anyMatch(r -> r.name().equals("asyncjobs.maintenance")), "the maintenance row");
    Job finished = jobs.create(request(type));
    await(() -> real.find(finished.id()).orElseThrow().status() == JobStatus.COMPLETED, "the job completed");

    clock.advance(Duration.ofMinutes(2)); // one tick due, and the job past its retention
    await(() -> real.find(finished.id()).isEmpty(), "the old job deleted");
    Thread.sleep(1000); // ten polls of each worker, with no further tick due

    assertThat(cleanups.get()).as("maintenance runs for one tick").isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    await(() -> cleanups.get() >= 2, "the next tick's run");
    Thread.sleep(1000);
    assertThat(cleanups.get()).as("maintenance runs for two ticks").isEqualTo(2);
  }

  /** Counts the calls of {@code deleteFinishedBefore}: one per maintenance run while a run deletes less than a batch. */
  private static JobStore countingCleanups(JobStore target, AtomicInteger cleanups) {
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("deleteFinishedBefore")) {
            cleanups.incrementAndGet();
          }
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
