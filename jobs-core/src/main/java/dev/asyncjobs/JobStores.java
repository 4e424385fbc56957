package dev.asyncjobs;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.JobStoreProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Opens stores by URL through the {@link JobStoreProvider}s on the class path. */
public final class JobStores {
  private JobStores() {}

  /**
   * Opens {@code url} with no options.
   *
   * @param url the store URL, e.g. {@code memory:} or {@code jdbc:postgresql://…}
   * @return the store, open
   */
  public static JobStore open(String url) {
    return open(url, Map.of());
  }

  /**
   * Opens {@code url} with the one provider that supports it.
   *
   * @param url the store URL
   * @param options provider-specific options (user, password, schema, …)
   * @return the store, open
   * @throws JobConfigurationException when no provider or more than one supports the URL; the
   *     message lists the providers found
   */
  public static JobStore open(String url, Map<String, String> options) {
    List<JobStoreProvider> all = new ArrayList<>();
    ServiceLoader.load(JobStoreProvider.class, Thread.currentThread().getContextClassLoader()).forEach(all::add);
    List<JobStoreProvider> matching = all.stream().filter(p -> p.supports(url)).collect(Collectors.toList());
    String names = all.stream().map(JobStoreProvider::name).sorted().collect(Collectors.joining(", ", "[", "]"));
    if (matching.isEmpty()) {
      throw new JobConfigurationException(
          "no job store provider supports '" + redact(url) + "'; providers on the class path: " + names);
    }
    if (matching.size() > 1) {
      throw new JobConfigurationException(
          "more than one job store provider supports '" + redact(url) + "': "
              + matching.stream().map(JobStoreProvider::name).sorted().collect(Collectors.joining(", ")));
    }
    return matching.get(0).open(url, options);
  }

  /** Hides a password given inline in the URL, so that it never reaches a log or message. */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//([^:/@]+):[^@/]*@", "//$1:***@");
  }
}
