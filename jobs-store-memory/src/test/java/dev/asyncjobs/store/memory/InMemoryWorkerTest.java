package dev.asyncjobs.store.memory;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.tck.WorkerContract;
import java.time.Clock;

/** The worker contract on the in-memory store. */
class InMemoryWorkerTest extends WorkerContract {
  @Override
  protected JobStore createStore(Clock clock) {
    return new InMemoryJobStore(clock);
  }
}
