-- asyncjobs PostgreSQL schema, version 6: a claim whose plan does not depend on statistics.
--
-- Up to V5 the claim's inner query was planned with the table's statistics. A queue's statistics
-- are stale most of the time: a freshly migrated table has none (reltuples = -1), so the planner
-- guessed one pending row and chose a bitmap scan of every due pending row followed by a sort (17 ms
-- per claim with 20,000 pending rows, growing with the queue), where an index scan in claim order
-- reads only the rows it claims (0.1 ms). A claim never wants anything but that index scan, so this
-- function plans it with sorts, bitmap scans and sequential scans switched off: the one plan left is
-- the partial pending index in claim order, whatever the statistics say.
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

-- The ids of up to p_limit due PENDING jobs of p_types, in claim order (priority, then run_at, then
-- id), locked for the caller's transaction; rows another claimer locked are skipped.
CREATE FUNCTION ${schema}.${prefix}jobs_due_ids(p_now timestamptz, p_types text[], p_limit integer)
  RETURNS uuid[]
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
  SET enable_sort = off
  SET enable_bitmapscan = off
  SET enable_seqscan = off
AS $$
BEGIN
  RETURN ARRAY(SELECT j.id FROM ${schema}.${prefix}jobs AS j
                WHERE j.status = 'PENDING' AND j.run_at <= p_now AND j.type = ANY (p_types)
                ORDER BY j.priority DESC, j.run_at, j.id
                LIMIT p_limit
                FOR UPDATE SKIP LOCKED);
END
$$;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_due_ids(timestamptz, text[], integer) FROM PUBLIC;

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (6, 'claims planned without statistics');
