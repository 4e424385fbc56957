package dev.asyncjobs.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The names {@link JobTracing} gives its telemetry: the instrumentation scope, the span names, the
 * attributes and the events, for dashboards, queries and tests. The {@code messaging.*} attributes
 * follow the OpenTelemetry messaging semantic conventions (a job is a message, its type the
 * destination); the {@code asyncjobs.*} ones are this library's own and are kept stable.
 */
public final class JobSpans {
  /** The instrumentation scope (tracer name) of every span. */
  public static final String INSTRUMENTATION_SCOPE = "dev.asyncjobs.opentelemetry";

  /** The name of a create span is this followed by the job type: {@code create image_generation}. */
  public static final String CREATE_SPAN_PREFIX = "create ";

  /** The name of an attempt span is this followed by the job type: {@code process image_generation}. */
  public static final String PROCESS_SPAN_PREFIX = "process ";

  /** The job's id, on attempt spans. */
  public static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("asyncjobs.job.id");

  /** The job's type, on create and attempt spans. */
  public static final AttributeKey<String> JOB_TYPE = AttributeKey.stringKey("asyncjobs.job.type");

  /** The attempt's number, from 1, on attempt spans. */
  public static final AttributeKey<Long> JOB_ATTEMPT = AttributeKey.longKey("asyncjobs.job.attempt");

  /** The job's most attempts, on attempt spans. */
  public static final AttributeKey<Long> JOB_MAX_ATTEMPTS = AttributeKey.longKey("asyncjobs.job.max_attempts");

  /**
   * The job's owner, on create and attempt spans, only when {@link JobTracing.Builder#recordOwner}
   * asks for it: an owner id may be personal data.
   */
  public static final AttributeKey<String> JOB_OWNER = AttributeKey.stringKey("asyncjobs.job.owner");

  /** How the attempt ended, one of {@link AttemptOutcome#value()}, on attempt spans when they end. */
  public static final AttributeKey<String> JOB_OUTCOME = AttributeKey.stringKey("asyncjobs.job.outcome");

  /** The id of the worker that runs the attempt, on attempt spans. */
  public static final AttributeKey<String> WORKER_ID = AttributeKey.stringKey("asyncjobs.worker.id");

  /** {@code asyncjobs}, on create and attempt spans (messaging conventions). */
  public static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");

  /** {@code create} or {@code process} (messaging conventions). */
  public static final AttributeKey<String> MESSAGING_OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");

  /** {@code create} or {@code process}, as in the span name (messaging conventions). */
  public static final AttributeKey<String> MESSAGING_OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");

  /** The job type, the "destination" a job is sent to (messaging conventions). */
  public static final AttributeKey<String> MESSAGING_DESTINATION_NAME = AttributeKey.stringKey("messaging.destination.name");

  /** The job's id, on attempt spans (messaging conventions). */
  public static final AttributeKey<String> MESSAGING_MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");

  /** The value of {@link #MESSAGING_SYSTEM}. */
  public static final String SYSTEM = "asyncjobs";

  /** The event of an attempt that failed and whose job will run again. */
  public static final String RETRY_SCHEDULED_EVENT = "asyncjobs.retry_scheduled";

  /** On {@link #RETRY_SCHEDULED_EVENT}: how long until the next attempt, in milliseconds. */
  public static final AttributeKey<Long> RETRY_DELAY_MS = AttributeKey.longKey("asyncjobs.retry.delay_ms");

  /** On {@link #RETRY_SCHEDULED_EVENT}: the number of the next attempt. */
  public static final AttributeKey<Long> RETRY_NEXT_ATTEMPT = AttributeKey.longKey("asyncjobs.retry.next_attempt");

  /** The event of an attempt that ran past its timeout and was interrupted. */
  public static final String TIMED_OUT_EVENT = "asyncjobs.timed_out";

  /** On {@link #TIMED_OUT_EVENT}: the timeout it ran past, in milliseconds. */
  public static final AttributeKey<Long> TIMEOUT_MS = AttributeKey.longKey("asyncjobs.timeout_ms");

  /** The event of an attempt whose worker lost the job's lease: another worker may run it now. */
  public static final String LEASE_LOST_EVENT = "asyncjobs.lease_lost";

  private JobSpans() {}
}
