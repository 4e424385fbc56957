package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.QuotaExceededException;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The atomic steps under real threads: claims never overlap, quotas never admit more than their
 * limit, an idempotency key never makes two jobs.
 */
public interface ConcurrencyContract extends StoreFixture {

  /** How long a concurrency test may take before it fails. */
  Duration CONCURRENT_TIMEOUT = Duration.ofSeconds(90);

  /**
   * Counts the outcomes that succeeded, and fails the test on any error but a quota refusal.
   *
   * @param <T> what the tasks return
   * @param outcomes the outcomes of {@link Concurrently#run}
   * @return how many succeeded
   */
  static <T> int successesAmongQuotaRefusals(List<Concurrently.Outcome<T>> outcomes) {
    int ok = 0;
    for (Concurrently.Outcome<T> o : outcomes) {
      if (o.succeeded()) {
        ok++;
      } else {
        assertThat(o.error()).as("a refused concurrent create").isInstanceOf(QuotaExceededException.class);
      }
    }
    return ok;
  }

  /**
   * {@return how many jobs {@code owner} has (up to 500)}
   *
   * @param owner the owner
   */
  default int jobsOf(String owner) {
    return store().query(JobQuery.forOwner(owner).limit(JobQuery.MAX_LIMIT).build()).items().size();
  }

  /** Eight workers claim a thousand jobs, and each job is claimed exactly once. */
  @Test
  @Timeout(180)
  default void eightWorkersClaimAThousandJobsAndEachJobIsClaimedExactlyOnce() {
    List<UUID> all = new ArrayList<>();
    for (int batch = 0; batch < 10; batch++) {
      List<NewJob> jobs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        jobs.add(job().priority(1 + (i % 10)).build());
      }
      store().insert(InsertRequest.of(jobs)).forEach(j -> all.add(j.id()));
    }

    List<Concurrently.Outcome<List<Job>>> outcomes =
        Concurrently.run(8, CONCURRENT_TIMEOUT, t -> {
          List<Job> mine = new ArrayList<>();
          ClaimRequest request = new ClaimRequest("worker-" + t, Set.of(TYPE), 7, Duration.ofMinutes(10));
          for (List<Job> c = store().claim(request); !c.isEmpty(); c = store().claim(request)) {
            mine.addAll(c);
          }
          return mine;
        });

