package dev.asyncjobs.opentelemetry;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.RetryableGenerationException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The generator of the tests: records, at each call, the attempt, the current span, the thread and
 * the baggage entry {@code tenant}, then behaves as its payload's mode says.
 */
final class Probe extends AbstractGenerator<Probe.Step> {
  /** Modes: see {@link #generate}. */
  record Step(String mode) {}

  static final JobType<Step> TYPE = JobType.of("probe", Step.class);

  /** What one call saw. */
  record Seen(int attempt, SpanContext span, Thread thread, @Nullable String tenant) {}

  private final OpenTelemetry openTelemetry;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Semaphore blocked = new Semaphore(0);

  Probe(OpenTelemetry openTelemetry) {
    super(TYPE);
    this.openTelemetry = openTelemetry;
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** Waits until a call has started to block (modes {@code block} and {@code block-first}). */
  void awaitBlocked() throws InterruptedException {
    if (!blocked.tryAcquire(Traces.WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("no attempt blocked within " + Traces.WAIT);
    }
  }

  /**
   * {@code ok} returns; {@code child} makes a span of its own first (as an instrumented HTTP client
   * would); {@code retry-once} fails retryably on attempt 1; {@code fail} fails for good; {@code
   * block} sleeps until interrupted (timeout, lost lease, cancel, shutdown); {@code block-first} does
   * so on attempt 1 only.
   */
  @Override
  public Object generate(Step step, JobContext context) {
    seen.add(new Seen(context.attempt(), Span.current().getSpanContext(), Thread.currentThread(),
        Baggage.current().getEntryValue("tenant")));
    switch (step.mode()) {
      case "ok" -> {}
      case "child" -> openTelemetry.getTracer("the generator").spanBuilder("generator call").startSpan().end();
      case "retry-once" -> {
        if (context.attempt() == 1) {
          throw new RetryableGenerationException("the model is busy");
        }
      }
      case "fail" -> throw new PermanentGenerationException("the prompt is not allowed");
      case "block" -> block(context);
      case "block-first" -> {
        if (context.attempt() == 1) {
          block(context);
        }
      }
      default -> throw new IllegalArgumentException(step.mode());
    }
    return Map.of("attempt", context.attempt());
  }

  private void block(JobContext context) {
    blocked.release();
    context.sleep(Duration.ofMinutes(5)); // throws JobCancelledException when interrupted
  }
}
