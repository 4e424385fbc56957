package dev.asyncjobs.reliability.child;

import dev.asyncjobs.Generator;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.JobContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The generator of type {@value #TYPE} that the limit tests across processes run: it records when
 * its attempt starts and when it ends in the side table {@code attempt_log}, each with the database
 * server's clock ({@code clock_timestamp()}, one clock for every process), and works {@code millis}
 * in between. The start is written after the claim committed and the end before the completion is
 * written, so each recorded interval lies inside the time the job was PROCESSING.
 */
public final class SlotGenerator implements Generator<SlotGenerator.Work> {
  /** The job type, and the name of the limit the test defines. */
  public static final String TYPE = "slot";

  /**
   * The payload.
   *
   * @param n a number the test chooses (the job's index)
   * @param millis how long the attempt works
   */
  public record Work(int n, int millis) {}

  private final @Nullable DataSource recordTo;
  private final @Nullable String table;
  private final String workerId;

  /**
   * A generator that records into {@code schema.attempt_log} through {@code recordTo}; with {@code
   * null} it records nothing (the test JVM's copy, used only to validate creates).
   */
  public SlotGenerator(@Nullable DataSource recordTo, @Nullable String schema, String workerId) {
    this.recordTo = recordTo;
    this.table = schema == null ? null : schema + ".attempt_log";
    this.workerId = workerId;
  }

  /** The DDL of the side table, for the test to run before it starts workers. */
  public static String attemptLogDdl(String schema) {
    return "CREATE TABLE " + schema + ".attempt_log (job_id uuid NOT NULL, attempt int NOT NULL, worker_id text NOT NULL,"
        + " started_at timestamptz NOT NULL, ended_at timestamptz, PRIMARY KEY (job_id, attempt, worker_id))";
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
    if (w.millis() < 0 || w.millis() > 10_000) {
      throw new InvalidPayloadException("payload.millis", "millis must be 0-10000, was " + w.millis());
    }
  }

  @Override
  public Duration estimate(Work w) {
    return Duration.ofMillis(w.millis());
  }

  @Override
  public Object generate(Work w, JobContext context) {
    record(context, "INSERT INTO " + table + " (job_id, attempt, worker_id, started_at) VALUES (?, ?, ?, clock_timestamp())");
    context.sleep(Duration.ofMillis(w.millis()));
    record(context, "UPDATE " + table + " SET ended_at = clock_timestamp() WHERE job_id = ? AND attempt = ? AND worker_id = ?");
    return Map.of("worker", workerId, "n", w.n());
  }

  private void record(JobContext context, String sql) {
    if (recordTo == null) {
      return;
    }
    try (Connection c = recordTo.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      c.setAutoCommit(true);
      ps.setObject(1, context.jobId());
      ps.setInt(2, context.attempt());
      ps.setString(3, workerId);
      ps.executeUpdate();
    } catch (SQLException e) {
      // Nothing recorded: the attempt fails, and the test sees a job that did not complete once.
      throw new IllegalStateException("could not record the attempt: " + e.getMessage(), e);
    }
  }
}
