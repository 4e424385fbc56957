-- asyncjobs PostgreSQL schema, version 2: the seed's SQL functions, so that an operator with psql,
-- or a worker written in another language, works the same queue with the same meanings.
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).
--
-- Every function takes the current time as its last argument, p_now, defaulting to now(); they
-- change rows through the same columns, so the change notifications of V1 fire for them too. They
-- run with the caller's rights: a role under row-level security only reaches its owner's rows.

-- Claims up to p_limit due PENDING jobs (of p_types, or of any type when NULL), highest priority
-- first, then earliest run_at, then id: PROCESSING, attempts + 1, leased to p_worker_id until
-- p_now + p_lease. Jobs locked by another claimer are skipped, never waited for.
CREATE FUNCTION ${schema}.${prefix}get_next_job(
    p_worker_id text,
    p_types text[] DEFAULT NULL,
    p_lease interval DEFAULT interval '5 minutes',
    p_limit integer DEFAULT 1,
    p_now timestamptz DEFAULT now())
  RETURNS SETOF ${schema}.${prefix}jobs
  LANGUAGE sql AS $$
  UPDATE ${schema}.${prefix}jobs AS j
     SET status = 'PROCESSING', attempts = j.attempts + 1, progress = 0, progress_message = NULL,
         started_at = p_now, updated_at = p_now, worker_id = p_worker_id, lease_until = p_now + p_lease
    FROM (SELECT id FROM ${schema}.${prefix}jobs
           WHERE status = 'PENDING' AND run_at <= p_now AND (p_types IS NULL OR type = ANY (p_types))
           ORDER BY priority DESC, run_at, id
           LIMIT p_limit
           FOR UPDATE SKIP LOCKED) AS next
   WHERE j.id = next.id
  RETURNING j.*
$$;

-- Completes a PROCESSING job with p_result (progress 100, finished now). When p_worker_id and
-- p_attempt are given, only the lease they name may complete it (fencing). If its owner asked to
-- cancel it meanwhile it becomes CANCELLED and the result is dropped. The duration defaults to the
-- time since the attempt started. Returns the job, or no row when it is not PROCESSING (or the
-- lease is not held).
CREATE FUNCTION ${schema}.${prefix}complete_job(
    p_job_id uuid,
    p_result jsonb,
    p_worker_id text DEFAULT NULL,
    p_attempt integer DEFAULT NULL,
    p_actual_duration interval DEFAULT NULL,
    p_now timestamptz DEFAULT now())
  RETURNS SETOF ${schema}.${prefix}jobs
  LANGUAGE sql AS $$
  UPDATE ${schema}.${prefix}jobs AS j
     SET status = CASE WHEN j.cancel_requested THEN 'CANCELLED' ELSE 'COMPLETED' END,
         result = CASE WHEN j.cancel_requested THEN NULL ELSE p_result END,
         progress = CASE WHEN j.cancel_requested THEN j.progress ELSE 100 END,
         actual_duration = CASE WHEN j.cancel_requested THEN j.actual_duration
                                ELSE coalesce(p_actual_duration, p_now - j.started_at) END,
         finished_at = p_now, updated_at = p_now, worker_id = NULL, lease_until = NULL
   WHERE j.id = p_job_id AND j.status = 'PROCESSING'
     AND (p_worker_id IS NULL OR j.worker_id = p_worker_id)
     AND (p_attempt IS NULL OR j.attempts = p_attempt)
  RETURNING j.*
$$;

-- Ends a PROCESSING attempt with p_error. With attempts left and p_retry_after not NULL the job is
-- PENDING again, due at p_now + p_retry_after; otherwise (or with p_retry_after NULL, a permanent
-- failure) it is FAILED. If its owner asked to cancel it, it becomes CANCELLED. Fencing and the
-- returned row as for complete_job.
CREATE FUNCTION ${schema}.${prefix}fail_job(
    p_job_id uuid,
    p_error text,
    p_retry_after interval DEFAULT interval '1 minute',
    p_worker_id text DEFAULT NULL,
    p_attempt integer DEFAULT NULL,
    p_now timestamptz DEFAULT now())
  RETURNS SETOF ${schema}.${prefix}jobs
  LANGUAGE sql AS $$
  UPDATE ${schema}.${prefix}jobs AS j
     SET status = CASE WHEN j.cancel_requested THEN 'CANCELLED'
                       WHEN p_retry_after IS NOT NULL AND j.attempts < j.max_attempts THEN 'PENDING'
                       ELSE 'FAILED' END,
         run_at = CASE WHEN NOT j.cancel_requested AND p_retry_after IS NOT NULL AND j.attempts < j.max_attempts
                       THEN p_now + greatest(p_retry_after, interval '0') ELSE j.run_at END,
         finished_at = CASE WHEN NOT j.cancel_requested AND p_retry_after IS NOT NULL AND j.attempts < j.max_attempts
                            THEN j.finished_at ELSE p_now END,
         error_message = p_error, updated_at = p_now, worker_id = NULL, lease_until = NULL
   WHERE j.id = p_job_id AND j.status = 'PROCESSING'
     AND (p_worker_id IS NULL OR j.worker_id = p_worker_id)
     AND (p_attempt IS NULL OR j.attempts = p_attempt)
  RETURNING j.*
$$;

-- Deletes at most p_limit finished jobs (COMPLETED, FAILED, CANCELLED) that finished more than
-- p_older_than before p_now, oldest first, and quota records older than a day (keeping each
-- owner's latest, which the minimum-interval rule needs). Returns how many jobs it deleted: call
-- it again until it returns 0, so that no single call holds locks on many rows.
CREATE FUNCTION ${schema}.${prefix}cleanup_old_jobs(
    p_older_than interval DEFAULT interval '30 days',
    p_limit integer DEFAULT 10000,
    p_now timestamptz DEFAULT now())
  RETURNS integer
  LANGUAGE sql AS $$
  WITH gone AS (
    DELETE FROM ${schema}.${prefix}jobs
     WHERE id IN (SELECT id FROM ${schema}.${prefix}jobs
                   WHERE finished_at < p_now - p_older_than
                     AND status IN ('COMPLETED', 'FAILED', 'CANCELLED')
                   ORDER BY finished_at
                   LIMIT p_limit
                   FOR UPDATE SKIP LOCKED)
    RETURNING 1
  ), pruned AS (
    DELETE FROM ${schema}.${prefix}jobs_quota_ledger
     WHERE id IN (SELECT l.id FROM ${schema}.${prefix}jobs_quota_ledger AS l
                   WHERE l.created_at <= p_now - interval '1 day'
                     AND EXISTS (SELECT 1 FROM ${schema}.${prefix}jobs_quota_ledger AS n
                                  WHERE n.owner_id = l.owner_id
                                    AND (n.created_at, n.id) > (l.created_at, l.id))
                   LIMIT p_limit)
  )
  SELECT count(*)::integer FROM gone
$$;

-- Forgets the past creates of one owner (or of every owner when p_owner_id is NULL), so that its
-- quota starts afresh. Returns how many quota records it deleted.
CREATE FUNCTION ${schema}.${prefix}reset_user_quotas(p_owner_id text DEFAULT NULL)
  RETURNS integer
  LANGUAGE sql AS $$
  WITH gone AS (
    DELETE FROM ${schema}.${prefix}jobs_quota_ledger
     WHERE p_owner_id IS NULL OR owner_id = p_owner_id
    RETURNING 1
  )
  SELECT count(*)::integer FROM gone
$$;

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (2, 'get_next_job, complete_job, fail_job, cleanup_old_jobs, reset_user_quotas');
