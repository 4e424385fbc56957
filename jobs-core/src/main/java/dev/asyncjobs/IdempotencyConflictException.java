package dev.asyncjobs;

import java.util.UUID;

/** An idempotency key was reused with a different type or payload (HTTP 409). */
public class IdempotencyConflictException extends JobException {
  private static final long serialVersionUID = 1L;
  /** The reused key. */
  private final String idempotencyKey;
  /** The job the key belongs to. */
  private final UUID existingJobId;

  /**
   * {@code key} already names job {@code existingJobId}, created with another request.
   *
   * @param key the reused key
   * @param existingJobId the job the key belongs to
   */
  public IdempotencyConflictException(String key, UUID existingJobId) {
    super("idempotency key '" + key + "' was already used for job " + existingJobId
        + " with a different type or payload");
    this.idempotencyKey = key;
    this.existingJobId = existingJobId;
  }

  /** {@return the reused key} */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /** {@return the job the key belongs to} */
  public UUID existingJobId() {
    return existingJobId;
  }

  @Override
  public String code() {
    return "idempotency_conflict";
  }
}
