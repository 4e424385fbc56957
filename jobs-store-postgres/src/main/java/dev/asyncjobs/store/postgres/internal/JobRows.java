package dev.asyncjobs.store.postgres.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.asyncjobs.BudgetAmount;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.Usage;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.jspecify.annotations.Nullable;

/**
 * The one column list every statement that returns jobs selects (or returns), and its mapping to
 * {@link Job} by position. Durations leave the database as microseconds.
 */
public final class JobRows implements RowMapper<Job> {
  /** The shared mapper; stateless. */
  public static final JobRows MAPPER = new JobRows();

  private static final String COLUMNS =
      "j.id, j.owner_id, j.type, j.payload::text, j.status, j.progress, j.progress_message, j.result::text,"
          + " j.error_message, j.priority, j.attempts, j.max_attempts,"
          + " (extract(epoch FROM j.estimated_duration) * 1000000)::bigint,"
          + " (extract(epoch FROM j.actual_duration) * 1000000)::bigint,"
          + " j.created_at, j.updated_at, j.started_at, j.finished_at, j.run_at, j.worker_id, j.lease_until,"
          + " j.idempotency_key, j.cancel_requested, j.metadata::text, j.deferrals,"
          + " j.usage::text, j.attempt_usage::text, j.budget_cost, j.budget_tokens,"
          + " j.cache_key, j.cached_from";

  private JobRows() {}

  /**
   * {@code template} with {@code {cols}} replaced by the job columns of the table aliased {@code j}
   * (every statement aliases the jobs table so).
   */
  public static String withColumns(String template) {
    return template.replace("{cols}", COLUMNS);
  }

  /** The job in the current row of a result with the columns of {@link #withColumns}. */
  @Override
  public Job map(ResultSet rs, StatementContext ctx) throws SQLException {
    return Job.builder()
        .id(rs.getObject(1, UUID.class))
        .ownerId(rs.getString(2))
        .type(rs.getString(3))
        .payload(rs.getString(4))
        .status(JobStatus.valueOf(rs.getString(5)))
        .progress(rs.getInt(6))
        .progressMessage(rs.getString(7))
        .result(rs.getString(8))
        .errorMessage(rs.getString(9))
        .priority(rs.getInt(10))
        .attempts(rs.getInt(11))
        .maxAttempts(rs.getInt(12))
        .estimatedDuration(Binds.duration(nullableLong(rs, 13)))
        .actualDuration(Binds.duration(nullableLong(rs, 14)))
        .createdAt(instant(rs, 15))
        .updatedAt(instant(rs, 16))
        .startedAt(nullableInstant(rs, 17))
        .finishedAt(nullableInstant(rs, 18))
        .runAt(instant(rs, 19))
        .workerId(rs.getString(20))
        .leaseUntil(nullableInstant(rs, 21))
        .idempotencyKey(rs.getString(22))
        .cancelRequested(rs.getBoolean(23))
        .metadata(metadata(rs.getString(24)))
        .deferrals(rs.getInt(25))
        .usage(usage(rs.getString(26)))
        .attemptUsage(attemptUsage(rs.getString(27)))
        .budgetReserved(budget(rs, 28))
        .cacheKey(rs.getString(30))
        .cachedFrom(rs.getObject(31, UUID.class))
        .build();
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  /** Numbers as BigDecimal in, as plain digits out: no quantity goes through a double. */
  private static final ObjectMapper DECIMALS =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
          .build();
  private static final TypeReference<Map<String, JsonNode>> ATTEMPTS = new TypeReference<>() {};

  /** The metadata column as the store wrote it: a JSON object of strings; {@code {}} is the common case. */
  static Map<String, String> metadata(String json) throws SQLException {
    if (json.equals("{}")) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, STRING_MAP);
    } catch (JsonProcessingException e) {
      throw new SQLException("the metadata of a job row is not a JSON object of strings: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * The usage column: what {@code jobs_usage_add} (V11) wrote, {@code {}} (the common case) for
   * nothing. Parsed by {@link Usage#fromJson}, so that the database's sums (which may keep trailing
   * zeros, 24.690) read as the exact quantities they are.
   */
  static Usage usage(String json) throws SQLException {
    if (json.equals("{}")) {
      return Usage.NONE;
    }
    try {
      return Usage.fromJson(json);
    } catch (InvalidRequestException e) {
      throw new SQLException("the usage of a job row is not a usage: " + e.getMessage(), e);
    }
  }

  /**
   * The attempt_usage column: an object of attempt numbers (as text) and usages. Numbers are read
   * as BigDecimal and written back without exponents, so that each attempt's quantities reach
   * {@link Usage#fromJson} exactly, never through a double.
   */
  static Map<Integer, Usage> attemptUsage(String json) throws SQLException {
    if (json.equals("{}")) {
      return Map.of();
    }
    try {
      Map<Integer, Usage> byAttempt = new java.util.TreeMap<>();
      for (Map.Entry<String, JsonNode> e : DECIMALS.readValue(json, ATTEMPTS).entrySet()) {
        byAttempt.put(Integer.valueOf(e.getKey()), usage(DECIMALS.writeValueAsString(e.getValue())));
      }
      return byAttempt;
    } catch (JsonProcessingException | NumberFormatException e) {
      throw new SQLException("the attempt_usage of a job row is not an object of attempt numbers and usages: " + e.getMessage(), e);
    }
  }

  /** The metadata as the insert binds it: a JSON object of strings. */
  static String metadataJson(Map<String, String> metadata) {
    if (metadata.isEmpty()) {
      return "{}";
    }
    try {
      return JSON.writeValueAsString(new java.util.TreeMap<>(metadata));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings is always JSON", e);
    }
  }

  /**
   * A job's resources as the insert binds them: a JSON array of the names it falls under besides
   * its type, sorted, without its type (the claim counts a job once under each name), or null for
   * none.
   */
  static @Nullable String resourcesJson(dev.asyncjobs.spi.NewJob job) {
    java.util.TreeSet<String> names = new java.util.TreeSet<>(job.resources());
    names.remove(job.type());
    if (names.isEmpty()) {
      return null;
    }
    try {
      return JSON.writeValueAsString(names);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a set of strings is always JSON", e);
    }
  }

  /** The reservation columns (V12) at {@code column} and the next: NULL for a job that was not budgeted. */
  private static @Nullable BudgetAmount budget(ResultSet rs, int column) throws SQLException {
    BigDecimal cost = rs.getBigDecimal(column);
    return cost == null ? null : new BudgetAmount(cost, rs.getLong(column + 1));
  }

  private static @Nullable Long nullableLong(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  public static Instant instant(ResultSet rs, int column) throws SQLException {
    Instant t = nullableInstant(rs, column);
    if (t == null) {
      throw new SQLException("column " + column + " of a job row is unexpectedly NULL");
    }
    return t;
  }

  /** A {@code timestamptz} column as an instant, or null. */
  public static @Nullable Instant nullableInstant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
