package dev.asyncjobs.webhooks;

import dev.asyncjobs.ClusterTask;
import dev.asyncjobs.CreateInterceptor;
import dev.asyncjobs.Generator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobSchedules;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.webhooks.internal.CreateGuard;
import dev.asyncjobs.webhooks.internal.Delivery;
import dev.asyncjobs.webhooks.internal.DeliveryGenerator;
import dev.asyncjobs.webhooks.internal.Dispatcher;
import dev.asyncjobs.webhooks.internal.UrlRules;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import okhttp3.Dns;
import org.jspecify.annotations.Nullable;

/**
 * Webhooks for finished jobs: when a job that names a callback URL (its own, its owner's or its
 * type's) reaches a final status, a POST of its public view is delivered to that URL as a durable
 * job of its own, signed in the Standard Webhooks convention and retried with backoff. Set up once
 * per application:
 *
 * <pre>{@code
 * Webhooks webhooks = Webhooks.builder().secrets(owner -> vault.webhookSecretsOf(owner)).build();
 * JobManager jobs = webhooks.register(JobManager.builder().store(store)).generator(...).build();
 * JobWorker worker = JobWorker.builder(jobs).task(webhooks.dispatcher(jobs)).build().start();
 * jobs.create(JobRequest.builder("alice", "image_generation").payload(json)
 *     .metadata(Webhooks.CALLBACK_URL, "https://alice.example.com/hooks/jobs").build());
 * }</pre>
 *
 * <p>{@link #register} adds the delivery generator (type {@value #DELIVERY_TYPE}) and a create
 * interceptor that checks callback URLs and refuses delivery jobs made by anyone but the
 * dispatcher. {@link #dispatcher} is the {@link ClusterTask} that reads the event log and creates
 * one delivery job per final event, once across all workers. Thread-safe; {@link #close()} releases
 * the HTTP client. See docs/webhooks.md.
 */
