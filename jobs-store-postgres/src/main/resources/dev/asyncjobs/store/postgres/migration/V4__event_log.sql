-- asyncjobs PostgreSQL schema, version 4: a durable event log instead of change notifications.
--
-- V1-V3 sent every change of a job as the payload of a NOTIFY in the writing transaction. That
-- serialised the commits of every claim, progress report and completion (PostgreSQL holds one
-- cluster-wide lock through the commit of a notifying transaction), let any role that can connect
-- read every owner's events (LISTEN is not covered by row-level security) and forge events that
-- workers acted on (any role may NOTIFY any channel), and kept nothing for a client to resume from.
--
-- Now every change appends a row to <prefix>jobs_events in the same transaction, numbered by a
-- sequence, under the same row-level security as the jobs (see "Who appends the events" below). Readers read that table; the store
-- sends a payload-free NOTIFY after its own commits only to say "read now", and ignores anything a
-- notification carries. Nothing here notifies.
--
-- Every function of this file runs with search_path = pg_catalog, pg_temp and names every object
-- of ours with its schema, so that no object another role creates can stand in for a built-in.
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

DROP TRIGGER ${prefix}jobs_notify_inserted ON ${schema}.${prefix}jobs;
DROP TRIGGER ${prefix}jobs_notify_updated ON ${schema}.${prefix}jobs;
DROP FUNCTION ${schema}.${prefix}jobs_notify_inserted();
DROP FUNCTION ${schema}.${prefix}jobs_notify_updated();
DROP FUNCTION ${schema}.${prefix}jobs_notify_send(text, text[]);
DROP FUNCTION ${schema}.${prefix}jobs_event(text, uuid, text, text, text, smallint, text, integer, timestamptz, timestamptz);

-- Positions in the log. Numbers are handed out before the writing transaction commits, so they do
-- not appear in commit order and a rolled-back transaction leaves a gap; readers deliver an event
-- only once every smaller number is settled (see jobs_events_horizon below).
CREATE SEQUENCE ${schema}.${prefix}jobs_events_seq AS bigint;

-- One row per change of a job: what a JobEvent carries. Append-only; pruned from the oldest end.
CREATE TABLE ${schema}.${prefix}jobs_events (
  seq       bigint PRIMARY KEY,
  job_id    uuid NOT NULL,
  owner_id  text NOT NULL,
  kind      text NOT NULL,
  type      text NOT NULL,
  status    text NOT NULL,
  progress  smallint NOT NULL,
  message   text,
  attempt   integer NOT NULL,
  run_at    timestamptz,
  at        timestamptz NOT NULL
);
ALTER SEQUENCE ${schema}.${prefix}jobs_events_seq OWNED BY ${schema}.${prefix}jobs_events.seq;
-- An owner's events in order: a resume reads only its own owner's rows.
CREATE INDEX ${prefix}jobs_events_owner_idx ON ${schema}.${prefix}jobs_events (owner_id, seq);

-- How far the log has been pruned: every event up to `through` may be gone. Readers compare their
-- position with it in the same snapshot as their read, so a pruned position is never mistaken for
-- an empty stretch of the log.
CREATE TABLE ${schema}.${prefix}jobs_events_pruned (
  id      boolean PRIMARY KEY DEFAULT true CHECK (id),
  through bigint NOT NULL
);
INSERT INTO ${schema}.${prefix}jobs_events_pruned (id, through) VALUES (true, 0);

ALTER TABLE ${schema}.${prefix}jobs_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_isolation ON ${schema}.${prefix}jobs_events
  USING (owner_id = current_setting('asyncjobs.owner_id', true))
  WITH CHECK (owner_id = current_setting('asyncjobs.owner_id', true));

-- Who appends the events. The store's own statements (on the tables' owner) append theirs in the
-- same statement, as a data-modifying CTE: much cheaper than any trigger. Such a statement first
-- sets asyncjobs.log to 'statement' for its transaction, and the row triggers below skip its rows.
-- Every other change (plain SQL, the SQL functions of V2, a web-tier role that may not write the
-- log) is logged by these triggers, one event per changed row, in the same transaction.
--
-- The triggers run as the tables' owner (SECURITY DEFINER), so that a web-tier role that may
-- cancel its owner's job needs no INSERT right on the log: no role but the tables' owner can write
-- events. Sequence numbers are taken after the job row was written, so the writing transaction
-- already has its transaction id when it takes them (jobs_events_horizon relies on that).
--
-- What an update logs is V1's rule: a change of status, a cancel request, or (on a PROCESSING job)
-- a change of progress, message or updated_at. Heartbeats only move lease_until: they log nothing.
CREATE FUNCTION ${schema}.${prefix}jobs_log_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  event_kind text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    event_kind := 'CREATED';
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

