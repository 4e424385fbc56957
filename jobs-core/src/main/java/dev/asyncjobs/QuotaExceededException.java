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

  private final String ownerId;
  private final Limit limit;
  private final long limitValue;
  private final @Nullable Instant retryAt;

  /** {@code limit} with value {@code limitValue} refused a create of {@code ownerId}. */
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

  /** The owner. */
  public String ownerId() {
    return ownerId;
  }

  /** The limit that refused. */
  public Limit limit() {
    return limit;
  }

  /** Its value: a count, or seconds for {@link Limit#MIN_INTERVAL}. */
  public long limitValue() {
    return limitValue;
  }

  /** When the same create may succeed; {@code null} when it never can (batch over the limit). */
  public @Nullable Instant retryAt() {
    return retryAt;
  }

  @Override
  public String code() {
    return "quota_exceeded";
  }
}
