-- asyncjobs PostgreSQL schema, version 12: budgets per owner (issue 19, StoreCapability.BUDGETS).
--
-- A budgeted create reserves what the job is expected to cost (money and tokens); the reservation
-- counts against its owner's daily and monthly budgets from the job's creation on, and is replaced
-- by what the job consumed once it has ended (settleBudget). The check and the reservation happen
-- in the insert's transaction, under the same per-owner advisory lock as the quota check, so that
-- creates racing in several processes never pass a budget together.
--
-- What budgets count lives in a ledger of its own, one row per budgeted job, because it must
-- outlive the job: retention deletes finished jobs after days, while a monthly budget still counts
-- them. Retention prunes ledger rows only once no window can reach them (older than 62 days).
-- The job keeps its reservation too (Job.budgetReserved()), fixed at create.
--
-- Who writes what: the ledger row is written by the database, from the row the insert wrote, for
-- every role alike, so that no insert reserves in the jobs table without counting in the ledger.
-- Settling is the workers' (the tables' owner). A web tier's role (under row-level security)
-- inserts the reservation columns and reads its owner's ledger rows, nothing more: it can neither
-- change, delete nor insert a ledger row, nor change a job's reservation, so that it can never
-- lower what its owner's jobs count. The one exception is the database's own: when such a role
-- cancels a PENDING job that consumed nothing, the database settles the job's row to nothing, as
-- settleBudget would.
--
-- What this costs a create without a budget: nothing but the trigger's WHEN test on its row (the
-- reservation is NULL); the insert's statement is the one of V11.
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

-- The reservation at create: NULL for a job that was not budgeted (both or neither). No defaults
-- and NOT VALID checks, so adding them rewrites and scans nothing.
ALTER TABLE ${schema}.${prefix}jobs
  ADD COLUMN budget_cost numeric,
  ADD COLUMN budget_tokens bigint;
ALTER TABLE ${schema}.${prefix}jobs
  ADD CONSTRAINT budget_reserved CHECK ((budget_cost IS NULL) = (budget_tokens IS NULL)
                                        AND budget_cost >= 0 AND budget_tokens >= 0) NOT VALID;

-- What each budgeted job counts: its reservation, then what it consumed. created_at is the job's,
-- so that a window counts the jobs created in it. Sums read (owner_id, created_at) ranges; the
-- amounts ride in the index, so that a window's sum reads the index only.
CREATE TABLE ${schema}.${prefix}jobs_budget_ledger (
  job_id     uuid PRIMARY KEY,
  owner_id   text NOT NULL,
  created_at timestamptz NOT NULL,
  cost       numeric NOT NULL,
  tokens     bigint NOT NULL,
  CONSTRAINT amounts_range CHECK (cost >= 0 AND tokens >= 0)
);
CREATE INDEX ${prefix}jobs_budget_ledger_owner_idx ON ${schema}.${prefix}jobs_budget_ledger (owner_id, created_at)
  INCLUDE (cost, tokens);
-- Retention: the oldest rows first.
CREATE INDEX ${prefix}jobs_budget_ledger_created_idx ON ${schema}.${prefix}jobs_budget_ledger (created_at);

-- A role under row-level security sees its owner's rows only (and writes none: no grant allows it).
ALTER TABLE ${schema}.${prefix}jobs_budget_ledger ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_isolation ON ${schema}.${prefix}jobs_budget_ledger
  USING (owner_id = current_setting('asyncjobs.owner_id', true))
  WITH CHECK (owner_id = current_setting('asyncjobs.owner_id', true));

-- The ledger row of a budgeted job, in the insert's statement. SECURITY DEFINER: the inserting role
-- need not (and a web tier's role does not) have any right on the ledger.
CREATE FUNCTION ${schema}.${prefix}jobs_budget_reserve() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  INSERT INTO ${schema}.${prefix}jobs_budget_ledger (job_id, owner_id, created_at, cost, tokens)
  VALUES (NEW.id, NEW.owner_id, NEW.created_at, NEW.budget_cost, NEW.budget_tokens);
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_budget_reserve() FROM PUBLIC;
CREATE TRIGGER ${prefix}jobs_budget_reserve AFTER INSERT ON ${schema}.${prefix}jobs
  FOR EACH ROW WHEN (NEW.budget_cost IS NOT NULL)
  EXECUTE FUNCTION ${schema}.${prefix}jobs_budget_reserve();

-- A role under row-level security never changes a job's reservation (the grants name no update of
-- these columns; this holds whatever the grants, as V11 does for usage), and when it cancels a
-- PENDING job that consumed nothing, the job's ledger row is settled to nothing: what the manager's
-- settleBudget would write, which such a role may not.
CREATE FUNCTION ${schema}.${prefix}jobs_check_owner_budget() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.budget_cost IS DISTINCT FROM OLD.budget_cost OR NEW.budget_tokens IS DISTINCT FROM OLD.budget_tokens THEN
    RAISE EXCEPTION 'a role under row-level security may not change the budget reservation of a job'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_check_owner_budget() FROM PUBLIC;
CREATE TRIGGER ${prefix}jobs_check_owner_budget BEFORE UPDATE OF budget_cost, budget_tokens ON ${schema}.${prefix}jobs
  FOR EACH ROW WHEN (row_security_active('${schema}.${prefix}jobs'::regclass))
  EXECUTE FUNCTION ${schema}.${prefix}jobs_check_owner_budget();

CREATE FUNCTION ${schema}.${prefix}jobs_budget_settle_cancelled() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE ${schema}.${prefix}jobs_budget_ledger SET cost = 0, tokens = 0 WHERE job_id = NEW.id;
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION ${schema}.${prefix}jobs_budget_settle_cancelled() FROM PUBLIC;
CREATE TRIGGER ${prefix}jobs_budget_settle_cancelled AFTER UPDATE OF status ON ${schema}.${prefix}jobs
  FOR EACH ROW WHEN (OLD.status = 'PENDING' AND NEW.status = 'CANCELLED' AND NEW.budget_cost IS NOT NULL
                     AND NEW.usage = '{}'::jsonb AND row_security_active('${schema}.${prefix}jobs'::regclass))
  EXECUTE FUNCTION ${schema}.${prefix}jobs_budget_settle_cancelled();

-- A web-tier role set up with web-role-grants.sql before this version may create budgeted jobs
-- after it: every role that could insert a job's id may insert its reservation and read its
-- owner's ledger rows now (as V7 and V9 did for their columns).
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
    EXECUTE pg_catalog.format('GRANT INSERT (budget_cost, budget_tokens) ON %I.%I TO %I', '${schema}', '${prefix}jobs', r.grantee);
    EXECUTE pg_catalog.format('GRANT SELECT ON %I.%I TO %I', '${schema}', '${prefix}jobs_budget_ledger', r.grantee);
  END LOOP;
END
$$;

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (12, 'budgets per owner: the reservation of jobs and the budget ledger');
