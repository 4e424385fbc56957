package dev.asyncjobs.spring.boot;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A generator of type {@code gate} whose jobs run until the test opens the gate: {@link #started}
 * counts down when one starts, and the job waits (interruptibly) for {@link #open}.
 */
final class GateGenerator extends AbstractGenerator<GateGenerator.Gate> {
  /** The payload. */
  record Gate(String name) {}

  static final JobType<Gate> TYPE = JobType.of("gate", Gate.class);

  final CountDownLatch started = new CountDownLatch(1);
  final CountDownLatch open = new CountDownLatch(1);

  GateGenerator() {
    super(TYPE);
  }

  @Override
  public Object generate(Gate payload, JobContext context) {
    started.countDown();
    try {
      if (!open.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never opened the gate");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted before the gate opened", e);
    }
    return Map.of("passed", payload.name());
  }
}