CREATE TRIGGER ${prefix}jobs_log_inserted AFTER INSERT ON ${schema}.${prefix}jobs
  FOR EACH ROW WHEN (current_setting('asyncjobs.log', true) IS DISTINCT FROM 'statement')
  EXECUTE FUNCTION ${schema}.${prefix}jobs_log_row();
CREATE TRIGGER ${prefix}jobs_log_updated AFTER UPDATE ON ${schema}.${prefix}jobs
  FOR EACH ROW WHEN (current_setting('asyncjobs.log', true) IS DISTINCT FROM 'statement'
        AND (OLD.status IS DISTINCT FROM NEW.status
             OR OLD.progress IS DISTINCT FROM NEW.progress
             OR OLD.progress_message IS DISTINCT FROM NEW.progress_message
             OR OLD.cancel_requested IS DISTINCT FROM NEW.cancel_requested
             OR OLD.updated_at IS DISTINCT FROM NEW.updated_at))
  EXECUTE FUNCTION ${schema}.${prefix}jobs_log_row();

-- What a reader needs to know which positions are settled, for any role (it returns numbers only,
-- never an event): the sequence numbers after p_after that this snapshot sees (every owner's), the
-- snapshot's xmin, the newest number handed out, how far the log is pruned, and where the WAL is
-- being inserted and how far it is flushed.
--
-- Why that is enough: a number s is settled once every transaction that might still commit an event
-- numbered below s has ended. An event's writer had its transaction id before it took its number
-- (see the triggers). So after a reader saw number s, it asks for a fresh transaction id F (see
-- jobs_events_fence): every writer of a smaller number has an id below F, and once a later
-- snapshot's xmin is above F they have all ended: every number up to s is then either visible or
-- never will be. Runs of consecutive visible numbers are settled at once, without a fence.
CREATE FUNCTION ${schema}.${prefix}jobs_events_horizon(
    p_after bigint,
    p_limit integer,
    OUT seqs bigint[],
    OUT snapshot_xmin bigint,
    OUT head bigint,
    OUT pruned_through bigint,
    OUT insert_lsn bigint,
    OUT flush_lsn bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT ARRAY(SELECT e.seq FROM ${schema}.${prefix}jobs_events AS e
                WHERE e.seq > p_after ORDER BY e.seq LIMIT p_limit),
         txid_snapshot_xmin(txid_current_snapshot()),
         (SELECT CASE WHEN s.is_called THEN s.last_value ELSE s.last_value - 1 END
            FROM ${schema}.${prefix}jobs_events_seq AS s),
         (SELECT p.through FROM ${schema}.${prefix}jobs_events_pruned AS p),
         (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint,
         (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::bigint
$$;

-- A transaction id handed out now (see jobs_events_horizon). Its transaction writes nothing but its
-- commit record, and waits for the WAL flush: once it returns, everything committed before it is on
-- disk, so the reader that took it may deliver what it saw before, durability settled too.
CREATE FUNCTION ${schema}.${prefix}jobs_events_fence() RETURNS bigint
  LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
  SELECT txid_current()
$$;

REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_log_row() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_events_horizon(bigint, integer) FROM PUBLIC;

-- Deletes up to p_limit of the oldest events that happened more than p_older_than before p_now,
-- and records how far the log is pruned. One pruner at a time (a transaction advisory lock, not
-- waited for): a second one returns 0 at once. Writers only append, so they never wait for it.
-- Returns how many events it deleted: call it again until it returns less than p_limit.
CREATE FUNCTION ${schema}.${prefix}prune_job_events(
    p_older_than interval DEFAULT interval '24 hours',
    p_limit integer DEFAULT 10000,
    p_now timestamptz DEFAULT now())
  RETURNS integer
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  deleted integer;
  newest bigint;
BEGIN
  -- Lock class 'ASJE'; the key names this log.
  IF NOT pg_try_advisory_xact_lock(1095977541, hashtext('${schema}.${prefix}jobs_events')) THEN
    RETURN 0;
  END IF;
  WITH gone AS (
    DELETE FROM ${schema}.${prefix}jobs_events
     WHERE seq IN (SELECT e.seq FROM ${schema}.${prefix}jobs_events AS e
                    WHERE e.seq > (SELECT p.through FROM ${schema}.${prefix}jobs_events_pruned AS p)
                    ORDER BY e.seq LIMIT p_limit)
       AND at < p_now - p_older_than
    RETURNING seq
  )
  SELECT count(*), max(seq) INTO deleted, newest FROM gone;
  IF deleted > 0 THEN
    UPDATE ${schema}.${prefix}jobs_events_pruned SET through = greatest(through, newest);
  END IF;
  RETURN deleted;
END
$$;

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (4, 'event log; no notifications from triggers');
