package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobException;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.Usage;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.CompletedAndClaimed;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.HeartbeatResult;
import dev.asyncjobs.spi.JobIds;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.WorkerProgress;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jspecify.annotations.Nullable;

/**
 * The statements of workers: claim, heartbeat, and the writes fenced by a lease. Each is one
 * statement; a fenced write matches only the row that is PROCESSING under the lease's worker and
 * attempt, and when it matches nothing the lease is lost (a second query tells a lost lease from
 * bad input only on that path).
 */
public final class WorkerWrites {
  /** Claim order: priority first, then earliest runAt, then id (as PostgreSQL orders uuids). */
  private static final Comparator<Job> CLAIM_ORDER =
      Comparator.comparingInt((Job j) -> -j.priority()).thenComparing(Job::runAt).thenComparing(Job::id, JobIds.ORDER);

  private static final String FENCE_WHERE =
      " WHERE j.id = :id AND j.worker_id = :worker AND j.attempts = :attempt AND j.status = 'PROCESSING'";
  private static final String FENCE = FENCE_WHERE + " RETURNING {cols}";

  /** The SET clause of a completion; {@code :result} and {@code :durationUs} name its inputs. */
  private static final String COMPLETE_SET =
      "UPDATE {jobs} AS j SET"
          + " status = CASE WHEN j.cancel_requested THEN 'CANCELLED' ELSE 'COMPLETED' END,"
          + " result = CASE WHEN j.cancel_requested THEN NULL ELSE CAST(:result AS jsonb) END,"
          + " progress = CASE WHEN j.cancel_requested THEN j.progress ELSE 100 END,"
          + " actual_duration = CASE WHEN j.cancel_requested THEN j.actual_duration"
          + " ELSE CAST(:durationUs AS bigint) * interval '1 microsecond' END,"
          + " finished_at = :now, updated_at = :now, worker_id = NULL, lease_until = NULL";

  /** Makes the statement's transaction commit without waiting for its WAL flush (always true). */
  private static final String ASYNC_COMMIT = "set_config('synchronous_commit', 'off', true) IS NOT NULL";

  /** Whether a failed attempt goes back to PENDING (the same test in every column of fail). */
  private static final String RETRIES =
      "(NOT j.cancel_requested AND CAST(:retryAt AS timestamptz) IS NOT NULL AND j.attempts < j.max_attempts)";

  /** The claim, one statement: jobs_claim (V9), rows locked by others skipped. */
  private final String claimSql;
  /**
   * The {@code synchronous_commit} of the store's connections, read by the first {@link
   * #completeAllThenClaim} and restored by each for its commit.
   */
  private volatile @Nullable String commitDurability;
  /** completeAllSql, claimSql, and the commit's durability restored, as one string: sent together. */
  private final String completeThenClaimSql;
  private final String heartbeatSql;
  private final String progressSql;
  private final String completeSql;
  private final String completeAllSql;
  private final String failSql;
  private final String deferSql;
  private final String releaseSql;
  private final String acknowledgeCancelSql;
  private final String rescueSql;
  private final String recordUsageSql;
  private final String stateSql;

