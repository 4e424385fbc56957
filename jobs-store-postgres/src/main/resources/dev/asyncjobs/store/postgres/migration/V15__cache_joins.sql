-- asyncjobs PostgreSQL schema, version 15: a create that matches a job still running joins it
-- (the result cache, CachedResult.joining; JobStore.insert has the rules).
--
-- A job that joins is stored PENDING with cached_from naming the job it waits for (its source)
-- and run_at 9999-12-31, so that no claim ever takes it: the claim statements stay as they are.
-- Who decides: the database, as in V13. The insert names cached_from only; the trigger locks the
-- source (FOR SHARE, so that a worker completing it at the same moment goes first or after, never
-- in between) and makes the row a copy (the source completed), a waiting job (it is PENDING or
-- PROCESSING) or a plain job (it failed, was cancelled or is gone). When a source ends, a trigger
-- on its row settles the jobs waiting for it in the same transaction: completed with its result
-- (and nothing counted against their budgets any more), or, when it did not complete, per owner
-- the oldest released to run at once and the owner's others waiting for that one.
--
-- What this costs a job of a type that does not cache: nothing (no index entry, and the new
-- trigger's WHEN test on cache_key). A job of a caching type: one entry in the index of unfinished
-- originals while it is PENDING or PROCESSING, and at its end one probe of the index of waiting
-- jobs (empty unless someone joined).
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

-- findRunning: the oldest unfinished original of a key.
CREATE INDEX IF NOT EXISTS ${prefix}jobs_cache_running_idx ON ${schema}.${prefix}jobs (cache_key, id)
  WHERE status IN ('PENDING', 'PROCESSING') AND cache_key IS NOT NULL AND cached_from IS NULL;
-- The jobs waiting for a source, oldest first.
CREATE INDEX IF NOT EXISTS ${prefix}jobs_waiting_idx ON ${schema}.${prefix}jobs (cached_from, id)
  WHERE status = 'PENDING' AND cached_from IS NOT NULL;

-- A job inserted with cached_from: what it becomes is decided by its source, read under a share
-- lock. The store's insert sends its rows in source order, so that a batch takes these locks in
-- id order, as heartbeats and completions take theirs. While the inserting transaction is open,
-- the lock holds back every write to the source (a heartbeat, its completion): a create in the
-- caller's transaction (TRANSACTIONS) that joins a job holds it until the caller commits. A source that is not a job of the same cache key (and owner, for a role under row-level
-- security), or that is itself a copy or waiting, is refused as in V13: no manager sends one.
CREATE OR REPLACE FUNCTION ${schema}.${prefix}jobs_cached_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  src record;
BEGIN
  -- A role under row-level security sees (and locks) its own owner's jobs only: another owner's
  -- job is as gone to it, so that the answer tells it nothing of that job.
  SELECT s.owner_id, s.status, s.cache_key, s.cached_from, s.result INTO src
    FROM ${schema}.${prefix}jobs AS s
   WHERE s.id = NEW.cached_from AND (TG_ARGV[0] <> 'same_owner' OR s.owner_id = NEW.owner_id)
     FOR SHARE;
  IF NOT FOUND THEN
    NEW.cached_from := NULL; -- gone (retention) since the manager found it: the job runs itself
    RETURN NEW;
  END IF;
  IF src.cached_from IS NOT NULL OR NEW.cache_key IS NULL OR src.cache_key IS DISTINCT FROM NEW.cache_key
     OR (TG_ARGV[0] = 'same_owner' AND src.owner_id IS DISTINCT FROM NEW.owner_id) THEN
    RAISE EXCEPTION 'job % may not be cached from %: no job of its cache key%', NEW.id, NEW.cached_from,
      CASE WHEN TG_ARGV[0] = 'same_owner' THEN ' and owner' ELSE '' END
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF src.status = 'COMPLETED' THEN
    NEW.status := 'COMPLETED';
    NEW.progress := 100;
    NEW.result := src.result;
    NEW.finished_at := NEW.created_at;
    NEW.budget_cost := NULL; -- a copy spends nothing (the manager reserved for a join)
    NEW.budget_tokens := NULL;
  ELSIF src.status IN ('PENDING', 'PROCESSING') THEN
    NEW.status := 'PENDING';
    NEW.progress := 0;
    NEW.result := NULL;
    NEW.finished_at := NULL;
    NEW.run_at := '9999-12-31 00:00:00+00';
  ELSE
    NEW.cached_from := NULL; -- failed or cancelled: the job runs itself
  END IF;
  RETURN NEW;
END
$$;

