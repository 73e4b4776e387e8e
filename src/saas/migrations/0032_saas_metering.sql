-- Usage metering (src/saas/metering.h): usage as the seller's application reports it, the
-- quantity of every (link, dimension, hour) fixed before it is sent to AWS Marketplace with
-- BatchMeterUsage and what AWS answered, each link's metering progress, and the answers of
-- POST /api/v1/usage by Idempotency-Key. Times are RFC 3339 UTC text; hours are the hour's start.

-- One row per usage record received (API or CSV import).
CREATE TABLE saas_usage (
  id TEXT PRIMARY KEY,
  link_id TEXT NOT NULL REFERENCES saas_links (id),
  org_id TEXT NOT NULL,
  product_code TEXT NOT NULL,
  dimension TEXT NOT NULL,
  hour TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  -- The timestamp the record carried.
  at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  -- 'api' or 'import'.
  source TEXT NOT NULL,
  -- The Idempotency-Key of the request that brought it ('' for imports).
  request_key TEXT NOT NULL DEFAULT '',
  -- The record's place in its request or file.
  position INTEGER NOT NULL DEFAULT 0,
  -- 'pending' (its hour is not fixed yet), 'fixed' (counted in its fixed hour), 'late' (it came
  -- after its hour was fixed: kept and reported, never sent), 'not_billed' (the link was not
  -- billable for that hour: before it became active, cancelled), 'expired' (its hour was older
  -- than AWS accepts when it was due).
  state TEXT NOT NULL,
  -- Why, for late, not_billed and expired.
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX saas_usage_state ON saas_usage (state, link_id, hour);
CREATE INDEX saas_usage_link_hour ON saas_usage (link_id, hour);
CREATE INDEX saas_usage_request ON saas_usage (request_key);

-- The quantity of one dimension of one link for one hour, fixed before it is sent: a resubmission
-- always sends this quantity.
CREATE TABLE saas_meter_hours (
  link_id TEXT NOT NULL REFERENCES saas_links (id),
  dimension TEXT NOT NULL,
  hour TEXT NOT NULL,
  product_code TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  -- 'fixed' (waiting for AWS's answer), 'billed', 'not_subscribed' (AWS answered
  -- CustomerNotSubscribed: held), 'alarm' (DuplicateRecord for another quantity, or a status
  -- this version does not know), 'expired' (never answered within the window).
  state TEXT NOT NULL,
  -- BatchMeterUsage calls that carried this record.
  submissions INTEGER NOT NULL DEFAULT 0,
  aws_status TEXT NOT NULL DEFAULT '',
  metering_record_id TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '',
  fixed_at TEXT NOT NULL,
  submitted_at TEXT NOT NULL DEFAULT '',
  answered_at TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (link_id, dimension, hour)
);
CREATE INDEX saas_meter_hours_state ON saas_meter_hours (state, hour);

-- Per link: the first hour it is billed for and the hour up to which (exclusive) every hour
-- has been fixed.
CREATE TABLE saas_meter_links (
  link_id TEXT PRIMARY KEY REFERENCES saas_links (id),
  active_from TEXT NOT NULL,
  fixed_until TEXT NOT NULL
);

-- POST /api/v1/usage by Idempotency-Key: a repeat returns the usage rows the first stored.
CREATE TABLE saas_usage_requests (
  caller_org_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  -- SHA-256 of the request's records, to refuse the same key with another body.
  body_digest TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (caller_org_id, idempotency_key)
);
