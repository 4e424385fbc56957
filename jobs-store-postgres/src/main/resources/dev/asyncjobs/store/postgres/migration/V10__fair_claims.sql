-- asyncjobs PostgreSQL schema, version 10: claims that take owners in turn (issue 18,
-- ClaimRequest.fairBetweenOwners, StoreCapability.FAIR_CLAIMS).
--
-- A fair claim orders the due jobs by priority, then turn, then run_at, then id, where a job's turn
-- is its owner's PROCESSING jobs of the claimed types plus its rank among the owner's due jobs of
-- its priority. It reads every owner's first jobs from a new partial index that holds only PENDING
-- rows, by owner: a loose scan finds the owners (one probe each), and each owner gives at most as
-- many jobs as the claim wants. So its cost grows with the number of owners that have PENDING jobs,
-- not with the length of anyone's backlog (docs/workers.md has the figures). A plain claim is as
-- in V9; it does not read the new index.
--
-- What the index costs everyone: one more index entry per insert (and its share of vacuum). A row
-- leaves it when its job is claimed, since the claimed row no longer matches the predicate.
-- Creating it takes a lock that blocks writes to the jobs table while it is built: on a large
-- table, create it beforehand with CREATE INDEX CONCURRENTLY under the same name, and this
-- migration leaves it be.
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

CREATE INDEX IF NOT EXISTS ${prefix}jobs_pending_owner_idx ON ${schema}.${prefix}jobs (owner_id, priority DESC, run_at, id)
  WHERE status = 'PENDING';

-- The ids of up to p_limit due PENDING jobs of p_types in fair order, locked for the caller's
-- transaction (rows another claimer locked are skipped), leaving out what jobs_claim_candidates
-- (V9) leaves out: the jobs in p_skip and those too large for the room of a name of p_limited.
--
-- Under limits, V9's jobs_claim may ask again with the jobs it took or refused so far in p_skip:
-- they count as their owner's turns, as they would had they started. A job a units bound has no
-- room for, left out before ranking, does not keep its place (docs/postgresql.md says so).
--
-- Exact, in at most two rounds of reads. The owners with PENDING jobs come from a loose scan of
-- the owner index, and their running jobs from the lease index (which holds only PROCESSING rows).
-- Round 1 reads each owner's first ceil(p_limit / owners) candidates. An owner all of whose
-- candidates made the first p_limit, and who may have more, is "full": round 2 reads p_limit of
-- each full owner's (there are at most p_limit of them). Every other owner's next job would come
-- after one of its own that did not make it, so nothing it has unread can make it either; and the
-- rows round 2 adds only push the others further back. So one owner with a deep backlog costs one
-- probe, like any other owner, and a claim costs about one probe per owner with PENDING jobs.
CREATE FUNCTION ${schema}.${prefix}jobs_fair_candidates(
    p_now timestamptz, p_types text[], p_limit integer, p_limited text[], p_room bigint[], p_skip uuid[])
  RETURNS uuid[]
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
  SET enable_seqscan = off
  SET enable_bitmapscan = off
  SET jit = off
  SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_owners text[];
  v_running bigint[];   -- aligned with v_owners
  v_want integer;
  v_full integer[];     -- positions in v_owners
  -- the candidates read so far, aligned: id, owner's position, priority, run_at
  v_id uuid[];
  v_own integer[];
  v_prio smallint[];
  v_run timestamptz[];
  v_other integer[];    -- owners (positions) whose first PENDING entry is not a candidate
  v_read integer[];     -- the owners (positions) a round reads
  v_each integer;       -- how many of each it reads
  v_round integer;
