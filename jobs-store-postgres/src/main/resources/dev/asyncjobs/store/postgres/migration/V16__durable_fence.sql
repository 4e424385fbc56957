-- asyncjobs PostgreSQL schema, version 16: the event readers' fence waits for the WAL flush.
--
-- A reader delivers what it settled only once it is on disk (SettledBound): either the WAL was
-- flushed past where it was being inserted at the look, or a fence taken after the look committed,
-- a fence's commit waiting for its flush, which covers everything before it. V4's fence took a
-- transaction id and wrote nothing else, and PostgreSQL does not wait for the flush of a commit that
-- wrote no WAL before its commit record: it commits asynchronously. So a database crash could take
-- back events a subscriber had already been given (DatabaseCrashTest saw three of them, once).
-- The fence now writes a transactional WAL message of no content (no table, no privilege beyond
-- EXECUTE, any wal_level) and asks for a synchronous commit, whatever the session's setting.
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

CREATE OR REPLACE FUNCTION ${schema}.${prefix}jobs_events_fence() RETURNS bigint
  LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM set_config('synchronous_commit', 'on', true);
  PERFORM pg_logical_emit_message(true, 'asyncjobs.fence', '');
  RETURN txid_current();
END
$$;

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (16, 'the event readers'' fence waits for the WAL flush');
