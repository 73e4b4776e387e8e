-- Durable jobs (src/jobs/). Times are RFC 3339 UTC text with milliseconds, which sorts in time
-- order. status: queued, running, succeeded or dead.
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  run_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  lease_owner TEXT,
  lease_expires_at TEXT,
  last_error TEXT,
  dedupe_key TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- Workers look for the oldest due queued job; the metrics count them.
CREATE INDEX jobs_due ON jobs (status, run_at);
-- The reaper looks for running jobs whose lease expired.
CREATE INDEX jobs_lease ON jobs (status, lease_expires_at);
-- One queued or running job per dedupe key; finished jobs free the key.
CREATE UNIQUE INDEX jobs_active_dedupe ON jobs (dedupe_key)
  WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running');
-- Recurring schedules: the last period (a whole number, see jobs::Recurrence) that fired on any
-- instance. Claiming a period is an UPDATE that only one instance wins.
CREATE TABLE job_schedules (
  name TEXT PRIMARY KEY,
  last_period BIGINT NOT NULL,
  updated_at TEXT NOT NULL
);