  /** The statements on {@code names}' jobs table. */
  public WorkerWrites(SchemaNames names) {
    // One statement in both cases, with limits and without: jobs_claim (V9) decides, locks, counts
    // and updates in one call, and the STARTED events are appended from the rows it returns.
    // Without a limit that applies it is V6's claim: the ids of jobs_due_ids (the pending index in
    // claim order whatever the table's statistics say) updated through the primary key as an
    // array, never a join (a join's plan would depend on the estimated claim size). It runs in
    // PL/pgSQL, whose plans are cached per session. A claim commits without waiting for its WAL
    // flush (jobs_claim sets synchronous_commit off for its transaction): lost in a database
    // crash, its job is simply PENDING again (the fenced writes of the worker that ran it are
    // refused). Its STARTED event reaches no subscriber before it is flushed (see EventFeeds), so
    // no subscriber ever saw an event that a crash could take back.
    claimSql = JobRows.withColumns(names.sql(
        "WITH c AS (SELECT * FROM " + names.function("jobs_claim")
            + "(CAST(:now AS timestamptz), CAST(:types AS text[]), CAST(:limit AS integer), CAST(:worker AS text),"
            + " CAST(:leaseUntil AS timestamptz), CAST(:fair AS boolean), true)),"
            + " e AS (" + EventAppends.insertFrom(names, "c", "'STARTED'") + ")"
            + " SELECT {cols} FROM c AS j"));
    heartbeatSql = sql(names,
        "UPDATE {jobs} AS j SET lease_until = :leaseUntil"
            + " FROM unnest(CAST(:ids AS uuid[]), CAST(:workers AS text[]), CAST(:attempts AS int[])) AS l(id, worker_id, attempt)"
            + " WHERE j.id = l.id AND j.worker_id = l.worker_id AND j.attempts = l.attempt AND j.status = 'PROCESSING'"
            + " RETURNING j.id, j.cancel_requested");
    // Progress commits without waiting for its flush too: a report lost in a crash is replaced by the
    // next, and its event, like every event, is delivered only once flushed.
    progressSql = EventAppends.update(names,
        "UPDATE {jobs} AS j SET progress = :progress, progress_message = :message, updated_at = :now"
            + FENCE.replace(" RETURNING", " AND j.progress <= :progress AND " + ASYNC_COMMIT + " RETURNING"), "'PROGRESS'");
    completeSql = EventAppends.update(names, COMPLETE_SET + FENCE, EventAppends.KIND_BY_STATUS);
    completeAllSql = EventAppends.update(names,
        COMPLETE_SET.replace(":result", "c.result").replace(":durationUs", "c.duration_us")
            + " FROM unnest(CAST(:ids AS uuid[]), CAST(:workers AS text[]), CAST(:attempts AS int[]),"
            + " CAST(:results AS text[]), CAST(:durations AS bigint[])) AS c(id, worker_id, attempt, result, duration_us)"
            + " WHERE j.id = c.id AND j.worker_id = c.worker_id AND j.attempts = c.attempt AND j.status = 'PROCESSING'"
            + " RETURNING {cols}", EventAppends.KIND_BY_STATUS);
    completeThenClaimSql = completeAllSql + ";\n" + claimSql + ";\nSELECT set_config('synchronous_commit', :durability, true)";
    failSql = EventAppends.update(names,
        "UPDATE {jobs} AS j SET"
            + " status = CASE WHEN j.cancel_requested THEN 'CANCELLED' WHEN " + RETRIES + " THEN 'PENDING' ELSE 'FAILED' END,"
            + " run_at = CASE WHEN " + RETRIES + " THEN greatest(CAST(:retryAt AS timestamptz), :now) ELSE j.run_at END,"
            + " finished_at = CASE WHEN " + RETRIES + " THEN j.finished_at ELSE :now END,"
            + " error_message = :error, updated_at = :now, worker_id = NULL, lease_until = NULL" + FENCE,
        EventAppends.KIND_BY_STATUS);
    // A deferred failure hands the attempt back (a provider said "rate limited"): PENDING at retryAt
    // whatever attempts are left, the attempt not counted; CANCELLED instead on a cancel request,
    // counting as fail does.
    deferSql = EventAppends.update(names,
        "UPDATE {jobs} AS j SET"
            + " status = CASE WHEN j.cancel_requested THEN 'CANCELLED' ELSE 'PENDING' END,"
            + " attempts = CASE WHEN j.cancel_requested THEN j.attempts ELSE greatest(j.attempts - 1, 0) END,"
            + " deferrals = CASE WHEN j.cancel_requested THEN j.deferrals ELSE j.deferrals + 1 END,"
            + " run_at = CASE WHEN j.cancel_requested THEN j.run_at ELSE greatest(CAST(:retryAt AS timestamptz), :now) END,"
            + " finished_at = CASE WHEN j.cancel_requested THEN :now ELSE j.finished_at END,"
            + " error_message = :error, updated_at = :now, worker_id = NULL, lease_until = NULL" + FENCE,
        EventAppends.KIND_BY_STATUS);
    releaseSql = EventAppends.update(names,
        "UPDATE {jobs} AS j SET"
            + " status = CASE WHEN j.cancel_requested THEN 'CANCELLED' ELSE 'PENDING' END,"
            + " attempts = CASE WHEN j.cancel_requested THEN j.attempts ELSE greatest(j.attempts - 1, 0) END,"
            + " run_at = CASE WHEN j.cancel_requested THEN j.run_at ELSE :now END,"
            + " finished_at = CASE WHEN j.cancel_requested THEN :now ELSE j.finished_at END,"
            + " updated_at = :now, worker_id = NULL, lease_until = NULL" + FENCE, EventAppends.KIND_BY_STATUS);
    acknowledgeCancelSql = EventAppends.update(names,
        "UPDATE {jobs} AS j SET status = 'CANCELLED', finished_at = :now, updated_at = :now,"
            + " worker_id = NULL, lease_until = NULL" + FENCE, EventAppends.KIND_BY_STATUS);
    rescueSql = EventAppends.update(names,
        "UPDATE {jobs} AS j SET"
            + " status = CASE WHEN j.cancel_requested THEN 'CANCELLED' WHEN j.attempts < j.max_attempts THEN 'PENDING'"
            + " ELSE 'FAILED' END,"
            + " run_at = CASE WHEN NOT j.cancel_requested AND j.attempts < j.max_attempts THEN :now ELSE j.run_at END,"
            + " finished_at = CASE WHEN NOT j.cancel_requested AND j.attempts < j.max_attempts THEN j.finished_at"
            + " ELSE :now END,"
            + " error_message = 'attempt ' || j.attempts || ' abandoned: the lease of worker ' || j.worker_id"
            + " || ' expired at ' || to_char(j.lease_until AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
            + " updated_at = :now, worker_id = NULL, lease_until = NULL"
            + " FROM (SELECT id FROM {jobs} WHERE status = 'PROCESSING' AND lease_until < :now"
            + " ORDER BY lease_until LIMIT :limit FOR UPDATE SKIP LOCKED) AS expired"
            + " WHERE j.id = expired.id RETURNING {cols}", EventAppends.KIND_BY_STATUS);
    // Usage is added in the database (jobs_usage_add, V11: exact numeric sums), so that two
    // records never read and write the same total; it commits with the flush like every write but
    // claims and progress (a figure that is billed must not vanish in a crash). Nothing a
    // subscriber follows changes: no event, and updated_at stays.
    String add = names.function("jobs_usage_add");
    recordUsageSql = names.sql(
        "UPDATE {jobs} AS j SET usage = " + add + "(j.usage, CAST(:usage AS jsonb)),"
            + " attempt_usage = j.attempt_usage || jsonb_build_object(CAST(:attempt AS text),"
            + " " + add + "(j.attempt_usage -> CAST(:attempt AS text), CAST(:usage AS jsonb)))" + FENCE_WHERE);
    stateSql = sql(names, "SELECT {cols} FROM {jobs} AS j WHERE j.id = :id");
  }

