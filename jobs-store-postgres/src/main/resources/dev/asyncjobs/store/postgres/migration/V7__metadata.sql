-- asyncjobs PostgreSQL schema, version 7: metadata stored with each job.
--
-- Integrations keep a few string entries with a job (the tracing module the W3C traceparent of the
-- code that created it). They are written once, by the insert, and read with the job; a constant
-- default makes the new column free to add to a large table (no rewrite since PostgreSQL 11).
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

ALTER TABLE ${schema}.${prefix}jobs ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}'::jsonb;

-- A web-tier role set up with web-role-grants.sql may insert only the columns of a request, listed
-- by name; every role that could insert a job's id before may insert its metadata now, so that an
-- upgrade keeps such a role working.
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
    EXECUTE pg_catalog.format('GRANT INSERT (metadata) ON %I.%I TO %I', '${schema}', '${prefix}jobs', r.grantee);
  END LOOP;
END
$$;

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (7, 'job metadata');
