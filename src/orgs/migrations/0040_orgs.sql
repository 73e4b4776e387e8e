-- AWS organizations linked to marketplaces (src/orgs, aws_organizations.h). The secret access key
-- is stored sealed (identity::SecretBox), never in clear.
CREATE TABLE orgs_aws_organizations (
  id TEXT PRIMARY KEY,
  marketplace_id TEXT NOT NULL,
  -- The management account (12 digits).
  account_id TEXT NOT NULL,
  region TEXT NOT NULL,
  access_key_id TEXT NOT NULL,
  secret_sealed TEXT NOT NULL,
  email_pattern TEXT NOT NULL,
  -- 1 for the marketplace's default (at most one: the index below), 0 otherwise.
  is_default INTEGER NOT NULL,
  aws_organization_id TEXT NOT NULL,
  created_organization INTEGER NOT NULL,
  billing_bucket TEXT NOT NULL,
  report_name TEXT NOT NULL,
  -- The last check: JSON [{"name", "status", "message"}], its outcome and time.
  last_checks TEXT NOT NULL,
  last_check_ok INTEGER NOT NULL,
  last_check_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (marketplace_id, account_id)
);
CREATE UNIQUE INDEX orgs_aws_organizations_one_default
  ON orgs_aws_organizations (marketplace_id) WHERE is_default = 1;
