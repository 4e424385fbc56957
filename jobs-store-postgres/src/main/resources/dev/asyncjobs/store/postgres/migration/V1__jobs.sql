-- asyncjobs PostgreSQL schema, version 1: the jobs table, the quota ledger, change notifications
-- and row-level security.
--
-- Placeholders (replaced by PostgresJobStore's migration runner, by Flyway placeholders, or by
-- Liquibase changelog properties):
--   ${schema}  the schema that holds the tables; it must exist. Plain usage: public
--   ${prefix}  a prefix for every table, index and function name. Plain usage: empty
-- Both must be lowercase SQL identifiers ([a-z_][a-z0-9_]*; the prefix may be empty).

-- Which of these files have been applied. Each file records itself as its last statement, so the
-- table is right whichever tool applied the files.
CREATE TABLE IF NOT EXISTS ${schema}.${prefix}jobs_schema_version (
  version      integer PRIMARY KEY,
  description  text NOT NULL,
  installed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ${schema}.${prefix}jobs (
  id                 uuid PRIMARY KEY,
  owner_id           text NOT NULL,
  type               text NOT NULL,
  payload            jsonb NOT NULL,
  status             text NOT NULL DEFAULT 'PENDING',
  progress           smallint NOT NULL DEFAULT 0,
  progress_message   text,
  result             jsonb,
  error_message      text,
  priority           smallint NOT NULL DEFAULT 5,
  attempts           integer NOT NULL DEFAULT 0,
  max_attempts       integer NOT NULL DEFAULT 3,
  estimated_duration interval,
  actual_duration    interval,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  started_at         timestamptz,
  finished_at        timestamptz,
  run_at             timestamptz NOT NULL,
  worker_id          text,
  lease_until        timestamptz,
  idempotency_key    text,
  cancel_requested   boolean NOT NULL DEFAULT false,
  CONSTRAINT status_valid CHECK (status IN ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED')),
  CONSTRAINT priority_range CHECK (priority BETWEEN 1 AND 10),
  CONSTRAINT progress_range CHECK (progress BETWEEN 0 AND 100),
  CONSTRAINT attempts_range CHECK (attempts >= 0),
  CONSTRAINT max_attempts_range CHECK (max_attempts >= 1),
  CONSTRAINT payload_object CHECK (jsonb_typeof(payload) = 'object'),
  -- Bounded so that a change notification (at most 8000 bytes) always fits.
  CONSTRAINT owner_id_length CHECK (length(owner_id) BETWEEN 1 AND 255),
  CONSTRAINT type_length CHECK (length(type) BETWEEN 1 AND 255),
  CONSTRAINT idempotency_key_length CHECK (length(idempotency_key) BETWEEN 1 AND 255),
  CONSTRAINT processing_has_lease CHECK (status <> 'PROCESSING' OR (worker_id IS NOT NULL AND lease_until IS NOT NULL))
);

-- Claiming: due PENDING jobs in claim order; only PENDING rows are in it, so it stays small.
CREATE INDEX ${prefix}jobs_pending_idx ON ${schema}.${prefix}jobs (priority DESC, run_at, id)
  WHERE status = 'PENDING';
-- Rescuing: PROCESSING jobs by lease expiry.
CREATE INDEX ${prefix}jobs_lease_idx ON ${schema}.${prefix}jobs (lease_until)
  WHERE status = 'PROCESSING';
-- Listing an owner's jobs by (created_at, id), both directions.
CREATE INDEX ${prefix}jobs_owner_created_idx ON ${schema}.${prefix}jobs (owner_id, created_at, id);
-- An idempotency key names one job per owner.
CREATE UNIQUE INDEX ${prefix}jobs_owner_idempotency_key_idx ON ${schema}.${prefix}jobs (owner_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
-- Retention cleanup and recent durations: finished jobs by finish time.
CREATE INDEX ${prefix}jobs_finished_idx ON ${schema}.${prefix}jobs (finished_at)
  WHERE finished_at IS NOT NULL;

-- One row per create call and owner: what quotas count. Separate from the jobs, so that deleting
-- old jobs never gives quota back, and resettable on its own.
CREATE TABLE ${schema}.${prefix}jobs_quota_ledger (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id   text NOT NULL,
  created_at timestamptz NOT NULL,
  job_count  integer NOT NULL,
  CONSTRAINT job_count_positive CHECK (job_count > 0)
);
CREATE INDEX ${prefix}jobs_quota_ledger_owner_idx ON ${schema}.${prefix}jobs_quota_ledger (owner_id, created_at);

-- Change notifications: every insert and every change of status, progress or cancel request sends
-- a small JSON document on the channel '<schema>.<table>' (or 'asyncjobs_' || md5 of it when that
-- is longer than 63 bytes), in the same transaction, so listeners hear of it after the commit.
CREATE FUNCTION ${schema}.${prefix}jobs_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  channel text := TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME;
  event_kind text;
  message text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    event_kind := 'CREATED';
  ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
    event_kind := CASE NEW.status
      WHEN 'PROCESSING' THEN 'STARTED'
      WHEN 'PENDING' THEN 'RETRY_SCHEDULED'
      ELSE NEW.status
    END;
  ELSIF NEW.cancel_requested AND NOT OLD.cancel_requested THEN
    event_kind := 'CANCEL_REQUESTED';
  ELSIF NEW.status = 'PROCESSING' THEN
    event_kind := 'PROGRESS';
  ELSE
    RETURN NULL;
  END IF;
  message := CASE
    WHEN event_kind IN ('STARTED', 'PROGRESS') THEN NEW.progress_message
    WHEN event_kind IN ('FAILED', 'RETRY_SCHEDULED') THEN NEW.error_message
  END;
  IF octet_length(channel) > 63 THEN
    channel := 'asyncjobs_' || md5(channel);
  END IF;
  PERFORM pg_notify(channel, json_build_object(
    'kind', event_kind,
    'id', NEW.id,
    'owner', NEW.owner_id,
    'type', NEW.type,
    'status', NEW.status,
    'progress', NEW.progress,
    'message', left(message, 1000),
    'attempt', NEW.attempts,
    'run_at', CASE WHEN NEW.status = 'PENDING' THEN (extract(epoch FROM NEW.run_at) * 1000000)::bigint END,
    'at', (extract(epoch FROM NEW.updated_at) * 1000000)::bigint)::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER ${prefix}jobs_notify_insert AFTER INSERT ON ${schema}.${prefix}jobs
  FOR EACH ROW EXECUTE FUNCTION ${schema}.${prefix}jobs_notify();
-- Heartbeats only move lease_until: they notify nobody.
CREATE TRIGGER ${prefix}jobs_notify_update AFTER UPDATE ON ${schema}.${prefix}jobs
  FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status
        OR OLD.progress IS DISTINCT FROM NEW.progress
        OR OLD.progress_message IS DISTINCT FROM NEW.progress_message
        OR OLD.cancel_requested IS DISTINCT FROM NEW.cancel_requested
        OR OLD.updated_at IS DISTINCT FROM NEW.updated_at)
  EXECUTE FUNCTION ${schema}.${prefix}jobs_notify();

-- Row-level security: a role that does not own the tables (a web tier's role) sees and changes only
-- the rows of the owner set for its transaction with
--   SELECT set_config('asyncjobs.owner_id', '<owner>', true);
-- and nothing when none is set. The tables' owner (the role that ran this file, and the worker role
-- the store uses) is not subject to these policies.
ALTER TABLE ${schema}.${prefix}jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_isolation ON ${schema}.${prefix}jobs
  USING (owner_id = current_setting('asyncjobs.owner_id', true))
  WITH CHECK (owner_id = current_setting('asyncjobs.owner_id', true));
ALTER TABLE ${schema}.${prefix}jobs_quota_ledger ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_isolation ON ${schema}.${prefix}jobs_quota_ledger
  USING (owner_id = current_setting('asyncjobs.owner_id', true))
  WITH CHECK (owner_id = current_setting('asyncjobs.owner_id', true));

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (1, 'jobs, quota ledger, notifications, row-level security');
