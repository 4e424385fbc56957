package dev.asyncjobs.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A new job's answer from the result cache ({@link NewJob#cached()}): a job of the same request
 * that completed, whose result the store copies into the new job (inserted COMPLETED at once), or
 * one that has not finished yet, which the new job joins ({@link #joins()}).
 *
 * <p>A job that joins is stored PENDING with {@link dev.asyncjobs.Job#cachedFrom()} naming the
 * job it waits for and {@link #WAITING_RUN_AT} as its run time, so that no claim takes it. The
 * store decides from the source's state when it inserts: completed by then, the new job is a copy;
 * failed, cancelled or gone, it is a plain PENDING job due at its own run time. When the source
 * completes, the store completes every job waiting for it with the same result in the same step;
 * when it fails or is cancelled, each owner's oldest waiting job becomes a plain PENDING job due at
 * once and that owner's others wait for it instead ({@link JobStore#insert} has the rules).
 *
 * @param from the job whose result is reused (itself never a copy nor waiting: an original)
 * @param resultJson its result, JSON text; {@code null} when it has not completed yet (a join)
 */
public record CachedResult(UUID from, @Nullable String resultJson) {
  /**
   * The run time of a job that waits for another: far enough ahead that it is never due. The store
   * replaces it when the job is released.
   */
  public static final Instant WAITING_RUN_AT = Instant.parse("9999-12-31T00:00:00Z");

  /**
   * Checks nullness.
   *
   * @param from the original job
   * @param resultJson its result, or null for a job still running
   */
  public CachedResult {
    Objects.requireNonNull(from, "from");
  }

  /**
   * {@return an answer that joins {@code from}, which has not finished}
   *
   * @param from a PENDING or PROCESSING original job of the same cache key
   */
  public static CachedResult joining(UUID from) {
    return new CachedResult(from, null);
  }

  /** {@return whether the new job waits for {@link #from()} instead of copying its result now} */
  public boolean joins() {
    return resultJson == null;
  }
}
