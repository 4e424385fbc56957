package dev.asyncjobs.store.memory;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.tck.JobStoreContract;
import dev.asyncjobs.tck.MutableClock;

/** The in-memory store runs the whole store contract. */
class InMemoryJobStoreTest extends JobStoreContract {
  @Override
  protected JobStore createStore(MutableClock clock) {
    return new InMemoryJobStore(clock);
  }
}
