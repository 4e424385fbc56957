package dev.asyncjobs.store.memory;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.JobStoreProvider;
import java.util.Map;

/** Opens an {@link InMemoryJobStore} for the URL {@code memory:} (anything after the colon is ignored). */
public final class InMemoryJobStoreProvider implements JobStoreProvider {

  /** For {@link java.util.ServiceLoader}. */
  public InMemoryJobStoreProvider() {}

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public boolean supports(String url) {
    return url.startsWith("memory:");
  }

  @Override
  public JobStore open(String url, Map<String, String> options) {
    return new InMemoryJobStore();
  }
}
