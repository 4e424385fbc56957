package dev.asyncjobs;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One page of a listing.
 *
 * @param items the items, in the query's order
 * @param nextCursor pass to {@link JobQuery.Builder#cursor(String)} for the next page; {@code
 *     null} when this is the last page
 * @param <T> item type
 */
public record Page<T>(List<T> items, @Nullable String nextCursor) {
  /**
   * Copies the list.
   *
   * @param items the items, in the query's order
   * @param nextCursor pass to {@link JobQuery.Builder#cursor(String)} for the next page; {@code
   *     null} when this is the last page
   */
  public Page {
    items = List.copyOf(Objects.requireNonNull(items, "items"));
  }

  /** {@return whether a next page exists} */
  public boolean hasNext() {
    return nextCursor != null;
  }
}