    Map<UUID, String> claimedBy = new HashMap<>();
    for (Concurrently.Outcome<List<Job>> o : outcomes) {
      assertThat(o.error()).as("a claiming thread failed").isNull();
      for (Job j : o.value()) {
        String previous = claimedBy.put(j.id(), j.workerId());
        assertThat(previous).as("job %s claimed by %s and by %s", j.id(), previous, j.workerId()).isNull();
        assertThat(j.attempts()).isEqualTo(1);
      }
    }
    assertThat(claimedBy.keySet()).containsExactlyInAnyOrderElementsOf(all);
    for (UUID id : all.subList(0, 50)) {
      Job stored = reload(id);
      assertThat(stored.status()).isEqualTo(JobStatus.PROCESSING);
      assertThat(stored.workerId()).isEqualTo(claimedBy.get(id));
    }
  }

  /** Thirty-two concurrent creates of one owner admit exactly the hourly limit. */
  @Test
  @Timeout(120)
  @RequiresCapability(StoreCapability.QUOTAS)
  default void thirtyTwoConcurrentCreatesOfOneOwnerAdmitExactlyTheHourlyLimit() {
    QuotaPolicy policy = owner -> new QuotaLimits(10, 1000, Duration.ZERO);

    List<Concurrently.Outcome<Job>> outcomes =
        Concurrently.run(32, CONCURRENT_TIMEOUT, t -> store().insert(new InsertRequest(List.of(job().build()), policy)).get(0));

    assertThat(successesAmongQuotaRefusals(outcomes)).isEqualTo(10);
    assertThat(jobsOf(OWNER)).isEqualTo(10);
    assertThat(store().quotaWindow(OWNER).lastHour()).isEqualTo(10);
  }

  /** Concurrent creates of many owners admit exactly each owner's limit. */
  @Test
  @Timeout(120)
  @RequiresCapability(StoreCapability.QUOTAS)
  default void concurrentCreatesOfManyOwnersAdmitExactlyEachOwnersLimit() {
    QuotaPolicy policy = owner -> new QuotaLimits(3, 1000, Duration.ZERO);

    List<Concurrently.Outcome<Job>> outcomes =
        Concurrently.run(32, CONCURRENT_TIMEOUT, t -> store().insert(new InsertRequest(List.of(job().owner("owner-" + (t % 4)).build()), policy)).get(0));

    assertThat(successesAmongQuotaRefusals(outcomes)).isEqualTo(12);
    for (int o = 0; o < 4; o++) {
      assertThat(jobsOf("owner-" + o)).as("jobs of owner-%d", o).isEqualTo(3);
    }
  }

  /** Sixteen concurrent creates admit exactly one within the minimum interval. */
  @Test
  @Timeout(120)
  @RequiresCapability(StoreCapability.QUOTAS)
  default void sixteenConcurrentCreatesAdmitExactlyOneWithinTheMinimumInterval() {
    QuotaPolicy policy = owner -> new QuotaLimits(100, 1000, Duration.ofMinutes(1));

    List<Concurrently.Outcome<Job>> outcomes =
        Concurrently.run(16, CONCURRENT_TIMEOUT, t -> store().insert(new InsertRequest(List.of(job().build()), policy)).get(0));

    assertThat(successesAmongQuotaRefusals(outcomes)).isEqualTo(1);
    assertThat(outcomes).filteredOn(o -> !o.succeeded())
        .allSatisfy(o -> assertThat(((QuotaExceededException) o.error()).limit()).isEqualTo(QuotaExceededException.Limit.MIN_INTERVAL));
    assertThat(jobsOf(OWNER)).isEqualTo(1);
  }

  /** Sixteen concurrent batches admit only whole batches within the limit. */
  @Test
  @Timeout(120)
  @RequiresCapability(StoreCapability.QUOTAS)
  default void sixteenConcurrentBatchesAdmitOnlyWholeBatchesWithinTheLimit() {
    QuotaPolicy policy = owner -> new QuotaLimits(10, 1000, Duration.ZERO);

    List<Concurrently.Outcome<List<Job>>> outcomes =
        Concurrently.run(16, CONCURRENT_TIMEOUT,
            t -> store().insert(new InsertRequest(List.of(job().build(), job().build(), job().build()), policy)));

    assertThat(successesAmongQuotaRefusals(outcomes)).isEqualTo(3);
    assertThat(jobsOf(OWNER)).isEqualTo(9);
    assertThat(store().quotaWindow(OWNER).lastHour()).isEqualTo(9);
  }

  /** Sixteen concurrent creates with one idempotency key make one job. */
  @Test
  @Timeout(120)
  default void sixteenConcurrentCreatesWithOneIdempotencyKeyMakeOneJob() {
    QuotaPolicy policy = owner -> new QuotaLimits(10, 1000, Duration.ZERO);

    List<Concurrently.Outcome<Job>> outcomes =
        Concurrently.run(16, CONCURRENT_TIMEOUT,
            t -> store().insert(new InsertRequest(List.of(job().idempotencyKey("double-click").build()), policy)).get(0));

    Set<UUID> ids = new HashSet<>();
    for (Concurrently.Outcome<Job> o : outcomes) {
      assertThat(o.error()).as("a concurrent replay failed").isNull();
      ids.add(o.value().id());
    }
    assertThat(ids).hasSize(1);
    assertThat(jobsOf(OWNER)).isEqualTo(1);
    if (declares(StoreCapability.QUOTAS)) {
      assertThat(store().quotaWindow(OWNER).lastHour()).isEqualTo(1);
    }
  }

  /** Claiming and cancelling at once leaves each job in one consistent state. */
  @Test
  @Timeout(120)
  default void claimingAndCancellingAtOnceLeavesEachJobInOneConsistentState() {
    List<NewJob> news = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      news.add(job().build());
    }
    store().insert(InsertRequest.of(news));

    List<Concurrently.Outcome<List<Job>>> outcomes =
        Concurrently.run(2, CONCURRENT_TIMEOUT, t -> {
          List<Job> touched = new ArrayList<>();
          if (t == 0) {
            ClaimRequest request = new ClaimRequest(WORKER, Set.of(TYPE), 5, LEASE);
            for (List<Job> c = store().claim(request); !c.isEmpty(); c = store().claim(request)) {
              touched.addAll(c);
            }
          } else {
            for (NewJob n : news) {
              touched.add(store().cancel(OWNER, n.id()));
            }
          }
          return touched;
        });

    assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNull());
    Set<UUID> claimed = new HashSet<>();
    outcomes.get(0).value().forEach(j -> claimed.add(j.id()));
    for (NewJob n : news) {
      Job stored = reload(n.id());
      if (claimed.contains(n.id())) {
        assertThat(stored.status()).as("a claimed job that was then cancelled").isEqualTo(JobStatus.PROCESSING);
        assertThat(stored.cancelRequested()).isTrue();
      } else {
        assertThat(stored.status()).as("a job cancelled before any claim").isEqualTo(JobStatus.CANCELLED);
        assertThat(stored.attempts()).isZero();
      }
    }
  }
}
