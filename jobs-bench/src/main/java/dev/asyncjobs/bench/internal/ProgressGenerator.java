package dev.asyncjobs.bench.internal;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * The job of pg-progress: reports progress as fast as it can for a fixed time, each report with a
 * new message (so none is a no-op), and counts its reports.
 */
final class ProgressGenerator extends AbstractGenerator<NoopGenerator.Payload> {
  static final String TYPE = "progress";

  private final long runNanos;
  private final LongAdder reports = new LongAdder();
  private final CountDownLatch finished;

  ProgressGenerator(long runNanos, int jobs) {
    super(JobType.of(TYPE, NoopGenerator.Payload.class));
    this.runNanos = runNanos;
    this.finished = new CountDownLatch(jobs);
  }

  @Override
  public Object generate(NoopGenerator.Payload payload, JobContext context) {
    long start = System.nanoTime();
    long n = 0;
    try {
      for (long elapsed = 0; elapsed < runNanos; elapsed = System.nanoTime() - start) {
        context.progress((int) (elapsed * 99 / runNanos), "report " + n);
        n++;
      }
    } finally {
      reports.add(n);
      finished.countDown();
    }
    return Map.of();
  }

  long reports() {
    return reports.sum();
  }

  CountDownLatch finished() {
    return finished;
  }

  long runNanos() {
    return runNanos;
  }
}
