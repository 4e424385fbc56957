package dev.asyncjobs;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A provider answered "rate limited, retry after N s" (HTTP 429). Thrown by a generator, it makes
 * every worker on the store stop starting jobs under {@link #resource()} until then (see {@link
 * JobManager#limits()}), and puts the job back to PENDING for that time without spending one of its
 * attempts. The refund is bounded ({@code JobWorker.Builder.maxRateLimitDeferrals}), so that a
 * provider that never stops refusing still ends the job.
 *
 * <p>On a store without {@link dev.asyncjobs.spi.StoreCapability#LIMITS} it is an ordinary
 * retryable failure that waits at least {@link #retryAfter()}.
 */
public class RateLimitedException extends RetryableGenerationException {
  private static final long serialVersionUID = 1L;
  /** The resource that refused, or null for the job's own. */
  private final @Nullable String resource;

  /**
   * @param resource the resource that refused (e.g. {@code openai:gpt-image-1}), or {@code null}
   *     for every resource the job's generator declares (its type when it declares none)
   * @param retryAfter how long the provider asks to wait; at least one millisecond
   * @param message what the provider said
   * @param cause the client's exception, or {@code null}
   */
  public RateLimitedException(
      @Nullable String resource, Duration retryAfter, String message, @Nullable Throwable cause) {
    super(message, checked(retryAfter), cause);
    this.resource = resource == null ? null : JobLimit.checkName(resource);
  }

  /**
   * @param resource the resource that refused, or {@code null} for the job's own resources
   * @param retryAfter how long the provider asks to wait
   */
  public RateLimitedException(@Nullable String resource, Duration retryAfter) {
    this(resource, retryAfter, "rate limited" + (resource == null ? "" : " by " + resource) + ", retry after "
        + retryAfter.toMillis() + " ms", null);
  }

  private static Duration checked(Duration retryAfter) {
    Objects.requireNonNull(retryAfter, "retryAfter");
    return retryAfter.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : retryAfter;
  }

  /** {@return the resource that refused, or {@code null} for every resource of the job} */
  public @Nullable String resource() {
    return resource;
  }

  /** {@return how long the provider asks to wait; never null for this exception} */
  @Override
  public Duration retryAfter() {
    return Objects.requireNonNull(super.retryAfter());
  }

  @Override
  public String code() {
    return "rate_limited";
  }
}
