package dev.asyncjobs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.JobRequest;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A create request that passed every local check (owner, type, payload against its generator,
 * priority, attempts, key), with what the remaining steps need: the texts to moderate and the
 * generator's estimate.
 *
 * @param request the request as given
 * @param tree the payload, parsed
 * @param texts what the moderator is asked about (empty: nothing)
 * @param estimate the generator's estimate for this payload
 * @param priority the priority, defaults applied
 * @param maxAttempts the attempt budget, defaults applied
 * @param units the units an attempt reserves under a units limit
 * @param usageEstimate what the job is expected to consume, reserved against a budget
 */
public record CheckedRequest(
    JobRequest request, JsonNode tree, List<String> texts, @Nullable Duration estimate, int priority, int maxAttempts, long units,
    dev.asyncjobs.Usage usageEstimate) {
  /** The request's idempotency key, if any. */
  public @Nullable String idempotencyKey() {
    return request.idempotencyKey();
  }
}
