package dev.asyncjobs.store.memory;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.tck.JobStoreTck;
import java.time.Clock;

/** The in-memory store runs the whole contract suite: store, manager and worker (quoted in docs/writing-a-store.md). */
// EXAMPLE-BEGIN tck
class InMemoryJobStoreTest extends JobStoreTck {
  @Override
  protected JobStore createStore(Clock clock) {
    return new InMemoryJobStore(clock); // empty: no jobs, no quota records, no events
  }
}
// EXAMPLE-END tck
