package dev.asyncjobs.bench.internal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Samples a schema's queue depth (PENDING jobs) every 250 ms on a thread of its own, for a chart of
 * depth over time and for the deepest queue of each step. Marks say where a step begins.
 */
final class DepthSampler implements AutoCloseable {
  private static final long PERIOD_NANOS = 250_000_000L;

  private final BenchSchema schema;
  private final long t0 = System.nanoTime();
  private final List<Series.Point> points = new ArrayList<>();
  private final List<Series.Mark> marks = new ArrayList<>();
  private final AtomicLong deepest = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  DepthSampler(BenchSchema schema) {
    this.schema = schema;
    this.thread = new Thread(this::loop, "bench-depth-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  /** The PENDING jobs now. */
  static long pending(BenchSchema schema) throws SQLException {
    return schema.count("SELECT count(*) FROM " + schema.table("jobs") + " WHERE status = 'PENDING'");
  }

  /** A step called {@code label} begins now; the deepest queue is counted afresh from here. */
  synchronized void mark(String label) {
    marks.add(new Series.Mark(seconds(), label));
    deepest.set(0);
  }

  /** The deepest queue sampled since the last {@link #mark}. */
  long deepestSinceMark() {
    return deepest.get();
  }

  /** What was sampled, as a series called {@code name}. */
  synchronized Series series(String name) {
    return new Series(name, "s", "jobs", points, marks);
  }

  private void loop() {
    while (running) {
      try {
        long depth = pending(schema);
        deepest.accumulateAndGet(depth, Math::max);
        synchronized (this) {
          points.add(new Series.Point(seconds(), depth));
        }
      } catch (SQLException e) {
        return; // the schema is going away; the series simply ends here
      }
      LockSupport.parkNanos(PERIOD_NANOS);
    }
  }

  private double seconds() {
    return Math.round((System.nanoTime() - t0) / 1e7) / 100.0;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(5_000);
  }
}
