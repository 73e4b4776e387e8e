// Config: every setting of a Marketlink process, with its default where it is declared.
// Precedence: command-line flags > environment variables > these defaults. The environment is
// read by config_from_environment; flags are applied by app/ on top. docs/configuration.md lists
// the same settings for operators; keep the two in step.
#pragma once

#include <functional>
#include <string>

#include "core/result.h"

namespace core {

struct Config {
  // MARKETLINK_LISTEN / --listen: host:port to serve on. Port 0 picks a free port.
  std::string listen = "127.0.0.1:8080";
  // MARKETLINK_DB / --db: "sqlite:PATH" or "postgresql://user@host:port/db".
  std::string db = "sqlite:./var/marketlink.db";
  // MARKETLINK_PUBLIC_URL: the URL users reach; links in e-mails, Secure cookies when https.
  // Empty: http://<listen address>.
  std::string public_url;
  // --sandbox: start the AWS simulator in-process and load demo data.
  bool sandbox = false;
  // MARKETLINK_IO_THREADS: threads that accept connections and parse HTTP. 0 = number of cores.
  int io_threads = 0;
  // MARKETLINK_WORKER_THREADS: threads that run request handlers (which may block on the database).
  int worker_threads = 8;
  // MARKETLINK_DB_POOL_SIZE: database connections kept open.
  int db_pool_size = 8;
  // MARKETLINK_MAX_BODY_BYTES: largest request body accepted (413 above). 64 MiB fits a
  // 1,000,000-row CSV import.
  long long max_body_bytes = 64LL * 1024 * 1024;
  // MARKETLINK_MAX_HEADER_BYTES: largest request head (request line + headers) accepted (431
  // above).
  long long max_header_bytes = 16LL * 1024;
  // MARKETLINK_REQUEST_TIMEOUT: seconds to receive a whole request once it has started.
  int request_timeout_seconds = 30;
  // MARKETLINK_IDLE_TIMEOUT: seconds a keep-alive connection may sit idle.
  int idle_timeout_seconds = 60;
  // MARKETLINK_SHUTDOWN_GRACE: seconds in-flight requests get to finish after SIGTERM/SIGINT.
  int shutdown_grace_seconds = 20;
  // MARKETLINK_LOG_LEVEL: debug, info, warn or error.
  std::string log_level = "info";
  // MARKETLINK_AWS_ENDPOINT: one URL for every AWS service (the simulator); empty = real AWS.
  std::string aws_endpoint;
  // MARKETLINK_SELLER_ACCESS_KEY_ID and MARKETLINK_SELLER_SECRET_ACCESS_KEY: the SaaS seller's
  // AWS keys (ResolveCustomer, metering, entitlements). Unset: AWS_ACCESS_KEY_ID and
  // AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN); the sandbox uses its simulator's seller key.
  // The secret is never logged.
  std::string seller_access_key_id;
  std::string seller_secret_access_key;
  // MARKETLINK_BILLING_URL: where a customer organization manages its payment method with the
  // seller (linked from its Billing page); empty shows no link.
  std::string billing_url;
  // MARKETLINK_SECRET_KEY: 32 bytes (64 hex digits or base64) that encrypt stored AWS secrets;
  // every instance on one database needs the same. Never logged. Prefer the file below.
  std::string secret_key;
  // MARKETLINK_SECRET_KEY_FILE: a file holding that key (used when secret_key is empty). With
  // neither, AWS secrets cannot be stored; the sandbox then keeps a generated key next to its
  // database.
  std::string secret_key_file;
  // MARKETLINK_POOL_STUCK_AFTER: minutes without a sign of life after which a provisioning pool
  // account is reported stuck.
  int pool_stuck_after_minutes = 120;
  // MARKETLINK_METERING_WINDOW_HOURS: how old a usage record may be (AWS Marketplace refuses
  // older ones: 1 h, later 6 h, now 24 h).
  int metering_window_hours = 6;
  // MARKETLINK_METERING_MINUTE: the minute of every hour at which the saas.meter job runs.
  int metering_minute = 10;
  // MARKETLINK_SMTP_URL: smtp://host:port or smtps://…; empty = .eml files in outbox_dir.
  std::string smtp_url;
  // MARKETLINK_SMTP_USERNAME and MARKETLINK_SMTP_PASSWORD: SMTP AUTH credentials; empty = no
  // AUTH. The password is never logged.
  std::string smtp_username;
  std::string smtp_password;
  // MARKETLINK_SMTP_STARTTLS: true (1, yes, on) requires STARTTLS on smtp://, so mail is never
  // sent in clear text; false (0, no, off) sends without it. smtps:// is always encrypted.
  bool smtp_starttls = false;
  // MARKETLINK_OUTBOX_DIR: where mail goes when no SMTP server is configured.
  std::string outbox_dir = "./var/outbox";
  // MARKETLINK_MAIL_FROM: the sender of every e-mail.
  std::string mail_from = "Marketlink <no-reply@marketlink.localhost>";
  // MARKETLINK_JOB_WORKERS: background job threads in this process. 0: this instance runs no
  // jobs (it still enqueues them, returns expired leases and fires schedules).
  int job_workers = 2;
  // MARKETLINK_JOB_LEASE: seconds a claimed job stays reserved for its worker without a
  // heartbeat; a killed worker's job runs again this long after it died.
  int job_lease_seconds = 60;
  // MARKETLINK_JOB_POLL_MS: milliseconds between looks for due jobs when idle (jobs enqueued in
  // this process wake a worker at once); also the period of the lease reaper and the schedules.
  int job_poll_ms = 1000;
};

// Reads MARKETLINK_* variables through `getenv` (which returns nullptr when unset) on top of
// `base`. A malformed number is an invalid error naming the variable; nothing is half-applied.
Result<Config> config_from_environment(const std::function<const char*(const char*)>& getenv,
                                       Config base = {});

// Splits "host:port" ("[::1]:8080" for IPv6). Invalid when either part is missing or bad.
struct HostPort {
  std::string host;
  unsigned short port = 0;
};
Result<HostPort> parse_host_port(std::string_view text);

}  // namespace core
