-- asyncjobs PostgreSQL schema, version 11: what attempts consumed (issue 19).
--
-- Generators report what an attempt consumed from providers (tokens, images, seconds, by model);
-- the worker records it once the attempt has ended, fenced by its lease like every worker write,
-- whatever the outcome. A job keeps the total and each attempt's share, because a failed attempt's
-- tokens were paid for all the same and a bill must be explained attempt by attempt. Quantities
-- are exact decimals (numeric in the database, BigDecimal in Java): they are money figures.
--
-- Recording usage is one UPDATE of the job's row (see WorkerWrites): no event (nothing a
-- subscriber follows changed, and the log's update trigger tests only the columns it logs) and no
-- change of updated_at. Only the tables' owner (the workers' role) writes usage: no grant of any
-- version names these columns, and the trigger below refuses them to a role under row-level
-- security whatever its grants.
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

-- A usage is what Usage.toJson writes: {"<model>": {"<unit>": <number>, ...}, ...}, with units
-- input_tokens, output_tokens, images and seconds, and no zero quantities. usage is the job's
-- total; attempt_usage holds each attempt that reported something, keyed by its attempt number as
-- text: {"1": <usage>, "2": <usage>}. Two columns rather than a table of attempts: every read of a
-- job returns both, and a job has a handful of attempts. Constant defaults, so adding them rewrites
-- nothing.
ALTER TABLE ${schema}.${prefix}jobs
  ADD COLUMN usage jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN attempt_usage jsonb NOT NULL DEFAULT '{}'::jsonb;

-- Two usages added up as Usage.plus does: per model and unit, in numeric (exact at any size and
-- scale), zero quantities and models left with none dropped, a NULL counting as nothing. The sum
-- reads back (Usage.fromJson) as the sum of the two usages; its numbers may carry trailing zeros
-- (12.345 + 12.345 is 24.690), which the Java side drops. Like Usage.plus it refuses a sum that
-- names more than 32 models (Usage.MAX_MODELS), so that no row ever holds a usage Java would refuse
-- to read: check_violation on the constraint name usage_models, which the store maps to an
-- InvalidRequestException of the field usage.
CREATE FUNCTION ${schema}.${prefix}jobs_usage_add(a jsonb, b jsonb)
  RETURNS jsonb
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_sum jsonb;
  v_models bigint;
BEGIN
  SELECT coalesce(jsonb_object_agg(m.model, m.units), '{}'::jsonb), count(*)
    INTO v_sum, v_models
    FROM (SELECT u.model, jsonb_object_agg(u.unit, u.quantity) AS units
            FROM (SELECT x.model, y.unit, sum(y.quantity::numeric) AS quantity
                    FROM (SELECT e.key, e.value FROM jsonb_each(coalesce(a, '{}'::jsonb)) AS e
                          UNION ALL
                          SELECT e.key, e.value FROM jsonb_each(coalesce(b, '{}'::jsonb)) AS e) AS x(model, units)
                   CROSS JOIN LATERAL jsonb_each(x.units) AS y(unit, quantity)
                   GROUP BY x.model, y.unit) AS u
           WHERE u.quantity <> 0
           GROUP BY u.model) AS m;
  IF v_models > 32 THEN
    RAISE EXCEPTION 'a usage names at most 32 models, this sum %', v_models
      USING ERRCODE = 'check_violation', CONSTRAINT = 'usage_models';
  END IF;
  RETURN v_sum;
END
$$;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_usage_add(jsonb, jsonb) FROM PUBLIC;

-- A role under row-level security (a web tier) never writes usage: it inserts none and changes
-- none. The grants of web-role-grants.sql name neither column; this holds whatever the grants (an
-- installation that granted whole rows before V5). A trigger of its own rather than another
-- column in V9's checks: it fires only on updates that name the two columns.
CREATE FUNCTION ${schema}.${prefix}jobs_check_owner_usage() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.usage <> '{}'::jsonb OR NEW.attempt_usage <> '{}'::jsonb THEN
      RAISE EXCEPTION 'a role under row-level security may not insert a job with usage'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  ELSIF NEW.usage IS DISTINCT FROM OLD.usage OR NEW.attempt_usage IS DISTINCT FROM OLD.attempt_usage THEN
    RAISE EXCEPTION 'a role under row-level security may not change the usage of a job'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_check_owner_usage() FROM PUBLIC;
CREATE TRIGGER ${prefix}jobs_check_owner_usage BEFORE INSERT OR UPDATE OF usage, attempt_usage ON ${schema}.${prefix}jobs
  FOR EACH ROW WHEN (row_security_active('${schema}.${prefix}jobs'::regclass))
  EXECUTE FUNCTION ${schema}.${prefix}jobs_check_owner_usage();

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (11, 'usage of jobs, in total and by attempt');
