package dev.asyncjobs.spi;

import java.util.List;
import java.util.Objects;

/**
 * Partial output of one attempt to append to the event log with {@link JobStore#appendOutput}: the
 * chunks a worker gathered over a short interval, written in one atomic step, in order.
 *
 * @param lease the lease of the attempt that produced them
 * @param chunks the chunks, in the order they were produced; not empty
 */
public record OutputAppend(Lease lease, List<OutputChunk> chunks) {

  /**
   * Copies the chunks and checks that there is at least one.
   *
   * @param lease the lease of the attempt that produced them
   * @param chunks the chunks, in the order they were produced; not empty
   */
  public OutputAppend {
    Objects.requireNonNull(lease, "lease");
    chunks = List.copyOf(chunks);
    if (chunks.isEmpty()) {
      throw new IllegalArgumentException("an output append needs at least one chunk");
    }
  }
}
