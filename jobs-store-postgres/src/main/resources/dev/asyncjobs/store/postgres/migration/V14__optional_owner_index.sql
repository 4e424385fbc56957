-- asyncjobs PostgreSQL schema, version 14: the owner index of fair claims becomes optional.
--
-- Why: V10's jobs_pending_owner_idx holds every PENDING job, and then the dead entries of the
-- claimed ones until vacuum. Every store paid for it, whether or not its workers claim fairly:
-- pg-throughput's plain worker fell from 0.66x of the hand-written loop without it to 0.41-0.48x
-- with it (docs/performance.md). So this migration drops it, and a store builds it only when asked
-- (PostgresJobStore.Builder.fairClaimIndex(true), set by Spring Boot when
-- asyncjobs.worker.fair-between-owners is true): with CREATE INDEX CONCURRENTLY, after the
-- migrations, so that writes go on while it is built. Hosts that migrate with their own tool create
-- it with the statement PostgresJobStore.fairClaimIndexSql(schema, prefix) returns.
--
-- Fair claims work either way and in the same order. With the index (valid: a concurrent build
-- that failed or is still under way does not count), they read one probe per owner with PENDING
-- jobs (V10's jobs_fair_candidates). Without it, jobs_fair_scan below ranks every due PENDING job
-- of the claimed types, read once from V1's pending index: exact, but its cost grows with the
-- number of such jobs.
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

DROP INDEX IF EXISTS ${schema}.${prefix}jobs_pending_owner_idx;

-- jobs_fair_candidates' answer, from one read of every due PENDING job of p_types: a job's turn is
-- its owner's PROCESSING jobs of p_types (plus its jobs in p_skip, as there) and its rank among the
-- owner's candidates of its priority.
CREATE FUNCTION ${schema}.${prefix}jobs_fair_scan(
    p_now timestamptz, p_types text[], p_limit integer, p_limited text[], p_room bigint[], p_skip uuid[])
  RETURNS uuid[]
  LANGUAGE sql VOLATILE
  SET search_path = pg_catalog, pg_temp
  SET enable_sort = on       -- jobs_claim_candidates, its caller, turns it off
  SET enable_seqscan = off
  SET enable_bitmapscan = off
  SET jit = off
  SET plan_cache_mode = force_generic_plan
AS $$
  WITH c AS (
    SELECT j.id, j.owner_id, j.priority, j.run_at FROM ${schema}.${prefix}jobs AS j
     WHERE j.status = 'PENDING' AND j.run_at <= p_now AND j.type = ANY (p_types) AND j.id <> ALL (p_skip)
       AND NOT EXISTS (SELECT 1 FROM unnest(p_limited, p_room) AS l(name, room)
                        WHERE j.estimated_units > l.room AND (l.name = j.type OR l.name = ANY (j.resources)))),
  r AS (
    SELECT t.owner_id, count(*) AS n
      FROM (SELECT j.owner_id FROM ${schema}.${prefix}jobs AS j WHERE j.status = 'PROCESSING' AND j.type = ANY (p_types)
            UNION ALL
            SELECT j.owner_id FROM ${schema}.${prefix}jobs AS j WHERE j.id = ANY (p_skip)) AS t
     GROUP BY t.owner_id),
  t AS (
    -- "C": the partition needs only equality, which is the same in every deterministic collation
    SELECT c.id, c.priority, c.run_at,
           coalesce(r.n, 0)
             + row_number() OVER (PARTITION BY c.owner_id COLLATE "C", c.priority ORDER BY c.run_at, c.id) AS turn
      FROM c LEFT JOIN r ON r.owner_id = c.owner_id),
  -- The first in fair order (a top-N sort), with room for the rows that claims running at the
  -- same time have locked: a claim takes fewer than p_limit only when more than that are locked.
  k AS (
    SELECT t.id, t.priority, t.turn, t.run_at FROM t ORDER BY t.priority DESC, t.turn, t.run_at, t.id
     LIMIT greatest(4 * p_limit, p_limit + 256))
  SELECT ARRAY(
    SELECT j.id FROM k
      JOIN ${schema}.${prefix}jobs AS j ON j.id = k.id
     WHERE j.status = 'PENDING'
     ORDER BY k.priority DESC, k.turn, k.run_at, k.id
     LIMIT p_limit
     FOR UPDATE OF j SKIP LOCKED);
$$;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_fair_scan(timestamptz, text[], integer, text[], bigint[], uuid[]) FROM PUBLIC;

-- The claim order of V10; p_fair reads the owner index when it is there and valid.
CREATE OR REPLACE FUNCTION ${schema}.${prefix}jobs_claim_candidates(
    p_now timestamptz, p_types text[], p_limit integer, p_limited text[], p_room bigint[], p_skip uuid[],
    p_fair boolean)
  RETURNS uuid[]
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
  SET enable_sort = off
  SET enable_bitmapscan = off
  SET enable_seqscan = off
  SET jit = off
  SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  IF p_fair THEN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_index AS i
                WHERE i.indexrelid = to_regclass('${schema}.${prefix}jobs_pending_owner_idx')
                  AND i.indisvalid AND i.indisready) THEN
      RETURN ${schema}.${prefix}jobs_fair_candidates(p_now, p_types, p_limit, p_limited, p_room, p_skip);
    END IF;
    RETURN ${schema}.${prefix}jobs_fair_scan(p_now, p_types, p_limit, p_limited, p_room, p_skip);
  END IF;
  IF cardinality(p_limited) = 0 AND cardinality(p_skip) = 0 THEN
    RETURN ${schema}.${prefix}jobs_due_ids(p_now, p_types, p_limit);
  END IF;
  -- The pending index in claim order, as in jobs_due_ids; the names are checked on each row it
  -- walks, so that a full or blocked name's jobs are passed over here and never locked.
  RETURN ARRAY(SELECT j.id FROM ${schema}.${prefix}jobs AS j
                WHERE j.status = 'PENDING' AND j.run_at <= p_now AND j.type = ANY (p_types)
                  AND j.id <> ALL (p_skip)
                  AND NOT EXISTS (SELECT 1 FROM unnest(p_limited, p_room) AS l(name, room)
                                   WHERE j.estimated_units > l.room AND (l.name = j.type OR l.name = ANY (j.resources)))
                ORDER BY j.priority DESC, j.run_at, j.id
                LIMIT p_limit
                FOR UPDATE SKIP LOCKED);
END
$$;

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (14, 'the owner index of fair claims is optional');
