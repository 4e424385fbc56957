package dev.asyncjobs.tck;

import java.util.List;
import org.junit.jupiter.api.DisplayNameGenerator;

/**
 * Names each nested suite of {@link JobStoreTck} after the store's test class ("InMemoryJobStoreTest
 * store suite"), so that reports of two stores in one module neither look alike nor overwrite each
 * other.
 */
final class SuiteNames extends DisplayNameGenerator.Standard {
  SuiteNames() {}

  @Override
  public String generateDisplayNameForNestedClass(List<Class<?>> enclosingInstanceTypes, Class<?> nestedClass) {
    String suite = nestedClass.getSimpleName().replace("Suite", "").toLowerCase(java.util.Locale.ROOT) + " suite";
    return enclosingInstanceTypes.isEmpty()
        ? suite
        : enclosingInstanceTypes.get(enclosingInstanceTypes.size() - 1).getSimpleName() + " " + suite;
  }
}
