-- asyncjobs PostgreSQL schema, version 3: change notifications per statement instead of per row.
--
-- V1 sent one pg_notify per changed row from a row-level trigger. A worker that claims or completes
-- 16 jobs in one statement then paid 16 trigger calls and 16 notifications, and every listening
-- process woke 16 times. Statement-level triggers with transition tables send the same events, built
-- in one query, packed into few notifications: each notification is a JSON array of the event
-- documents V1 sent one by one ({kind, id, owner, type, status, progress, message, attempt, run_at,
-- at}), below 7,900 bytes (pg_notify refuses 8,000). Events of one job still arrive in commit order;
-- a job changes at most once per statement.
--
-- Placeholders as in V1__jobs.sql: ${schema} and ${prefix}.

DROP TRIGGER ${prefix}jobs_notify_insert ON ${schema}.${prefix}jobs;
DROP TRIGGER ${prefix}jobs_notify_update ON ${schema}.${prefix}jobs;
DROP FUNCTION ${schema}.${prefix}jobs_notify();

-- One event document, the JSON object V1 sent ({kind, id, owner, type, status, progress, message,
-- attempt, run_at, at}; message and run_at left out when null). Built by concatenation: several
-- times cheaper than json_build_object, and inlined into the triggers' queries.
CREATE FUNCTION ${schema}.${prefix}jobs_event(
    kind text, id uuid, owner_id text, type text, status text, progress smallint, message text,
    attempts integer, run_at timestamptz, updated_at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT '{"kind":"' || kind || '","id":"' || id || '","owner":' || to_json(owner_id)::text
    || ',"type":' || to_json(type)::text || ',"status":"' || status || '","progress":' || progress
    || coalesce(',"message":' || to_json(left(message, 1000))::text, '')
    || ',"attempt":' || attempts
    || coalesce(',"run_at":' || CASE WHEN status = 'PENDING' THEN (extract(epoch FROM run_at) * 1000000)::bigint END, '')
    || ',"at":' || (extract(epoch FROM updated_at) * 1000000)::bigint || '}'
$$;

-- The events of one statement (in the table named by the caller's query) go out packed into JSON
-- arrays under pg_notify's 8,000-byte limit, in one query: events of up to 3,900 bytes fill
-- chunks of about 4,000 bytes (so a chunk stays below 7,900), a larger event goes alone, and one
-- too large even for that (long owner, type and message, all escaped) goes without its message.
CREATE FUNCTION ${schema}.${prefix}jobs_notify_send(channel text, events text[]) RETURNS void
LANGUAGE sql VOLATILE AS $$
  SELECT pg_notify(
           CASE WHEN octet_length(channel) > 63 THEN 'asyncjobs_' || md5(channel) ELSE channel END,
           '[' || string_agg(c.e, ',' ORDER BY c.n) || ']')
  FROM (SELECT s.e, s.n, CASE WHEN s.len > 3900 THEN -s.n
                         ELSE (sum(CASE WHEN s.len > 3900 THEN 0 ELSE s.len + 1 END) OVER (ORDER BY s.n) - s.len - 1) / 4000
                         END AS chunk
        FROM (SELECT f.e, f.n, octet_length(f.e) AS len
              FROM (SELECT CASE WHEN octet_length(u.e) > 7890 THEN (u.e::jsonb - 'message')::text ELSE u.e END AS e, u.n
                    FROM unnest(events) WITH ORDINALITY AS u(e, n)) AS f) AS s) AS c
  GROUP BY c.chunk
$$;

CREATE FUNCTION ${schema}.${prefix}jobs_notify_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ${schema}.${prefix}jobs_notify_send(TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
    ARRAY(SELECT ${schema}.${prefix}jobs_event('CREATED', n.id, n.owner_id, n.type, n.status, n.progress, NULL,
                                               n.attempts, n.run_at, n.updated_at)
          FROM new_rows AS n));
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
    ARRAY(SELECT ${schema}.${prefix}jobs_event(k.kind, n.id, n.owner_id, n.type, n.status, n.progress,
                   CASE WHEN k.kind IN ('STARTED', 'PROGRESS') THEN n.progress_message
                        WHEN k.kind IN ('FAILED', 'RETRY_SCHEDULED') THEN n.error_message END,
                   n.attempts, n.run_at, n.updated_at)
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
