package dev.asyncjobs.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.asyncjobs.IdempotencyConflictException;
import dev.asyncjobs.Job;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.JobStore;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cheap checks a create makes before it asks the moderator, which may be a paid remote call:
 * an idempotent replay returns the stored job without moderation, a conflicting one and an
 * exhausted quota fail first (429, not a moderation verdict). The store's insert still decides
 * both atomically; these reads only keep a refused or repeated request from costing a call. (A
 * replayed job deleted between the two, by retention, is created again unmoderated: its request
 * was moderated when it was first created.)
 */
public final class CreateAdmission {
  private final JobStore store;
  private final QuotaPolicy quotas;
  private final Clock clock;

  /** Checks against {@code store} under {@code quotas}, at {@code clock}'s time. */
  public CreateAdmission(JobStore store, QuotaPolicy quotas, Clock clock) {
    this.store = store;
    this.quotas = quotas;
    this.clock = clock;
  }

  /**
   * The stored job that {@code r} repeats (same owner, key, type and payload), if any.
   *
   * @throws IdempotencyConflictException the key names a job of another type or payload
   */
  public Optional<Job> replayOf(CheckedRequest r) {
    String key = r.idempotencyKey();
    if (key == null) {
      return Optional.empty();
    }
    Optional<Job> stored = store.findByIdempotencyKey(r.request().ownerId(), key);
    if (stored.isPresent() && !sameRequest(stored.get(), r)) {
      throw new IdempotencyConflictException(key, stored.get().id());
    }
    return stored;
  }

  /**
   * Refuses when the owners of {@code fresh} cannot create that many jobs now.
   *
   * @throws dev.asyncjobs.QuotaExceededException naming the first limit that does not fit
   */
  public void checkQuotas(List<CheckedRequest> fresh) {
    Map<String, Integer> perOwner = new TreeMap<>();
    // Requests of one batch with the same key make one job, as the store counts them.
    Set<String> keys = new HashSet<>();
    for (CheckedRequest r : fresh) {
      String key = r.idempotencyKey();
      if (key == null || keys.add(r.request().ownerId() + '\u0000' + key)) {
        perOwner.merge(r.request().ownerId(), 1, Integer::sum);
      }
    }
    perOwner.forEach((owner, count) -> {
      QuotaLimits limits = quotas.limitsFor(owner);
      if (!limits.isUnlimited()) {
        limits.check(owner, clock.instant(), count, store.quotaWindow(owner));
      }
    });
  }

  private static boolean sameRequest(Job stored, CheckedRequest r) {
    if (!stored.type().equals(r.request().type())) {
      return false;
    }
    try {
      return Json.mapper().readTree(stored.payload()).equals(r.tree());
    } catch (JsonProcessingException e) {
      return false;
    }
  }
}
