package dev.asyncjobs.webhooks;

import java.util.List;
import java.util.Map;

/**
 * Each owner's current signing secrets ({@code whsec_...}, see {@link WebhookSignature}). Asked at
 * every delivery attempt, so a change is used at once. To rotate a secret without a gap, return
 * the new one and the old one for a while: each delivery then carries a signature of each, and the
 * receiver accepts it as soon as it knows either. Kept by the application (its database, a vault),
 * not by the job store, so the store's readers never see them.
 */
@FunctionalInterface
public interface WebhookSecrets {

  /**
   * {@return the owner's current secrets, the one to prefer first; empty when the owner has none,
   * which fails its deliveries (unsigned webhooks are never sent)}
   *
   * @param ownerId the job's owner
   */
  List<String> secretsOf(String ownerId);

  /**
   * Fixed secrets per owner, checked now.
   *
   * @param byOwner each owner's secrets
   * @return the secrets
   * @throws IllegalArgumentException a secret is not valid
   */
  static WebhookSecrets of(Map<String, List<String>> byOwner) {
    Map<String, List<String>> copy = Map.copyOf(byOwner);
    copy.values().forEach(list -> list.forEach(WebhookSignature::checkSecret));
    return owner -> List.copyOf(copy.getOrDefault(owner, List.of()));
  }
}
