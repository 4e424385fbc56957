package dev.asyncjobs;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** An owner's quota does not allow the create (HTTP 429). Nothing was stored. */
public class QuotaExceededException extends JobException {
  private static final long serialVersionUID = 1L;

  /** Which limit refused. */
  public enum Limit {
    /** Too soon after the previous create; the value is in seconds. */
    MIN_INTERVAL,
    /** Too many creates in the last hour. */
    PER_HOUR,
    /** Too many creates in the last 24 hours. */
    PER_DAY
  }

  /** The owner. */
  private final String ownerId;
  /** The limit that refused. */
  private final Limit limit;
  /** Its value: a count, or seconds. */
  private final long limitValue;
  /** When the same create may succeed, or {@code null}. */
  private final @Nullable Instant retryAt;

  /**
   * {@code limit} with value {@code limitValue} refused a create of {@code ownerId}.
   *
   * @param ownerId the owner
   * @param limit the limit that refused
   * @param limitValue its value: a count, or seconds for {@link Limit#MIN_INTERVAL}
   * @param retryAt when the same create may succeed, or {@code null} when it never can
   */
  public QuotaExceededException(String ownerId, Limit limit, long limitValue, @Nullable Instant retryAt) {
    super(message(limit, limitValue, retryAt));
    this.ownerId = ownerId;
    this.limit = limit;
    this.limitValue = limitValue;
    this.retryAt = retryAt;
  }

  private static String message(Limit limit, long value, @Nullable Instant retryAt) {
    String what =
        switch (limit) {
          case MIN_INTERVAL -> "at most one create every " + value + " s";
          case PER_HOUR -> "at most " + value + " jobs per hour";
          case PER_DAY -> "at most " + value + " jobs per day";
        };
    return "quota exceeded: " + what
        + (retryAt == null ? "; this batch is larger than the limit" : "; try again at " + retryAt);
  }

  /** {@return the owner} */
  public String ownerId() {
    return ownerId;
  }

  /** {@return the limit that refused} */
  public Limit limit() {
    return limit;
  }

  /** {@return its value: a count, or seconds for {@link Limit#MIN_INTERVAL}} */
  public long limitValue() {
    return limitValue;
  }

  /**
   * When the same create may succeed; {@code null} when it never can (batch over the limit).
   *
   * @return when the same create may succeed, or {@code null}
   */
  public @Nullable Instant retryAt() {
    return retryAt;
  }

  @Override
  public String code() {
    return "quota_exceeded";
  }
}
