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
 * {@code limits()} and can, on a test's say, hold the former (a slow store), fail either, fail
 * heartbeats or claims (an outage), or hide capabilities ({@code STATISTICS}, {@code LIMITS}).
 */
final class WatchedStore {
  final AtomicInteger queueStatsReads = new AtomicInteger();
  final AtomicInteger limitsReads = new AtomicInteger();
  /** Counted down when a held read has begun. */
  final CountDownLatch holdEntered = new CountDownLatch(1);
  volatile @Nullable CountDownLatch holdQueueStats;
  volatile boolean failQueueStats;
  volatile boolean failLimits;
  volatile boolean failHeartbeats;
  volatile boolean failClaims;
  private final Set<StoreCapability> hidden;
  private final JobStore store;

  WatchedStore(JobStore target, StoreCapability... hidden) {
    this.hidden = Set.of(hidden);
    this.store = (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "capabilities" -> {
              if (!this.hidden.isEmpty()) {
                @SuppressWarnings("unchecked")
                Set<StoreCapability> all = (Set<StoreCapability>) method.invoke(target, args);
                Set<StoreCapability> fewer = all.isEmpty() ? EnumSet.noneOf(StoreCapability.class) : EnumSet.copyOf(all);
                fewer.removeAll(this.hidden);
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
            case "limits" -> {
              limitsReads.incrementAndGet();
              if (failLimits) {
                throw new JobStoreException("limits unavailable (simulated outage)", null, null);
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
