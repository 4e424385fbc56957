package dev.asyncjobs.bench.internal;

import java.sql.SQLException;
import java.time.Duration;

/**
 * One job library pg-peers drives through the same no-op workload, in a schema of its own on the
 * same server, with a pool of the same size. Its job bodies only tell the {@link StartProbe} their
 * sequence number. {@link #close()} stops what is left and drops the schema.
 */
interface PeerLibrary extends AutoCloseable {

  /** The library and its version as the table shows it, e.g. {@code db-scheduler 16.12.0}. */
  String name();

  /** Its schema. */
  BenchSchema schema();

  /** Empties its tables and settles them, so that every enqueue starts from the same empty tables. */
  void reset() throws Exception;

  /** VACUUM ANALYZE and CHECKPOINT of its tables, between an enqueue and the drain. */
  void settle() throws Exception;

  /** Creates jobs {@code first … first + count - 1} through its batch API, {@code batch} a call. */
  void enqueue(int first, int count, int batch) throws Exception;

  /** Starts its workers: the drain's configuration when {@code tuned}, else the library's defaults. */
  Workers start(boolean tuned) throws Exception;

  /**
   * How long an idle worker of that configuration may leave a new job waiting: its poll interval,
   * or {@link Duration#ZERO} when creating a job wakes it.
   */
  Duration idleWait(boolean tuned);

  /** A query of one number: 1 while a job is not finished and committed, 0 once every one is. */
  String unfinished();

  /** Throws unless exactly {@code n} jobs finished, as its tables tell after a drain. */
  void checkFinished(int n) throws Exception;

  /** Running workers, and the way to create a single job that they (may) hear of at once. */
  interface Workers extends AutoCloseable {
    /** Creates job {@code seq} on its own (its own transaction). */
    void create(int seq) throws Exception;

    /** Stops the workers. */
    @Override
    void close();
  }

  /** Stops what is left and drops the schema. */
  @Override
  void close() throws SQLException;
}
