package dev.asyncjobs.store.memory;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.tck.JobManagerContract;
import dev.asyncjobs.tck.MutableClock;

/** The manager contract over the in-memory store. */
class InMemoryJobManagerTest extends JobManagerContract {
  @Override
  protected JobStore createStore(MutableClock clock) {
    return new InMemoryJobStore(clock);
  }
}
