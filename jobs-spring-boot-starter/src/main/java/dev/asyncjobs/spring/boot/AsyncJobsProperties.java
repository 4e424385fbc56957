package dev.asyncjobs.spring.boot;

import dev.asyncjobs.JobConfigurationException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code asyncjobs.*} settings of the starter, bound once at start and immutable. Each value
 * is checked as it is bound: a bad one (a negative duration, a concurrency of 0, an unknown store)
 * fails the application's start with a message that names the property. The defaults are the
 * library's own (no quota, 1 MiB payloads, 4 jobs at once, 30 s leases).
 *
 * @param store Which store to use: auto (PostgreSQL on the application's DataSource when
 *     jobs-store-postgres is on the class path and there is a DataSource, else in memory), postgres
 *     (fail to start without them) or memory
 * @param postgres Settings of the PostgreSQL store
 * @param worker Settings of the worker this application runs
 * @param retention How long finished jobs and events are kept
 * @param quota Per-owner creation limits; none unless set
 * @param prices What providers charge, for usage reports and budgets
 * @param budget Per-owner limits in money and tokens per UTC day and month; none unless set
 * @param limits Limits every worker on the store obeys together, by type or resource name
 *     (asyncjobs.limits[openai:gpt-image-1].max-running=5); defined in the store at start
 * @param metrics The Micrometer metrics, when jobs-micrometer and a MeterRegistry are there
 * @param tracing The OpenTelemetry tracing, when jobs-opentelemetry and an OpenTelemetry bean are
 *     there
 * @param webhooks The signed webhooks of finished jobs, when jobs-webhooks and a WebhookSecrets
 *     bean are there
 * @param maxPayloadBytes The largest payload a create accepts, in UTF-8 bytes (at least 2)
 * @param discoverGenerators Whether the generators of every GeneratorProvider on the class path
 *     (found with ServiceLoader) are registered beside the Generator beans
 * @param generators The settings handed to the discovered generator providers, keys as the
 *     providers name them (for example asyncjobs.generators.openai.apiKey)
 */
