package dev.asyncjobs.spi;

import dev.asyncjobs.BudgetAmount;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What {@link JobStore#insert} checks and records for budgets ({@link StoreCapability#BUDGETS}), in
 * the same atomic step as the insert: each owner's bounds, and what each new job reserves.
 *
 * @param bounds by owner, the limits its new jobs are checked against (owners not named have none)
 * @param reservations by job id, what each new job reserves; a job without an entry is not budgeted
 */
public record BudgetCheck(Map<String, List<BudgetBound>> bounds, Map<UUID, BudgetAmount> reservations) {
  /** Nothing to check, nothing reserved. */
  public static final BudgetCheck NONE = new BudgetCheck(Map.of(), Map.of());

  /**
   * Copies the maps.
   *
   * @param bounds by owner
   * @param reservations by job id
   */
  public BudgetCheck {
    bounds = Map.copyOf(bounds);
    bounds.values().forEach(Objects::requireNonNull);
    bounds = bounds.entrySet().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> List.copyOf(e.getValue())));
    reservations = Map.copyOf(reservations);
  }

  /**
   * {@return the bounds of {@code ownerId}'s new jobs; empty when it has none}
   *
   * @param ownerId the owner
   */
  public List<BudgetBound> boundsFor(String ownerId) {
    return bounds.getOrDefault(ownerId, List.of());
  }

  /**
   * {@return what job {@code id} reserves, or {@code null} when it is not budgeted}
   *
   * @param id a new job's id
   */
  public @Nullable BudgetAmount reservationOf(UUID id) {
    return reservations.get(id);
  }
}
