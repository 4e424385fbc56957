package dev.asyncjobs.reliability;

import dev.asyncjobs.JobException;
import org.jspecify.annotations.Nullable;

/**
 * One row of the bad-input catalogue: a name, what is sent through {@code JobManager} and what
 * through the HTTP API (either may be absent when the input cannot be expressed there), and what
 * each must answer.
 *
 * @param name what the input is, as the test report shows it
 * @param manager the call through the manager, or null
 * @param managerAnswer what the manager must do
 * @param http the request through HTTP, or null
 * @param httpAnswer what the API must answer
 */
record BadInput(
    String name,
    @Nullable Call manager,
    @Nullable Answer managerAnswer,
    @Nullable Call http,
    @Nullable Answer httpAnswer) {

  /** A call through one channel; returns what the channel returned (a job, a page, a response). */
  @FunctionalInterface
  interface Call {
    Object run(BadInputCatalogue fixture) throws Exception;
  }

  /** Checks what an accepted input stored. */
  @FunctionalInterface
  interface Check {
    void check(BadInputCatalogue fixture, Object returned) throws Exception;
  }

  /** What the system must answer. */
  sealed interface Answer permits Refused, Accepted {}

  /**
   * Refused with a typed error (through the manager) or a 4xx problem (through HTTP), changing
   * nothing: no row, no event, no quota use, no change to an existing job.
   *
   * @param type the exception the manager throws
   * @param field the field the error names, or null when it names none
   * @param detail a part of the message a person reads
   * @param status the HTTP status
   * @param code the problem's {@code code} through HTTP; null for the code of {@code type}
   */
  record Refused(Class<? extends JobException> type, @Nullable String field, String detail, int status, @Nullable String code)
      implements Answer {}

  /**
   * Accepted as plain data: stored exactly as sent, changing nothing else.
   *
   * @param rowsAdded how many jobs it adds
   * @param check what must hold of what it returned and stored
   */
  record Accepted(int rowsAdded, Check check) implements Answer {}

  /** Starts a row. */
  static BadInput named(String name) {
    return new BadInput(name, null, null, null, null);
  }

  /** The same row with a manager column. */
  BadInput manager(Call call, Answer answer) {
    return new BadInput(name, call, answer, http, httpAnswer);
  }

  /** The same row with an HTTP column. */
  BadInput http(Call call, Answer answer) {
    return new BadInput(name, manager, managerAnswer, call, answer);
  }

  static Refused refused(Class<? extends JobException> type, @Nullable String field, String detail, int status) {
    return new Refused(type, field, detail, status, null);
  }

  /** An HTTP answer that no manager exception gives (401, 406, a refused envelope). */
  static Refused problem(int status, String code, @Nullable String field, String detail) {
    return new Refused(JobException.class, field, detail, status, code);
  }

  static Accepted accepted(int rowsAdded, Check check) {
    return new Accepted(rowsAdded, check);
  }

  @Override
  public String toString() {
    return name;
  }
}
