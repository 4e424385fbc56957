package dev.asyncjobs.spi;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobStores;
import java.util.Map;

/**
 * Opens a {@link JobStore} from a URL-like string, so that a host picks its backend by
 * configuration. Found with {@link java.util.ServiceLoader}: list the class in {@code
 * META-INF/services/dev.asyncjobs.spi.JobStoreProvider}. See {@link JobStores#open(String, Map)}.
 */
public interface JobStoreProvider {

  /** {@return a short name for messages, e.g} {@code memory} or {@code postgres}. */
  String name();

  /**
   * {@return whether this provider opens {@code url}, e.g. it starts with {@code memory:}}
   *
   * @param url the store URL
   */
  boolean supports(String url);

  /**
   * Opens a store.
   *
   * @param url the store URL
   * @param options provider-specific options (user, password, schema, …)
   * @return the store, open
   * @throws JobConfigurationException on a malformed URL or option
   */
  JobStore open(String url, Map<String, String> options);
}
