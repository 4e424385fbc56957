package dev.asyncjobs.micrometer;

import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.StoreCapability;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A real store seen through a delegating proxy that counts the reads of {@code queueStats()} and
 * can, on a test's say, hold them (a slow store), fail them, fail heartbeats or claims (an outage),
 * or hide the {@code STATISTICS} capability.
 */
final class WatchedStore {
  final AtomicInteger queueStatsReads = new AtomicInteger();
  /** Counted down when a held read has begun. */
  final CountDownLatch holdEntered = new CountDownLatch(1);
  volatile @Nullable CountDownLatch holdQueueStats;
  volatile boolean failQueueStats;
  volatile boolean failHeartbeats;
  volatile boolean failClaims;
  private final boolean withoutStatistics;
  private final JobStore store;

  WatchedStore(JobStore target) {
    this(target, false);
  }

  WatchedStore(JobStore target, boolean withoutStatistics) {
    this.withoutStatistics = withoutStatistics;
    this.store = (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "capabilities" -> {
              if (this.withoutStatistics) {
                @SuppressWarnings("unchecked")
                Set<StoreCapability> all = (Set<StoreCapability>) method.invoke(target, args);
                Set<StoreCapability> fewer = all.isEmpty() ? EnumSet.noneOf(StoreCapability.class) : EnumSet.copyOf(all);
                fewer.remove(StoreCapability.STATISTICS);
                return Set.copyOf(fewer);
              }
            }
            case "queueStats" -> {
              queueStatsReads.incrementAndGet();
              CountDownLatch hold = holdQueueStats;
              if (hold != null) {
                holdEntered.countDown();
                if (!hold.await(60, TimeUnit.SECONDS)) {
                  throw new IllegalStateException("the test never released the held queueStats() read");
                }
              }
              if (failQueueStats) {
                throw new JobStoreException("queue statistics unavailable (simulated outage)", null, null);
              }
            }
            case "heartbeat" -> {
              if (failHeartbeats) {
                throw new JobStoreException("heartbeat refused (simulated outage)", null, null);
              }
            }
            case "claim" -> {
              if (failClaims) {
                throw new JobStoreException("claim refused (simulated outage)", null, null);
              }
            }
            default -> {}
          }
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  JobStore store() {
    return store;
  }
}
