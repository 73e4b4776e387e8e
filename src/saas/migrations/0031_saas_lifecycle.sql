-- What AWS tells the seller about its buyers (src/saas/lifecycle.h): every event received, once
-- per source and message id, with what it changed; each link's lifecycle marks (the last status
-- event it applied, its agreement, when its entitlements were read); and the entitlements AWS
-- last answered for each link. Times are RFC 3339 UTC text (fixed width: they sort); optional
-- values are ''.
CREATE TABLE saas_lifecycle_events (
  id TEXT PRIMARY KEY,
  -- 'eventbridge' or 'sns', and the sender's own id of the message.
  source TEXT NOT NULL,
  message_id TEXT NOT NULL,
  -- As sent, e.g. 'Purchase Agreement Created - Manufacturer' or 'subscribe-success'.
  type TEXT NOT NULL,
  -- 'subscribe_success', 'subscribe_fail', 'unsubscribe_pending', 'unsubscribe_success',
  -- 'entitlement_updated' or 'ignored'.
  action TEXT NOT NULL,
  product_code TEXT NOT NULL DEFAULT '',
  customer_identifier TEXT NOT NULL DEFAULT '',
  customer_aws_account_id TEXT NOT NULL DEFAULT '',
  license_arn TEXT NOT NULL DEFAULT '',
  agreement_id TEXT NOT NULL DEFAULT '',
  new_agreement INTEGER NOT NULL DEFAULT 0,
  -- Whom it concerns: 'lic:' + license ARN, 'ci:' + customer identifier or 'agr:' + agreement id.
  buyer_ref TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  -- 'received', 'waiting', 'applied', 'superseded' or 'ignored'.
  outcome TEXT NOT NULL,
  link_id TEXT NOT NULL DEFAULT '',
  -- What it changed, for people.
  change TEXT NOT NULL DEFAULT '',
  processed_at TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX saas_lifecycle_events_message ON saas_lifecycle_events (source, message_id);
CREATE INDEX saas_lifecycle_events_buyer
  ON saas_lifecycle_events (product_code, buyer_ref, outcome);
CREATE INDEX saas_lifecycle_events_link ON saas_lifecycle_events (link_id, occurred_at);

CREATE TABLE saas_link_lifecycle (
  link_id TEXT PRIMARY KEY REFERENCES saas_links (id) ON DELETE CASCADE,
  -- The last status event applied: its time, rank and message id ('' before any).
  status_event_at TEXT NOT NULL DEFAULT '',
  status_event_rank INTEGER NOT NULL DEFAULT 0,
  status_event_id TEXT NOT NULL DEFAULT '',
  agreement_id TEXT NOT NULL DEFAULT '',
  entitlements_read_at TEXT NOT NULL DEFAULT '',
  -- The earliest expiry among the entitlements last read ('' for none).
  next_expiry TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL
);
CREATE INDEX saas_link_lifecycle_agreement ON saas_link_lifecycle (agreement_id);

CREATE TABLE saas_entitlements (
  link_id TEXT NOT NULL REFERENCES saas_links (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  dimension TEXT NOT NULL,
  -- 'integer', 'double', 'boolean' or 'string', and the value as text.
  value_kind TEXT NOT NULL,
  value TEXT NOT NULL,
  expires_at TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (link_id, position)
);
