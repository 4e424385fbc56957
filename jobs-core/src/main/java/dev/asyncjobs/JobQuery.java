package dev.asyncjobs;

import dev.asyncjobs.spi.PageCursor;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A filter and page request over jobs, ordered by {@code (createdAt, id)}.
 *
 * @param ownerId only this owner's jobs; {@code null} means every owner (operators only: {@link
 *     JobManager#list} always sets it)
 * @param statuses only these statuses; empty means all
 * @param types only these types; empty means all
 * @param createdAfter only jobs created at or after this instant
 * @param createdBefore only jobs created strictly before this instant
 * @param sort newest or oldest first
 * @param limit page size, 1–{@value #MAX_LIMIT}
 * @param cursor opaque cursor of the previous page, or {@code null} for the first page
 * @param errorContains only jobs whose error message contains this text, ignoring the case of
 *     ASCII letters (1–200 characters, no control characters); {@code null} for any
 */
public record JobQuery(
    @Nullable String ownerId,
    Set<JobStatus> statuses,
    Set<String> types,
    @Nullable Instant createdAfter,
    @Nullable Instant createdBefore,
    Sort sort,
    int limit,
    @Nullable String cursor,
    @Nullable String errorContains) {

  /** Largest page. */
  public static final int MAX_LIMIT = 500;
  /** Page size when none is given. */
  public static final int DEFAULT_LIMIT = 50;
  /** Longest {@link #errorContains()}. */
  public static final int MAX_ERROR_TEXT = 200;

  /** Order of a listing. */
  public enum Sort {
    /** Most recently created first (the default). */
    NEWEST_FIRST,
    /** Oldest first. */
    OLDEST_FIRST
  }

  /**
   * Copies the sets and checks the limit.
   *
   * @param ownerId only this owner's jobs; {@code null} means every owner (operators only: {@link
   *     JobManager#list} always sets it)
   * @param statuses only these statuses; empty means all
   * @param types only these types; empty means all
   * @param createdAfter only jobs created at or after this instant
   * @param createdBefore only jobs created strictly before this instant
   * @param sort newest or oldest first
   * @param limit page size, 1–{@value #MAX_LIMIT}
   * @param cursor opaque cursor of the previous page, or {@code null} for the first page
   * @param errorContains only jobs whose error message contains this text, ignoring case
   */
  public JobQuery {
    statuses = statuses.isEmpty() ? Set.of() : Set.copyOf(statuses);
    types = Set.copyOf(types);
    Objects.requireNonNull(sort, "sort");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidRequestException("limit", "limit must be 1-" + MAX_LIMIT + ", was " + limit);
    }
    if (cursor != null) {
      PageCursor.decode(cursor); // fail fast on a malformed cursor
    }
    if (errorContains != null && (errorContains.isBlank() || errorContains.length() > MAX_ERROR_TEXT
        || errorContains.chars().anyMatch(Character::isISOControl))) {
      throw new InvalidRequestException("errorContains", "errorContains must be 1-" + MAX_ERROR_TEXT
          + " characters, not blank and without control characters, was " + errorContains.length() + " characters");
    }
  }

  /**
   * {@return whether {@code message} contains {@link #errorContains()}, ignoring the case of ASCII
   * letters only} ASCII only, so that every store matches alike (PostgreSQL folds it the same way
   * under any collation); other letters match as written.
   */
  private boolean errorMatches(@Nullable String message) {
    return errorContains == null || (message != null && asciiLower(message).contains(asciiLower(errorContains)));
  }

  private static String asciiLower(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
    }
    return b.toString();
  }

  /** {@return the decoded cursor, or {@code null} on the first page} */
  public @Nullable PageCursor decodedCursor() {
    return cursor == null ? null : PageCursor.decode(cursor);
  }

  /**
   * {@return whether {@code job} passes every filter (the cursor aside)} Stores may use it.
   *
   * @param job the job to test
   */
  public boolean matches(Job job) {
    return (ownerId == null || ownerId.equals(job.ownerId()))
        && (statuses.isEmpty() || statuses.contains(job.status()))
        && (types.isEmpty() || types.contains(job.type()))
        && (createdAfter == null || !job.createdAt().isBefore(createdAfter))
        && (createdBefore == null || job.createdAt().isBefore(createdBefore))
        && errorMatches(job.errorMessage());
  }

  /**
   * A query of one owner's jobs.
   *
   * @param ownerId the owner
   * @return a builder of the query
   */
  public static Builder forOwner(String ownerId) {
    return new Builder(Objects.requireNonNull(ownerId, "ownerId"));
  }

  /**
   * A query over every owner (operators, statistics, tests).
   *
   * @return a builder of the query
   */
  public static Builder allOwners() {
    return new Builder(null);
  }

  /**
   * {@return a copy of this query on another page}
   *
   * @param nextCursor the cursor of the page, or {@code null} for the first
   */
  public JobQuery withCursor(@Nullable String nextCursor) {
    return new JobQuery(ownerId, statuses, types, createdAfter, createdBefore, sort, limit, nextCursor, errorContains);
  }

  /**
   * {@return a copy of this query scoped to one owner}
   *
   * @param owner the owner
   */
  public JobQuery withOwner(String owner) {
    return new JobQuery(owner, statuses, types, createdAfter, createdBefore, sort, limit, cursor, errorContains);
  }

  /** Builds a {@link JobQuery}. */
  public static final class Builder {
    private final @Nullable String ownerId;
    private final Set<JobStatus> statuses = EnumSet.noneOf(JobStatus.class);
    private final Set<String> types = new LinkedHashSet<>();
    private @Nullable Instant createdAfter;
    private @Nullable Instant createdBefore;
    private Sort sort = Sort.NEWEST_FIRST;
    private int limit = DEFAULT_LIMIT;
    private @Nullable String cursor;
    private @Nullable String errorContains;

    private Builder(@Nullable String ownerId) {
      this.ownerId = ownerId;
    }

    /**
     * Adds statuses to the filter.
     *
     * @param s the statuses
     * @return this builder
     */
    public Builder statuses(JobStatus... s) {
      statuses.addAll(Set.of(s));
      return this;
    }

    /**
     * Adds statuses to the filter.
     *
     * @param s the statuses
     * @return this builder
     */
    public Builder statuses(Collection<JobStatus> s) {
      statuses.addAll(s);
      return this;
    }

    /**
     * Adds types to the filter.
     *
     * @param t the types
     * @return this builder
     */
    public Builder types(String... t) {
      types.addAll(Set.of(t));
      return this;
    }

    /**
     * Adds types to the filter.
     *
     * @param t the types
     * @return this builder
     */
    public Builder types(Collection<String> t) {
      types.addAll(t);
      return this;
    }

    /**
     * Only jobs created at or after this instant.
     *
     * @param t the earliest creation time, or {@code null} for no bound
     * @return this builder
     */
    public Builder createdAfter(@Nullable Instant t) {
      createdAfter = t;
      return this;
    }

    /**
     * Only jobs created before this instant.
     *
     * @param t the creation time bound (exclusive), or {@code null} for no bound
     * @return this builder
     */
    public Builder createdBefore(@Nullable Instant t) {
      createdBefore = t;
      return this;
    }

    /**
     * The order.
     *
     * @param s the order
     * @return this builder
     */
    public Builder sort(Sort s) {
      sort = Objects.requireNonNull(s, "sort");
      return this;
    }

    /**
     * Page size 1–500.
     *
     * @param l the page size, 1–500
     * @return this builder
     */
    public Builder limit(int l) {
      limit = l;
      return this;
    }

    /**
     * The cursor from the previous page.
     *
     * @param c the previous page's {@link Page#nextCursor()}, or {@code null} for the first page
     * @return this builder
     */
    public Builder cursor(@Nullable String c) {
      cursor = c;
      return this;
    }

    /**
     * Only jobs whose error message contains {@code text}, ignoring case (for operators looking
     * for one failure across jobs).
     *
     * @param text 1–200 characters, or {@code null} for any
     * @return this builder
     */
    public Builder errorContains(@Nullable String text) {
      this.errorContains = text;
      return this;
    }

    /** {@return the query} */
    public JobQuery build() {
      return new JobQuery(ownerId, statuses, types, createdAfter, createdBefore, sort, limit, cursor, errorContains);
    }
  }
}
