package dev.asyncjobs.spring.boot.internal;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.spring.boot.AsyncJobsProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits of the {@code asyncjobs.limits[...]} properties, checked and defined in the store at
 * start. Every instance of the application defines the same ones: a define replaces the bounds and
 * keeps a pause, so that is harmless. A limit taken out of the properties stays in the store until
 * {@code JobManager.removeLimit} drops it.
 */
public final class LimitSettings {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asyncjobs.spring.boot");
  private static final String LIMITS = AsyncJobsProperties.PREFIX + ".limits";

  private LimitSettings() {}

  /**
   * {@return the limits of the properties, in name order}
   *
   * @param limits the properties, by name
   * @throws JobConfigurationException a name or a bound is bad, naming the property
   */
  public static List<JobLimit> of(Map<String, AsyncJobsProperties.Limit> limits) {
    List<JobLimit> out = new ArrayList<>();
    limits.forEach((name, l) -> out.add(limit(name, l)));
    return out;
  }

  private static JobLimit limit(String name, AsyncJobsProperties.Limit l) {
    String property = LIMITS + "[" + name + "]";
    try {
      JobLimit.Builder b = JobLimit.builder(name);
      if (l.maxRunning() != null) {
        b.maxRunning(l.maxRunning());
      }
      if (l.maxStarts() != null) {
        b.maxStarts(l.maxStarts(), l.startsPer());
      }
      if (l.maxUnits() != null) {
        b.maxUnits(l.maxUnits(), l.unitsPer());
      }
      return b.build();
    } catch (InvalidRequestException e) {
      String field = switch (e.field()) {
        case "maxRunning" -> ".max-running";
        case "maxStarts" -> ".max-starts";
        case "startsInterval" -> ".starts-per";
        case "maxUnits" -> ".max-units";
        case "unitsInterval" -> ".units-per";
        default -> "";
      };
      throw new JobConfigurationException(property + field + ": " + e.getMessage(), e);
    }
  }

  /**
   * Defines the limits of the properties in {@code jobs}' store.
   *
   * @param jobs the manager
   * @param store its store
   * @param limits the properties, by name
   * @throws JobConfigurationException a limit is bad, or the store keeps no limits
   */
  public static void define(JobManager jobs, JobStore store, Map<String, AsyncJobsProperties.Limit> limits) {
    List<JobLimit> all = of(limits);
    if (all.isEmpty()) {
      return;
    }
    if (!store.capabilities().contains(StoreCapability.LIMITS)) {
      throw new JobConfigurationException(LIMITS + " is set, but the job store does not keep limits (StoreCapability.LIMITS)");
    }
    all.forEach(jobs::defineLimit);
    LOG.info("asyncjobs: {} limit(s) defined from {}: {}", all.size(), LIMITS, all);
  }
}
