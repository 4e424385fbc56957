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
  CONSTRAINT name_length CHECK (length(name) BETWEEN 1 AND 200),
  CONSTRAINT max_running_range CHECK (max_running >= 1),
  CONSTRAINT starts_bound CHECK ((max_starts IS NULL) = (starts_interval IS NULL) AND max_starts >= 1
                                 AND starts_interval BETWEEN interval '10 milliseconds' AND interval '1 day'),
  CONSTRAINT units_bound CHECK ((max_units IS NULL) = (units_interval IS NULL) AND max_units >= 1
                                AND units_interval BETWEEN interval '10 milliseconds' AND interval '1 day')
);

-- What the windows count: one row per claimed attempt and name that had a starts or a units bound
-- when it was claimed (counts_start: it had a starts bound; units: what the attempt reserved, NULL
-- without a units bound). The worker replaces units with what the attempt used once it ends
-- (settleUnits, by job, attempt and worker). Rows older than their name's longest interval count
-- for nothing and are deleted by the claims under that name and by retention. Not tied to the jobs:
-- deleting a finished job gives nothing back.
CREATE TABLE ${schema}.${prefix}jobs_limit_ledger (
  name         text NOT NULL,
  started_at   timestamptz NOT NULL,
  job_id       uuid NOT NULL,
  attempt      integer NOT NULL,
  worker_id    text NOT NULL,
  counts_start boolean NOT NULL,
  units        bigint,
  CONSTRAINT units_range CHECK (units >= 0),
  -- a name's window in order; a job starts at most once per claim
  PRIMARY KEY (name, started_at, job_id)
);
-- settling an attempt's units
CREATE INDEX ${prefix}jobs_limit_ledger_attempt_idx ON ${schema}.${prefix}jobs_limit_ledger (job_id, attempt);

