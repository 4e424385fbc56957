package dev.asyncjobs.store.postgres;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.JobStoreProvider;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens a {@link PostgresJobStore} for {@code jdbc:postgresql:} URLs, found by {@link
 * java.util.ServiceLoader} (see {@link dev.asyncjobs.JobStores#open(String, Map)}). Options:
 * {@code user}, {@code password}, {@code schema}, {@code tablePrefix}, {@code autoMigrate}
 * ({@code true}/{@code false}), {@code maxPoolSize}.
 */
public final class PostgresJobStoreProvider implements JobStoreProvider {
  /** The options this provider understands. */
  public static final Set<String> OPTIONS = Set.of("user", "password", "schema", "tablePrefix", "autoMigrate", "fairClaimIndex", "maxPoolSize");

  /** For {@link java.util.ServiceLoader}. */
  public PostgresJobStoreProvider() {}

  @Override
  public String name() {
    return "postgres";
  }

  @Override
  public boolean supports(String url) {
    return url.startsWith("jdbc:postgresql:");
  }

  /**
   * Opens a store with its own pool.
   *
   * @throws JobConfigurationException an unknown option or a bad value, named in the message
   */
  @Override
  public JobStore open(String url, Map<String, String> options) {
    for (String key : options.keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new JobConfigurationException(
            "unknown option '" + key + "' for the postgres job store; known options: " + new TreeSet<>(OPTIONS));
      }
    }
    PostgresJobStore.Builder b = PostgresJobStore.builder().jdbcUrl(url);
    b.user(options.get("user")).password(options.get("password"));
    if (options.containsKey("schema")) {
      b.schema(options.get("schema"));
    }
    if (options.containsKey("tablePrefix")) {
      b.tablePrefix(options.get("tablePrefix"));
    }
    if (options.containsKey("autoMigrate")) {
      b.autoMigrate(bool("autoMigrate", options.get("autoMigrate")));
    }
    if (options.containsKey("fairClaimIndex")) {
      b.fairClaimIndex(bool("fairClaimIndex", options.get("fairClaimIndex")));
    }
    if (options.containsKey("maxPoolSize")) {
      b.maxPoolSize(integer("maxPoolSize", options.get("maxPoolSize")));
    }
    return b.build();
  }

  private static boolean bool(String option, String value) {
    if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)) {
      return Boolean.parseBoolean(value);
    }
    throw new JobConfigurationException(option + " must be true or false, was '" + value + "'");
  }

  private static int integer(String option, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new JobConfigurationException(option + " must be a whole number, was '" + value + "'", e);
    }
  }
}
