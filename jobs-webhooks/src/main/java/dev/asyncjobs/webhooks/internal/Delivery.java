package dev.asyncjobs.webhooks.internal;

import dev.asyncjobs.JobType;
import org.jspecify.annotations.Nullable;

/**
 * The payload of a delivery job: where to send, whose secrets sign it, and the message itself,
 * fixed when the job finished so that every attempt sends the same bytes under the same id.
 *
 * @param url the callback URL
 * @param ownerId the finished job's owner, whose secrets sign the message
 * @param messageId the {@code webhook-id}, the same on every attempt
 * @param body the JSON body, exactly as sent
 */
public record Delivery(@Nullable String url, @Nullable String ownerId, @Nullable String messageId, @Nullable String body) {
  /** The type of delivery jobs. */
  public static final String TYPE_NAME = "asyncjobs.webhook";
  /** The job type, with this payload. */
  public static final JobType<Delivery> TYPE = JobType.of(TYPE_NAME, Delivery.class);
}
