GRANT USAGE ON SCHEMA ${schema} TO ${role};
-- reads its owners' jobs, creates jobs (only the columns of a request; a cached copy names its
-- source, of the same owner, and the database fills in the result: V13) and cancels them
GRANT SELECT ON ${schema}.${prefix}jobs TO ${role};
GRANT INSERT (id, owner_id, type, payload, priority, max_attempts, run_at, estimated_duration,
              idempotency_key, metadata, resources, estimated_units, created_at, updated_at,
              budget_cost, budget_tokens, cache_key, cached_from)
  ON ${schema}.${prefix}jobs TO ${role};
GRANT UPDATE (status, finished_at, cancel_requested, updated_at, progress, progress_message)
  ON ${schema}.${prefix}jobs TO ${role};
-- reads its owners' quota use (the database writes the records of its creates)
GRANT SELECT ON ${schema}.${prefix}jobs_quota_ledger TO ${role};
-- reads its owners' budget use (the database writes the ledger rows of its budgeted creates, and
-- only the workers settle them)
GRANT SELECT ON ${schema}.${prefix}jobs_budget_ledger TO ${role};
GRANT SELECT ON ${schema}.${prefix}jobs_schema_version TO ${role};
-- follows its owners' events (subscribe, readEvents, the SSE route)
GRANT SELECT ON ${schema}.${prefix}jobs_events, ${schema}.${prefix}jobs_events_pruned TO ${role};
GRANT EXECUTE ON FUNCTION ${schema}.${prefix}jobs_events_horizon(bigint, integer) TO ${role};
-- nothing on jobs_limits or jobs_limit_ledger: limits, pauses and back-offs are the workers' and
-- the operator's (the tables' owner)
-- nothing on jobs_schedules: schedules create jobs of any owner, so they are the workers' and the
-- operator's
