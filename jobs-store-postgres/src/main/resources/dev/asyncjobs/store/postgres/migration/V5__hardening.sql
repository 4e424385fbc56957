-- asyncjobs PostgreSQL schema, version 5: what a role that is not the tables' owner can do.
--
-- A security review found that (1) the SQL functions of V2 resolved built-in functions and
-- operators through the caller's search_path, so a role that may create objects in a schema on that
-- path (every role in `public` up to PostgreSQL 14) could have its own code run with the caller's
-- rights; (2) a web-tier role under row-level security could forge what only workers write (status,
-- result, attempts of its owner's jobs), insert jobs that its quota never counted, delete its quota
-- records, suppress the event log's triggers by setting asyncjobs.log itself, and claim or complete
-- jobs through the V2 functions. This file closes each of these; the role recipe in the README
-- (shipped as web-role-grants.sql next to these files) grants only the columns a web tier writes.
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

-- (1) No function of ours looks anything up through its caller's search_path.
ALTER FUNCTION ${schema}.${prefix}get_next_job(text, text[], interval, integer, timestamptz)
  SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION ${schema}.${prefix}complete_job(uuid, jsonb, text, integer, interval, timestamptz)
  SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION ${schema}.${prefix}fail_job(uuid, text, interval, text, integer, timestamptz)
  SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION ${schema}.${prefix}cleanup_old_jobs(interval, integer, timestamptz)
  SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION ${schema}.${prefix}reset_user_quotas(text)
  SET search_path = pg_catalog, pg_temp;

-- (2a) The worker's functions are for the worker: grant them to another worker role explicitly.
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}get_next_job(text, text[], interval, integer, timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}complete_job(uuid, jsonb, text, integer, interval, timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}fail_job(uuid, text, interval, text, integer, timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}cleanup_old_jobs(interval, integer, timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}reset_user_quotas(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}prune_job_events(interval, integer, timestamptz) FROM PUBLIC;

