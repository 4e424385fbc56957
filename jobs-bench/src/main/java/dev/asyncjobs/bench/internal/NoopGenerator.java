package dev.asyncjobs.bench.internal;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.Generator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobType;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.JobStore;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The job of every throughput scenario: does nothing, so that what is measured is the library. A
 * hook hears the start of each job (by its sequence number), for latency.
 */
public final class NoopGenerator extends AbstractGenerator<NoopGenerator.Payload> {
  /** The job type. */
  public static final String TYPE = "noop";

  /**
   * The payload.
   *
   * @param seq the job's sequence number in its scenario
   */
  public record Payload(int seq) {}

  private static final Map<String, Object> RESULT = Map.of();

  private final IntConsumer onStart;

  /** A generator that tells {@code onStart} the sequence number of each job it starts. */
  public NoopGenerator(IntConsumer onStart) {
    super(JobType.of(TYPE, Payload.class));
    this.onStart = onStart;
  }

  /** A generator that only returns. */
  public NoopGenerator() {
    this(seq -> {});
  }

  @Override
  public Object generate(Payload payload, JobContext context) {
    onStart.accept(payload.seq());
    return RESULT;
  }

  /** The payload JSON of job {@code seq}. */
  public static String payload(int seq) {
    return "{\"seq\":" + seq + "}";
  }

  /** A manager on {@code store} with this generator and no quota (benches must not be throttled). */
  public static JobManager manager(JobStore store, Generator<?> generator) {
    return JobManager.builder().store(store).generator(generator).quotaPolicy(QuotaPolicy.unlimited()).build();
  }
}
