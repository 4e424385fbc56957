package dev.asyncjobs.tck;

import dev.asyncjobs.spi.JobIds;
import dev.asyncjobs.spi.NewJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Builds {@link NewJob} values for store tests, with defaults that every store accepts: owner
 * {@value #DEFAULT_OWNER}, type {@value #DEFAULT_TYPE}, a small JSON payload, priority 5, 3
 * attempts, due now, and a fresh UUID v7 from the clock.
 */
public final class NewJobBuilder {
  /** The owner when none is given. */
  public static final String DEFAULT_OWNER = "owner-a";
  /** The type when none is given. */
  public static final String DEFAULT_TYPE = "tck_image";
  /** The payload when none is given. */
  public static final String DEFAULT_PAYLOAD = "{\"prompt\":\"a lighthouse at dusk\",\"n\":1}";

  private final Clock clock;
  private @Nullable UUID id;
  private String ownerId = DEFAULT_OWNER;
  private String type = DEFAULT_TYPE;
  private String payload = DEFAULT_PAYLOAD;
  private int priority = 5;
  private int maxAttempts = 3;
  private @Nullable Instant runAt;
  private @Nullable Duration estimatedDuration;
  private @Nullable String idempotencyKey;
  private Map<String, String> metadata = Map.of();
  private java.util.Set<String> resources = java.util.Set.of();
  private long estimatedUnits = 1;

  private NewJobBuilder(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A builder whose id and default {@code runAt} come from {@code clock} when {@link #build()} runs.
   *
   * @param clock the clock of the id and the default {@code runAt}
   * @return a new builder
   */
  public static NewJobBuilder newJob(Clock clock) {
    return new NewJobBuilder(clock);
  }

  /**
   * A fixed id instead of a fresh one.
   *
   * @param value the value
   * @return this builder
   */
  public NewJobBuilder id(UUID value) {
    id = value;
    return this;
  }

  /**
   * The owner.
   *
   * @param value the value
   * @return this builder
   */
  public NewJobBuilder owner(String value) {
    ownerId = value;
    return this;
  }

  /**
   * The type.
   *
   * @param value the value
   * @return this builder
   */
  public NewJobBuilder type(String value) {
    type = value;
    return this;
  }

  /**
   * The payload, a JSON object as text.
   *
   * @param value the value
   * @return this builder
   */
  public NewJobBuilder payload(String value) {
    payload = value;
    return this;
  }

  /**
   * The priority, 1–10.
   *
   * @param value the value
   * @return this builder
   */
  public NewJobBuilder priority(int value) {
    priority = value;
    return this;
  }

  /**
   * The attempt limit, at least 1.
   *
   * @param value the value
   * @return this builder
   */
  public NewJobBuilder maxAttempts(int value) {
    maxAttempts = value;
    return this;
  }

  /**
   * Not to be claimed before this instant (default: the clock's now at build time).
   *
   * @param value the value
   * @return this builder
   */
  public NewJobBuilder runAt(Instant value) {
    runAt = value;
    return this;
  }

  /**
   * The estimate stored with the job.
   *
   * @param value the value
   * @return this builder
   */
  public NewJobBuilder estimatedDuration(@Nullable Duration value) {
    estimatedDuration = value;
    return this;
  }

  /**
   * The idempotency key.
   *
   * @param value the value
   * @return this builder
   */
  public NewJobBuilder idempotencyKey(@Nullable String value) {
    idempotencyKey = value;
    return this;
  }

  /**
   * The metadata entries.
   *
   * @param value the entries
   * @return this builder
   */
  public NewJobBuilder metadata(Map<String, String> value) {
    metadata = Map.copyOf(value);
    return this;
  }

  /**
   * The resources the job falls under, besides its type (none when not set).
   *
   * @param value resource keys
   * @return this builder
   */
  public NewJobBuilder resources(String... value) {
    resources = java.util.Set.of(value);
    return this;
  }

  /**
   * The units an attempt reserves under a units limit (1 when not set).
   *
   * @param value at least 0
   * @return this builder
   */
  public NewJobBuilder units(long value) {
    estimatedUnits = value;
    return this;
  }

  /** {@return the job; each call without a fixed id makes a new id} */
  public NewJob build() {
    return new NewJob(
        id != null ? id : JobIds.newId(clock),
        ownerId,
        type,
        payload,
        priority,
        maxAttempts,
        runAt != null ? runAt : clock.instant(),
        estimatedDuration,
        idempotencyKey,
        metadata,
        resources,
        estimatedUnits);
  }
}
