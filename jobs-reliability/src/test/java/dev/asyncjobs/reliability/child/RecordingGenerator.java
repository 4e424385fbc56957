package dev.asyncjobs.reliability.child;

import dev.asyncjobs.Generator;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.JobContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The generator of type {@value #TYPE} that the cross-process tests run: it records the execution
 * (job, attempt, worker, a fresh execution id) in the side table {@code executions} in a
 * transaction of its own before it works, then works {@code steps} short steps reporting progress
 * after each, and returns the execution id as its result, so that the test can tell which
 * execution's result won.
 */
public final class RecordingGenerator implements Generator<RecordingGenerator.Work> {
  /** The job type. */
  public static final String TYPE = "recorded";

  /**
   * The payload.
   *
   * @param n a number the test chooses (the job's index)
   * @param steps how many steps of work
   * @param stepMillis how long each step sleeps
   */
  public record Work(int n, int steps, int stepMillis) {}

  private final @Nullable DataSource recordTo;
  private final @Nullable String executionsTable;
  private final String workerId;

  /**
   * A generator that records into {@code schema.executions} through {@code recordTo}; with {@code
   * null} it records nothing (the test JVM's copy, used only to validate creates).
   */
  public RecordingGenerator(@Nullable DataSource recordTo, @Nullable String schema, String workerId) {
    this.recordTo = recordTo;
    this.executionsTable = schema == null ? null : schema + ".executions";
    this.workerId = workerId;
  }

  /** The DDL of the side table, for the test to run before it starts workers. */
  public static String executionsTableDdl(String schema) {
    return "CREATE TABLE " + schema + ".executions (execution_id uuid PRIMARY KEY, job_id uuid NOT NULL,"
        + " attempt int NOT NULL, worker_id text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())";
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Class<Work> payloadType() {
    return Work.class;
  }

  @Override
  public void validate(Work w) {
    if (w.steps() < 1 || w.steps() > 100) {
      throw new InvalidPayloadException("payload.steps", "steps must be 1-100, was " + w.steps());
    }
    if (w.stepMillis() < 0 || w.stepMillis() > 10_000) {
      throw new InvalidPayloadException("payload.stepMillis", "stepMillis must be 0-10000, was " + w.stepMillis());
    }
  }

  @Override
  public Duration estimate(Work w) {
    return Duration.ofMillis((long) w.steps() * w.stepMillis());
  }

  @Override
  public Object generate(Work w, JobContext context) {
    UUID execution = UUID.randomUUID();
    if (recordTo != null) {
      record(execution, context);
    }
    for (int step = 1; step <= w.steps(); step++) {
      context.sleep(Duration.ofMillis(w.stepMillis()));
      context.progress(step * 100 / w.steps(), "step " + step + " of " + w.steps());
    }
    return Map.of("execution", execution.toString(), "worker", workerId, "n", w.n());
  }

  private void record(UUID execution, JobContext context) {
    try (Connection c = recordTo.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO " + executionsTable + " (execution_id, job_id, attempt, worker_id) VALUES (?, ?, ?, ?)")) {
      c.setAutoCommit(true);
      ps.setObject(1, execution);
      ps.setObject(2, context.jobId());
      ps.setInt(3, context.attempt());
      ps.setString(4, workerId);
      ps.executeUpdate();
    } catch (SQLException e) {
      // Nothing recorded, nothing done: the attempt fails and is retried.
      throw new IllegalStateException("could not record the execution: " + e.getMessage(), e);
    }
  }
}
