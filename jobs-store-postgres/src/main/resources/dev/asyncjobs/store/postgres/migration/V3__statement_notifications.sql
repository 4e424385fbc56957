-- asyncjobs PostgreSQL schema, version 3: change notifications per statement instead of per row.
--
-- V1 sent one pg_notify per changed row from a row-level trigger. A worker that claims or completes
-- 16 jobs in one statement then paid 16 trigger calls and 16 notifications, and every listening
-- process woke 16 times. Statement-level triggers with transition tables send the same events, built
-- in one query, packed into as few notifications as fit: each notification is a JSON array of the
-- event documents V1 sent one by one ({kind, id, owner, type, status, progress, message, attempt,
-- run_at, at}), at most 7,900 bytes (pg_notify refuses 8,000). Events of one job still arrive in
-- commit order; a job changes at most once per statement.
--
-- Placeholders as in V1__jobs.sql: ${schema} and ${prefix}.

DROP TRIGGER ${prefix}jobs_notify_insert ON ${schema}.${prefix}jobs;
DROP TRIGGER ${prefix}jobs_notify_update ON ${schema}.${prefix}jobs;
DROP FUNCTION ${schema}.${prefix}jobs_notify();

-- Sends the event documents of one statement, as JSON arrays of at most 7,900 bytes. An event too
-- large on its own (long multi-byte owner, type and message) goes without its message.
CREATE FUNCTION ${schema}.${prefix}jobs_notify_send(channel text, events text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  chunk text := NULL;
  ev text;
BEGIN
  IF octet_length(channel) > 63 THEN
    channel := 'asyncjobs_' || md5(channel);
  END IF;
  FOREACH ev IN ARRAY events LOOP
    IF octet_length(ev) > 7890 THEN
      ev := (ev::jsonb - 'message')::text;
    END IF;
    IF chunk IS NOT NULL AND octet_length(chunk) + octet_length(ev) + 2 > 7900 THEN
      PERFORM pg_notify(channel, chunk || ']');
      chunk := NULL;
    END IF;
    chunk := CASE WHEN chunk IS NULL THEN '[' || ev ELSE chunk || ',' || ev END;
  END LOOP;
  IF chunk IS NOT NULL THEN
    PERFORM pg_notify(channel, chunk || ']');
  END IF;
END
$$;

-- One event document, as V1 built it.
CREATE FUNCTION ${schema}.${prefix}jobs_event(kind text, j ${schema}.${prefix}jobs) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'kind', kind,
    'id', j.id,
    'owner', j.owner_id,
    'type', j.type,
    'status', j.status,
    'progress', j.progress,
    'message', left(CASE
      WHEN kind IN ('STARTED', 'PROGRESS') THEN j.progress_message
      WHEN kind IN ('FAILED', 'RETRY_SCHEDULED') THEN j.error_message
    END, 1000),
    'attempt', j.attempts,
    'run_at', CASE WHEN j.status = 'PENDING' THEN (extract(epoch FROM j.run_at) * 1000000)::bigint END,
    'at', (extract(epoch FROM j.updated_at) * 1000000)::bigint)::text
$$;

CREATE FUNCTION ${schema}.${prefix}jobs_notify_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ${schema}.${prefix}jobs_notify_send(TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
    ARRAY(SELECT ${schema}.${prefix}jobs_event('CREATED', n) FROM new_rows AS n));
  RETURN NULL;
END
$$;

-- What V1's row trigger sent for an update: a change of status, a cancel request, or (on a
-- PROCESSING job) a change of progress, message or updated_at. Heartbeats only move lease_until:
-- they notify nobody.
CREATE FUNCTION ${schema}.${prefix}jobs_notify_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ${schema}.${prefix}jobs_notify_send(TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
    ARRAY(SELECT ${schema}.${prefix}jobs_event(k.kind, n)
          FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id,
          LATERAL (SELECT CASE
                     WHEN n.status IS DISTINCT FROM o.status THEN
                       CASE n.status WHEN 'PROCESSING' THEN 'STARTED' WHEN 'PENDING' THEN 'RETRY_SCHEDULED' ELSE n.status END
                     WHEN n.cancel_requested AND NOT o.cancel_requested THEN 'CANCEL_REQUESTED'
                     WHEN n.status = 'PROCESSING'
                          AND (n.progress IS DISTINCT FROM o.progress
                               OR n.progress_message IS DISTINCT FROM o.progress_message
                               OR n.updated_at IS DISTINCT FROM o.updated_at) THEN 'PROGRESS'
                   END AS kind) AS k
          WHERE k.kind IS NOT NULL));
  RETURN NULL;
END
$$;

CREATE TRIGGER ${prefix}jobs_notify_inserted AFTER INSERT ON ${schema}.${prefix}jobs
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.${prefix}jobs_notify_inserted();
CREATE TRIGGER ${prefix}jobs_notify_updated AFTER UPDATE ON ${schema}.${prefix}jobs
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.${prefix}jobs_notify_updated();

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (3, 'change notifications per statement, many events per notification');