  private static String sql(SchemaNames names, String template) {
    return JobRows.withColumns(names.sql(template));
  }

  /** The claim statement as sent, for EXPLAIN in tests. */
  public String claimSql() {
    return claimSql;
  }

  /**
   * Claims due jobs within the limits, returned in claim order. {@link ClaimRequest#fairBetweenOwners()}
   * goes to the database's one choice of order ({@code jobs_claim_candidates}), which serves it with
   * {@code jobs_fair_candidates} (V10).
   */
  public List<Job> claim(Handle h, ClaimRequest r, Instant now) {
    return inClaimOrder(bindClaim(h.createQuery(claimSql), r, now).map(JobRows.MAPPER).list());
  }

  /** Binds what {@link #claimSql} needs. */
  private static <S extends SqlStatement<S>> S bindClaim(S q, ClaimRequest r, Instant now) {
    return q.bind("now", Binds.instant(now))
        .bind("leaseUntil", Binds.instant(Binds.micros(now.plus(r.leaseDuration()))))
        .bind("worker", r.workerId())
        .bind("types", Binds.array("text", r.types()))
        .bind("limit", r.limit())
        .bind("fair", r.fairBetweenOwners());
  }

  private static List<Job> inClaimOrder(List<Job> claimed) {
    List<Job> sorted = new ArrayList<>(claimed);
    sorted.sort(CLAIM_ORDER);
    return sorted;
  }

  /** Extends the leases still held; reports the lost ones and those with a cancel request. */
  public HeartbeatResult heartbeat(Handle h, Collection<Lease> leases, Duration leaseDuration, Instant now) {
    List<Lease> sorted = new ArrayList<>(leases);
    sorted.sort(Comparator.comparing(Lease::jobId, JobIds.ORDER)); // one lock order for every caller
    List<UUID> ids = new ArrayList<>();
    List<String> workers = new ArrayList<>();
    List<Integer> attempts = new ArrayList<>();
    for (Lease l : sorted) {
      ids.add(l.jobId());
      workers.add(l.workerId());
      attempts.add(l.attempt());
    }
    Set<UUID> lost = new HashSet<>(ids);
    Set<UUID> cancel = new HashSet<>();
    h.createQuery(heartbeatSql)
        .bind("leaseUntil", Binds.instant(Binds.micros(now.plus(leaseDuration))))
        .bind("ids", Binds.array("uuid", ids))
        .bind("workers", Binds.array("text", workers))
        .bind("attempts", Binds.array("int4", attempts))
        .map((rs, ctx) -> {
          UUID id = rs.getObject(1, UUID.class);
          lost.remove(id);
          if (rs.getBoolean(2)) {
            cancel.add(id);
          }
          return id;
        })
        .list();
    return new HeartbeatResult(lost, cancel);
  }

