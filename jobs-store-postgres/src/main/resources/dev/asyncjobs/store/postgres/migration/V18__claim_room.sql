-- asyncjobs PostgreSQL schema, version 18: a claim under bounds asks for no more than their room.
--
-- jobs_claim as in V9 (its comment there says how it works), with one step added at the head of
-- each round: when every type asked for has a bound of its own on running jobs or on starts, the
-- claim wants at most the room those bounds leave as far as it knows then (read without the lock,
-- or after it in later rounds). A worker asks for as many jobs as it has room for, say 8; under a
-- binding limit with one slot free, V9 fetched 16 candidates, tallied them, found that they did not
-- all fit and tried them one by one. Now it fetches the one it can take and takes it at once. The
-- room read before the lock may be out of date either way: if less is left by the time the lock is
-- held, step 4 takes what fits, as before; if more, the claim comes back short, and the worker
-- claims again when it next hears of work (the end that made the room is such news). Measured in
-- jobs-bench pg-limits: a claim that takes a job under a binding maxRunning went from 3.2-3.8 ms
-- to 1.8-2.8 ms as the worker sees it.
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

CREATE OR REPLACE FUNCTION ${schema}.${prefix}jobs_claim(
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
  v_cap bigint;
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
    -- New in V18: when every type asked for has a bound of its own on running jobs or starts, no
    -- more can be taken than the room those leave, as known now, so the claim wants no more.
    v_cap := 0;
    FOREACH x IN ARRAY p_types LOOP
      CONTINUE WHEN x = ANY (v_blocked);
      v_i := array_position(v_names, x);
      IF v_i IS NULL OR (v_max_running[v_i] IS NULL AND v_max_starts[v_i] IS NULL) THEN
        v_cap := NULL;
        EXIT;
      END IF;
      CONTINUE WHEN v_out[v_i];
      -- least ignores the bound that is not set
      v_cap := v_cap + greatest(0, least(v_max_running[v_i] - v_running[v_i], v_max_starts[v_i] - v_starts[v_i]));
    END LOOP;
    IF v_cap >= 1 AND v_cap < v_need THEN
      v_need := v_cap;
    END IF;
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

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (18, 'a claim under bounds asks for no more than their room');
