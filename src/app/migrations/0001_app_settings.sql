-- Instance-wide settings and markers, e.g. which version of the sandbox's demo data is loaded.
CREATE TABLE app_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