-- Only the tables' owner (the workers' role) reads or writes these two tables; no other role is
-- granted anything on them. A web tier's role can therefore neither define, pause nor back off a
-- name, nor read the ledger (which names every owner's jobs). See docs/postgresql.md, "Limits".

-- What a set of names has in use now, as a claim counts it: PROCESSING jobs under each name, and
-- the starts and units its ledger holds within the name's intervals (0 without the bound). The
-- running count reads every PROCESSING job once through the partial lease index (how many run under
-- a name is not kept anywhere else, so that nothing but claims under limits pays for it); a window
-- reads the name's ledger rows inside it through the primary key. Sequential scans are off, as in
-- V6, so that no statistics make it read the whole table; and so is JIT: a switched-off plan's
-- penalty cost would otherwise start the JIT compiler, which took 167 ms of a claim when tried.
CREATE FUNCTION ${schema}.${prefix}jobs_limit_usage(p_names text[], p_now timestamptz)
  RETURNS TABLE (name text, running integer, starts integer, units bigint)
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
  SET enable_seqscan = off
  SET jit = off
AS $$
BEGIN
  -- PL/pgSQL, not SQL: its queries are planned once per session, not on every call.
  RETURN QUERY
  SELECT n.name,
         coalesce(r.running, 0)::integer,
         (SELECT count(*)::integer FROM ${schema}.${prefix}jobs_limit_ledger AS l
           WHERE l.name = n.name AND l.counts_start AND l.started_at > p_now - lim.starts_interval),
         (SELECT coalesce(sum(l.units), 0)::bigint FROM ${schema}.${prefix}jobs_limit_ledger AS l
           WHERE l.name = n.name AND l.units IS NOT NULL AND l.started_at > p_now - lim.units_interval)
    FROM unnest(p_names) AS n(name)
    LEFT JOIN ${schema}.${prefix}jobs_limits AS lim ON lim.name = n.name
    LEFT JOIN (SELECT x.name, count(*) AS running
                 FROM ${schema}.${prefix}jobs AS j,
                      unnest(array_prepend(j.type, array_remove(j.resources, j.type))) AS x(name)
                WHERE j.status = 'PROCESSING' AND x.name = ANY (p_names)
                GROUP BY x.name) AS r ON r.name = n.name;
END
$$;

-- Deletes up to p_limit ledger rows of each of p_names that its intervals no longer reach, oldest
-- first, through the primary key (a name's rows in time order). A claim calls it for the names it
-- locked, so that the ledger holds about a window's worth of rows; retention deletes what claims
-- leave (the rows of a name that no claim locks any more). A row is kept a minute longer than its
-- name's longest interval: claims take "now" from their own process, so the claim that holds the
-- lock may be a little ahead of one that waits for it, and must not delete rows the waiting one
-- still counts (a window counts every row after its start, later ones included).
CREATE FUNCTION ${schema}.${prefix}jobs_limit_prune(p_names text[], p_now timestamptz, p_limit integer)
  RETURNS integer
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
  SET enable_seqscan = off
  SET jit = off
AS $$
DECLARE
  v_deleted integer;
BEGIN
  WITH gone AS (
    DELETE FROM ${schema}.${prefix}jobs_limit_ledger AS d
     USING (SELECT o.name, o.started_at, o.job_id
              FROM ${schema}.${prefix}jobs_limits AS lim,
                   LATERAL (SELECT l.name, l.started_at, l.job_id FROM ${schema}.${prefix}jobs_limit_ledger AS l
                             WHERE l.name = lim.name
                               AND l.started_at <= p_now - interval '1 minute'
                                                   - greatest(coalesce(lim.starts_interval, interval '0'),
                                                              coalesce(lim.units_interval, interval '0'))
                             ORDER BY l.started_at
                             LIMIT p_limit) AS o
             WHERE lim.name = ANY (p_names)) AS old
     WHERE d.name = old.name AND d.started_at = old.started_at AND d.job_id = old.job_id
    RETURNING 1)
  SELECT count(*) INTO v_deleted FROM gone;
  RETURN v_deleted;
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

-- Claims up to p_limit due PENDING jobs of p_types for p_worker, leased until p_lease_until, within
-- the limits: PROCESSING, attempts + 1, progress 0, started_at p_now. Returns the claimed rows. Its
-- transaction commits without waiting for its WAL flush (see WorkerWrites). With p_logs_events the
-- caller appends the STARTED events itself (the store's statement does, in the same statement),
-- and the log triggers skip these rows; without, the triggers log them.
--
-- Without a limit row that has bounds, a pause or a running back-off, the claim is V6's: the due
-- ids in claim order, updated by primary key. Otherwise, in one call:
--   1. names paused or backing off are left out, and so are names whose bounds are reached now
--      (their use counted without a lock: a hint that spares a claim that cannot take anything
--      the wait for locks);
--   2. the candidates in claim order leave those out (over-fetched 2x, by at most 32, when a bound
--      has less room than the claim wants, or bounds units);
--   3. the limit rows of the bounded names the candidates fall under are locked FOR UPDATE in name
--      order, their bounds read again and their use counted again: another claimer's commit before
--      the lock is counted now;
--   4. the candidates are taken in order while every name of theirs has room, counting the ones
--      taken before; one that does not fit is skipped. When some did not fit and the claim wants
--      more, the candidates are asked again with the names that filled up left out (at most four
--      rounds); a bounded name that first appears in a later round is locked only if no other
--      claimer holds it (SKIP LOCKED), else left out, so that only the first, ordered lock waits and
--      claims never deadlock;
--   5. the ledger gets a row per taken attempt and name with a starts or units bound, old ledger
--      rows of the locked names go, and the taken jobs are updated.
CREATE FUNCTION ${schema}.${prefix}jobs_claim(
    p_now timestamptz, p_types text[], p_limit integer, p_worker text, p_lease_until timestamptz,
    p_fair boolean, p_logs_events boolean)
  RETURNS SETOF ${schema}.${prefix}jobs
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  -- the bounded names (not blocked when read) and their state, aligned by position
  v_names text[];
  v_max_running integer[];
  v_max_starts integer[];
  v_max_units bigint[];
  v_running integer[];
  v_starts integer[];
  v_units bigint[];
  v_locked boolean[];
  v_out boolean[];         -- left out of this claim: full, blocked, or not lockable
  v_blocked text[];        -- paused or backing off, without bounds of their own here
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
  v_got text[];
  v_rejected boolean;
  v_fits boolean;
  v_i integer;
  v_round integer;
  c record;
  r record;
  x text;
  -- the ledger rows to write, aligned
  v_l_names text[] := '{}';
  v_l_ids uuid[] := '{}';
  v_l_attempts integer[] := '{}';
  v_l_starts boolean[] := '{}';
  v_l_units bigint[] := '{}';
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  IF p_logs_events THEN
    PERFORM set_config('asyncjobs.log', 'statement', true);
  END IF;

  IF NOT EXISTS (SELECT 1 FROM ${schema}.${prefix}jobs_limits AS l
                  WHERE l.max_running IS NOT NULL OR l.max_starts IS NOT NULL OR l.max_units IS NOT NULL
                     OR l.paused OR l.backoff_until > p_now) THEN
    v_ids := ${schema}.${prefix}jobs_claim_candidates(p_now, p_types, p_limit, '{}', '{}', '{}', p_fair);
    RETURN QUERY
      UPDATE ${schema}.${prefix}jobs AS j
         SET status = 'PROCESSING', attempts = j.attempts + 1, progress = 0, progress_message = NULL,
             started_at = p_now, updated_at = p_now, worker_id = p_worker, lease_until = p_lease_until
       WHERE j.id = ANY (v_ids)
      RETURNING j.*;
    RETURN;
  END IF;

  -- 1. what is blocked, what is bounded, and (unlocked) what is in use
  SELECT coalesce(array_agg(l.name ORDER BY l.name) FILTER (WHERE l.paused OR l.backoff_until > p_now), '{}'),
         coalesce(array_agg(l.name ORDER BY l.name) FILTER (WHERE NOT (l.paused OR coalesce(l.backoff_until > p_now, false))
                                                              AND (l.max_running IS NOT NULL OR l.max_starts IS NOT NULL
                                                                   OR l.max_units IS NOT NULL)), '{}')
    INTO v_blocked, v_names
    FROM ${schema}.${prefix}jobs_limits AS l;
  SELECT array_agg(l.max_running ORDER BY n.i), array_agg(l.max_starts ORDER BY n.i), array_agg(l.max_units ORDER BY n.i),
         array_agg(coalesce(u.running, 0) ORDER BY n.i), array_agg(coalesce(u.starts, 0) ORDER BY n.i),
         array_agg(coalesce(u.units, 0) ORDER BY n.i)
    INTO v_max_running, v_max_starts, v_max_units, v_running, v_starts, v_units
    FROM unnest(v_names) WITH ORDINALITY AS n(name, i)
    JOIN ${schema}.${prefix}jobs_limits AS l ON l.name = n.name
    LEFT JOIN ${schema}.${prefix}jobs_limit_usage(v_names, p_now) AS u ON u.name = n.name;
  v_locked := array_fill(false, ARRAY[cardinality(v_names)]);
  v_out := array_fill(false, ARRAY[cardinality(v_names)]);

  FOR v_round IN 1..4 LOOP
    -- what the candidates must leave out, from what is known now
    v_limited := v_blocked;
    v_room := array_fill(-1::bigint, ARRAY[cardinality(v_blocked)]);
    v_partial := false;
    FOR v_i IN 1..coalesce(cardinality(v_names), 0) LOOP
      IF v_out[v_i] OR v_running[v_i] >= v_max_running[v_i] OR v_starts[v_i] >= v_max_starts[v_i] THEN
        v_limited := v_limited || v_names[v_i];
        v_room := v_room || -1::bigint;
      ELSIF v_max_units[v_i] IS NOT NULL THEN
        v_limited := v_limited || v_names[v_i];
        v_room := v_room || greatest(v_max_units[v_i] - v_units[v_i], -1);
        v_partial := true;
      END IF;
      IF v_max_running[v_i] - v_running[v_i] < v_need OR v_max_starts[v_i] - v_starts[v_i] < v_need THEN
        v_partial := true;
      END IF;
    END LOOP;
    -- a type whose own name is left out is not asked for at all
    v_types := ARRAY(SELECT t FROM unnest(p_types) AS t
                      WHERE NOT EXISTS (SELECT 1 FROM unnest(v_limited, v_room) AS l(name, room)
                                         WHERE l.name = t AND l.room = -1));
    EXIT WHEN cardinality(v_types) = 0;

    -- 2. the candidates
    v_fetch := CASE WHEN v_partial THEN v_need + least(v_need, 32) ELSE v_need END;
    v_ids := ${schema}.${prefix}jobs_claim_candidates(p_now, v_types, v_fetch, v_limited, v_room, v_skip || v_taken, p_fair);
    EXIT WHEN cardinality(v_ids) = 0;

    -- 3. lock the bounded names they fall under, not locked yet
    v_want := ARRAY(SELECT DISTINCT x.name
                      FROM ${schema}.${prefix}jobs AS j,
                           unnest(array_prepend(j.type, j.resources)) AS x(name)
                     WHERE j.id = ANY (v_ids) AND x.name = ANY (v_names)
                       AND NOT v_locked[array_position(v_names, x.name)]
                       AND NOT v_out[array_position(v_names, x.name)]);
    IF cardinality(v_want) > 0 THEN
      v_got := '{}';
      IF v_first_lock THEN
        FOR r IN SELECT l.name, l.max_running, l.max_starts, l.max_units, l.paused, l.backoff_until
                   FROM ${schema}.${prefix}jobs_limits AS l
                  WHERE l.name = ANY (v_want)
                  ORDER BY l.name COLLATE "C"
                    FOR UPDATE LOOP
          v_i := array_position(v_names, r.name);
          v_got := v_got || r.name;
          v_max_running[v_i] := r.max_running;
          v_max_starts[v_i] := r.max_starts;
          v_max_units[v_i] := r.max_units;
          v_locked[v_i] := true;
          IF r.paused OR r.backoff_until > p_now THEN
            v_out[v_i] := true;
          END IF;
        END LOOP;
        -- a row deleted meanwhile has no bounds any more
        FOREACH x IN ARRAY v_want LOOP
          IF NOT x = ANY (v_got) THEN
            v_i := array_position(v_names, x);
            v_max_running[v_i] := NULL;
            v_max_starts[v_i] := NULL;
            v_max_units[v_i] := NULL;
            v_locked[v_i] := true;
          END IF;
        END LOOP;
        v_first_lock := false;
      ELSE
        FOR r IN SELECT l.name, l.max_running, l.max_starts, l.max_units, l.paused, l.backoff_until
                   FROM ${schema}.${prefix}jobs_limits AS l
                  WHERE l.name = ANY (v_want)
                  ORDER BY l.name COLLATE "C"
                    FOR UPDATE SKIP LOCKED LOOP
          v_i := array_position(v_names, r.name);
          v_got := v_got || r.name;
          v_max_running[v_i] := r.max_running;
          v_max_starts[v_i] := r.max_starts;
          v_max_units[v_i] := r.max_units;
          v_locked[v_i] := true;
          IF r.paused OR r.backoff_until > p_now THEN
            v_out[v_i] := true;
          END IF;
        END LOOP;
        -- held by another claimer (or deleted): left out of this claim
        FOREACH x IN ARRAY v_want LOOP
          IF NOT x = ANY (v_got) THEN
            v_out[array_position(v_names, x)] := true;
          END IF;
        END LOOP;
      END IF;
      -- counted again now that they are locked: every claim that held them before has committed
      IF cardinality(v_got) > 0 THEN
        FOR r IN SELECT u.name, u.running, u.starts, u.units FROM ${schema}.${prefix}jobs_limit_usage(v_got, p_now) AS u LOOP
          v_i := array_position(v_names, r.name);
          v_running[v_i] := r.running;
          v_starts[v_i] := r.starts;
          v_units[v_i] := r.units;
        END LOOP;
      END IF;
    END IF;

    -- 4. take them in order while they fit
    v_rejected := false;
    FOR c IN SELECT j.id, j.type, j.resources, j.estimated_units, j.attempts
               FROM unnest(v_ids) WITH ORDINALITY AS k(id, i)
               JOIN ${schema}.${prefix}jobs AS j ON j.id = k.id
              ORDER BY k.i LOOP
      v_fits := NOT (c.type = ANY (v_blocked) OR coalesce(c.resources && v_blocked, false));
      IF v_fits THEN
        FOREACH x IN ARRAY array_prepend(c.type, array_remove(c.resources, c.type)) LOOP
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
      END IF;
      IF NOT v_fits THEN
        v_skip := v_skip || c.id;
        v_rejected := true;
        CONTINUE;
      END IF;
      FOREACH x IN ARRAY array_prepend(c.type, array_remove(c.resources, c.type)) LOOP
        v_i := array_position(v_names, x);
        CONTINUE WHEN v_i IS NULL;
        v_running[v_i] := v_running[v_i] + 1;
        IF v_max_starts[v_i] IS NOT NULL THEN
          v_starts[v_i] := v_starts[v_i] + 1;
        END IF;
        IF v_max_units[v_i] IS NOT NULL THEN
          v_units[v_i] := v_units[v_i] + c.estimated_units;
        END IF;
        IF v_max_starts[v_i] IS NOT NULL OR v_max_units[v_i] IS NOT NULL THEN
          v_l_names := v_l_names || x;
          v_l_ids := v_l_ids || c.id;
          v_l_attempts := v_l_attempts || (c.attempts + 1);
          v_l_starts := v_l_starts || (v_max_starts[v_i] IS NOT NULL);
          v_l_units := v_l_units || CASE WHEN v_max_units[v_i] IS NOT NULL THEN c.estimated_units END;
        END IF;
      END LOOP;
      v_taken := v_taken || c.id;
      v_need := v_need - 1;
      EXIT WHEN v_need = 0;
    END LOOP;
    EXIT WHEN v_need = 0 OR NOT v_rejected OR cardinality(v_ids) < v_fetch;
  END LOOP;

  -- 5. the ledger, old ledger rows of the locked names, and the jobs
  IF cardinality(v_l_names) > 0 THEN
    INSERT INTO ${schema}.${prefix}jobs_limit_ledger (name, started_at, job_id, attempt, worker_id, counts_start, units)
    SELECT n.name, p_now, n.job_id, n.attempt, p_worker, n.counts_start, n.units
      FROM unnest(v_l_names, v_l_ids, v_l_attempts, v_l_starts, v_l_units) AS n(name, job_id, attempt, counts_start, units);
  END IF;
  v_got := ARRAY(SELECT v_names[i] FROM generate_subscripts(v_names, 1) AS i WHERE v_locked[i] AND NOT v_out[i]);
  IF cardinality(v_got) > 0 THEN
    PERFORM ${schema}.${prefix}jobs_limit_prune(v_got, p_now, 500);
  END IF;
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

REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_limit_usage(text[], timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_limit_prune(text[], timestamptz, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_claim_candidates(timestamptz, text[], integer, text[], bigint[], uuid[], boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_claim(timestamptz, text[], integer, text, timestamptz, boolean, boolean) FROM PUBLIC;

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
