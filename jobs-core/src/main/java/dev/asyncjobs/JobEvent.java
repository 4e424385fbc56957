package dev.asyncjobs;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a job: one entry of the store's event log. Every change of a job's
 * status, progress or cancel request appends one event in the same atomic step as the change, with
 * a {@link #sequence() sequence number} that is unique and strictly increasing across the store, so
 * that a subscriber can resume after the last event it saw.
 *
 * <p>An immutable value with accessors, {@code equals} and {@code hashCode} over every field; new
 * fields may be added in later versions (build one with {@link #builder()}).
 */
public final class JobEvent {
  /** The longest message an event carries; a longer progress or error message is cut. */
  public static final int MAX_MESSAGE_LENGTH = 1000;

  /** What happened. */
  public enum Kind {
    /** The job was stored (PENDING). */
    CREATED,
    /** A worker claimed it (PROCESSING). */
    STARTED,
    /** Its progress changed. */
    PROGRESS,
    /** It finished with a result. */
    COMPLETED,
    /** It failed for good. */
    FAILED,
    /** An attempt ended and it is PENDING again: a retry, a rescued lease or a released job. */
    RETRY_SCHEDULED,
    /** Its owner asked to cancel it while it was PROCESSING; the worker will stop it. */
    CANCEL_REQUESTED,
    /** It was cancelled (final). */
    CANCELLED,
    /** Its running attempt wrote text: {@link #data()} is the text that follows what came before. */
    TEXT_DELTA,
    /** Its running attempt produced one part of its output: {@link #data()} is the part as JSON. */
    OUTPUT_PART,
    /**
     * A new attempt starts its output afresh: what earlier attempts wrote is void (they failed and
     * the job is being retried). {@link #attempt()} is the new attempt.
     */
    OUTPUT_RESTARTED;

    /** {@return whether this kind carries partial output of an attempt rather than a change of the job} */
    public boolean isOutput() {
      return this == TEXT_DELTA || this == OUTPUT_PART || this == OUTPUT_RESTARTED;
    }
  }

  private final long sequence;
  private final Kind kind;
  private final UUID jobId;
  private final String ownerId;
  private final String type;
  private final JobStatus status;
  private final int progress;
  private final @Nullable String message;
  private final int attempt;
  private final @Nullable Instant runAt;
  private final Instant at;
  private final @Nullable String data;

  private JobEvent(Builder b) {
    this.sequence = b.sequence;
    this.kind = require(b.kind, "kind");
    this.jobId = require(b.jobId, "jobId");
    this.ownerId = require(b.ownerId, "ownerId");
    this.type = require(b.type, "type");
    this.status = require(b.status, "status");
    this.progress = b.progress;
    this.message = b.message;
    this.attempt = b.attempt;
    this.runAt = b.runAt;
    this.at = require(b.at, "at");
    this.data = b.data;
    if (sequence < 1) {
      throw new IllegalArgumentException("JobEvent.Builder: sequence must be positive, was " + sequence);
    }
  }

  /** {@return the event's position in the store's log: positive, strictly increasing in the order the events are delivered; numbers may be skipped} */
  public long sequence() {
    return sequence;
  }

  /** {@return what happened} */
  public Kind kind() {
    return kind;
  }

  /** {@return the job} */
  public UUID jobId() {
    return jobId;
  }

  /** {@return the job's owner} */
  public String ownerId() {
    return ownerId;
  }

  /** {@return the job's type} */
  public String type() {
    return type;
  }

  /** {@return the job's status after the event} */
  public JobStatus status() {
    return status;
  }

  /** {@return the job's progress after the event} */
  public int progress() {
    return progress;
  }

  /** {@return the progress message, the error, or why it was retried, when there is one} */
  public @Nullable String message() {
    return message;
  }

  /** {@return attempts started so far} */
  public int attempt() {
    return attempt;
  }

  /** {@return when a PENDING job becomes due (for wake-ups of workers); {@code null} otherwise} */
  public @Nullable Instant runAt() {
    return runAt;
  }

  /** {@return when it happened} */
  public Instant at() {
    return at;
  }

  /**
   * {@return the partial output an output event carries: the text of a {@link Kind#TEXT_DELTA},
   * the JSON of an {@link Kind#OUTPUT_PART}; {@code null} for every other kind}
   */
  public @Nullable String data() {
    return data;
  }

  /** {@return a builder holding this jobEvent's values, to change some of them} */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** {@return a builder for an event; meant for {@link dev.asyncjobs.spi.JobStore} implementations that map log rows to events} */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public boolean equals(@Nullable Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof JobEvent o)) {
      return false;
    }
    return sequence == o.sequence
        && Objects.equals(kind, o.kind)
        && Objects.equals(jobId, o.jobId)
        && Objects.equals(ownerId, o.ownerId)
        && Objects.equals(type, o.type)
        && Objects.equals(status, o.status)
        && progress == o.progress
        && Objects.equals(message, o.message)
        && attempt == o.attempt
        && Objects.equals(runAt, o.runAt)
        && Objects.equals(at, o.at)
        && Objects.equals(data, o.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sequence, kind, jobId, ownerId, type, status, progress, message, attempt, runAt, at, data);
  }

  @Override
  public String toString() {
    return "JobEvent[sequence=" + sequence + ", kind=" + kind + ", jobId=" + jobId + ", ownerId=" + ownerId + ", type=" + type + ", status=" + status + ", progress=" + progress + ", message=" + message + ", attempt=" + attempt + ", runAt=" + runAt + ", at=" + at
        + (data == null ? "" : ", data=" + data.length() + " chars") + "]";
  }

  private static <T> T require(@Nullable T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException("JobEvent.Builder: " + name + " is required");
    }
    return value;
  }

  /** Builds {@link JobEvent} values; every setter returns this builder. */
  public static final class Builder {
    private long sequence;
    private @Nullable Kind kind;
    private @Nullable UUID jobId;
    private @Nullable String ownerId;
    private @Nullable String type;
    private @Nullable JobStatus status;
    private int progress;
    private @Nullable String message;
    private int attempt;
    private @Nullable Instant runAt;
    private @Nullable Instant at;
    private @Nullable String data;

    private Builder() {}

    private Builder(JobEvent v) {
      this.sequence = v.sequence;
      this.kind = v.kind;
      this.jobId = v.jobId;
      this.ownerId = v.ownerId;
      this.type = v.type;
      this.status = v.status;
      this.progress = v.progress;
      this.message = v.message;
      this.attempt = v.attempt;
      this.runAt = v.runAt;
      this.at = v.at;
      this.data = v.data;
    }

    /**
     * Sets the event's position in the store's log: positive, strictly increasing in the order the events are delivered; numbers may be skipped.
     *
     * @param sequence the value
     * @return this builder
     */
    public Builder sequence(long sequence) {
      this.sequence = sequence;
      return this;
    }

    /**
     * Sets what happened.
     *
     * @param kind the value
     * @return this builder
     */
    public Builder kind(Kind kind) {
      this.kind = kind;
      return this;
    }

    /**
     * Sets the job.
     *
     * @param jobId the value
     * @return this builder
     */
    public Builder jobId(UUID jobId) {
      this.jobId = jobId;
      return this;
    }

    /**
     * Sets the job's owner.
     *
     * @param ownerId the value
     * @return this builder
     */
    public Builder ownerId(String ownerId) {
      this.ownerId = ownerId;
      return this;
    }

    /**
     * Sets the job's type.
     *
     * @param type the value
     * @return this builder
     */
    public Builder type(String type) {
      this.type = type;
      return this;
    }

    /**
     * Sets the job's status after the event.
     *
     * @param status the value
     * @return this builder
     */
    public Builder status(JobStatus status) {
      this.status = status;
      return this;
    }

    /**
     * Sets the job's progress after the event.
     *
     * @param progress the value
     * @return this builder
     */
    public Builder progress(int progress) {
      this.progress = progress;
      return this;
    }

    /**
     * Sets the progress message, the error, or why it was retried, when there is one.
     *
     * @param message the value, or {@code null}
     * @return this builder
     */
    public Builder message(@Nullable String message) {
      this.message = message;
      return this;
    }

    /**
     * Sets attempts started so far.
     *
     * @param attempt the value
     * @return this builder
     */
    public Builder attempt(int attempt) {
      this.attempt = attempt;
      return this;
    }

    /**
     * Sets when a PENDING job becomes due (for wake-ups of workers); {@code null} otherwise.
     *
     * @param runAt the value, or {@code null}
     * @return this builder
     */
    public Builder runAt(@Nullable Instant runAt) {
      this.runAt = runAt;
      return this;
    }

    /**
     * Sets when it happened.
     *
     * @param at the value
     * @return this builder
     */
    public Builder at(Instant at) {
      this.at = at;
      return this;
    }

    /**
     * Sets the partial output of an output event.
     *
     * @param data the text or the part's JSON, or {@code null}
     * @return this builder
     */
    public Builder data(@Nullable String data) {
      this.data = data;
      return this;
    }

    /**
     * {@return the jobEvent}
     *
     * @throws IllegalArgumentException a required value is missing or out of range
     */
    public JobEvent build() {
      return new JobEvent(this);
    }
  }

  /**
   * The event of {@code kind} at {@code sequence} for the job as it is after the change. The message
   * is the progress message for STARTED and PROGRESS and the error message for FAILED and
   * RETRY_SCHEDULED, cut to {@link #MAX_MESSAGE_LENGTH} characters (code points).
   *
   * @param sequence the event's position in the log
   * @param kind what happened
   * @param job the job after the change
   * @return the event
   */
  public static JobEvent of(long sequence, Kind kind, Job job) {
    String message =
        switch (kind) {
          case PROGRESS, STARTED -> job.progressMessage();
          case FAILED, RETRY_SCHEDULED -> job.errorMessage();
          default -> null;
        };
    if (message != null && message.codePointCount(0, message.length()) > MAX_MESSAGE_LENGTH) {
      // Cut by code points, as PostgreSQL's left() does, so both stores keep the same text.
      message = message.substring(0, message.offsetByCodePoints(0, MAX_MESSAGE_LENGTH));
    }
    Instant runAt = job.status() == JobStatus.PENDING ? job.runAt() : null;
    return builder().sequence(sequence).kind(kind).jobId(job.id()).ownerId(job.ownerId()).type(job.type())
        .status(job.status()).progress(job.progress()).message(message).attempt(job.attempts()).runAt(runAt)
        .at(job.updatedAt()).build();
  }
}
