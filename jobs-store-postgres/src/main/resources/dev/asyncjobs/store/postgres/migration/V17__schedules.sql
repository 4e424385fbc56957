-- asyncjobs PostgreSQL schema, version 17: schedules.
--
-- One row per schedule (a recurring job, or the library's own maintenance): its definition, which
-- jobs-core writes and reads and the database does not look into, the tick to fire next, and what
-- the last tick left for the next. Workers read the table every poll interval and move a row on
-- with a compare-and-set on next_run_at, so that one of them moves each tick; the tick's job is
-- made unique by its idempotency key (V1's jobs_owner_idempotency_key_idx), not by this table.
--
-- Only the tables' owner (the workers' role) reads or writes it: a web tier's role is granted
-- nothing, so it can neither add a schedule (which would create jobs of any owner) nor change one.
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

CREATE TABLE ${schema}.${prefix}jobs_schedules (
  name        text PRIMARY KEY,
  definition  text NOT NULL,
  next_run_at timestamptz NOT NULL,
  state       text,
  updated_at  timestamptz NOT NULL,
  CONSTRAINT name_length CHECK (length(name) BETWEEN 1 AND 200),
  CONSTRAINT definition_length CHECK (length(definition) <= 1048576),
  CONSTRAINT state_length CHECK (length(state) <= 10000)
);

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (17, 'schedules');
