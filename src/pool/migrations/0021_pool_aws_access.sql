-- Each provider's own AWS keys and the role Marketlink assumes in its pool accounts (src/pool,
-- aws_access.h), and the state of its latest access-check run. The secret access key is stored
-- sealed (identity::SecretBox), never in clear.
CREATE TABLE pool_aws_access (
  provider_org_id TEXT PRIMARY KEY,
  access_key_id TEXT NOT NULL,
  secret_sealed TEXT NOT NULL,
  -- The AWS account the keys belong to, as STS answered when they were saved.
  aws_account_id TEXT NOT NULL,
  role_name TEXT NOT NULL,
  access_check_enabled INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- The latest access-check run ('' / NULL / 0 before the first).
  run_scope TEXT NOT NULL DEFAULT '',
  run_started_at TEXT,
  run_finished_at TEXT,
  -- When the run last reported progress: a run silent for long was abandoned (its job died).
  run_progress_at TEXT,
  run_total INTEGER NOT NULL DEFAULT 0,
  run_checked INTEGER NOT NULL DEFAULT 0,
  run_invalidated INTEGER NOT NULL DEFAULT 0,
  run_restored INTEGER NOT NULL DEFAULT 0,
  run_error TEXT NOT NULL DEFAULT ''
);