  /** A progress report under a lease. */
  public Job reportProgress(Handle h, WorkerProgress report, Instant now) {
    Lease lease = report.lease();
    int progress = report.progress();
    Job updated = fenced(h, progressSql, lease, now,
        q -> q.bind("progress", progress).bind("message", report.message()));
    if (updated != null) {
      return updated;
    }
    Job current = h.createQuery(stateSql).bind("id", lease.jobId()).map(JobRows.MAPPER).findOne().orElse(null);
    if (current != null && holds(current, lease)) {
      throw new InvalidRequestException(
          "progress", "progress must not go backwards: it is " + current.progress() + ", was given " + progress);
    }
    throw lost(lease);
  }

  /** Completes an attempt (CANCELLED instead when a cancel was requested). */
  public Job complete(Handle h, Completion completion, Instant now) {
    Lease lease = completion.lease();
    return required(fenced(h, completeSql, lease, now,
        q -> q.bind("result", completion.resultJson()).bind("durationUs", Binds.micros(completion.actualDuration()))), lease);
  }

  /**
   * Completes several attempts in one statement; those whose lease was lost are skipped.
   *
   * @return the completed jobs, in the order of {@code completions}
   */
  public List<Job> completeAll(Handle h, List<Completion> completions, Instant now) {
    Map<UUID, Job> done = new HashMap<>();
    bindCompletions(h.createQuery(completeAllSql), completions, now)
        .map(JobRows.MAPPER)
        .forEach(j -> done.put(j.id(), j));
    return inOrderOf(completions, done);
  }

  /** Binds what {@link #completeAllSql} needs, the completions in lock order. */
  private static <S extends SqlStatement<S>> S bindCompletions(S q, List<Completion> completions, Instant now) {
    List<Completion> sorted = new ArrayList<>(completions);
    sorted.sort(Comparator.comparing((Completion c) -> c.lease().jobId(), JobIds.ORDER)); // one lock order
    List<UUID> ids = new ArrayList<>();
    List<String> workers = new ArrayList<>();
    List<Integer> attempts = new ArrayList<>();
    List<String> results = new ArrayList<>();
    List<@Nullable Long> durations = new ArrayList<>();
    for (Completion c : sorted) {
      ids.add(c.lease().jobId());
      workers.add(c.lease().workerId());
      attempts.add(c.lease().attempt());
      results.add(c.resultJson());
      durations.add(Binds.micros(c.actualDuration()));
    }
    return q.bind("now", Binds.instant(now))
        .bind("ids", Binds.array("uuid", ids))
        .bind("workers", Binds.array("text", workers))
        .bind("attempts", Binds.array("int4", attempts))
        .bind("results", Binds.array("text", results))
        .bind("durations", Binds.array("int8", durations));
  }

  /** The completed jobs of {@code done} in the order of {@code completions}, without those not there (lost leases). */
  private static List<Job> inOrderOf(List<Completion> completions, Map<UUID, Job> done) {
    List<Job> out = new ArrayList<>(done.size());
    for (Completion c : completions) {
      Job j = done.remove(c.lease().jobId());
      if (j != null) {
        out.add(j);
      }
    }
    return out;
  }

