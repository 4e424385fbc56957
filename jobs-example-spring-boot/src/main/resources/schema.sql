-- The example's own table: one row per generation request, written in the same transaction as its job.
CREATE TABLE IF NOT EXISTS generation_requests (
  id         bigserial PRIMARY KEY,
  user_id    text        NOT NULL,
  prompt     text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
