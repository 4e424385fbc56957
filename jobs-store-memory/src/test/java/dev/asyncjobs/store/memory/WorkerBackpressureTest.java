package dev.asyncjobs.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Generator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.WorkerListener;
import dev.asyncjobs.spi.CompletedAndClaimed;
import dev.asyncjobs.spi.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Completions are written behind the job threads' backs, in batches. When the store writes them
 * more slowly than it hands out claims, the worker must stop claiming rather than pile up leases
 * (each of which every heartbeat would then carry).
 */
class WorkerBackpressureTest {

  /** A no-op job type. */
  private static final class Noop implements Generator<Map<String, Object>> {
    @Override
    public String type() {
      return "noop";
    }

    @SuppressWarnings("unchecked")
    @Override
    public Class<Map<String, Object>> payloadType() {
      return (Class<Map<String, Object>>) (Class<?>) Map.class;
    }

    @Override
    public Object generate(Map<String, Object> payload, JobContext context) {
      return Map.of();
    }
  }

  @Test
  void aSlowCompletionWriterHoldsBackClaimsSoLeasesStayBounded() throws Exception {
    int total = 1500;
    AtomicInteger held = new AtomicInteger();
    AtomicInteger maxHeld = new AtomicInteger();
    try (InMemoryJobStore real = new InMemoryJobStore()) {
      // The real store, with completeAll made slow (as a remote database's commit is) and the
      // leases this worker holds counted: + each claimed job, - each completed one.
      JobStore slow = (JobStore) Proxy.newProxyInstance(
          JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class}, (proxy, method, args) -> {
            if (method.getName().startsWith("completeAll")) {
              TimeUnit.MILLISECONDS.sleep(15);
            }
            Object result;
            try {
              result = method.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
            if (method.getName().equals("claim")) {
              maxHeld.accumulateAndGet(held.addAndGet(((List<?>) result).size()), Math::max);
            } else if (method.getName().equals("completeAll")) {
              held.addAndGet(-((List<?>) result).size());
            } else if (result instanceof CompletedAndClaimed both) { // completeAllThenClaim
              maxHeld.accumulateAndGet(held.addAndGet(both.claimed().size() - both.completed().size()), Math::max);
            }
            return result;
          });
      CountDownLatch done = new CountDownLatch(total);
      try (JobManager jobs = JobManager.builder().store(slow).generator(new Noop()).quotaPolicy(QuotaPolicy.unlimited()).build()) {
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; i < total; i++) {
          requests.add(JobRequest.builder("owner", "noop").payload("{\"n\":" + i + "}").build());
        }
        jobs.createAll(requests);
        JobWorker worker = JobWorker.builder(jobs).concurrency(4).claimBatchSize(4)
            .listener(new WorkerListener() {
              @Override
              public void onCompleted(Job job, Duration duration) {
                done.countDown();
              }
            }).build().start();
        try {
          assertThat(done.await(60, TimeUnit.SECONDS)).as("all jobs completed").isTrue();
        } finally {
          worker.close();
        }
      }
      // Without the hold-back the claims (instant) outrun the writes (15 ms each) and nearly all
      // 1,500 leases are held at once. With it they stay within the worker's bound (its
      // concurrency, a batch claimed ahead and the allowance of finished attempts waiting for their
      // write), which jobs-core's own WorkerBackpressureTest checks exactly, reading it from
      // WorkerRuntime.maxLeasesHeld; here, with the real store, they stay a small part of the jobs.
      assertThat(maxHeld.get()).isLessThan(total / 4);
      assertThat(real.stats(null, null)).singleElement().satisfies(s -> assertThat(s.completed()).isEqualTo(total));
    }
  }
}
