package dev.asyncjobs;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What jobs created in a window consumed and cost, by type and in total, priced with the manager's
 * {@link PriceTable} ({@link JobManager#usage}).
 *
 * @param from the window's start, inclusive
 * @param to the window's end, exclusive
 * @param types by type, in type order: only types with jobs in the window
 * @param total every type added up
 * @param unpriced the part of {@link Line#usage() total usage} the price table has no price for
 *     (counted as costing nothing); empty when everything is priced
 */
public record UsageReport(Instant from, Instant to, List<Line> types, Line total, Usage unpriced) {
  /**
   * Copies the list.
   *
   * @param from the window's start
   * @param to the window's end
   * @param types by type
   * @param total the sum
   * @param unpriced what has no price
   */
  public UsageReport {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    types = List.copyOf(types);
    Objects.requireNonNull(total, "total");
    Objects.requireNonNull(unpriced, "unpriced");
  }

  /**
   * One line of the report.
   *
   * @param type the job type, or {@code null} for the total
   * @param jobs jobs created in the window
   * @param usage what their attempts consumed
   * @param cost what that costs
   */
  public record Line(@org.jspecify.annotations.Nullable String type, long jobs, Usage usage, Cost cost) {
    /**
     * Checks nullness.
     *
     * @param type the type, or null for the total
     * @param jobs jobs created in the window
     * @param usage what they consumed
     * @param cost what that costs
     */
    public Line {
      Objects.requireNonNull(usage, "usage");
      Objects.requireNonNull(cost, "cost");
    }
  }
}
