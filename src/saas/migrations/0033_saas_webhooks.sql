-- Outbound webhooks (src/saas/webhooks.h): the endpoints the operator registered, one delivery
-- per event and endpoint (its body is fixed when the event is recorded), and every attempt of a
-- delivery with the endpoint's answer. Times are RFC 3339 UTC text; optional values are ''.
CREATE TABLE saas_webhook_endpoints (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  -- The event names it receives, comma-separated ("linked,cancelled").
  events TEXT NOT NULL,
  -- The signing secret sealed with the deployment's SecretBox (identity/secret_box.h); it is
  -- shown once, when the endpoint is created, and never returned again.
  secret_sealed TEXT NOT NULL,
  -- The secret's last four characters, to tell endpoints apart ("whsec_…f3Qa").
  secret_hint TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE saas_webhook_deliveries (
  id TEXT PRIMARY KEY,
  endpoint_id TEXT NOT NULL,
  -- The event's id and type, as in the body; a replay carries the original's event id.
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  body TEXT NOT NULL,
  -- 'pending' (not tried yet), 'retrying' (an attempt failed, another is due), 'succeeded'
  -- (the endpoint answered 2xx) or 'dead' (every attempt failed).
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  -- The delivery this one replays, or ''.
  replay_of TEXT NOT NULL DEFAULT '',
  last_status_code INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  delivered_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX saas_webhook_deliveries_endpoint
  ON saas_webhook_deliveries (endpoint_id, created_at);
CREATE INDEX saas_webhook_deliveries_status ON saas_webhook_deliveries (status);

CREATE TABLE saas_webhook_attempts (
  delivery_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  -- The HTTP status the endpoint answered; 0 when no answer came (refused, timeout).
  status_code INTEGER NOT NULL,
  -- The first bytes of the answer's body (at most 512).
  response_excerpt TEXT NOT NULL,
  -- Why the attempt failed ('' when it succeeded).
  error TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);
