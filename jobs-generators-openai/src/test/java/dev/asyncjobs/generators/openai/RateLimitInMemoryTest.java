package dev.asyncjobs.generators.openai;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import org.junit.jupiter.api.AfterEach;

/** {@link RateLimitScenario} with both nodes on one in-memory store. */
class RateLimitInMemoryTest extends RateLimitScenario {
  private final InMemoryJobStore store = new InMemoryJobStore();

  @Override
  JobStore store(int node) {
    return store;
  }

  @AfterEach
  void closeStore() {
    store.close();
  }
}