  /**
   * Completes, then claims, in the caller's transaction, and has its commit wait for the flush again
   * afterwards, as a completion's must, whatever the claim set (it asks for an asynchronous commit).
   * A statement that fails for good throws {@link ClaimRefused} (it is the claim's, unless the
   * completions fail alone as well), so that the caller rolls everything back and writes the
   * completions alone; the failures worth retrying (a deadlock, a lost connection) leave as they
   * are, for the store's retry of the whole call.
   */
  public CompletedAndClaimed completeAllThenClaim(Handle h, List<Completion> completions, ClaimRequest claim, Instant now) {
    String durability = commitDurability;
    if (durability == null) {
      durability = h.createQuery("SELECT current_setting('synchronous_commit')").mapTo(String.class).one();
      commitDurability = durability;
    }
    // Three statements sent at once, one round trip: each sees what the one before it wrote.
    Query q = bindClaim(bindCompletions(h.createQuery(completeThenClaimSql), completions, now), claim, now)
        .bind("durability", durability);
    try {
      return q.execute((statement, ctx) -> {
        try {
          PreparedStatement ps = statement.get();
          Map<UUID, Job> done = new HashMap<>();
          try (ResultSet rs = ps.getResultSet()) {
            while (rs.next()) {
              Job j = JobRows.MAPPER.map(rs, ctx);
              done.put(j.id(), j);
            }
          }
          List<Job> claimed = new ArrayList<>();
          if (!ps.getMoreResults()) {
            throw new IllegalStateException("the claim after the completions returned no result");
          }
          try (ResultSet rs = ps.getResultSet()) {
            while (rs.next()) {
              claimed.add(JobRows.MAPPER.map(rs, ctx));
            }
          }
          return new CompletedAndClaimed(inOrderOf(completions, done), inClaimOrder(claimed), null);
        } finally {
          ctx.close();
        }
      });
    } catch (RuntimeException e) {
      if (SqlErrors.classify(e) != SqlErrors.Kind.PERMANENT) {
        throw e;
      }
      throw new ClaimRefused(SqlErrors.translate(e, "claim", null));
    }
  }

  /**
   * The claim of {@link #completeAllThenClaim} failed for good: the transaction is rolled back, and
   * {@link #error()} is what to report.
   */
  public static final class ClaimRefused extends JobException {
    private static final long serialVersionUID = 1L;
    private final JobException error;

    ClaimRefused(JobException error) {
      super("the claim after the completions failed: " + error.getMessage(), error);
      this.error = error;
    }

    /** {@return the claim's failure, as the store reports it} */
    public JobException error() {
      return error;
    }
  }

  /**
   * Fails an attempt: PENDING at retryAt when attempts are left, else FAILED; CANCELLED on a cancel
   * request. A {@linkplain Failure#deferred() deferred} one is PENDING at retryAt with the attempt
   * taken back and one more deferral, whatever attempts are left.
   */
  public Job fail(Handle h, Failure failure, Instant now) {
    Instant retryAt = failure.retryAt();
    return required(fenced(h, failure.deferred() ? deferSql : failSql, failure.lease(), now,
        q -> q.bind("error", failure.errorMessage())
            .bind("retryAt", Binds.instant(retryAt == null ? null : Binds.micros(retryAt)))), failure.lease());
  }

  /** Gives the job back without counting the attempt. */
  public Job release(Handle h, Lease lease, Instant now) {
    return required(fenced(h, releaseSql, lease, now, q -> q), lease);
  }

  /** Ends the attempt as CANCELLED. */
  public Job acknowledgeCancel(Handle h, Lease lease, Instant now) {
    return required(fenced(h, acknowledgeCancelSql, lease, now, q -> q), lease);
  }

  /** Rescues up to {@code limit} jobs whose lease expired before now. */
  public List<Job> rescueExpired(Handle h, int limit, Instant now) {
    return h.createQuery(rescueSql).bind("now", Binds.instant(now)).bind("limit", limit).map(JobRows.MAPPER).list();
  }

  /** Adds what an attempt consumed to the job's total and to the attempt's entry. */
  public void recordUsage(Handle h, Lease lease, Usage usage) {
    if (fencedBy(h.createUpdate(recordUsageSql), lease).bind("usage", usage.toJson()).execute() == 0) {
      throw lost(lease);
    }
  }

  private static @Nullable Job fenced(Handle h, String sql, Lease lease, Instant now, UnaryOperator<Query> extra) {
    Query q = fencedBy(h.createQuery(sql), lease).bind("now", Binds.instant(now));
    return extra.apply(q).map(JobRows.MAPPER).findOne().orElse(null);
  }

  /** {@code s} with the lease bound to the names of {@link #FENCE_WHERE}. */
  private static <S extends SqlStatement<S>> S fencedBy(S s, Lease lease) {
    return s.bind("id", lease.jobId()).bind("worker", lease.workerId()).bind("attempt", lease.attempt());
  }

  private static Job required(@Nullable Job job, Lease lease) {
    if (job == null) {
      throw lost(lease);
    }
    return job;
  }

  private static boolean holds(Job job, Lease lease) {
    return job.status() == JobStatus.PROCESSING && lease.workerId().equals(job.workerId()) && job.attempts() == lease.attempt();
  }

  private static LeaseLostException lost(Lease lease) {
    return new LeaseLostException(lease.jobId(), lease.workerId(), lease.attempt());
  }
}
