-- Account pool (src/pool): providers' preconfigured standalone AWS accounts and their status
-- history. Times are RFC 3339 UTC text with milliseconds, which sorts in time order.
-- provider_org_id names the provider organization; it becomes a foreign key once organizations
-- exist.
CREATE TABLE pool_accounts (
  account_id TEXT PRIMARY KEY,
  provider_org_id TEXT NOT NULL,
  marketplace_id TEXT NOT NULL,
  model TEXT NOT NULL CHECK (model IN ('SPAM', 'ECAM')),
  status TEXT NOT NULL
    CHECK (status IN ('ready', 'provisioning', 'invalid', 'allocated', 'provisioning_failed')),
  status_reason TEXT NOT NULL,
  status_actor TEXT NOT NULL,
  status_changed_at TEXT NOT NULL,
  -- Moves so far; the history row of a move carries the value after it.
  status_version INTEGER NOT NULL,
  -- The order using the account; NULL when none.
  order_ref TEXT,
  -- Last sign of life of the order (take, note_progress): what "stuck" is measured from.
  progress_at TEXT,
  -- When the access check last reached (or failed to reach) the account; NULL = never checked.
  access_checked_at TEXT,
  created_by TEXT NOT NULL,
  created_via TEXT NOT NULL CHECK (created_via IN ('add', 'import')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- take(): the oldest ready account of (provider, marketplace), without visiting taken ones; also
-- paging filtered by marketplace and status. A full index rather than a partial one on
-- status = 'ready': SQLite without ANALYZE statistics prefers the index with the most equality
-- columns, and would otherwise walk pool_accounts_by_marketplace through every taken account.
CREATE INDEX pool_accounts_ready
  ON pool_accounts (provider_org_id, marketplace_id, status, created_at, account_id);

-- Paging in allocation order, unfiltered and filtered by status or marketplace.
CREATE INDEX pool_accounts_by_age ON pool_accounts (provider_org_id, created_at, account_id);
CREATE INDEX pool_accounts_by_status
  ON pool_accounts (provider_org_id, status, created_at, account_id);
CREATE INDEX pool_accounts_by_marketplace
  ON pool_accounts (provider_org_id, marketplace_id, created_at, account_id);

-- One account per order; NULLs (no order) do not collide.
CREATE UNIQUE INDEX pool_accounts_order ON pool_accounts (provider_org_id, order_ref);

-- The stuck-provisioning report.
CREATE INDEX pool_accounts_provisioning
  ON pool_accounts (progress_at)
  WHERE status = 'provisioning';

CREATE TABLE pool_account_history (
  account_id TEXT NOT NULL REFERENCES pool_accounts (account_id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  order_ref TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (account_id, seq)
);