-- A role under row-level security inserts new PENDING jobs, copies of a cached result and jobs
-- waiting for another, in the shapes jobs_cached_insert gave them; nothing else of what a worker
-- writes.
CREATE OR REPLACE FUNCTION ${schema}.${prefix}jobs_check_owner_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF (CASE WHEN NEW.cached_from IS NULL OR NEW.status = 'PENDING'
           THEN NEW.status IS DISTINCT FROM 'PENDING' OR NEW.progress <> 0 OR NEW.result IS NOT NULL
                OR NEW.finished_at IS NOT NULL
                OR (NEW.cached_from IS NOT NULL AND NEW.run_at IS DISTINCT FROM '9999-12-31 00:00:00+00')
           ELSE NEW.status IS DISTINCT FROM 'COMPLETED' OR NEW.progress <> 100 OR NEW.result IS NULL
                OR NEW.finished_at IS DISTINCT FROM NEW.created_at END)
     OR NEW.attempts <> 0 OR NEW.cancel_requested
     OR NEW.error_message IS NOT NULL OR NEW.progress_message IS NOT NULL
     OR NEW.worker_id IS NOT NULL OR NEW.lease_until IS NOT NULL OR NEW.started_at IS NOT NULL
     OR NEW.actual_duration IS NOT NULL OR NEW.deferrals <> 0 THEN
    RAISE EXCEPTION 'a role under row-level security may insert new PENDING jobs only (or copies of its owner''s cached results)'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.created_at < now() - interval '5 minutes' THEN
    RAISE EXCEPTION 'a role under row-level security may not backdate a job (created_at %)', NEW.created_at
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;

-- A source that ended: the jobs waiting for it. Their changes are logged by the log triggers
-- (asyncjobs.log is set aside for them: the statement that ended the source logged only its own
-- row), so a subscriber sees each waiting job's COMPLETED event as it would see any other.
CREATE FUNCTION ${schema}.${prefix}jobs_end_waiting() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_log text := current_setting('asyncjobs.log', true);
  v_runner uuid;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ${schema}.${prefix}jobs AS w WHERE w.cached_from = NEW.id AND w.status = 'PENDING') THEN
    RETURN NULL; -- the usual case: no one joined
  END IF;
  PERFORM set_config('asyncjobs.log', 'trigger', true);
  IF NEW.status = 'COMPLETED' THEN
    WITH done AS (
      UPDATE ${schema}.${prefix}jobs AS w
         SET status = 'COMPLETED', progress = 100, result = NEW.result, finished_at = NEW.finished_at,
             updated_at = NEW.updated_at
       WHERE w.cached_from = NEW.id AND w.status = 'PENDING'
      RETURNING w.id, w.budget_cost)
    UPDATE ${schema}.${prefix}jobs_budget_ledger AS l SET cost = 0, tokens = 0
      FROM done AS d WHERE d.budget_cost IS NOT NULL AND l.job_id = d.id;
  ELSE
    -- Per owner, the oldest runs in the source's place and the others wait for it: a job never
    -- comes to wait for another owner's job that it did not join itself.
    FOR v_runner IN
      SELECT DISTINCT ON (w.owner_id) w.id FROM ${schema}.${prefix}jobs AS w
       WHERE w.cached_from = NEW.id AND w.status = 'PENDING'
       ORDER BY w.owner_id, w.id
    LOOP
      UPDATE ${schema}.${prefix}jobs AS w SET cached_from = v_runner
       WHERE w.cached_from = NEW.id AND w.status = 'PENDING' AND w.id <> v_runner
         AND w.owner_id = (SELECT r.owner_id FROM ${schema}.${prefix}jobs AS r WHERE r.id = v_runner);
      UPDATE ${schema}.${prefix}jobs AS w
         SET cached_from = NULL, run_at = coalesce(NEW.finished_at, NEW.updated_at), updated_at = NEW.updated_at
       WHERE w.id = v_runner;
    END LOOP;
  END IF;
  PERFORM set_config('asyncjobs.log', coalesce(v_log, ''), true);
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_end_waiting() FROM PUBLIC;
CREATE TRIGGER ${prefix}jobs_end_waiting AFTER UPDATE OF status ON ${schema}.${prefix}jobs
  FOR EACH ROW WHEN (NEW.cache_key IS NOT NULL AND NEW.cached_from IS NULL
                     AND OLD.status IN ('PENDING', 'PROCESSING') AND NEW.status IN ('COMPLETED', 'FAILED', 'CANCELLED'))
  EXECUTE FUNCTION ${schema}.${prefix}jobs_end_waiting();

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (15, 'result cache: a create joins an identical job still running');
