package dev.asyncjobs.webhooks;

import java.util.Optional;

/**
 * Each owner's callback URL, for the jobs that name none of their own (see {@link
 * Webhooks.Builder#ownerEndpoints}). Asked when a job finishes, so a change applies to jobs already
 * running; kept by the application (the owner's settings page, say). A URL that breaks the rules
 * fails its delivery with a {@link WebhookRefusedException}.
 */
@FunctionalInterface
public interface WebhookEndpoints {

  /**
   * {@return the owner's callback URL, or empty when the owner has none}
   *
   * @param ownerId the finished job's owner
   */
  Optional<String> endpointOf(String ownerId);
}