public final class Webhooks implements AutoCloseable {
  /** The metadata key of a job's own callback URL. */
  public static final String CALLBACK_URL = "asyncjobs.webhook.url";
  /** The job type of deliveries. */
  public static final String DELIVERY_TYPE = Delivery.TYPE_NAME;
  /** The default owner of delivery jobs (exempt it from quotas and budgets that apply to every owner). */
  public static final String DEFAULT_DELIVERY_OWNER = "asyncjobs.webhooks";
  /**
   * The default waits after each failed attempt: those of the Standard Webhooks reference service
   * (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), so a delivery is given up after 8 attempts over
   * about 27 h 35 min.
   */
  public static final List<Duration> DEFAULT_RETRY_DELAYS = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5),
      Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));
  /** The largest body that carries the job's result by default; beyond it the result is left out. */
  public static final int DEFAULT_MAX_BODY_BYTES = 256 * 1024;

  private final WebhookEndpoints ownerEndpoints;
  private final Map<String, String> typeEndpoints;
  private final List<Duration> retryDelays;
  private final Duration dispatchInterval;
  private final int maxBodyBytes;
  private final String deliveryOwner;
  private final DeliveryGenerator generator;
  private final CreateGuard guard;

  private Webhooks(Builder b, UrlRules rules) {
    this.ownerEndpoints = b.ownerEndpoints;
    this.typeEndpoints = Map.copyOf(b.typeEndpoints);
    this.retryDelays = b.retryDelays;
    this.dispatchInterval = b.dispatchInterval;
    this.maxBodyBytes = b.maxBodyBytes;
    this.deliveryOwner = b.deliveryOwner;
    this.generator = new DeliveryGenerator(rules, Objects.requireNonNull(b.secrets), b.timeout, retryDelays, b.clock, b.resolver,
        deliveryOwner);
    this.guard = new CreateGuard(rules, CALLBACK_URL);
  }

  /** {@return a builder; {@link Builder#secrets} is required} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds {@link #generator()} and {@link #interceptor()} to a manager being built.
   *
   * @param manager the manager's builder
   * @return the same builder
   */
  public JobManager.Builder register(JobManager.Builder manager) {
    return manager.generator(generator).interceptor(guard);
  }

  /** {@return the generator that sends deliveries, of type {@value #DELIVERY_TYPE}} */
  public Generator<?> generator() {
    return generator;
  }

  /**
   * {@return the create interceptor: it refuses a job whose {@link #CALLBACK_URL} breaks the URL
   * rules (an {@link dev.asyncjobs.InvalidRequestException} on field {@code
   * metadata.asyncjobs.webhook.url}), and a delivery job not made by the dispatcher}
   */
  public CreateInterceptor interceptor() {
    return guard;
  }

  /**
   * The task that turns finished jobs into deliveries, for {@link JobWorker.Builder#task}: give it
   * to every worker (one of them runs each tick) or to some; at least one must run it.
   *
   * @param jobs the manager built with {@link #register}
   * @return the task
   * @throws JobConfigurationException the manager lacks the delivery generator
   * @throws dev.asyncjobs.UnsupportedCapabilityException the store does not keep schedules, where
   *     the dispatcher keeps its cursor
   */
  public ClusterTask dispatcher(JobManager jobs) {
    JobSchedules.of(jobs); // refuses a store without SCHEDULES: no cursor could be kept between runs
    if (!jobs.types().contains(DELIVERY_TYPE)) {
      throw new JobConfigurationException("the JobManager has no " + DELIVERY_TYPE + " generator: build it with webhooks.register(...)");
    }
    return new Dispatcher(jobs, this::endpointOf, deliveryOwner, retryDelays.size() + 1, maxBodyBytes, dispatchInterval);
  }

  /** The job's own URL, else its owner's, else its type's. */
  private Optional<String> endpointOf(Job job) {
    String own = job.metadata().get(CALLBACK_URL);
    if (own != null) {
      return Optional.of(own);
    }
    Optional<String> owner = ownerEndpoints.endpointOf(job.ownerId());
    return owner.isPresent() ? owner : Optional.ofNullable(typeEndpoints.get(job.type()));
  }

  /**
   * {@return how long a delivery keeps being retried: the sum of the retry delays (each attempt's
   * own duration, at most the timeout, comes on top)}
   */
  public Duration giveUpAfter() {
    return retryDelays.stream().reduce(Duration.ZERO, Duration::plus);
  }

  /** Releases the delivery client's connections and threads. */
  @Override
  public void close() {
    generator.close();
  }

  /** Builds {@link Webhooks}; every setting is checked when it is set or at {@link #build()}. */
  public static final class Builder {
    private @Nullable WebhookSecrets secrets;
    private WebhookEndpoints ownerEndpoints = owner -> Optional.empty();
    private final Map<String, String> typeEndpoints = new LinkedHashMap<>();
    private boolean allowHttp;
    private boolean allowPrivateAddresses;
    private Set<String> trustedHosts = Set.of();
    private Duration timeout = Duration.ofSeconds(10);
    private List<Duration> retryDelays = DEFAULT_RETRY_DELAYS;
    private Duration dispatchInterval = Duration.ofSeconds(1);
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private String deliveryOwner = DEFAULT_DELIVERY_OWNER;
    private Clock clock = Clock.systemUTC();
    private Dns resolver = Dns.SYSTEM;

    private Builder() {}

    /**
     * The owners' signing secrets (required).
     *
     * @param secrets asked at every attempt
     * @return this builder
     */
    public Builder secrets(WebhookSecrets secrets) {
      this.secrets = Objects.requireNonNull(secrets, "secrets");
      return this;
    }

    /**
     * Each owner's callback URL, for jobs that name none themselves; asked when a job finishes.
     * A URL that breaks the rules fails its delivery job with a {@link WebhookRefusedException}.
     *
     * @param endpoints each owner's URL, or empty for none
     * @return this builder
     */
    public Builder ownerEndpoints(WebhookEndpoints endpoints) {
      this.ownerEndpoints = Objects.requireNonNull(endpoints, "endpoints");
      return this;
    }

    /**
     * The callback URL of every job of {@code type} that names none and whose owner has none (an
     * operator's endpoint, say); checked at {@link #build()}.
     *
     * @param type the job type
     * @param url the URL
     * @return this builder
     */
    public Builder typeEndpoint(String type, String url) {
      typeEndpoints.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(url, "url"));
      return this;
    }

    /**
     * Whether plain {@code http} URLs are called; default false. For a local receiver in
     * development: webhooks carry job results, and the signature does not hide them.
     *
     * @param allow true to allow http
     * @return this builder
     */
    public Builder allowHttp(boolean allow) {
      this.allowHttp = allow;
      return this;
    }

    /**
     * Whether hosts may be or resolve to loopback, private, link-local or other non-public
     * addresses; default false. For tests: it lets any owner's URL reach the internal network.
     *
     * @param allow true to allow every address
     * @return this builder
     */
    public Builder allowPrivateAddresses(boolean allow) {
      this.allowPrivateAddresses = allow;
      return this;
    }

    /**
     * Hosts, by name, that may resolve to non-public addresses (an internal receiver the operator
     * runs); default none.
     *
     * @param hosts the host names
     * @return this builder
     */
    public Builder trustedHosts(Set<String> hosts) {
      this.trustedHosts = Set.copyOf(hosts);
      return this;
    }

    /**
     * The longest one delivery attempt takes, connecting included; default 10 s.
     *
     * @param timeout 100 ms to 5 minutes
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofMillis(100)) < 0 || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new JobConfigurationException("webhook timeout must be 100 ms to 5 minutes, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * The wait after each failed attempt, in order; a delivery has one attempt more than there
     * are delays and is then given up (FAILED, its last error kept). Default {@link
     * #DEFAULT_RETRY_DELAYS}. The worker's {@link dev.asyncjobs.RetryPolicy} for {@value
     * #DELIVERY_TYPE} is the floor of each wait.
     *
     * @param delays 1 to 20 waits, each 1 ms to 1 day
     * @return this builder
     */
    public Builder retryDelays(List<Duration> delays) {
      List<Duration> copy = List.copyOf(delays);
      if (copy.isEmpty() || copy.size() > 20) {
        throw new JobConfigurationException("webhook retryDelays must have 1 to 20 waits, had " + copy.size());
      }
      for (Duration d : copy) {
        if (d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(Duration.ofDays(1)) > 0) {
          throw new JobConfigurationException("each webhook retry delay must be 1 ms to 1 day, was " + d);
        }
      }
      this.retryDelays = copy;
      return this;
    }

    /**
     * How often the dispatcher reads the event log: the most a webhook waits after its job
     * finished, plus the workers' schedule poll. Each run reads until it has caught up, for at
     * most half of it. Default 1 s.
     *
     * @param interval 10 ms to 1 minute
     * @return this builder
     */
    public Builder dispatchInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(10)) < 0 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new JobConfigurationException("webhook dispatchInterval must be 10 ms to 1 minute, was " + interval);
      }
      this.dispatchInterval = interval;
      return this;
    }

    /**
     * The largest body that carries the job's result; a larger one leaves the result out and
     * sets {@code resultOmitted}. Default {@link #DEFAULT_MAX_BODY_BYTES}.
     *
     * @param bytes 1 KiB to 512 KiB
     * @return this builder
     */
    public Builder maxBodyBytes(int bytes) {
      if (bytes < 1024 || bytes > 512 * 1024) {
        throw new JobConfigurationException("webhook maxBodyBytes must be 1024 to 524288, was " + bytes);
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * The owner of delivery jobs; default {@value #DEFAULT_DELIVERY_OWNER}. Deliveries are not
     * their jobs' owners' own, so they neither show in the owners' lists nor count in their
     * quotas.
     *
     * @param owner 1 to 200 printable characters
     * @return this builder
     */
    public Builder deliveryOwner(String owner) {
      Objects.requireNonNull(owner, "owner");
      if (owner.isBlank() || owner.length() > 200 || !owner.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
        throw new JobConfigurationException("webhook deliveryOwner must be 1-200 printable characters, was '" + owner + "'");
      }
      this.deliveryOwner = owner;
      return this;
    }

    /**
     * The clock of {@code webhook-timestamp}; default the system's.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The name lookup under the guard; tests pin names to addresses with it. */
    Builder resolver(Dns resolver) {
      this.resolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /**
     * {@return the webhooks}
     *
     * @throws JobConfigurationException no secrets were given, or a type's URL breaks the rules
     */
    public Webhooks build() {
      if (secrets == null) {
        throw new JobConfigurationException("webhooks need the owners' signing secrets: Webhooks.builder().secrets(...)");
      }
      UrlRules rules = new UrlRules(allowHttp, allowPrivateAddresses, trustedHosts);
      typeEndpoints.forEach((type, url) -> {
        try {
          rules.check(url);
        } catch (UrlRules.RefusedUrl e) {
          throw new JobConfigurationException("typeEndpoint of " + type + ": " + e.getMessage());
        }
      });
      return new Webhooks(this, rules);
    }
  }
}