-- (2b) The event log's triggers may be skipped only by a role that appends its events itself: one
-- not under row-level security (row_security_active is false for the tables' owner). Any role can
-- set asyncjobs.log; for a web-tier role that no longer skips anything.
DROP TRIGGER ${prefix}jobs_log_inserted ON ${schema}.${prefix}jobs;
DROP TRIGGER ${prefix}jobs_log_updated ON ${schema}.${prefix}jobs;
CREATE TRIGGER ${prefix}jobs_log_inserted AFTER INSERT ON ${schema}.${prefix}jobs
  FOR EACH ROW WHEN (current_setting('asyncjobs.log', true) IS DISTINCT FROM 'statement'
        OR row_security_active('${schema}.${prefix}jobs'::regclass))
  EXECUTE FUNCTION ${schema}.${prefix}jobs_log_row();
CREATE TRIGGER ${prefix}jobs_log_updated AFTER UPDATE ON ${schema}.${prefix}jobs
  -- the column tests first: a heartbeat (only lease_until moves) decides without a function call
  FOR EACH ROW WHEN ((OLD.status IS DISTINCT FROM NEW.status
             OR OLD.progress IS DISTINCT FROM NEW.progress
             OR OLD.progress_message IS DISTINCT FROM NEW.progress_message
             OR OLD.cancel_requested IS DISTINCT FROM NEW.cancel_requested
             OR OLD.updated_at IS DISTINCT FROM NEW.updated_at)
        AND (current_setting('asyncjobs.log', true) IS DISTINCT FROM 'statement'
             OR row_security_active('${schema}.${prefix}jobs'::regclass)))
  EXECUTE FUNCTION ${schema}.${prefix}jobs_log_row();

-- (2c) Every job a role under row-level security inserts is counted in the quota ledger, by the
-- database, in the same statement: such a role needs (and gets) no right to write the ledger, so it
-- can neither skip the count nor delete it. The tables' owner writes its ledger rows itself (one per
-- create call and owner, in the insert's statement). Such a role's inserts must also be new
-- requests: PENDING, nothing a worker writes, and not backdated (a created_at in the past would
-- put the ledger row outside the quota windows).
CREATE FUNCTION ${schema}.${prefix}jobs_check_owner_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM 'PENDING' OR NEW.attempts <> 0 OR NEW.progress <> 0 OR NEW.cancel_requested
     OR NEW.result IS NOT NULL OR NEW.error_message IS NOT NULL OR NEW.progress_message IS NOT NULL
     OR NEW.worker_id IS NOT NULL OR NEW.lease_until IS NOT NULL OR NEW.started_at IS NOT NULL
     OR NEW.finished_at IS NOT NULL OR NEW.actual_duration IS NOT NULL THEN
    RAISE EXCEPTION 'a role under row-level security may insert new PENDING jobs only'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.created_at < now() - interval '5 minutes' THEN
    RAISE EXCEPTION 'a role under row-level security may not backdate a job (created_at %)', NEW.created_at
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER ${prefix}jobs_check_owner_insert BEFORE INSERT ON ${schema}.${prefix}jobs
  FOR EACH ROW WHEN (row_security_active('${schema}.${prefix}jobs'::regclass))
  EXECUTE FUNCTION ${schema}.${prefix}jobs_check_owner_insert();

CREATE FUNCTION ${schema}.${prefix}jobs_count_created() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  INSERT INTO ${schema}.${prefix}jobs_quota_ledger (owner_id, created_at, job_count)
  VALUES (NEW.owner_id, NEW.created_at, 1);
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_count_created() FROM PUBLIC;
CREATE TRIGGER ${prefix}jobs_count_created AFTER INSERT ON ${schema}.${prefix}jobs
  FOR EACH ROW WHEN (row_security_active('${schema}.${prefix}jobs'::regclass))
  EXECUTE FUNCTION ${schema}.${prefix}jobs_count_created();

-- (2d) What a role under row-level security may change of its owner's jobs: cancel them (a PENDING
-- job becomes CANCELLED with its finish time, a PROCESSING one is flagged) and report progress of a
-- PROCESSING one, forwards only. The recipe's column grants already keep it from the other
-- columns; this holds whatever the grants (an installation that granted whole rows before V5), and
-- keeps the columns it may write to those meanings. Anything else is refused (insufficient_privilege).
CREATE FUNCTION ${schema}.${prefix}jobs_check_owner_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  cancelling boolean := OLD.status = 'PENDING' AND NEW.status = 'CANCELLED';
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT cancelling THEN
    RAISE EXCEPTION 'a role under row-level security may cancel a job, not move it from % to %', OLD.status, NEW.status
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.owner_id, NEW.type, NEW.payload, NEW.result, NEW.error_message, NEW.priority, NEW.attempts,
      NEW.max_attempts, NEW.estimated_duration, NEW.actual_duration, NEW.created_at, NEW.started_at, NEW.run_at,
      NEW.worker_id, NEW.lease_until, NEW.idempotency_key)
     IS DISTINCT FROM
     (OLD.id, OLD.owner_id, OLD.type, OLD.payload, OLD.result, OLD.error_message, OLD.priority, OLD.attempts,
      OLD.max_attempts, OLD.estimated_duration, OLD.actual_duration, OLD.created_at, OLD.started_at, OLD.run_at,
      OLD.worker_id, OLD.lease_until, OLD.idempotency_key) THEN
    RAISE EXCEPTION 'a role under row-level security may change only the status (to cancel), the cancel request and the progress of a job'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.cancel_requested AND NOT NEW.cancel_requested THEN
    RAISE EXCEPTION 'a role under row-level security may not withdraw a cancel request'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.finished_at IS DISTINCT FROM OLD.finished_at AND NOT (cancelling AND NEW.finished_at IS NOT NULL) THEN
    RAISE EXCEPTION 'a role under row-level security may set finished_at only when it cancels a pending job'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.progress IS DISTINCT FROM OLD.progress OR NEW.progress_message IS DISTINCT FROM OLD.progress_message)
     AND (OLD.status IS DISTINCT FROM 'PROCESSING' OR NEW.progress < OLD.progress) THEN
    RAISE EXCEPTION 'a role under row-level security may report progress only of a PROCESSING job, and only forwards'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER ${prefix}jobs_check_owner_change BEFORE UPDATE ON ${schema}.${prefix}jobs
  FOR EACH ROW WHEN (row_security_active('${schema}.${prefix}jobs'::regclass))
  EXECUTE FUNCTION ${schema}.${prefix}jobs_check_owner_change();

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (5, 'search_path on every function; what a role under row-level security may write');