@ConfigurationProperties(AsyncJobsProperties.PREFIX)
public record AsyncJobsProperties(
    @DefaultValue("auto") StoreType store,
    @DefaultValue Postgres postgres,
    @DefaultValue Worker worker,
    @DefaultValue Retention retention,
    @DefaultValue Quota quota,
    @DefaultValue Prices prices,
    @DefaultValue Budget budget,
    @DefaultValue Map<String, Limit> limits,
    @DefaultValue Metrics metrics,
    @DefaultValue Tracing tracing,
    @DefaultValue Webhook webhooks,
    @DefaultValue("1048576") int maxPayloadBytes,
    @DefaultValue("true") boolean discoverGenerators,
    @DefaultValue Map<String, String> generators) {

  /** The prefix of every property of the starter. */
  public static final String PREFIX = "asyncjobs";

  /**
   * Checks the values that are not checked by their own records.
   *
   * @param store Which store to use
   * @param postgres Settings of the PostgreSQL store
   * @param worker Settings of the worker
   * @param retention How long finished jobs and events are kept
   * @param quota Per-owner creation limits
   * @param prices What providers charge
   * @param budget Per-owner budget limits
   * @param limits Limits shared by every worker, by name
   * @param metrics The Micrometer metrics
   * @param tracing The OpenTelemetry tracing
   * @param webhooks The signed webhooks of finished jobs
   * @param maxPayloadBytes The largest payload, in UTF-8 bytes
   * @param discoverGenerators Whether generators are discovered with ServiceLoader
   * @param generators The settings of the discovered generator providers
   */
  public AsyncJobsProperties {
    if (maxPayloadBytes < 2) {
      throw new JobConfigurationException(PREFIX + ".max-payload-bytes must be at least 2, was " + maxPayloadBytes);
    }
    generators = Map.copyOf(generators);
    limits = Map.copyOf(new TreeMap<>(limits));
  }

  /** Which store the starter configures. */
  public enum StoreType {
    /** PostgreSQL when jobs-store-postgres is on the class path and a DataSource bean exists, else memory. */
    AUTO,
    /** PostgreSQL on the application's DataSource; the start fails when that cannot be. */
    POSTGRES,
    /** The in-memory store, even when a DataSource exists: jobs live as long as the process. */
    MEMORY
  }

  /**
   * Settings of the PostgreSQL store.
   *
   * @param schema The schema of the tables (a lowercase SQL identifier), created when missing
   * @param tablePrefix A prefix for every table name, so that several stores share a schema
   * @param autoMigrate Whether the shipped migrations are applied at start; when false the start
   *     only checks that the schema is up to date (for Flyway or Liquibase)
   */
  public record Postgres(
      @DefaultValue("public") String schema, @DefaultValue("") String tablePrefix, @DefaultValue("true") boolean autoMigrate) {

    /**
     * Normalises a missing prefix to none.
     *
     * @param schema The schema of the tables
     * @param tablePrefix The prefix of the table names
     * @param autoMigrate Whether migrations are applied at start
     */
    public Postgres {
      tablePrefix = tablePrefix == null ? "" : tablePrefix;
    }
  }

  /**
   * Settings of the worker that runs jobs in this application.
   *
   * @param enabled Whether this application runs a worker; false for web-only nodes that create
   *     and read jobs while other processes run them
   * @param id The id written into leases and thread names; by default host name, process id and
   *     a random suffix
   * @param concurrency The most jobs running at once on this worker (at least 1)
   * @param concurrencyPerType The most jobs of one type running at once, by type
   *     (concurrency-per-type.image_generation=2)
   * @param leaseDuration How long a lease holds without a heartbeat (at least 100 ms)
   * @param heartbeatInterval How often leases are extended; by default a third of the lease
   * @param pollInterval The longest wait between two looks for due jobs when no notification
   *     arrives (at least 10 ms)
   * @param timeout How long one attempt may run before it is interrupted and retried
   * @param timeoutPerType The attempt timeout of one type, by type (timeout-per-type.video_generation=30m)
   * @param shutdownGracePeriod How long running jobs may finish when the application stops, before
   *     they are released to another worker; shorter than
   *     spring.lifecycle.timeout-per-shutdown-phase
   * @param fairBetweenOwners Whether claims take owners in turn within a priority, so that one
   *     owner's backlog does not hold back another owner's jobs
   * @param keepLimitSlots Whether a worker whose last claim came back short sends its next
   *     completions with a claim in one store call, so that the room they make under a binding
   *     limit goes to its own next jobs at once
   */
  public record Worker(
      @DefaultValue("true") boolean enabled,
      @Nullable String id,
      @DefaultValue("4") int concurrency,
      @DefaultValue Map<String, Integer> concurrencyPerType,
      @DefaultValue("30s") Duration leaseDuration,
      @Nullable Duration heartbeatInterval,
      @DefaultValue("1s") Duration pollInterval,
      @DefaultValue("10m") Duration timeout,
      @DefaultValue Map<String, Duration> timeoutPerType,
      @DefaultValue("20s") Duration shutdownGracePeriod,
      @DefaultValue("false") boolean fairBetweenOwners,
      @DefaultValue("false") boolean keepLimitSlots) {

    private static final String WORKER = PREFIX + ".worker.";

    /**
     * Checks every value, naming the property of a bad one.
     *
     * @param enabled Whether this application runs a worker
     * @param id The worker id, or null for a generated one
     * @param concurrency The most jobs at once
     * @param concurrencyPerType The most jobs at once, by type
     * @param leaseDuration The lease duration
     * @param heartbeatInterval The heartbeat interval, or null for a third of the lease
     * @param pollInterval The poll interval
     * @param timeout The attempt timeout
     * @param timeoutPerType The attempt timeout, by type
     * @param shutdownGracePeriod The shutdown grace period
     * @param fairBetweenOwners Whether claims take owners in turn
     * @param keepLimitSlots Whether completions are sent with the next claim
     */
    public Worker {
      if (id != null && id.isBlank()) {
        id = null; // an empty property is "not set", as for Spring's own ids
      }
      atLeastOne(WORKER + "concurrency", concurrency);
      new TreeMap<>(concurrencyPerType).forEach((type, max) -> atLeastOne(WORKER + "concurrency-per-type." + type, max));
      concurrencyPerType = Map.copyOf(concurrencyPerType);
      atLeast(WORKER + "lease-duration", leaseDuration, Duration.ofMillis(100));
      if (heartbeatInterval != null) {
        atLeast(WORKER + "heartbeat-interval", heartbeatInterval, Duration.ofMillis(10));
        if (heartbeatInterval.compareTo(leaseDuration) >= 0) {
          throw new JobConfigurationException(WORKER + "heartbeat-interval must be shorter than " + WORKER
              + "lease-duration (" + leaseDuration + "), was " + heartbeatInterval);
        }
      }
      atLeast(WORKER + "poll-interval", pollInterval, Duration.ofMillis(10));
      atLeast(WORKER + "timeout", timeout, Duration.ofMillis(1));
      new TreeMap<>(timeoutPerType).forEach((type, d) -> atLeast(WORKER + "timeout-per-type." + type, d, Duration.ofMillis(1)));
      timeoutPerType = Map.copyOf(timeoutPerType);
      atLeast(WORKER + "shutdown-grace-period", shutdownGracePeriod, Duration.ZERO);
    }
  }

  /**
   * How long what the store keeps is kept.
   *
   * @param finishedJobs How long a completed, failed or cancelled job is kept before the worker
   *     deletes it; unset keeps finished jobs until the application deletes them
   * @param events How long the event log keeps events, so how long a subscriber may be away and
   *     still resume (at least 1 minute)
   * @param cleanupInterval How often a running worker deletes finished jobs older than
   *     finished-jobs
   */
  public record Retention(
      @Nullable Duration finishedJobs, @DefaultValue("24h") Duration events, @DefaultValue("5m") Duration cleanupInterval) {

    private static final String RETENTION = PREFIX + ".retention.";

    /**
     * Checks every value, naming the property of a bad one.
     *
     * @param finishedJobs How long finished jobs are kept, or null for ever
     * @param events How long events are kept
     * @param cleanupInterval How often finished jobs are deleted
     */
    public Retention {
      if (finishedJobs != null) {
        atLeast(RETENTION + "finished-jobs", finishedJobs, Duration.ZERO);
      }
      atLeast(RETENTION + "events", events, Duration.ofMinutes(1));
      atLeast(RETENTION + "cleanup-interval", cleanupInterval, Duration.ofSeconds(1));
    }
  }

  /**
   * Per-owner creation limits, the same for every owner; off unless one is set (define a {@link
   * dev.asyncjobs.QuotaPolicy} bean for per-owner plans).
   *
   * @param perHour Creates one owner may make in any hour
   * @param perDay Creates one owner may make in any 24 hours
   * @param minInterval The least time between two creates of one owner
   */
  public record Quota(@Nullable Integer perHour, @Nullable Integer perDay, @Nullable Duration minInterval) {

    private static final String QUOTA = PREFIX + ".quota.";

    /**
     * Checks every value, naming the property of a bad one.
     *
     * @param perHour Creates per owner per hour, or null for no limit
     * @param perDay Creates per owner per day, or null for no limit
     * @param minInterval Least time between two creates, or null for none
     */
    public Quota {
      if (perHour != null && perHour < 0) {
        throw new JobConfigurationException(QUOTA + "per-hour must not be negative, was " + perHour);
      }
      if (perDay != null && perDay < 0) {
        throw new JobConfigurationException(QUOTA + "per-day must not be negative, was " + perDay);
      }
      if (minInterval != null) {
        atLeast(QUOTA + "min-interval", minInterval, Duration.ZERO);
      }
    }

    /** {@return whether any limit is set} */
    public boolean isSet() {
      return perHour != null || perDay != null || minInterval != null;
    }
  }

  /**
   * What providers charge, in one currency: turns usage into cost for {@code JobManager.usage} and
   * budgets (define a {@link dev.asyncjobs.PriceTable} bean instead for prices from elsewhere).
   *
   * @param currency The currency of every price and budget, an ISO 4217 code
   * @param models Prices by model, as generators report it (write names with dots in brackets:
   *     asyncjobs.prices.models[gpt-4.1].input-tokens-per-million=2.00)
   */
  public record Prices(@DefaultValue("USD") String currency, @DefaultValue Map<String, ModelPrice> models) {
    /**
     * Copies the models.
     *
     * @param currency The currency code
     * @param models Prices by model
     */
    public Prices {
      models = Map.copyOf(new TreeMap<>(models));
    }
  }

  /**
   * The prices of one model; a unit without a price costs nothing and is reported as unpriced.
   *
   * @param inputTokensPerMillion What a million input tokens cost
   * @param outputTokensPerMillion What a million output tokens cost
   * @param images What one image costs
   * @param seconds What one second of audio or video costs
   */
  public record ModelPrice(
      @Nullable String inputTokensPerMillion, @Nullable String outputTokensPerMillion, @Nullable String images,
      @Nullable String seconds) {}

  /**
   * Every owner's budget (define a {@link dev.asyncjobs.BudgetPolicy} bean for per-owner plans); off
   * unless one limit is set. Money is in asyncjobs.prices.currency.
   *
   * @param costPerDay The most money one owner's jobs may count per UTC day
   * @param costPerMonth The most money one owner's jobs may count per UTC calendar month
   * @param tokensPerDay The most input and output tokens per UTC day
   * @param tokensPerMonth The most input and output tokens per UTC calendar month
   */
  public record Budget(
      @Nullable String costPerDay, @Nullable String costPerMonth, @Nullable Long tokensPerDay, @Nullable Long tokensPerMonth) {
    /** {@return whether any limit is set} */
    public boolean isSet() {
      return costPerDay != null || costPerMonth != null || tokensPerDay != null || tokensPerMonth != null;
    }
  }

  /**
   * One limit that every worker on the store obeys together (a {@link dev.asyncjobs.JobLimit}),
   * named by its key: a job type or a resource such as {@code openai:gpt-image-1} (write names with
   * a colon in brackets: {@code asyncjobs.limits[openai:gpt-image-1].max-running=5}). At least one
   * bound must be set; the start fails naming the property otherwise.
   *
   * @param maxRunning The most jobs under the name running at once, across every worker
   * @param maxStarts The most attempts under the name that start per starts-per
   * @param startsPer The window of max-starts (10 ms to 1 day)
   * @param maxUnits The most units (tokens, images, seconds) reserved under the name per units-per
   * @param unitsPer The window of max-units (10 ms to 1 day)
   */
  public record Limit(
      @Nullable Integer maxRunning,
      @Nullable Integer maxStarts,
      @DefaultValue("1m") Duration startsPer,
      @Nullable Long maxUnits,
      @DefaultValue("1m") Duration unitsPer) {}

  /**
   * The Micrometer metrics ({@code dev.asyncjobs.micrometer.JobMetrics}), configured when
   * jobs-micrometer is on the class path and there is a MeterRegistry (Actuator's).
   *
   * @param enabled Whether to register the asyncjobs meters
   * @param refreshInterval The least time between two reads of the queue and of the limits for the gauges (at least
   *     100 ms)
   */
  public record Metrics(@DefaultValue("true") boolean enabled, @DefaultValue("10s") Duration refreshInterval) {

    /**
     * Checks the interval, naming the property of a bad one.
     *
     * @param enabled Whether to register the meters
     * @param refreshInterval The least time between two reads of the queue and of the limits
     */
    public Metrics {
      atLeast(PREFIX + ".metrics.refresh-interval", refreshInterval, Duration.ofMillis(100));
    }
  }

  /**
   * The OpenTelemetry tracing ({@code dev.asyncjobs.opentelemetry.JobTracing}), configured when
   * jobs-opentelemetry is on the class path and there is an OpenTelemetry bean.
   *
   * @param enabled Whether to trace creates and attempts
   * @param createSpans Whether each create gets a span of its own, whose context the job keeps;
   *     false keeps the caller's context
   * @param recordOwner Whether spans carry the owner id (which may be personal data)
   */
  public record Tracing(
      @DefaultValue("true") boolean enabled, @DefaultValue("true") boolean createSpans, @DefaultValue("false") boolean recordOwner) {}

  /**
   * The signed webhooks of finished jobs ({@code dev.asyncjobs.webhooks.Webhooks}), configured when
   * jobs-webhooks is on the class path and there is a {@code WebhookSecrets} bean; each value is
   * checked by the Webhooks builder, whose message is given with the property's name.
   *
   * @param enabled Whether to send webhooks
   * @param allowHttp Whether plain http callback URLs are called (a local receiver); otherwise https only
   * @param allowPrivateAddresses Whether callback hosts may be or resolve to loopback, private and
   *     other non-public addresses (tests)
   * @param trustedHosts Hosts that may resolve to non-public addresses (an internal receiver)
   * @param timeout The longest one delivery attempt takes, connecting included (100 ms to 5 min)
   * @param retryDelays The wait after each failed attempt; a delivery has one attempt more and is
   *     then given up
   * @param dispatchInterval How often the event log is read for finished jobs (10 ms to 1 min)
   * @param maxBodyBytes The largest body that carries the job's result (1 KiB to 512 KiB)
   * @param deliveryOwner The owner of the delivery jobs
   * @param typeEndpoints The callback URL of each type's jobs that name none and whose owner has
   *     none (type-endpoints.image_generation=https://ops.example.com/hooks)
   */
  public record Webhook(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("false") boolean allowHttp,
      @DefaultValue("false") boolean allowPrivateAddresses,
      @DefaultValue java.util.Set<String> trustedHosts,
      @DefaultValue("10s") Duration timeout,
      @DefaultValue("5s,5m,30m,2h,5h,10h,10h") java.util.List<Duration> retryDelays,
      @DefaultValue("1s") Duration dispatchInterval,
      @DefaultValue("262144") int maxBodyBytes,
      @DefaultValue("asyncjobs.webhooks") String deliveryOwner,
      @DefaultValue Map<String, String> typeEndpoints) {

    /**
     * Copies the collections.
     *
     * @param enabled Whether to send webhooks
     * @param allowHttp Whether http URLs are called
     * @param allowPrivateAddresses Whether non-public addresses are allowed
     * @param trustedHosts Hosts that may resolve to non-public addresses
     * @param timeout The longest one attempt takes
     * @param retryDelays The wait after each failed attempt
     * @param dispatchInterval How often the event log is read
     * @param maxBodyBytes The largest body with the result
     * @param deliveryOwner The owner of delivery jobs
     * @param typeEndpoints The callback URL of each type
     */
    public Webhook {
      trustedHosts = java.util.Set.copyOf(trustedHosts);
      retryDelays = java.util.List.copyOf(retryDelays);
      typeEndpoints = Map.copyOf(new TreeMap<>(typeEndpoints));
    }
  }

  private static void atLeastOne(String property, @Nullable Integer value) {
    if (value == null) {
      throw new JobConfigurationException(property + " must be set");
    }
    if (value < 1) {
      throw new JobConfigurationException(property + " must be at least 1, was " + value);
    }
  }

  private static void atLeast(String property, @Nullable Duration value, Duration min) {
    if (value == null) {
      throw new JobConfigurationException(property + " must be set");
    }
    if (value.compareTo(min) < 0) {
      throw new JobConfigurationException(property + " must be at least " + min + ", was " + value);
    }
  }
}
