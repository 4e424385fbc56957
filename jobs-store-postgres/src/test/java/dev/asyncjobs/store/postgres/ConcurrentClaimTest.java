package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.QuotaExceededException;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.JobIds;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many claimers on one table, as several processes would be: two store instances, each with its
 * own pool (so separate database sessions), eight threads each.
 */
class ConcurrentClaimTest {
  private static final Logger LOG = LoggerFactory.getLogger(ConcurrentClaimTest.class);
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  private static PostgresJobStore ownPoolStore(Clock clock, int poolSize) {
    TestPostgres.Server s = TestPostgres.server();
    return PostgresJobStore.builder().jdbcUrl(s.url()).user(s.user()).password(s.password())
        .maxPoolSize(poolSize).schema(schema.name()).clock(clock).build();
  }

  @Test
  void twoStoresWithEightThreadsEachClaimEveryOneOf5000JobsExactlyOnce() throws Exception {
    Clock clock = Clock.systemUTC();
    try (PostgresJobStore a = ownPoolStore(clock, 8); PostgresJobStore b = ownPoolStore(clock, 8)) {
      long insertStart = System.nanoTime();
      for (int batch = 0; batch < 5; batch++) {
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          jobs.add(new NewJob(JobIds.newId(clock), "owner-" + (i % 50), "claim_race", "{\"i\":" + i + "}",
              1 + i % 10, 3, clock.instant(), null, null));
        }
        assertThat(a.insert(InsertRequest.of(jobs))).hasSize(1000);
      }
      long insertNanos = System.nanoTime() - insertStart;

      Map<UUID, Integer> claims = new ConcurrentHashMap<>();
      AtomicInteger calls = new AtomicInteger();
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        PostgresJobStore store = t % 2 == 0 ? a : b;
        String worker = "w" + t;
        results.add(pool.submit(() -> {
          go.await();
          int mine = 0;
          while (true) {
            calls.incrementAndGet();
            List<Job> got = store.claim(new ClaimRequest(worker, Set.of("claim_race"), 10, Duration.ofMinutes(5)));
            if (got.isEmpty()) {
              return mine;
            }
            for (Job j : got) {
              assertThat(j.workerId()).isEqualTo(worker);
              claims.merge(j.id(), 1, Integer::sum);
            }
            mine += got.size();
          }
        }));
      }
      long claimStart = System.nanoTime();
      go.countDown();
      int total = 0;
      for (Future<Integer> f : results) {
        total += f.get(2, TimeUnit.MINUTES);
      }
      long claimNanos = System.nanoTime() - claimStart;
      pool.shutdown();

      assertThat(total).isEqualTo(5000);
      assertThat(claims).hasSize(5000);
      assertThat(claims.values()).allMatch(n -> n == 1);
      assertThat(schema.value("SELECT count(*) FROM " + schema.name() + ".jobs WHERE status = 'PROCESSING' AND attempts = 1"))
          .isEqualTo("5000");
      LOG.info("inserted 5000 jobs in 5 batches in {} ms; 16 threads claimed them in {} ms ({} claim calls, {} jobs/s)",
          insertNanos / 1_000_000, claimNanos / 1_000_000, calls.get(), 5000L * 1_000_000_000L / Math.max(1, claimNanos));
    }
  }

  @Test
  void twoStoresCreatingForOneOwnerAtOnceNeverExceedItsQuota() throws Exception {
    MutableClock clock = new MutableClock();
    QuotaPolicy tenPerHour = owner -> new QuotaLimits(10, 100, Duration.ZERO);
    try (PostgresJobStore a = ownPoolStore(clock, 4); PostgresJobStore b = ownPoolStore(clock, 4)) {
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        PostgresJobStore store = t % 2 == 0 ? a : b;
        Callable<Boolean> creates = () -> {
          go.await();
          boolean any = false;
          for (int i = 0; i < 5; i++) {
            try {
              store.insert(new InsertRequest(List.of(new NewJob(JobIds.newId(clock), "racer", "quota_race", "{}", 5, 1, clock.instant(), null, null)), tenPerHour));
              any = true;
            } catch (QuotaExceededException refused) {
              assertThat(refused.limit()).isEqualTo(QuotaExceededException.Limit.PER_HOUR);
            }
          }
          return any;
        };
        results.add(pool.submit(creates));
      }
      go.countDown();
      for (Future<Boolean> f : results) {
        f.get(1, TimeUnit.MINUTES);
      }
      pool.shutdown();

      assertThat(schema.value("SELECT count(*) FROM " + schema.name() + ".jobs WHERE owner_id = 'racer'")).isEqualTo("10");
      assertThat(a.quotaWindow("racer").lastHour()).isEqualTo(10);
      assertThat(a.query(dev.asyncjobs.JobQuery.forOwner("racer").limit(50).build()).items())
          .hasSize(10).allMatch(j -> j.status() == JobStatus.PENDING);
    }
  }
}
