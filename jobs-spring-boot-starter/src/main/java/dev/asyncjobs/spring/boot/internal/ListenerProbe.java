package dev.asyncjobs.spring.boot.internal;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;

/**
 * Whether a store's listening connection is up, for the health indicator, for the stores that
 * have one (PostgreSQL). Touches {@code PostgresJobStore} only when it is on the class path.
 */
public final class ListenerProbe {
  private ListenerProbe() {}

  /**
   * {@return whether the store's listening connection is up, or null for a store without one}
   *
   * @param store the store
   */
  public static @Nullable BooleanSupplier of(JobStore store) {
    if (!ClassUtils.isPresent(InMemoryStoreConfiguration.POSTGRES_STORE, ListenerProbe.class.getClassLoader())) {
      return null;
    }
    return Postgres.of(store);
  }

  /** Loaded only when jobs-store-postgres is on the class path. */
  private static final class Postgres {
    static @Nullable BooleanSupplier of(JobStore store) {
      return store instanceof PostgresJobStore pg ? pg::listenerConnected : null;
    }
  }
}
