package dev.asyncjobs.generators.openai;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobCancelledException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A {@link JobContext} for calling a generator directly: records progress (refusing it to go
 * backwards, as the worker does), streamed output, reported units and usage, and lets the test
 * cancel.
 */
final class TestContext implements JobContext {
  record Step(int percent, @Nullable String message) {}

  private final UUID jobId = UUID.randomUUID();
  private final String type;
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final List<Step> steps = new ArrayList<>();

  /**
   * Whether {@link #reportUnits} and {@link #reportUsage} record, or are the interface's defaults
   * (which refuse).
   */
  private final boolean countsUnits;

  TestContext(String type) {
    this(type, true);
  }

  private TestContext(String type, boolean countsUnits) {
    this.type = type;
    this.countsUnits = countsUnits;
  }

  /** {@return a context whose reportUnits and reportUsage are JobContext's defaults: it counts nothing} */
  static TestContext uncounted(String type) {
    return new TestContext(type, false);
  }

  @Override
  public UUID jobId() {
    return jobId;
  }

  @Override
  public String ownerId() {
    return "owner-1";
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public int attempt() {
    return 1;
  }

  @Override
  public int maxAttempts() {
    return 3;
  }

  @Override
  public Instant deadline() {
    return Instant.now().plus(Duration.ofHours(1));
  }

  @Override
  public synchronized void progress(int percent, @Nullable String message) {
    throwIfCancelled();
    int last = steps.isEmpty() ? 0 : steps.get(steps.size() - 1).percent();
    if (percent < last || percent > 100) {
      throw new InvalidRequestException("progress", "progress went from " + last + " to " + percent);
    }
    steps.add(new Step(percent, message));
  }

  private final StringBuilder streamed = new StringBuilder();

  @Override
  public synchronized void appendText(String delta) {
    throwIfCancelled();
    streamed.append(delta);
  }

  private final List<Object> parts = new ArrayList<>();

  @Override
  public synchronized void emitPart(Object part) {
    throwIfCancelled();
    parts.add(part);
  }

  private final List<Long> units = new ArrayList<>();

  @Override
  public synchronized void reportUnits(long used) {
    if (!countsUnits) {
      JobContext.super.reportUnits(used);
    }
    if (used < 0) {
      throw new IllegalArgumentException("units must be at least 0, was " + used);
    }
    units.add(used);
  }

  private Usage usage = Usage.NONE;

  @Override
  public synchronized void reportUsage(Usage more) {
    if (!countsUnits) {
      JobContext.super.reportUsage(more);
    }
    usage = usage.plus(more);
  }

  /** {@return what {@link #reportUsage} was told, added up} */
  synchronized Usage usage() {
    return usage;
  }

  /** {@return every {@link #reportUnits} call's units, in order} */
  synchronized List<Long> reportedUnits() {
    return List.copyOf(units);
  }

  /** {@return the parts streamed with {@link #emitPart}, in order} */
  synchronized List<Object> parts() {
    return List.copyOf(parts);
  }

  /** {@return the text streamed with {@link #appendText}, joined} */
  synchronized String streamedText() {
    return streamed.toString();
  }

  synchronized List<Step> steps() {
    return List.copyOf(steps);
  }

  synchronized List<String> messages() {
    return steps.stream().map(s -> s.percent() + " " + s.message()).toList();
  }

  @Override
  public boolean isCancelled() {
    return cancelled.get();
  }

  void cancel() {
    cancelled.set(true);
  }

  @Override
  public void sleep(Duration duration) {
    throw new JobCancelledException(jobId);
  }
}
