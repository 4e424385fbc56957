package dev.asyncjobs.internal;

import dev.asyncjobs.Usage;
import java.util.Objects;
import dev.asyncjobs.JobCancelledException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.Sleeper;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** The {@link JobContext} a generator sees during one attempt. */
final class AttemptContext implements JobContext {
  private final Attempt attempt;
  private final Sleeper sleeper;

  AttemptContext(Attempt attempt, Sleeper sleeper) {
    this.attempt = attempt;
    this.sleeper = sleeper;
  }

  @Override
  public UUID jobId() {
    return attempt.job().id();
  }

  @Override
  public String ownerId() {
    return attempt.job().ownerId();
  }

  @Override
  public String type() {
    return attempt.job().type();
  }

  @Override
  public int attempt() {
    return attempt.job().attempts();
  }

  @Override
  public int maxAttempts() {
    return attempt.job().maxAttempts();
  }

  @Override
  public Instant deadline() {
    return attempt.deadline();
  }

  /**
   * {@inheritDoc}
   *
   * @throws LeaseLostException this worker no longer holds the job: stop, nothing more is written
   */
  @Override
  public void reportUnits(long units) {
    if (units < 0) {
      throw new IllegalArgumentException("units must not be negative, was " + units);
    }
    attempt.reportUnits(units);
  }

  @Override
  public void reportUsage(Usage usage) {
    attempt.reportUsage(Objects.requireNonNull(usage, "usage"));
  }

  @Override
  public void progress(int percent, @Nullable String message) {
    throwIfCancelled();
    try {
      attempt.progress().report(percent, message);
    } catch (LeaseLostException e) {
      attempt.abandon();
      throw e;
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws LeaseLostException this worker no longer holds the job: stop, nothing more is written
   */
  @Override
  public void appendText(String delta) {
    java.util.Objects.requireNonNull(delta, "delta");
    throwIfCancelled();
    try {
      attempt.output().appendText(delta);
    } catch (LeaseLostException e) {
      attempt.abandon();
      throw e;
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws LeaseLostException this worker no longer holds the job: stop, nothing more is written
   */
  @Override
  public void emitPart(Object part) {
    java.util.Objects.requireNonNull(part, "part");
    throwIfCancelled();
    String json;
    try {
      json = Json.write(part);
    } catch (java.io.UncheckedIOException e) {
      throw new IllegalArgumentException("the part cannot be written as JSON: " + e.getMessage(), e);
    }
    try {
      attempt.output().emitPart(json);
    } catch (LeaseLostException e) {
      attempt.abandon();
      throw e;
    }
  }

  @Override
  public boolean isCancelled() {
    return attempt.isCancelRequested();
  }

  @Override
  public void sleep(Duration duration) {
    throwIfCancelled();
    try {
      sleeper.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobCancelledException(jobId());
    }
    throwIfCancelled();
  }

  @Override
  public String toString() {
    return "JobContext[job " + jobId() + ", " + type() + ", attempt " + attempt() + "/" + maxAttempts() + "]";
  }
}
