package dev.asyncjobs.spring.boot.internal;

import dev.asyncjobs.spring.boot.AsyncJobsProperties;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Reads {@code asyncjobs.store} as the properties bind it (relaxed names, any case), so that the
 * choice of store and the bound properties never disagree. A value the enum does not know matches
 * nothing here; binding the properties then fails and names the property.
 */
public final class StoreTypeCondition {
  private StoreTypeCondition() {}

  static AsyncJobsProperties.@Nullable StoreType storeType(ConditionContext context) {
    try {
      return Binder.get(context.getEnvironment())
          .bind(AsyncJobsProperties.PREFIX + ".store", AsyncJobsProperties.StoreType.class)
          .orElse(AsyncJobsProperties.StoreType.AUTO);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Matches unless {@code asyncjobs.store=memory} (or a value that is no store type). */
  public static final class NotMemory extends SpringBootCondition {
    /** A condition, for {@code @Conditional}. */
    public NotMemory() {}

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
      AsyncJobsProperties.StoreType type = storeType(context);
      if (type == null) {
        return ConditionOutcome.noMatch("asyncjobs.store is not one of auto, postgres, memory");
      }
      return type == AsyncJobsProperties.StoreType.MEMORY
          ? ConditionOutcome.noMatch("asyncjobs.store=memory")
          : ConditionOutcome.match("asyncjobs.store=" + type.name().toLowerCase(java.util.Locale.ROOT));
    }
  }
}
