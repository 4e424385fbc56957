package dev.asyncjobs.store.postgres.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncjobs.BudgetAmount;
import dev.asyncjobs.IdempotencyConflictException;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.BudgetCheck;
import dev.asyncjobs.spi.CachedResult;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.QuotaWindow;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jspecify.annotations.Nullable;

/**
 * {@code JobStore.insert}: all jobs or none, with each owner's quota checked in the same
 * transaction. Owners with limits are serialised by a transaction-scoped advisory lock on the
 * owner, taken before the ledger is read, so that two processes creating for one owner at once
 * count each other's creates; owners without limits take no lock. A lost race on an idempotency
 * key shows up as a unique violation, which rolls back and is retried, and the retry finds the
 * winner's job. The new jobs and the ledger rows go in with one statement.
 *
 * <p>Budgets ({@code BudgetCheck}) are checked under the same owner locks, against the budget
 * ledger's sums over each bound's window, before anything is written; a budgeted job's insert
 * names its reservation columns, from which the database writes its ledger row (V12). A batch
 * without budgets sends the very statements it sent before budgets existed.
 */
public final class JobInserter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SchemaNames names;
  private final QuotaLedger ledger;
  private final String lockSql;
  private final String existingKeysSql;
  /** By budgeted (bit 0) and cached (bit 1): the insert statements. */
  private final String[] insertSqls = new String[4];
  private final boolean recordsLedger;
  private final BudgetLedger budgets;

  /**
   * Inserts into {@code names}' tables, recording creates in {@code ledger}.
   *
   * @param logInStatement whether the insert appends the CREATED events and the quota records
   *     itself (the tables' owner may); otherwise the database's triggers do (a role under
   *     row-level security may write neither the log nor the ledger)
   */
  public JobInserter(SchemaNames names, QuotaLedger ledger, BudgetLedger budgets, boolean logInStatement) {
    this.names = names;
    this.ledger = ledger;
    this.budgets = budgets;
    this.recordsLedger = logInStatement;
    // Locks are taken in owner order, so that two batches never wait on each other in a cycle.
    this.lockSql =
        "SELECT count(pg_advisory_xact_lock(hashtext(:store), hashtext(o)))"
            + " FROM (SELECT o FROM unnest(CAST(:owners AS text[])) AS o ORDER BY o COLLATE \"C\") AS sorted";
    this.existingKeysSql =
        JobRows.withColumns(names.sql(
            "SELECT {cols} FROM {jobs} AS j"
                + " JOIN unnest(CAST(:owners AS text[]), CAST(:keys AS text[])) AS k(owner_id, idempotency_key)"
                + " ON j.owner_id = k.owner_id AND j.idempotency_key = k.idempotency_key"));
    for (int v = 0; v < insertSqls.length; v++) {
      insertSqls[v] = insertSql(names, logInStatement, (v & 1) != 0, (v & 2) != 0);
    }
  }

  /**
   * The insert of new jobs; with {@code budgeted}, of their reservation columns too; with {@code
   * cached}, of their cache keys and cached sources (V13: the database fills in a copy's status,
   * progress, result and finish time from its source), logging a CREATED event per job and a
   * COMPLETED one after it for a copy, in request order.
   */
  private static String insertSql(SchemaNames names, boolean logInStatement, boolean budgeted, boolean cached) {
    String columns = (budgeted ? ", budget_cost, budget_tokens" : "") + (cached ? ", cache_key, cached_from" : "");
    return JobRows.withColumns(names.sql(
            "WITH inserted AS ("
                + " INSERT INTO {jobs} AS j (id, owner_id, type, payload, priority, max_attempts, run_at,"
                + " estimated_duration, idempotency_key, metadata, resources, estimated_units, created_at, updated_at" + columns + ")"
                + " SELECT n.id, n.owner_id, n.type, CAST(n.payload AS jsonb), n.priority, n.max_attempts,"
                + " CAST(n.run_at AS timestamptz), n.estimate_us * interval '1 microsecond', n.idempotency_key,"
                + " CAST(n.metadata AS jsonb),"
                // One array per job cannot travel in an array of arrays (unnest would flatten it):
                // each job's resources come as a JSON array, NULL for none (the common case).
                + " CASE WHEN n.resources IS NOT NULL"
                + " THEN ARRAY(SELECT jsonb_array_elements_text(CAST(n.resources AS jsonb))) END,"
                + " n.units, :now, :now"
                + (budgeted ? ", CAST(n.budget_cost AS numeric), n.budget_tokens" : "")
                + (cached ? ", n.cache_key, n.cached_from" : "")
                + " FROM unnest(CAST(:ids AS uuid[]), CAST(:owners AS text[]), CAST(:types AS text[]),"
                + " CAST(:payloads AS text[]), CAST(:priorities AS int[]), CAST(:maxAttempts AS int[]),"
                + " CAST(:runAts AS text[]), CAST(:estimates AS bigint[]), CAST(:keys AS text[]), CAST(:metadata AS text[]),"
                + " CAST(:resources AS text[]), CAST(:units AS bigint[])"
                + (budgeted ? ", CAST(:budgetCosts AS text[]), CAST(:budgetTokens AS bigint[])" : "")
                + (cached ? ", CAST(:cacheKeys AS text[]), CAST(:cachedFroms AS uuid[])" : "") + ")"
                + (cached ? " WITH ORDINALITY" : "")
                + " AS n(id, owner_id, type, payload, priority, max_attempts, run_at, estimate_us, idempotency_key, metadata,"
                + " resources, units" + columns + (cached ? ", ord" : "") + ")"
                + (logInStatement ? " WHERE " + EventAppends.SKIP_TRIGGERS : "")
                // Sources in id order (the insert trigger of V15 locks each one): the order of
                // heartbeats and completions, so that no two of them wait for each other.
                + (cached ? " ORDER BY n.cached_from NULLS FIRST, n.ord" : "")
                + (logInStatement ? " RETURNING j.*"
                    : " RETURNING j.id, j.payload" + (cached ? ", j.result, j.status, j.cached_from, j.run_at" : ""))
                + (logInStatement
                    ? "), logged AS (" + (cached ? EventAppends.insertCreatedFrom(names, "inserted")
                        : EventAppends.insertFrom(names, "inserted", "'CREATED'"))
                    : "")
                // The tables' owner records its creates itself; for a role under row-level
                // security (which may not write the ledger) the database's trigger does (V5).
                + (logInStatement
                    ? "), recorded AS ("
                        + " INSERT INTO {ledger} (owner_id, created_at, job_count)"
                        + " SELECT l.owner_id, :now, l.job_count"
                        + " FROM unnest(CAST(:ledgerOwners AS text[]), CAST(:ledgerCounts AS int[])) AS l(owner_id, job_count)"
                    : "")
                + ")"
                // Only what the database may have written differently from what was sent: jsonb
                // normalises the payload's text (and a copy's result, which it takes from the
                // source). The rest of each Job is known here already.
                + " SELECT i.id, i.payload::text AS payload"
                + (cached ? ", i.result::text AS result, i.status, i.cached_from, i.run_at" : "")
                + " FROM inserted AS i"));
  }

  /**
   * What an insert of {@code jobs} needs: each owner's limits (asked of the policy once), and a
   * transaction when any owner is limited or has budget bounds (its advisory lock lasts until the
   * commit).
   *
   * @param jobs the jobs, in request order
   * @param byOwner indexes into {@code jobs}, per owner in owner order
   * @param limits each owner's limits
   * @param limited the owners whose limits are not unlimited, in owner order
   * @param budgets the budget bounds and reservations
   * @param locked the owners whose lock the insert takes (limited or with bounds), in owner order
   * @param call how the insert runs
   */
  public record Plan(
      List<NewJob> jobs, Map<String, List<Integer>> byOwner, Map<String, QuotaLimits> limits, List<String> limited,
      BudgetCheck budgets, List<String> locked, Call call) {}

  /** Plans an insert of a non-empty batch. */
  public Plan plan(List<NewJob> jobs, QuotaPolicy quotas, BudgetCheck budgetCheck) {
    Map<String, List<Integer>> byOwner = new TreeMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      byOwner.computeIfAbsent(jobs.get(i).ownerId(), o -> new ArrayList<>()).add(i);
    }
    Map<String, QuotaLimits> limits = new HashMap<>();
    List<String> limited = new ArrayList<>();
    List<String> locked = new ArrayList<>();
    for (String owner : byOwner.keySet()) {
      QuotaLimits l = quotas.limitsFor(owner);
      limits.put(owner, l);
      if (!l.isUnlimited()) {
        limited.add(owner);
      }
      if (!l.isUnlimited() || !budgetCheck.boundsFor(owner).isEmpty()) {
        locked.add(owner);
      }
    }
    // A batch that reserves budget writes its ledger rows from a trigger of the insert: one
    // statement, so it needs no transaction of its own unless an owner is locked.
    Call call = Call.once("insert").json("payload").forOwner(byOwner.size() == 1 ? jobs.get(0).ownerId() : null);
    return new Plan(jobs, byOwner, limits, limited, budgetCheck, locked, locked.isEmpty() ? call : call.inTransaction());
  }

  /** Inserts as {@code plan} says; runs inside the plan's call. */
  public List<Job> insert(Handle h, Plan plan, Instant now) {
    List<NewJob> jobs = plan.jobs();
    Map<String, List<Integer>> byOwner = plan.byOwner();
    List<String> limited = plan.limited();
    if (!plan.locked().isEmpty()) {
      h.createQuery(lockSql).bind("store", names.lockName()).bind("owners", Binds.array("text", plan.locked()))
          .mapTo(Long.class).one();
    }
    Map<String, Job> existing = existingByKey(h, jobs);

    Job[] result = new Job[jobs.size()];
    Map<Integer, Integer> sameAsEarlier = new HashMap<>();
    List<NewJob> fresh = new ArrayList<>();
    Map<String, Integer> freshPerOwner = new TreeMap<>();
    Map<String, BudgetAmount> requested = new HashMap<>();
    for (Map.Entry<String, List<Integer>> e : byOwner.entrySet()) {
      Map<String, Integer> keysInBatch = new HashMap<>();
      for (int i : e.getValue()) {
        NewJob n = jobs.get(i);
        String key = n.idempotencyKey();
        Job old = key == null ? null : existing.get(e.getKey() + '\u0000' + key);
        Integer earlier = key == null ? null : keysInBatch.get(key);
        if (old != null) {
          requireSameRequest(key, old.id(), old.type(), old.payload(), n);
          result[i] = old;
        } else if (earlier != null) {
          NewJob first = jobs.get(earlier);
          requireSameRequest(key, first.id(), first.type(), first.payload(), n);
          sameAsEarlier.put(i, earlier);
        } else {
          if (key != null) {
            keysInBatch.put(key, i);
          }
          fresh.add(n);
          freshPerOwner.merge(e.getKey(), 1, Integer::sum);
          BudgetAmount reserved = plan.budgets().reservationOf(n.id());
          if (reserved != null) {
            requested.merge(e.getKey(), reserved, BudgetAmount::plus);
          }
        }
      }
    }
    checkQuotas(h, limited, plan.limits(), freshPerOwner, now);
    // The owners with new jobs only: an idempotent replay spends nothing, so it is never refused
    // (JobStore.insert), as quotas do not count it either.
    budgets.check(h, plan.budgets(), freshPerOwner.keySet(), requested);

    Map<UUID, Job> inserted = insertRows(h, fresh, freshPerOwner, plan.budgets(), now);
    for (int i = 0; i < result.length; i++) {
      if (result[i] == null) {
        Integer earlier = sameAsEarlier.get(i);
        result[i] = inserted.get(jobs.get(earlier == null ? i : earlier).id());
      }
    }
    return List.of(result);
  }

  /** Stored jobs that carry a key of the batch, by owner + NUL + key. */
  private Map<String, Job> existingByKey(Handle h, List<NewJob> jobs) {
    List<String> owners = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (NewJob j : jobs) {
      if (j.idempotencyKey() != null) {
        owners.add(j.ownerId());
        keys.add(j.idempotencyKey());
      }
    }
    Map<String, Job> out = new HashMap<>();
    if (keys.isEmpty()) {
      return out;
    }
    h.createQuery(existingKeysSql)
        .bind("owners", Binds.array("text", owners))
        .bind("keys", Binds.array("text", keys))
        .map(JobRows.MAPPER)
        .forEach(j -> out.put(j.ownerId() + '\u0000' + j.idempotencyKey(), j));
    return out;
  }

  private void checkQuotas(
      Handle h, List<String> limited, Map<String, QuotaLimits> limits, Map<String, Integer> fresh, Instant now) {
    List<String> counted = new ArrayList<>();
    for (String owner : limited) {
      if (fresh.getOrDefault(owner, 0) > 0) {
        counted.add(owner);
      }
    }
    if (counted.isEmpty()) {
      return;
    }
    Map<String, QuotaWindow> windows = ledger.windows(h, counted, now);
    for (String owner : counted) {
      limits.get(owner).check(owner, now, fresh.get(owner), windows.getOrDefault(owner, QuotaWindow.EMPTY));
    }
  }

  private Map<UUID, Job> insertRows(
      Handle h, List<NewJob> fresh, Map<String, Integer> freshPerOwner, BudgetCheck budgetCheck, Instant now) {
    Map<UUID, Job> byId = new HashMap<>();
    if (fresh.isEmpty()) {
      return byId;
    }
    int n = fresh.size();
    Map<UUID, NewJob> newById = new HashMap<>();
    fresh.forEach(j -> newById.put(j.id(), j));
    List<UUID> ids = new ArrayList<>(n);
    List<String> owners = new ArrayList<>(n);
    List<String> types = new ArrayList<>(n);
    List<String> payloads = new ArrayList<>(n);
    List<Integer> priorities = new ArrayList<>(n);
    List<Integer> maxAttempts = new ArrayList<>(n);
    List<String> runAts = new ArrayList<>(n);
    List<@Nullable Long> estimates = new ArrayList<>(n);
    List<@Nullable String> keys = new ArrayList<>(n);
    List<String> metadata = new ArrayList<>(n);
    List<@Nullable String> resources = new ArrayList<>(n);
    List<Long> units = new ArrayList<>(n);
    List<@Nullable String> budgetCosts = new ArrayList<>(n);
    List<@Nullable Long> budgetTokens = new ArrayList<>(n);
    List<@Nullable String> cacheKeys = new ArrayList<>(n);
    List<@Nullable UUID> cachedFroms = new ArrayList<>(n);
    boolean budgeted = false;
    boolean cached = false;
    for (NewJob j : fresh) {
      cached |= j.cacheKey() != null || j.cached() != null;
      cacheKeys.add(j.cacheKey());
      cachedFroms.add(j.cached() == null ? null : j.cached().from());
      BudgetAmount reserved = budgetCheck.reservationOf(j.id());
      budgeted |= reserved != null;
      budgetCosts.add(reserved == null ? null : reserved.cost().toPlainString());
      budgetTokens.add(reserved == null ? null : reserved.tokens());
      metadata.add(JobRows.metadataJson(j.metadata()));
      resources.add(JobRows.resourcesJson(j));
      units.add(j.estimatedUnits());
      ids.add(j.id());
      owners.add(j.ownerId());
      types.add(j.type());
      payloads.add(j.payload());
      priorities.add(j.priority());
      maxAttempts.add(j.maxAttempts());
      runAts.add(Binds.micros(j.runAt()).toString());
      estimates.add(Binds.micros(j.estimatedDuration()));
      keys.add(j.idempotencyKey());
    }
    Query insert = h.createQuery(insertSqls[(budgeted ? 1 : 0) | (cached ? 2 : 0)]);
    if (budgeted) {
      insert.bind("budgetCosts", Binds.array("text", budgetCosts)).bind("budgetTokens", Binds.array("int8", budgetTokens));
    }
    if (cached) {
      insert.bind("cacheKeys", Binds.array("text", cacheKeys)).bind("cachedFroms", Binds.array("uuid", cachedFroms));
    }
    boolean withResult = cached;
    if (recordsLedger) {
      insert.bind("ledgerOwners", Binds.array("text", freshPerOwner.keySet()))
          .bind("ledgerCounts", Binds.array("int4", freshPerOwner.values()));
    }
    insert
        .bind("now", Binds.instant(now))
        .bind("ids", Binds.array("uuid", ids))
        .bind("owners", Binds.array("text", owners))
        .bind("types", Binds.array("text", types))
        .bind("payloads", Binds.array("text", payloads))
        .bind("priorities", Binds.array("int4", priorities))
        .bind("maxAttempts", Binds.array("int4", maxAttempts))
        .bind("runAts", Binds.array("text", runAts))
        .bind("estimates", Binds.array("int8", estimates))
        .bind("keys", Binds.array("text", keys))
        .bind("metadata", Binds.array("text", metadata))
        .bind("resources", Binds.array("text", resources))
        .bind("units", Binds.array("int8", units))
        .map((rs, ctx) -> {
          UUID id = rs.getObject(1, UUID.class);
          NewJob asked = newById.get(id);
          if (withResult && asked.cached() != null) {
            // The database decided what the job became by its source's state (V15): say so.
            UUID from = rs.getObject(5, UUID.class);
            asked = asked.withCached(from == null ? null
                : JobStatus.COMPLETED.name().equals(rs.getString(4)) ? new CachedResult(from, rs.getString(3))
                : CachedResult.joining(from));
          }
          boolean copy = asked.cached() != null && !asked.cached().joins();
          return stored(asked, rs.getString(2), withResult ? rs.getString(3) : null,
              copy ? null : budgetCheck.reservationOf(id), now); // a copy reserves nothing (V15)
        })
        .forEach(j -> byId.put(j.id(), j));
    return byId;
  }

  /**
   * The job as the row now holds it: PENDING (or, a copy, COMPLETED with its source's result as
   * jsonb prints it), times cut to microseconds, the payload as jsonb prints it.
   */
  private static Job stored(NewJob n, String payload, @Nullable String result, @Nullable BudgetAmount reserved, Instant now) {
    Job.Builder b = n.toJob(now).toBuilder();
    if (n.cached() != null && !n.cached().joins()) {
      b.result(result);
    }
    return b
        .budgetReserved(reserved)
        .payload(payload)
        .runAt(n.cached() != null && n.cached().joins() ? CachedResult.WAITING_RUN_AT : Binds.micros(n.runAt()))
        .estimatedDuration(Binds.duration(Binds.micros(n.estimatedDuration())))
        .build();
  }

  private static void requireSameRequest(String key, UUID existingId, String type, String payload, NewJob n) {
    if (!type.equals(n.type()) || !tree(payload).equals(tree(n.payload()))) {
      throw new IdempotencyConflictException(key, existingId);
    }
  }

  private static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new InvalidPayloadException("payload", "payload is not valid JSON: " + e.getMessage());
    }
  }
}
