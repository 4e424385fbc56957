-- asyncjobs PostgreSQL schema, version 9: limits that every worker obeys together (issue 18).
--
-- A job falls under the names {its type} and its resources (what its generator declared when it
-- was created; fixed for good). A limit on a name bounds how many attempts under it run at once,
-- how many start in a sliding interval, and how many units they reserve in one; a name may also be
-- paused (by an operator) or backing off (a provider said "rate limited, retry after"). Claims
-- honour all of it, atomically across processes: a claim locks the limit rows of the names it
-- counts against (FOR UPDATE, in name order), counts, and claims in the same transaction.
--
-- What this costs a store without limits: one look at the (empty) limits table inside the claim's
-- statement, which then claims exactly as V6 did (see jobs_claim below). The new columns have
-- constant defaults, so adding them rewrites nothing.
--
-- The SQL functions of V2 (get_next_job, fail_job, ...) are not aware of limits: a job they claim
-- counts as running under its names (counts are read from the jobs), but they neither wait for
-- room nor record starts or units. A worker in another language that must obey limits calls
-- jobs_claim, as the store does.
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

-- The names a job falls under besides its type (NULL: none), the units an attempt reserves under a
-- units limit, and how many attempts were handed back without counting (a provider's "rate
-- limited"). The checks are NOT VALID: they hold for every row written from now on, without a scan
-- of the existing rows under an exclusive lock (those all hold the defaults).
ALTER TABLE ${schema}.${prefix}jobs
  ADD COLUMN resources text[],
  ADD COLUMN estimated_units bigint NOT NULL DEFAULT 1,
  ADD COLUMN deferrals integer NOT NULL DEFAULT 0;
ALTER TABLE ${schema}.${prefix}jobs
  ADD CONSTRAINT estimated_units_range CHECK (estimated_units >= 0) NOT VALID,
  ADD CONSTRAINT deferrals_range CHECK (deferrals >= 0) NOT VALID;

-- One row per name that has bounds, is paused or is backing off. A row with none of these left is
-- deleted (or ignored until then: an ended back-off). A handful of rows: every claim reads them.
--
-- Besides what an operator sets, the row keeps what claims need to count fast (written only by
-- claims and settlements, under the row's lock): claims, a number that every claim that took a job
-- under the name increases (a claim that counted the running jobs before it locked the row counts
-- again only when it changed meanwhile); running_seen, how many ran under the name after the last
-- claim, at running_at (see jobs_claim); and each window's sum over its ledger rows after a point
-- in time (starts_count after starts_from, units_sum after units_from), which the next claim moves
-- to its own window by adding or taking away the rows in between, instead of adding up the whole
-- window (NULL: not known, the next claim adds up the whole window). Defining the bounds again
-- forgets all of it. Often updated: half of each page stays free for updates in place.
CREATE TABLE ${schema}.${prefix}jobs_limits (
  name            text PRIMARY KEY,
  max_running     integer,
  max_starts      integer,
  starts_interval interval,
  max_units       bigint,
  units_interval  interval,
  paused          boolean NOT NULL DEFAULT false,
  backoff_until   timestamptz,
  updated_at      timestamptz NOT NULL,
  claims          bigint NOT NULL DEFAULT 0,
  running_seen    integer,
  running_at      timestamptz,
  starts_from     timestamptz,
  starts_count    bigint,
  units_from      timestamptz,
  units_sum       bigint,
  CONSTRAINT name_length CHECK (length(name) BETWEEN 1 AND 200),
  CONSTRAINT max_running_range CHECK (max_running >= 1),
  CONSTRAINT starts_bound CHECK ((max_starts IS NULL) = (starts_interval IS NULL) AND max_starts >= 1
                                 AND starts_interval BETWEEN interval '10 milliseconds' AND interval '1 day'),
  CONSTRAINT units_bound CHECK ((max_units IS NULL) = (units_interval IS NULL) AND max_units >= 1
                                AND units_interval BETWEEN interval '10 milliseconds' AND interval '1 day')
) WITH (fillfactor = 50);

-- What the windows count: one row per claim, name and worker with a starts or units bound on the
-- name when it claimed: how many attempts it started (0 without a starts bound) and the units they
-- reserved (0 without a units bound). With a units bound the row also lists the attempts and each
-- one's units, which the worker replaces with what the attempt used once it ends (settleUnits:
-- the row of the job's latest start, found through the job's started_at and the worker). A claim
-- of the same worker at the same instant adds to the row. Rows that no window reaches any more are
-- deleted by the claims under the name and by retention. Not tied to the jobs: deleting a finished
-- job gives nothing back.
CREATE TABLE ${schema}.${prefix}jobs_limit_ledger (
  name       text NOT NULL,
  started_at timestamptz NOT NULL,
  worker_id  text NOT NULL,
  starts     integer NOT NULL,
  units      bigint NOT NULL,
  job_ids    uuid[],
  attempts   integer[],
  job_units  bigint[],
  CONSTRAINT counts_range CHECK (starts >= 0 AND units >= 0),
  -- a name's window in time order
  PRIMARY KEY (name, started_at, worker_id)
);

-- Only the tables' owner (the workers' role) reads or writes these two tables; no other role is
-- granted anything on them. A web tier's role can therefore neither define, pause nor back off a
-- name, nor read the ledger (which names every owner's jobs). See docs/postgresql.md, "Limits".
--
-- Every function of this file fixes its search_path, and plans its queries once per session
-- (plan_cache_mode = force_generic_plan): their plans take the indexes whatever the parameters,
-- and PostgreSQL would otherwise plan some of them again on every call (a custom plan looks cheaper
-- than the generic one), which cost a limited claim about a millisecond when measured. Those that
-- read the jobs table switch sequential scans off, as V6 does, so that no statistics make them
-- read the whole table; and JIT too: a switched-off plan's penalty cost would otherwise start the
-- JIT compiler (167 ms of a claim when tried).

-- How many PROCESSING jobs run under each of p_names now: every PROCESSING job read once, through
-- the partial lease index. How many run under a name is kept nowhere else, so that nothing but a
-- claim under a limit pays for counting it.
CREATE FUNCTION ${schema}.${prefix}jobs_limit_running(p_names text[])
  RETURNS TABLE (name text, running integer)
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
  SET enable_seqscan = off
  SET jit = off
  SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  RETURN QUERY
  SELECT x.name, count(*)::integer
    FROM ${schema}.${prefix}jobs AS j,
         unnest(array_prepend(j.type, array_remove(j.resources, j.type))) AS x(name)
   WHERE j.status = 'PROCESSING' AND x.name = ANY (p_names)
   GROUP BY x.name;
END
$$;

-- The sum of p_kind ('starts' or 'units') over p_name's ledger rows after p_to, given p_sum, the
-- sum after p_from: the rows in between are added or taken away (all rows after p_to are added
-- when p_from or p_sum is NULL). A window that slides reads each row about twice in all.
CREATE FUNCTION ${schema}.${prefix}jobs_limit_sum(
    p_name text, p_kind text, p_to timestamptz, p_from timestamptz, p_sum bigint)
  RETURNS bigint
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
  SET enable_seqscan = off
AS $$
DECLARE
  v_lo timestamptz := CASE WHEN p_from IS NULL OR p_sum IS NULL THEN p_to ELSE least(p_from, p_to) END;
  v_hi timestamptz := CASE WHEN p_from IS NULL OR p_sum IS NULL THEN 'infinity' ELSE greatest(p_from, p_to) END;
  v_between bigint;
BEGIN
  IF v_lo = v_hi THEN
    RETURN p_sum;
  END IF;
  v_between := (SELECT coalesce(sum(CASE p_kind WHEN 'starts' THEN l.starts ELSE l.units END), 0)
                  FROM ${schema}.${prefix}jobs_limit_ledger AS l
                 WHERE l.name = p_name AND l.started_at > v_lo AND l.started_at <= v_hi);
  RETURN CASE WHEN p_from IS NULL OR p_sum IS NULL THEN v_between
              WHEN p_to > p_from THEN p_sum - v_between
              ELSE p_sum + v_between END;
END
$$;

-- The claim order: the ids of up to p_limit due PENDING jobs of p_types, locked for the caller's
-- transaction (rows another claimer locked are skipped), leaving out the jobs in p_skip and every
-- job that falls under a name of p_limited whose estimated units exceed that name's p_room (a room
-- of -1 leaves out every job under the name: it is full, paused or backing off). Without anything
-- left out it is jobs_due_ids (V6).
--
-- The one place the order is chosen, for claims with limits and without: p_fair asks for owners in
-- turn (ClaimRequest.fairBetweenOwners). This version serves it in the plain order; the migration
-- that adds a fair order replaces this function (same signature) and nothing else.
CREATE FUNCTION ${schema}.${prefix}jobs_claim_candidates(
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

-- What a claim takes under one name: how many attempts, how many units, and (under a units bound)
-- which attempts with how many units each: the ledger row it writes.
CREATE TYPE ${schema}.${prefix}jobs_limit_take AS (
  name text, n integer, units bigint, job_ids uuid[], attempts integer[], job_units bigint[]);

-- Claims up to p_limit due PENDING jobs of p_types for p_worker, leased until p_lease_until, within
-- the limits: PROCESSING, attempts + 1, progress 0, started_at p_now. Returns the claimed rows. Its
-- transaction commits without waiting for its WAL flush (see WorkerWrites). With p_logs_events the
-- caller appends the STARTED events itself (the store's statement does, in the same statement),
-- and the log triggers skip these rows; without, the triggers log them.
--
-- Without a limit row that has bounds, a pause or a running back-off (a look of a few
-- microseconds), the claim is V6's: the due ids in claim order, updated by primary key. Otherwise,
-- in one call:
--   1. names paused or backing off are left out, and so are names whose bounds are reached now
--      (read without a lock: a hint that spares a claim that cannot take anything the wait for the
--      lock);
--   2. the candidates in claim order leave those out, and jobs too large for a units budget that
--      is more than half spent (over-fetched by up to 32 when a bound has less room than the claim
--      wants, or such a budget), and are tallied by bounded name;
--   3. the limit rows of the bounded names the candidates fall under are locked FOR UPDATE in name
--      order, and read again (every claim that held the lock before has committed);
--   4. the candidates are taken in order while every name of theirs has room, counting the ones
--      taken before: the first ones at once when they all fit (a limit that does not bind), else
--      one by one, skipping one that does not fit. When some did not fit and the claim wants more,
--      the candidates are asked again with the names that filled up left out (at most four
--      rounds); a bounded name that first appears in a later round is locked only if no other
--      claimer holds it (SKIP LOCKED), else left out, so that only the first, ordered lock waits and
--      claims never deadlock;
--   5. the ledger gets a row per name with a window bound, the locked rows what the next claims
--      read (below), now and then the oldest ledger rows of those names go, and the taken jobs are
--      updated.
--
-- What is in use under a name is taken from what the last claim under it wrote on the limit row,
-- while the claim holds the row's lock, whenever that leaves room for the whole claim; it is
-- counted or added up only when it does not, or when it is over a second old:
--   * running_seen, how many ran under the name after the last claim (at running_at): an upper
--     bound of what runs now, since every claim under the name writes it (jobs that ended since
--     make it larger than the truth). Counting reads every PROCESSING job (jobs_limit_running). So
--     near the bound a claim always counts, and a job started without this function (get_next_job
--     of V2, or a claim that had not seen the limit yet) is counted within a second;
--   * the windows' sums (starts_count after starts_from, units_sum after units_from), each an upper
--     bound of its window as long as its from lies before the window's start. Moving a window to
--     now (jobs_limit_sum) reads only the ledger rows it passes over.
CREATE FUNCTION ${schema}.${prefix}jobs_claim(
    p_now timestamptz, p_types text[], p_limit integer, p_worker text, p_lease_until timestamptz,
    p_fair boolean, p_logs_events boolean)
  RETURNS SETOF ${schema}.${prefix}jobs
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
  SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  -- the bounded names (not blocked when read) and what is known of each, aligned by position
  v_names text[];
  v_max_running integer[];
  v_max_starts integer[];
  v_starts_iv interval[];
  v_max_units bigint[];
  v_units_iv interval[];
  v_claims bigint[];
  v_seen integer[];
  v_seen_at timestamptz[];
  v_starts_from timestamptz[];
  v_starts_count bigint[];
  v_units_from timestamptz[];
  v_units_sum bigint[];
  v_running integer[];     -- in use now: running, starts and units in the windows
  v_starts bigint[];
  v_units bigint[];
  v_counted boolean[];     -- v_running was counted before the lock, not read from running_seen
  v_moved boolean[];       -- a window was moved to now: its old ledger rows may go
  v_took integer[];
  v_locked boolean[];
  v_out boolean[];         -- left out of this claim: full, blocked, or not lockable
  v_blocked text[];        -- paused or backing off
  v_unit_names text[];     -- bounded names with a units bound
  v_n integer;
  v_ids uuid[];
  v_taken uuid[] := '{}';
  v_skip uuid[] := '{}';
  v_types text[];
  v_limited text[];
  v_room bigint[];
  v_need integer := p_limit;
  v_fetch integer;
  v_partial boolean;
  v_first_lock boolean := true;
  v_want text[];
  v_count text[];
  v_tally ${schema}.${prefix}jobs_limit_take[];  -- the candidates by bounded name
  v_taken_tally ${schema}.${prefix}jobs_limit_take[];  -- the same when it is exactly what was taken
  v_window text[];
  v_cur refcursor;
  v_rejected boolean;
  v_fits boolean;
  v_i integer;
  v_round integer;
  v_t ${schema}.${prefix}jobs_limit_take;
  r ${schema}.${prefix}jobs_limits;
  c record;
  rc record;
  x text;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  IF p_logs_events THEN
    PERFORM set_config('asyncjobs.log', 'statement', true);
  END IF;

  IF NOT EXISTS (SELECT 1 FROM ${schema}.${prefix}jobs_limits AS b
                  WHERE b.max_running IS NOT NULL OR b.max_starts IS NOT NULL OR b.max_units IS NOT NULL
                     OR b.paused OR b.backoff_until > p_now) THEN
    v_ids := ${schema}.${prefix}jobs_claim_candidates(p_now, p_types, p_limit, '{}', '{}', '{}', p_fair);
    RETURN QUERY
      UPDATE ${schema}.${prefix}jobs AS j
         SET status = 'PROCESSING', attempts = j.attempts + 1, progress = 0, progress_message = NULL,
             started_at = p_now, updated_at = p_now, worker_id = p_worker, lease_until = p_lease_until
       WHERE j.id = ANY (v_ids)
      RETURNING j.*;
    RETURN;
  END IF;

  -- 1. the limit rows that apply now, in one read, and what is in use under them (no lock)
  SELECT coalesce(array_agg(l.name) FILTER (WHERE l.blocked), '{}'),
         coalesce(array_agg(l.name) FILTER (WHERE NOT l.blocked), '{}'),
         array_agg(l.max_running) FILTER (WHERE NOT l.blocked),
         array_agg(l.max_starts) FILTER (WHERE NOT l.blocked),
         array_agg(l.starts_interval) FILTER (WHERE NOT l.blocked),
         array_agg(l.max_units) FILTER (WHERE NOT l.blocked),
         array_agg(l.units_interval) FILTER (WHERE NOT l.blocked),
         array_agg(l.claims) FILTER (WHERE NOT l.blocked),
         array_agg(l.running_seen) FILTER (WHERE NOT l.blocked),
         array_agg(l.running_at) FILTER (WHERE NOT l.blocked),
         array_agg(l.starts_from) FILTER (WHERE NOT l.blocked),
         array_agg(l.starts_count) FILTER (WHERE NOT l.blocked),
         array_agg(l.units_from) FILTER (WHERE NOT l.blocked),
         array_agg(l.units_sum) FILTER (WHERE NOT l.blocked),
         coalesce(array_agg(l.name) FILTER (WHERE NOT l.blocked AND l.max_units IS NOT NULL), '{}')
    INTO v_blocked, v_names, v_max_running, v_max_starts, v_starts_iv, v_max_units, v_units_iv, v_claims,
         v_seen, v_seen_at, v_starts_from, v_starts_count, v_units_from, v_units_sum, v_unit_names
    FROM (SELECT b.*, b.paused OR coalesce(b.backoff_until > p_now, false) AS blocked
            FROM ${schema}.${prefix}jobs_limits AS b
           WHERE b.max_running IS NOT NULL OR b.max_starts IS NOT NULL OR b.max_units IS NOT NULL
              OR b.paused OR b.backoff_until > p_now) AS l;
  v_n := cardinality(v_names);
  v_running := array_fill(0, ARRAY[v_n]);
  v_starts := array_fill(0::bigint, ARRAY[v_n]);
  v_units := v_starts;
  v_took := v_running;
  v_counted := array_fill(false, ARRAY[v_n]);
  v_moved := v_counted;
  v_locked := v_counted;
  v_out := v_counted;
  v_count := '{}';
  FOR v_i IN 1..v_n LOOP
    IF v_max_running[v_i] IS NOT NULL THEN
      IF v_seen_at[v_i] > p_now - interval '1 second' AND v_seen[v_i] + v_need <= v_max_running[v_i] THEN
        v_running[v_i] := v_seen[v_i];
      ELSE
        v_count := v_count || v_names[v_i];
        v_counted[v_i] := true;
      END IF;
    END IF;
    IF v_max_starts[v_i] IS NOT NULL THEN
      IF v_starts_from[v_i] <= p_now - v_starts_iv[v_i] AND v_starts_from[v_i] > p_now - v_starts_iv[v_i] - interval '1 second'
         AND v_starts_count[v_i] + v_need <= v_max_starts[v_i] THEN
        v_starts[v_i] := v_starts_count[v_i];
      ELSE
        v_starts[v_i] := ${schema}.${prefix}jobs_limit_sum(v_names[v_i], 'starts', p_now - v_starts_iv[v_i],
                                                           v_starts_from[v_i], v_starts_count[v_i]);
      END IF;
    END IF;
    IF v_max_units[v_i] IS NOT NULL THEN
      IF v_units_from[v_i] <= p_now - v_units_iv[v_i] AND v_units_from[v_i] > p_now - v_units_iv[v_i] - interval '1 second'
         AND v_units_sum[v_i] < v_max_units[v_i] / 2 THEN
        v_units[v_i] := v_units_sum[v_i];
      ELSE
        v_units[v_i] := ${schema}.${prefix}jobs_limit_sum(v_names[v_i], 'units', p_now - v_units_iv[v_i],
                                                          v_units_from[v_i], v_units_sum[v_i]);
      END IF;
    END IF;
  END LOOP;
  IF cardinality(v_count) > 0 THEN
    FOR rc IN SELECT t.name, t.running FROM ${schema}.${prefix}jobs_limit_running(v_count) AS t LOOP
      v_running[array_position(v_names, rc.name)] := rc.running;
    END LOOP;
  END IF;

  FOR v_round IN 1..4 LOOP
    -- what the candidates must leave out, from what is known now
    v_limited := v_blocked;
    v_room := array_fill(-1::bigint, ARRAY[cardinality(v_blocked)]);
    v_partial := false;
    FOR v_i IN 1..v_n LOOP
      IF v_out[v_i] OR v_running[v_i] >= v_max_running[v_i] OR v_starts[v_i] >= v_max_starts[v_i] THEN
        v_limited := v_limited || v_names[v_i];
        v_room := v_room || -1::bigint;
      ELSIF v_max_units[v_i] - v_units[v_i] < v_max_units[v_i] / 2 THEN
        -- Less than half the budget left: the candidates leave out jobs too large for what is left,
        -- and are over-fetched. With more left, a job too large for it is skipped in step 4.
        v_limited := v_limited || v_names[v_i];
        v_room := v_room || greatest(v_max_units[v_i] - v_units[v_i], -1);
        v_partial := true;
      END IF;
      IF v_max_running[v_i] - v_running[v_i] < v_need OR v_max_starts[v_i] - v_starts[v_i] < v_need THEN
        v_partial := true;
      END IF;
    END LOOP;
    -- a type whose own name is left out is not asked for at all
    v_types := p_types;
    FOR v_i IN 1..cardinality(v_limited) LOOP
      IF v_room[v_i] = -1 THEN
        v_types := array_remove(v_types, v_limited[v_i]);
      END IF;
    END LOOP;
    EXIT WHEN cardinality(v_types) = 0;

    -- 2. the candidates, tallied by bounded name over the first v_need of them (the ones taken at
    --    once if they all fit)
    v_fetch := CASE WHEN v_partial THEN v_need + least(v_need, 32) ELSE v_need END;
    v_ids := ${schema}.${prefix}jobs_claim_candidates(p_now, v_types, v_fetch, v_limited, v_room, v_skip || v_taken, p_fair);
    EXIT WHEN cardinality(v_ids) = 0;
    IF cardinality(v_ids) <= v_need THEN
      v_tally := ARRAY(
          SELECT ROW(nm.name, count(*), sum(j.estimated_units),
                     CASE WHEN nm.name = ANY (v_unit_names) THEN array_agg(j.id) END,
                     CASE WHEN nm.name = ANY (v_unit_names) THEN array_agg(j.attempts + 1) END,
                     CASE WHEN nm.name = ANY (v_unit_names) THEN array_agg(j.estimated_units) END)::${schema}.${prefix}jobs_limit_take
            FROM ${schema}.${prefix}jobs AS j,
                 unnest(array_prepend(j.type, array_remove(j.resources, j.type))) AS nm(name)
           WHERE j.id = ANY (v_ids) AND nm.name = ANY (v_names)
           GROUP BY nm.name);
    ELSE
      v_tally := ARRAY(
          SELECT ROW(nm.name, count(*) FILTER (WHERE k.i <= v_need), coalesce(sum(j.estimated_units) FILTER (WHERE k.i <= v_need), 0),
                     NULL, NULL, NULL)::${schema}.${prefix}jobs_limit_take
            FROM unnest(v_ids) WITH ORDINALITY AS k(id, i)
            JOIN ${schema}.${prefix}jobs AS j ON j.id = k.id
            CROSS JOIN LATERAL unnest(array_prepend(j.type, array_remove(j.resources, j.type))) AS nm(name)
           WHERE nm.name = ANY (v_names)
           GROUP BY nm.name);
    END IF;

    -- 3. lock those names, the ones not locked yet
    v_want := '{}';
    FOREACH v_t IN ARRAY v_tally LOOP
      v_i := array_position(v_names, v_t.name);
      IF NOT v_locked[v_i] AND NOT v_out[v_i] THEN
        v_want := v_want || v_t.name;
      END IF;
    END LOOP;
    IF cardinality(v_want) > 0 THEN
      v_count := '{}';
      -- Only the first lock waits, in name order; a later one is taken only if free. Either way
      -- the rows read are the latest versions, ours now.
      IF v_first_lock THEN
        OPEN v_cur FOR SELECT l.* FROM ${schema}.${prefix}jobs_limits AS l WHERE l.name = ANY (v_want)
                        ORDER BY l.name COLLATE "C" FOR UPDATE;
      ELSE
        OPEN v_cur FOR SELECT l.* FROM ${schema}.${prefix}jobs_limits AS l WHERE l.name = ANY (v_want)
                        ORDER BY l.name COLLATE "C" FOR UPDATE SKIP LOCKED;
      END IF;
      LOOP
        FETCH v_cur INTO r;
        EXIT WHEN NOT FOUND;
        v_i := array_position(v_names, r.name);
        v_want := array_remove(v_want, r.name);
        v_locked[v_i] := true;
        v_max_running[v_i] := r.max_running;
        v_max_starts[v_i] := r.max_starts;
        v_max_units[v_i] := r.max_units;
        IF r.paused OR r.backoff_until > p_now THEN
          v_out[v_i] := true;
          CONTINUE;
        END IF;
        IF r.max_running IS NOT NULL THEN
          IF r.running_at > p_now - interval '1 second' AND r.running_seen + v_need <= r.max_running THEN
            v_running[v_i] := r.running_seen;
            v_seen_at[v_i] := r.running_at;
          ELSIF v_counted[v_i] AND r.claims = v_claims[v_i] THEN
            -- counted before the lock, and no claim took jobs under the name since: still right
            v_seen_at[v_i] := p_now;
          ELSE
            v_count := v_count || r.name;
            v_seen_at[v_i] := p_now;
          END IF;
        END IF;
        -- The windows from the locked row's sums, as in step 1. Defining the bounds again forgot
        -- the sums, and may have changed the intervals.
        IF r.max_starts IS NULL THEN
          v_starts[v_i] := 0;
          v_starts_from[v_i] := NULL;
        ELSIF r.starts_from <= p_now - r.starts_interval AND r.starts_from > p_now - r.starts_interval - interval '1 second'
              AND r.starts_count + v_need <= r.max_starts THEN
          v_starts[v_i] := r.starts_count;
          v_starts_from[v_i] := r.starts_from;
        ELSE
          v_starts[v_i] := ${schema}.${prefix}jobs_limit_sum(r.name, 'starts', p_now - r.starts_interval, r.starts_from, r.starts_count);
          v_starts_from[v_i] := p_now - r.starts_interval;
          v_moved[v_i] := true;
        END IF;
        IF r.max_units IS NULL THEN
          v_units[v_i] := 0;
          v_units_from[v_i] := NULL;
        ELSIF r.units_from <= p_now - r.units_interval AND r.units_from > p_now - r.units_interval - interval '1 second'
              AND r.units_sum < r.max_units / 2 THEN
          v_units[v_i] := r.units_sum;
          v_units_from[v_i] := r.units_from;
        ELSE
          v_units[v_i] := ${schema}.${prefix}jobs_limit_sum(r.name, 'units', p_now - r.units_interval, r.units_from, r.units_sum);
          v_units_from[v_i] := p_now - r.units_interval;
          v_moved[v_i] := true;
        END IF;
      END LOOP;
      CLOSE v_cur;
      -- what is left was not returned
      FOREACH x IN ARRAY v_want LOOP
        v_i := array_position(v_names, x);
        IF v_first_lock THEN
          -- deleted meanwhile: no bounds any more
          v_locked[v_i] := true;
          v_max_running[v_i] := NULL;
          v_max_starts[v_i] := NULL;
          v_max_units[v_i] := NULL;
        ELSE
          -- held by another claimer: left out of this claim
          v_out[v_i] := true;
        END IF;
      END LOOP;
      IF cardinality(v_count) > 0 THEN
        FOREACH x IN ARRAY v_count LOOP
          v_running[array_position(v_names, x)] := 0;
        END LOOP;
        FOR rc IN SELECT t.name, t.running FROM ${schema}.${prefix}jobs_limit_running(v_count) AS t LOOP
          v_running[array_position(v_names, rc.name)] := rc.running;
        END LOOP;
      END IF;
      v_first_lock := false;
    END IF;

    -- 4. take them in order while they fit: the first v_need at once when they all fit, else one
    --    by one
    v_fits := true;
    FOREACH v_t IN ARRAY v_tally LOOP
      v_i := array_position(v_names, v_t.name);
      IF v_out[v_i] OR NOT v_locked[v_i]
         OR v_running[v_i] + v_t.n > v_max_running[v_i]
         OR v_starts[v_i] + v_t.n > v_max_starts[v_i]
         OR v_units[v_i] + v_t.units > v_max_units[v_i] THEN
        v_fits := false;
        EXIT;
      END IF;
    END LOOP;
    IF v_fits THEN
      IF cardinality(v_taken) = 0 AND cardinality(v_ids) <= v_need THEN
        v_taken_tally := v_tally; -- exactly what is taken: the ledger rows are ready
      END IF;
      v_taken := v_taken || v_ids[1:v_need];
      v_need := v_need - least(cardinality(v_ids), v_need);
      FOREACH v_t IN ARRAY v_tally LOOP
        v_i := array_position(v_names, v_t.name);
        v_running[v_i] := v_running[v_i] + v_t.n;
        v_took[v_i] := v_took[v_i] + v_t.n;
        IF v_max_starts[v_i] IS NOT NULL THEN
          v_starts[v_i] := v_starts[v_i] + v_t.n;
        END IF;
        IF v_max_units[v_i] IS NOT NULL THEN
          v_units[v_i] := v_units[v_i] + v_t.units;
        END IF;
      END LOOP;
      EXIT;
    END IF;
    v_rejected := false;
    FOR c IN SELECT j.id, array_prepend(j.type, array_remove(j.resources, j.type)) AS names, j.estimated_units
               FROM unnest(v_ids) WITH ORDINALITY AS k(id, i)
               JOIN ${schema}.${prefix}jobs AS j ON j.id = k.id
              ORDER BY k.i LOOP
      v_fits := true;
      FOREACH x IN ARRAY c.names LOOP
        v_i := array_position(v_names, x);
        CONTINUE WHEN v_i IS NULL;
        IF v_out[v_i] OR NOT v_locked[v_i]
           OR v_running[v_i] + 1 > v_max_running[v_i]
           OR v_starts[v_i] + 1 > v_max_starts[v_i]
           OR v_units[v_i] + c.estimated_units > v_max_units[v_i] THEN
          v_fits := false;
          EXIT;
        END IF;
      END LOOP;
      IF NOT v_fits THEN
        v_skip := v_skip || c.id;
        v_rejected := true;
        CONTINUE;
      END IF;
      FOREACH x IN ARRAY c.names LOOP
        v_i := array_position(v_names, x);
        CONTINUE WHEN v_i IS NULL;
        v_running[v_i] := v_running[v_i] + 1;
        v_took[v_i] := v_took[v_i] + 1;
        IF v_max_starts[v_i] IS NOT NULL THEN
          v_starts[v_i] := v_starts[v_i] + 1;
        END IF;
        IF v_max_units[v_i] IS NOT NULL THEN
          v_units[v_i] := v_units[v_i] + c.estimated_units;
        END IF;
      END LOOP;
      v_taken := v_taken || c.id;
      v_need := v_need - 1;
      EXIT WHEN v_need = 0;
    END LOOP;
    EXIT WHEN v_need = 0 OR NOT v_rejected OR cardinality(v_ids) < v_fetch;
  END LOOP;

  -- 5. the ledger: a row per name with a window bound, listing the attempts under a units bound
  v_window := '{}';
  FOR v_i IN 1..v_n LOOP
    IF v_locked[v_i] AND NOT v_out[v_i] AND v_took[v_i] > 0
       AND (v_max_starts[v_i] IS NOT NULL OR v_max_units[v_i] IS NOT NULL) THEN
      v_window := v_window || v_names[v_i];
    END IF;
  END LOOP;
  IF cardinality(v_window) > 0 THEN
    IF v_taken_tally IS NULL THEN
      v_taken_tally := ARRAY(
          SELECT ROW(nm.name, count(*), sum(j.estimated_units), array_agg(j.id), array_agg(j.attempts + 1),
                     array_agg(j.estimated_units))::${schema}.${prefix}jobs_limit_take
            FROM ${schema}.${prefix}jobs AS j,
                 unnest(array_prepend(j.type, array_remove(j.resources, j.type))) AS nm(name)
           WHERE j.id = ANY (v_taken) AND nm.name = ANY (v_window)
           GROUP BY nm.name);
    END IF;
    INSERT INTO ${schema}.${prefix}jobs_limit_ledger AS l
           (name, started_at, worker_id, starts, units, job_ids, attempts, job_units)
    SELECT t.name, p_now, p_worker,
           CASE WHEN v_max_starts[array_position(v_names, t.name)] IS NOT NULL THEN t.n ELSE 0 END,
           CASE WHEN v_max_units[array_position(v_names, t.name)] IS NOT NULL THEN t.units ELSE 0 END,
           CASE WHEN v_max_units[array_position(v_names, t.name)] IS NOT NULL THEN t.job_ids END,
           CASE WHEN v_max_units[array_position(v_names, t.name)] IS NOT NULL THEN t.attempts END,
           CASE WHEN v_max_units[array_position(v_names, t.name)] IS NOT NULL THEN t.job_units END
      FROM unnest(v_taken_tally) AS t
     WHERE t.name = ANY (v_window)
    ON CONFLICT (name, started_at, worker_id) DO UPDATE
       SET starts = l.starts + EXCLUDED.starts, units = l.units + EXCLUDED.units,
           job_ids = l.job_ids || EXCLUDED.job_ids, attempts = l.attempts || EXCLUDED.attempts,
           job_units = l.job_units || EXCLUDED.job_units;
  END IF;

  -- What the next claims read instead of counting (see above); claims says that jobs were taken
  -- under the name. A claim that wrote a ledger row lets up to 16 of the oldest of its name go
  -- (more than it writes), those a minute past every window of the name: claims take "now" from
  -- their own process, so the claim that holds the lock may be a little ahead of one that waits
  -- for it, which moves the windows back over those rows. Retention takes the rest of a long
  -- quiet spell.
  FOR v_i IN 1..v_n LOOP
    CONTINUE WHEN NOT v_locked[v_i] OR v_out[v_i]
      -- nothing changed: no job taken, no window moved, and a running_seen read, not counted
      OR (v_took[v_i] = 0 AND NOT v_moved[v_i] AND v_seen_at[v_i] IS DISTINCT FROM p_now);
    UPDATE ${schema}.${prefix}jobs_limits AS l
       SET claims = l.claims + CASE WHEN v_took[v_i] > 0 THEN 1 ELSE 0 END,
           -- a number taken from running_seen keeps the time it was counted at
           running_seen = CASE WHEN l.max_running IS NOT NULL THEN v_running[v_i] END,
           running_at = CASE WHEN l.max_running IS NOT NULL THEN v_seen_at[v_i] END,
           starts_from = v_starts_from[v_i], starts_count = v_starts[v_i],
           units_from = v_units_from[v_i], units_sum = v_units[v_i]
     WHERE l.name = v_names[v_i];
    IF v_names[v_i] = ANY (v_window) THEN
      DELETE FROM ${schema}.${prefix}jobs_limit_ledger AS d
       WHERE (d.name, d.started_at, d.worker_id) IN (
               SELECT o.name, o.started_at, o.worker_id FROM ${schema}.${prefix}jobs_limit_ledger AS o
                WHERE o.name = v_names[v_i]
                  AND o.started_at <= least(coalesce(v_starts_from[v_i], 'infinity'), coalesce(v_units_from[v_i], 'infinity'))
                                      - interval '1 minute'
                ORDER BY o.started_at
                LIMIT 16);
    END IF;
  END LOOP;

  IF cardinality(v_taken) > 0 THEN
    RETURN QUERY
      UPDATE ${schema}.${prefix}jobs AS j
         SET status = 'PROCESSING', attempts = j.attempts + 1, progress = 0, progress_message = NULL,
             started_at = p_now, updated_at = p_now, worker_id = p_worker, lease_until = p_lease_until
       WHERE j.id = ANY (v_taken)
      RETURNING j.*;
  END IF;
END
$$;

-- Replaces the units that the latest start of attempt p_attempt of p_job by p_worker reserved
-- with p_units, in the rows of its ledger and in the sums the limit rows keep; nothing when it
-- reserved none. The job's limit rows are locked first, in name order, as a claim locks them, so
-- that a settlement and a claim never wait for each other in a cycle.
CREATE FUNCTION ${schema}.${prefix}jobs_limit_settle(p_job uuid, p_attempt integer, p_worker text, p_units bigint)
  RETURNS void
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
  SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_names text[];
  v_started timestamptz;
  v_k integer;
  v_delta bigint;
  r record;
BEGIN
  SELECT array_prepend(j.type, array_remove(j.resources, j.type)), j.started_at INTO v_names, v_started
    FROM ${schema}.${prefix}jobs AS j WHERE j.id = p_job;
  IF v_started IS NULL THEN
    RETURN;
  END IF;
  PERFORM 1 FROM ${schema}.${prefix}jobs_limits AS l WHERE l.name = ANY (v_names) ORDER BY l.name COLLATE "C" FOR UPDATE;
  FOR r IN SELECT l.name, l.job_ids, l.attempts, l.job_units FROM ${schema}.${prefix}jobs_limit_ledger AS l
            WHERE l.name = ANY (v_names) AND l.started_at = v_started AND l.worker_id = p_worker
              AND l.job_units IS NOT NULL
              FOR UPDATE LOOP
    -- the attempt's last entry: the same attempt may have started twice at one instant
    v_k := (SELECT max(i) FROM generate_subscripts(r.job_ids, 1) AS i
             WHERE r.job_ids[i] = p_job AND r.attempts[i] = p_attempt);
    CONTINUE WHEN v_k IS NULL OR r.job_units[v_k] IS NULL;
    v_delta := p_units - r.job_units[v_k];
    CONTINUE WHEN v_delta = 0;
    UPDATE ${schema}.${prefix}jobs_limit_ledger AS l SET job_units[v_k] = p_units, units = l.units + v_delta
     WHERE l.name = r.name AND l.started_at = v_started AND l.worker_id = p_worker;
    UPDATE ${schema}.${prefix}jobs_limits AS l SET units_sum = l.units_sum + v_delta
     WHERE l.name = r.name AND l.units_from IS NOT NULL AND v_started > l.units_from;
  END LOOP;
END
$$;

-- Retention of the limit tables: up to p_limit ledger rows that no window reaches any more (a
-- minute past every window of their name, as the claims keep them; every row of a name without a
-- window bound), and limit rows left with nothing (a back-off that ran out). The sums of a name
-- that no claim moved for a day are forgotten first, so that the rows they still count may go
-- (the next claim adds up its window afresh). Never waits for a claim: rows a claim holds are left
-- for the next time. Returns how many ledger rows it deleted.
CREATE FUNCTION ${schema}.${prefix}jobs_limit_retention(p_now timestamptz, p_limit integer)
  RETURNS integer
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
  SET enable_seqscan = off
  SET jit = off
  SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_deleted integer;
  r record;
BEGIN
  FOR r IN SELECT l.name FROM ${schema}.${prefix}jobs_limits AS l
            WHERE least(l.starts_from, l.units_from) < p_now - interval '1 day'
            ORDER BY l.name COLLATE "C" FOR UPDATE SKIP LOCKED LOOP
    UPDATE ${schema}.${prefix}jobs_limits AS l
       SET starts_from = NULL, starts_count = NULL, units_from = NULL, units_sum = NULL WHERE l.name = r.name;
  END LOOP;
  WITH gone AS (
    DELETE FROM ${schema}.${prefix}jobs_limit_ledger AS d
     USING (SELECT o.name, o.started_at, o.worker_id
              FROM ${schema}.${prefix}jobs_limit_ledger AS o
              LEFT JOIN ${schema}.${prefix}jobs_limits AS l ON l.name = o.name
             WHERE o.started_at <= least(
                     CASE WHEN l.max_starts IS NULL THEN 'infinity'
                          ELSE coalesce(l.starts_from, p_now - l.starts_interval) END,
                     CASE WHEN l.max_units IS NULL THEN 'infinity'
                          ELSE coalesce(l.units_from, p_now - l.units_interval) END,
                     CASE WHEN l.max_starts IS NULL AND l.max_units IS NULL THEN p_now + interval '1 minute'
                          ELSE 'infinity' END) - interval '1 minute'
             LIMIT p_limit
               FOR UPDATE OF o SKIP LOCKED) AS old
     WHERE d.name = old.name AND d.started_at = old.started_at AND d.worker_id = old.worker_id
    RETURNING 1)
  SELECT count(*) INTO v_deleted FROM gone;
  DELETE FROM ${schema}.${prefix}jobs_limits AS l
   WHERE l.max_running IS NULL AND l.max_starts IS NULL AND l.max_units IS NULL AND NOT l.paused
     AND (l.backoff_until IS NULL OR l.backoff_until <= p_now);
  RETURN v_deleted;
END
$$;

REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_limit_running(text[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_limit_sum(text, text, timestamptz, timestamptz, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_claim_candidates(timestamptz, text[], integer, text[], bigint[], uuid[], boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_claim(timestamptz, text[], integer, text, timestamptz, boolean, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_limit_settle(uuid, integer, text, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_limit_retention(timestamptz, integer) FROM PUBLIC;

-- A role under row-level security (a web tier) still inserts only new requests: no deferrals; and
-- of an existing job it may not change what the create decided (resources, units, metadata) nor
-- what a worker writes (deferrals). Its inserts name resources and estimated_units (the manager
-- decides both from the generator, as it decides the priority); like the priority they are the
-- creating tier's to set.
CREATE OR REPLACE FUNCTION ${schema}.${prefix}jobs_check_owner_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM 'PENDING' OR NEW.attempts <> 0 OR NEW.progress <> 0 OR NEW.cancel_requested
     OR NEW.result IS NOT NULL OR NEW.error_message IS NOT NULL OR NEW.progress_message IS NOT NULL
     OR NEW.worker_id IS NOT NULL OR NEW.lease_until IS NOT NULL OR NEW.started_at IS NOT NULL
     OR NEW.finished_at IS NOT NULL OR NEW.actual_duration IS NOT NULL OR NEW.deferrals <> 0 THEN
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

CREATE OR REPLACE FUNCTION ${schema}.${prefix}jobs_check_owner_change() RETURNS trigger
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
      NEW.worker_id, NEW.lease_until, NEW.idempotency_key, NEW.metadata, NEW.resources, NEW.estimated_units,
      NEW.deferrals)
     IS DISTINCT FROM
     (OLD.id, OLD.owner_id, OLD.type, OLD.payload, OLD.result, OLD.error_message, OLD.priority, OLD.attempts,
      OLD.max_attempts, OLD.estimated_duration, OLD.actual_duration, OLD.created_at, OLD.started_at, OLD.run_at,
      OLD.worker_id, OLD.lease_until, OLD.idempotency_key, OLD.metadata, OLD.resources, OLD.estimated_units,
      OLD.deferrals) THEN
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

-- A web-tier role set up with web-role-grants.sql inserts the columns of a request, listed by name:
-- every role that could insert a job's id before may insert its resources and units now, so that
-- an upgrade keeps such a role working (as V7 did for metadata).
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
    EXECUTE pg_catalog.format('GRANT INSERT (resources, estimated_units) ON %I.%I TO %I', '${schema}', '${prefix}jobs', r.grantee);
  END LOOP;
END
$$;

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (9, 'limits, pauses and back-offs; resources, units and deferrals of jobs');
