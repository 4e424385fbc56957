-- asyncjobs PostgreSQL schema, version 8: partial output in the event log.
--
-- A running attempt may stream what it produces (text deltas, parts such as one scene of a
-- storyboard) to the job's subscribers. Each piece is one event of the log, like every other change:
-- delivered in order, resumable after a reconnect, pruned with the rest. Its text or JSON goes in a
-- column of its own, so that the message column keeps its 1000-character cut.
--
-- Reading the output of one job (GET /api/jobs/{id}/output) must not scan its owner's whole log:
-- the index by job costs every event insert one more index entry, which the bench's event-log
-- figures include from this version on.
--
-- Placeholders as in V1__jobs.sql: ${schema} (plain usage: public), ${prefix} (plain usage: empty).

ALTER TABLE ${schema}.${prefix}jobs_events ADD COLUMN data text;
CREATE INDEX ${prefix}jobs_events_job_idx ON ${schema}.${prefix}jobs_events (job_id, seq);

INSERT INTO ${schema}.${prefix}jobs_schema_version (version, description)
  VALUES (8, 'partial output in the event log');
