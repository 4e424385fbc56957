-- asyncjobs PostgreSQL schema, version 13: the result cache (StoreCapability.RESULT_CACHE).
--
-- A type that caches results (ResultCache) gives each job a cache key; a create whose key matches
-- a job that completed within the cache's ttl is answered with a new job, COMPLETED at once with
-- that job's result and naming it in cached_from: no attempt, never claimed, never rescued, and
-- deleted by retention like any finished job (it has a finished_at). findCached reads the latest
-- completed job of a key that is not itself a copy, through the partial index below.
--
-- Who decides what a cached job holds: the database. An insert names cache_key and cached_from
-- only; the trigger below checks that cached_from is a COMPLETED job of the same cache key that is
-- not itself a copy, and writes the new row's status (COMPLETED), progress (100), result (the
-- source's) and finished_at (its created_at) itself. So no writer can insert a "cached" job with a
-- result of its own making. A role under row-level security (a web tier) may in addition copy only
-- its own owner's jobs: the database does not know which types share results across owners, so
-- such a role never copies another owner's result (and under row-level security it cannot read
-- one either); the tables' owner (the workers' role, the store on it) may, as ResultCache says.
--
-- What this costs a create without a cache: nothing but two WHEN tests on its row (cached_from is
-- NULL); the insert's statement is the one of V12. The event log's insert trigger logs a job
-- inserted in another status than PENDING as the memory store does: a CREATED event as the PENDING
-- job it was asked as, then the event of its status (COMPLETED).
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

-- No defaults, so adding them rewrites nothing.
ALTER TABLE ${schema}.${prefix}jobs
  ADD COLUMN cache_key text,
  ADD COLUMN cached_from uuid;

-- findCached: the newest completion of a key, of one owner or of any, not older than a bound. The
-- key leads and the completion time follows, so that both forms walk one key's completions newest
-- first and stop at the first that matches (the owner is a filter: within a ttl a key has few
-- completions that ran, since every later identical request is answered by a copy, which the
-- predicate leaves out). Only completed jobs that ran are in it: no insert of a job without a key,
-- and no copy, adds an entry. Creating it takes a lock that blocks writes to the jobs table while
-- it is built (quick: no row has a key yet); on a large table you may create it beforehand with
-- CREATE INDEX CONCURRENTLY under the same name, and this migration leaves it be.
CREATE INDEX IF NOT EXISTS ${prefix}jobs_cache_idx ON ${schema}.${prefix}jobs (cache_key, finished_at DESC)
  WHERE status = 'COMPLETED' AND cache_key IS NOT NULL AND cached_from IS NULL;

-- A job inserted with cached_from: checks its source and fills in what the source decides.
-- SECURITY DEFINER, so that it reads the source whatever the inserting role may read; the trigger's
-- argument says whether the inserting role was under row-level security (then only a source of
-- the same owner counts), since inside the function the role is the tables' owner.
CREATE FUNCTION ${schema}.${prefix}jobs_cached_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  src record;
BEGIN
  SELECT s.owner_id, s.status, s.cache_key, s.cached_from, s.result INTO src
    FROM ${schema}.${prefix}jobs AS s WHERE s.id = NEW.cached_from;
  IF NOT FOUND OR src.status IS DISTINCT FROM 'COMPLETED' OR src.cached_from IS NOT NULL
     OR NEW.cache_key IS NULL OR src.cache_key IS DISTINCT FROM NEW.cache_key
     OR (TG_ARGV[0] = 'same_owner' AND src.owner_id IS DISTINCT FROM NEW.owner_id) THEN
    RAISE EXCEPTION 'job % may not be cached from %: no completed job of its cache key%', NEW.id, NEW.cached_from,
      CASE WHEN TG_ARGV[0] = 'same_owner' THEN ' and owner' ELSE '' END
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  NEW.status := 'COMPLETED';
  NEW.progress := 100;
  NEW.result := src.result;
  NEW.finished_at := NEW.created_at;
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_cached_insert() FROM PUBLIC;
-- Both names sort before jobs_check_owner_insert (BEFORE triggers fire in name order), which then
-- sees the filled-in row.
CREATE TRIGGER ${prefix}jobs_cached_insert BEFORE INSERT ON ${schema}.${prefix}jobs
  FOR EACH ROW WHEN (NEW.cached_from IS NOT NULL AND NOT row_security_active('${schema}.${prefix}jobs'::regclass))
  EXECUTE FUNCTION ${schema}.${prefix}jobs_cached_insert('any_owner');