BEGIN
  -- The owners, each with its first PENDING entry in its claim order: a loose scan of the owner
  -- index, one probe per owner. That entry is the owner's first candidate whenever it qualifies
  -- (due, of a claimed type, not left out), which spares the usual case a second probe.
  SELECT coalesce(array_agg(f.owner_id ORDER BY f.i), '{}'),
         coalesce(array_agg(f.id ORDER BY f.i) FILTER (WHERE f.ok), '{}'),
         coalesce(array_agg(f.i ORDER BY f.i) FILTER (WHERE f.ok), '{}'),
         coalesce(array_agg(f.priority ORDER BY f.i) FILTER (WHERE f.ok), '{}'),
         coalesce(array_agg(f.run_at ORDER BY f.i) FILTER (WHERE f.ok), '{}'),
         coalesce(array_agg(f.i ORDER BY f.i) FILTER (WHERE NOT f.ok), '{}')
    INTO v_owners, v_id, v_own, v_prio, v_run, v_other
    FROM (
      WITH RECURSIVE firsts AS (
          (SELECT j.owner_id, j.id, j.priority, j.run_at, j.type, j.estimated_units, j.resources
             FROM ${schema}.${prefix}jobs AS j WHERE j.status = 'PENDING'
            ORDER BY j.owner_id, j.priority DESC, j.run_at, j.id LIMIT 1)
        UNION ALL
          SELECT n.* FROM firsts AS o
           CROSS JOIN LATERAL (
             SELECT j.owner_id, j.id, j.priority, j.run_at, j.type, j.estimated_units, j.resources
               FROM ${schema}.${prefix}jobs AS j
              WHERE j.status = 'PENDING' AND j.owner_id > o.owner_id
              ORDER BY j.owner_id, j.priority DESC, j.run_at, j.id LIMIT 1) AS n)
      SELECT x.owner_id, row_number() OVER (ORDER BY x.owner_id)::integer AS i, x.id, x.priority, x.run_at,
             x.run_at <= p_now AND x.type = ANY (p_types) AND x.id <> ALL (p_skip)
               AND NOT EXISTS (SELECT 1 FROM unnest(p_limited, p_room) AS l(name, room)
                                WHERE x.estimated_units > l.room AND (l.name = x.type OR l.name = ANY (x.resources))) AS ok
        FROM firsts AS x) AS f;
  IF cardinality(v_owners) = 0 THEN
    RETURN '{}';
  END IF;
  v_running := ARRAY(
    SELECT coalesce(r.n, 0)
      FROM unnest(v_owners) WITH ORDINALITY AS o(owner_id, i)
      LEFT JOIN (SELECT t.owner_id, count(*) AS n
                   FROM (SELECT j.owner_id FROM ${schema}.${prefix}jobs AS j
                          WHERE j.status = 'PROCESSING' AND j.type = ANY (p_types)
                         UNION ALL
                         -- a later round of one claim (V9's jobs_claim under limits): the jobs it
                         -- took or refused before are still PENDING, and take their owner's turns
                         SELECT j.owner_id FROM ${schema}.${prefix}jobs AS j WHERE j.id = ANY (p_skip)) AS t
                  GROUP BY t.owner_id) AS r ON r.owner_id = o.owner_id
     ORDER BY o.i);
  v_want := (p_limit + cardinality(v_owners) - 1) / cardinality(v_owners);

  -- Round 1 reads each owner's first v_want; with one wanted, only the owners whose first entry
  -- did not qualify are read again. Round 2 reads the full owners' first p_limit in place of
  -- their first v_want.
  IF v_want = 1 THEN
    v_read := v_other;
  ELSE
    v_read := ARRAY(SELECT generate_series(1, cardinality(v_owners)));
    v_id := '{}';
    v_own := '{}';
    v_prio := '{}';
    v_run := '{}';
  END IF;
  v_each := v_want;
  FOR v_round IN 1..2 LOOP
    SELECT v_id || coalesce(array_agg(h.id), '{}'), v_own || coalesce(array_agg(o.i), '{}'),
           v_prio || coalesce(array_agg(h.priority), '{}'), v_run || coalesce(array_agg(h.run_at), '{}')
      INTO v_id, v_own, v_prio, v_run
      FROM unnest(v_read) AS o(i)
      CROSS JOIN LATERAL (
        SELECT j.id, j.priority, j.run_at FROM ${schema}.${prefix}jobs AS j
         WHERE j.owner_id = v_owners[o.i] AND j.status = 'PENDING' AND j.run_at <= p_now AND j.type = ANY (p_types)
           AND j.id <> ALL (p_skip)
           AND NOT EXISTS (SELECT 1 FROM unnest(p_limited, p_room) AS l(name, room)
                            WHERE j.estimated_units > l.room AND (l.name = j.type OR l.name = ANY (j.resources)))
         ORDER BY j.priority DESC, j.run_at, j.id
         LIMIT v_each) AS h;
    EXIT WHEN v_round = 2 OR v_want >= p_limit;
    v_full := ARRAY(
      WITH t AS (
        SELECT c.o, v_running[c.o] + row_number() OVER (PARTITION BY c.o, c.priority ORDER BY c.run_at, c.id) AS turn,
               c.priority, c.run_at, c.id
          FROM unnest(v_id, v_own, v_prio, v_run) AS c(id, o, priority, run_at)),
      k AS (
        SELECT t.o, row_number() OVER (ORDER BY t.priority DESC, t.turn, t.run_at, t.id) AS k FROM t)
      SELECT k.o FROM k GROUP BY k.o
      HAVING count(*) = v_want AND max(k.k) <= p_limit);
    EXIT WHEN cardinality(v_full) = 0;
    SELECT coalesce(array_agg(c.id), '{}'), coalesce(array_agg(c.o), '{}'), coalesce(array_agg(c.priority), '{}'),
           coalesce(array_agg(c.run_at), '{}')
      INTO v_id, v_own, v_prio, v_run
      FROM unnest(v_id, v_own, v_prio, v_run) AS c(id, o, priority, run_at)
     WHERE c.o <> ALL (v_full);
    v_read := v_full;
    v_each := p_limit;
  END LOOP;

  RETURN ARRAY(
    WITH t AS (
      SELECT c.id, c.priority, c.run_at,
             v_running[c.o] + row_number() OVER (PARTITION BY c.o, c.priority ORDER BY c.run_at, c.id) AS turn
        FROM unnest(v_id, v_own, v_prio, v_run) AS c(id, o, priority, run_at)),
    k AS (
      SELECT t.id, row_number() OVER (ORDER BY t.priority DESC, t.turn, t.run_at, t.id) AS k FROM t)
    SELECT j.id FROM k
      JOIN ${schema}.${prefix}jobs AS j ON j.id = k.id
     WHERE j.status = 'PENDING'
     ORDER BY k.k
     LIMIT p_limit
     FOR UPDATE OF j SKIP LOCKED);
END
$$;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_fair_candidates(timestamptz, text[], integer, text[], bigint[], uuid[]) FROM PUBLIC;

-- The claim order of V9, with p_fair now served by jobs_fair_candidates.
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
    RETURN ${schema}.${prefix}jobs_fair_candidates(p_now, p_types, p_limit, p_limited, p_room, p_skip);
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
  VALUES (10, 'claims that take owners in turn');
