package dev.asyncjobs.webhooks.internal;

import dev.asyncjobs.CreateInterceptor;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobRequest;
import java.util.function.Supplier;

/**
 * Checks creates for webhooks: a job's own callback URL must pass the {@link UrlRules} (its form,
 * scheme and any IP literal; names are checked when resolved, at delivery), and delivery jobs may
 * be made by the dispatcher only: one created by anyone else would have the workers sign a body of
 * the creator's choosing with some owner's secret.
 */
public final class CreateGuard implements CreateInterceptor {
  private static final ThreadLocal<Boolean> DISPATCHING = ThreadLocal.withInitial(() -> false);

  private final UrlRules rules;
  private final String urlKey;

  /**
   * @param rules the URL rules
   * @param urlKey the metadata key of a job's callback URL
   */
  public CreateGuard(UrlRules rules, String urlKey) {
    this.rules = rules;
    this.urlKey = urlKey;
  }

  /** Runs {@code create} as the dispatcher, whose delivery jobs this guard lets through. */
  static <T> T asDispatcher(Supplier<T> create) {
    DISPATCHING.set(true);
    try {
      return create.get();
    } finally {
      DISPATCHING.set(false);
    }
  }

  @Override
  public JobRequest beforeCreate(JobRequest request) {
    if (Delivery.TYPE_NAME.equals(request.type()) && !DISPATCHING.get()) {
      throw new InvalidRequestException("type", "jobs of type " + Delivery.TYPE_NAME + " are made by the webhook dispatcher only");
    }
    String url = request.metadata().get(urlKey);
    if (url != null) {
      try {
        rules.check(url);
      } catch (UrlRules.RefusedUrl e) {
        throw new InvalidRequestException("metadata." + urlKey, e.getMessage());
      }
    }
    return request;
  }
}
