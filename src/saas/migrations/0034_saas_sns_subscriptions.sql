-- SNS subscription requests of our topics (src/saas/sns_intake.h): one row per topic and
-- confirmation token, whatever the number of times SNS delivers the request. The token itself is
-- never stored, only its SHA-256 (hex). Times are RFC 3339 UTC text; optional values are ''.
CREATE TABLE saas_sns_subscriptions (
  id TEXT PRIMARY KEY,
  topic_arn TEXT NOT NULL,
  token_digest TEXT NOT NULL,
  -- What AWS answered the confirmation with ('' until confirmed, or when it did not say).
  subscription_arn TEXT NOT NULL DEFAULT '',
  received_at TEXT NOT NULL,
  -- The last time the request was delivered (SNS delivers it again until confirmed).
  last_received_at TEXT NOT NULL,
  deliveries INTEGER NOT NULL DEFAULT 1,
  confirmed_at TEXT NOT NULL DEFAULT '',
  -- Why the last confirmation failed ('' when it did not).
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX saas_sns_subscriptions_token
  ON saas_sns_subscriptions (topic_arn, token_digest);
