package dev.asyncjobs;

import java.sql.Connection;
import org.jspecify.annotations.Nullable;

/**
 * Tells a {@link JobManager} which database transaction the calling thread is in, so that {@link
 * JobManager#create} joins it without being handed the connection: the job becomes visible to
 * workers when that transaction commits, and is gone (with its quota use) when it rolls back. The
 * Spring Boot starter provides one for Spring's transaction management; set it with {@link
 * JobManager.Builder#enclosingTransaction}. Only stores with {@link
 * dev.asyncjobs.spi.StoreCapability#TRANSACTIONS} can join.
 */
@FunctionalInterface
public interface EnclosingTransaction {

  /**
   * {@return the connection of the transaction the calling thread is in (not in auto-commit), or
   * {@code null} when it is in none}; the manager neither commits nor closes it
   */
  @Nullable Connection current();
}
