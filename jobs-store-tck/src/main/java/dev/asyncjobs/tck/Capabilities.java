package dev.asyncjobs.tck;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.StoreCapability;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;

/** Skips a test whose {@link RequiresCapability} the store does not declare. */
final class Capabilities {
  private Capabilities() {}

  /**
   * Aborts the running test (JUnit reports it as skipped) when {@code store} lacks a capability
   * that the test method or the type declaring it requires.
   */
  static void assumeDeclared(JobStore store, TestInfo test) {
    Set<StoreCapability> missing = EnumSet.noneOf(StoreCapability.class);
    test.getTestMethod().ifPresent(m -> missing.addAll(required(m)));
    missing.removeAll(store.capabilities());
    Assumptions.assumeTrue(missing.isEmpty(),
        () -> store.getClass().getName() + " does not declare " + missing + " (JobStore.capabilities()): test skipped");
  }

  /** {@return whether {@code store} declares {@code capability}} */
  static boolean has(JobStore store, StoreCapability capability) {
    return store.capabilities().contains(capability);
  }

  private static List<StoreCapability> required(Method method) {
    List<StoreCapability> all = new ArrayList<>();
    RequiresCapability onMethod = method.getAnnotation(RequiresCapability.class);
    if (onMethod != null) {
      all.addAll(List.of(onMethod.value()));
    }
    RequiresCapability onType = method.getDeclaringClass().getAnnotation(RequiresCapability.class);
    if (onType != null) {
      all.addAll(List.of(onType.value()));
    }
    return all;
  }
}
