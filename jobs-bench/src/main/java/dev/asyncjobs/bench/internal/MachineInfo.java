package dev.asyncjobs.bench.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import org.jspecify.annotations.Nullable;

/**
 * The machine the figures were taken on.
 *
 * @param cores processors available to the JVM
 * @param memoryBytes physical memory, or -1 when the JVM cannot tell
 * @param jvm vendor, VM name and version
 * @param os name, version and architecture
 * @param postgres the server's {@code version()}, or why it was unreachable
 * @param postgresReachable whether the pg scenarios could run
 */
public record MachineInfo(int cores, long memoryBytes, String jvm, String os, String postgres, boolean postgresReachable) {

  /** This machine, with what was learnt of the server. */
  static MachineInfo current(@Nullable String pgVersion, @Nullable String unreachableReason) {
    long memory = -1;
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      memory = sun.getTotalMemorySize();
    }
    String jvm = System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " " + Runtime.version();
    String osText = System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch");
    String pg = pgVersion != null ? pgVersion : "unreachable: " + unreachableReason;
    return new MachineInfo(Runtime.getRuntime().availableProcessors(), memory, jvm, osText, pg, pgVersion != null);
  }

  /** One line for the top of the table. */
  String summary() {
    String mem = memoryBytes < 0 ? "? GB" : String.format(java.util.Locale.ROOT, "%.1f GB", memoryBytes / (1024.0 * 1024 * 1024));
    return cores + " cores, " + mem + " RAM, " + jvm + ", " + os + "; " + postgres;
  }
}
