-- Sell on AWS Marketplace (src/saas): the operator's products, the registrations buyers make by
-- landing from AWS Marketplace with a token, each registration's timeline, and the links between
-- a buyer's AWS subscription and an organization. Times are RFC 3339 UTC text; optional values
-- are '' rather than NULL. The marketplace token itself is never stored: a registration keeps
-- only its SHA-256 digest.
CREATE TABLE saas_products (
  product_code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  -- 'subscription', 'contract', 'contract_with_consumption' or 'free'.
  pricing_model TEXT NOT NULL,
  -- 1: buyers are identified by AWS account id + license ARN; 0: by the customer identifier.
  concurrent_agreements INTEGER NOT NULL,
  manage_url TEXT NOT NULL,
  support_contact TEXT NOT NULL,
  -- The own subscription an organization created through this product starts with: 'trial' or
  -- 'active'.
  new_org_subscription TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE saas_product_dimensions (
  product_code TEXT NOT NULL REFERENCES saas_products (product_code) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (product_code, position)
);
CREATE UNIQUE INDEX saas_product_dimensions_name ON saas_product_dimensions (product_code, name);

-- One row per marketplace token ever posted, whatever became of it.
CREATE TABLE saas_registrations (
  id TEXT PRIMARY KEY,
  -- Hex SHA-256 of the token: the same token posted again finds this row.
  token_digest TEXT NOT NULL UNIQUE,
  -- What a buyer gives support, e.g. 'ML-7KQ2-M9XD'.
  reference TEXT NOT NULL UNIQUE,
  -- 'resolved', 'invalid_token', 'expired_token', 'product_unknown', 'aws_unavailable',
  -- 'refused' or 'linked'; with the slug and sentence of what went wrong, if anything.
  outcome TEXT NOT NULL,
  outcome_slug TEXT NOT NULL DEFAULT '',
  outcome_message TEXT NOT NULL DEFAULT '',
  -- As AWS answered (ResolveCustomer); the product code may be one that is not ours.
  product_code TEXT NOT NULL DEFAULT '',
  customer_identifier TEXT NOT NULL DEFAULT '',
  customer_aws_account_id TEXT NOT NULL DEFAULT '',
  license_arn TEXT NOT NULL DEFAULT '',
  offer_type TEXT NOT NULL DEFAULT '',
  -- 'existing' or 'new' once the buyer said whether they have an account.
  choice TEXT NOT NULL DEFAULT '',
  -- How many times the token was posted.
  landings INTEGER NOT NULL DEFAULT 1,
  linked_org_id TEXT NOT NULL DEFAULT '',
  link_id TEXT NOT NULL DEFAULT '',
  linked_at TEXT NOT NULL DEFAULT '',
  -- The number of the last timeline entry (saas_registration_events.seq).
  event_seq INTEGER NOT NULL DEFAULT 0,
  landed_at TEXT NOT NULL,
  resolved_at TEXT NOT NULL DEFAULT '',
  expires_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX saas_registrations_landed ON saas_registrations (landed_at, id);
CREATE INDEX saas_registrations_product ON saas_registrations (product_code, landed_at);
CREATE INDEX saas_registrations_buyer ON saas_registrations (customer_aws_account_id, landed_at);

CREATE TABLE saas_registration_events (
  registration_id TEXT NOT NULL REFERENCES saas_registrations (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  -- 'landed', 'landed_again', 'resolved', 'resolve_failed', 'chose_existing', 'chose_new',
  -- 'link_refused', 'linked', 'link_updated'.
  kind TEXT NOT NULL,
  slug TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  org_id TEXT NOT NULL DEFAULT '',
  user_id TEXT NOT NULL DEFAULT '',
  at TEXT NOT NULL,
  PRIMARY KEY (registration_id, seq)
);

-- A buyer's AWS Marketplace subscription linked to an organization. While a link is live (not
-- cancelled or failed) its organization has no other link for the product, and its buyer no
-- other link for the product: the two unique indexes decide between racing links.
CREATE TABLE saas_links (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  product_code TEXT NOT NULL REFERENCES saas_products (product_code),
  registration_id TEXT NOT NULL REFERENCES saas_registrations (id),
  -- Who the buyer is for the product: 'ci:' + customer identifier (legacy listings) or 'aws:' +
  -- AWS account id (concurrent agreements).
  buyer_key TEXT NOT NULL,
  customer_identifier TEXT NOT NULL DEFAULT '',
  customer_aws_account_id TEXT NOT NULL,
  license_arn TEXT NOT NULL DEFAULT '',
  offer_type TEXT NOT NULL DEFAULT '',
  -- 'pending', 'active', 'unsubscribe_pending', 'cancelled' or 'failed'.
  status TEXT NOT NULL,
  free_trial_ends_at TEXT NOT NULL DEFAULT '',
  linked_by_user_id TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX saas_links_org_product ON saas_links (org_id, product_code)
  WHERE status NOT IN ('cancelled', 'failed');
CREATE UNIQUE INDEX saas_links_buyer ON saas_links (product_code, buyer_key)
  WHERE status NOT IN ('cancelled', 'failed');
CREATE INDEX saas_links_org ON saas_links (org_id, created_at);
