package dev.asyncjobs.reliability;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.memory.InMemoryJobStore;

/** The bad-input catalogue on the in-memory store. */
class MemoryBadInputTest extends BadInputCatalogue {
  @Override
  protected JobStore openStore() {
    return new InMemoryJobStore();
  }
}