CREATE TRIGGER ${prefix}jobs_cached_insert_owner BEFORE INSERT ON ${schema}.${prefix}jobs
  FOR EACH ROW WHEN (NEW.cached_from IS NOT NULL AND row_security_active('${schema}.${prefix}jobs'::regclass))
  EXECUTE FUNCTION ${schema}.${prefix}jobs_cached_insert('same_owner');

-- A role under row-level security inserts new PENDING jobs, or copies of a cached result in the
-- shape jobs_cached_insert gave them; nothing else of what a worker writes.
CREATE OR REPLACE FUNCTION ${schema}.${prefix}jobs_check_owner_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF (CASE WHEN NEW.cached_from IS NULL
           THEN NEW.status IS DISTINCT FROM 'PENDING' OR NEW.progress <> 0 OR NEW.result IS NOT NULL
                OR NEW.finished_at IS NOT NULL
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

-- The log's rule for inserts: CREATED as the PENDING job that was asked for; a row inserted in
-- another status (a cached copy, COMPLETED; or plain SQL's) then gets the event of its status, as
-- an update to that status would. Updates log as before (V4).
CREATE OR REPLACE FUNCTION ${schema}.${prefix}jobs_log_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  event_kind text;
BEGIN
  IF TG_OP = 'INSERT' AND NEW.status = 'PENDING' THEN
    event_kind := 'CREATED';
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO ${schema}.${prefix}jobs_events (seq, job_id, owner_id, kind, type, status, progress, message, attempt, run_at, at)
    VALUES (nextval('${schema}.${prefix}jobs_events_seq'), NEW.id, NEW.owner_id, 'CREATED', NEW.type, 'PENDING', 0,
            NULL, 0, NEW.run_at, NEW.updated_at);
    event_kind := CASE NEW.status WHEN 'PROCESSING' THEN 'STARTED' ELSE NEW.status END;
  ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
    event_kind := CASE NEW.status WHEN 'PROCESSING' THEN 'STARTED' WHEN 'PENDING' THEN 'RETRY_SCHEDULED' ELSE NEW.status END;
  ELSIF NEW.cancel_requested AND NOT OLD.cancel_requested THEN
    event_kind := 'CANCEL_REQUESTED';
  ELSIF NEW.status = 'PROCESSING' THEN
    event_kind := 'PROGRESS';
  ELSE
    RETURN NULL;
  END IF;
  INSERT INTO ${schema}.${prefix}jobs_events (seq, job_id, owner_id, kind, type, status, progress, message, attempt, run_at, at)
  VALUES (nextval('${schema}.${prefix}jobs_events_seq'), NEW.id, NEW.owner_id, event_kind, NEW.type, NEW.status, NEW.progress,
          left(CASE WHEN event_kind IN ('STARTED', 'PROGRESS') THEN NEW.progress_message
                    WHEN event_kind IN ('FAILED', 'RETRY_SCHEDULED') THEN NEW.error_message END, 1000),
          NEW.attempts, CASE WHEN NEW.status = 'PENDING' THEN NEW.run_at END, NEW.updated_at);
  RETURN NULL;
END
$$;

-- A web-tier role set up with web-role-grants.sql before this version may create jobs of caching
-- types after it: every role that could insert a job's id may insert its cache key and source now
-- (as V7, V9 and V12 did for their columns).
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT DISTINCT p.grantee
             FROM information_schema.column_privileges AS p
            WHERE p.table_schema = '${schema}' AND p.table_name = '${prefix}jobs'
              AND p.column_name = 'id' AND p.privilege_type = 'INSERT'
              AND p.grantee <> 'PUBLIC'
              AND p.grantee <> (SELECT pg_catalog.pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class AS c
                                 WHERE c.oid = '${schema}.${prefix}jobs'::regclass)
  LOOP
    EXECUTE pg_catalog.format('GRANT INSERT (cache_key, cached_from) ON %I.%I TO %I', '${schema}', '${prefix}jobs', r.grantee);
  END LOOP;
END
$$;

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (13, 'result cache: cache keys and cached copies of jobs');
