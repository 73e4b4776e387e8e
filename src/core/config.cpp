#include "core/config.h"

#include <fmt/format.h>

#include <charconv>

namespace core {

namespace {

template <typename N>
Status read_number(const std::function<const char*(const char*)>& getenv, const char* name, N min,
                   N& out) {
  const char* raw = getenv(name);
  if (raw == nullptr || *raw == '\0') return {};
  const std::string_view text(raw);
  N value{};
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || value < min) {
    return invalid(
        fmt::format("{} must be a whole number of at least {}, not \"{}\"", name, min, text));
  }
  out = value;
  return {};
}

void read_string(const std::function<const char*(const char*)>& getenv, const char* name,
                 std::string& out) {
  if (const char* raw = getenv(name); raw != nullptr && *raw != '\0') out = raw;
}

Status read_bool(const std::function<const char*(const char*)>& getenv, const char* name,
                 bool& out) {
  const char* raw = getenv(name);
  if (raw == nullptr || *raw == '\0') return {};
  const std::string_view text(raw);
  if (text == "1" || text == "true" || text == "yes" || text == "on") {
    out = true;
  } else if (text == "0" || text == "false" || text == "no" || text == "off") {
    out = false;
  } else {
    return invalid(fmt::format("{} must be true or false, not \"{}\"", name, text));
  }
  return {};
}

}  // namespace

Result<Config> config_from_environment(const std::function<const char*(const char*)>& getenv,
                                       Config base) {
  Config c = std::move(base);
  read_string(getenv, "MARKETLINK_LISTEN", c.listen);
  read_string(getenv, "MARKETLINK_DB", c.db);
  read_string(getenv, "MARKETLINK_PUBLIC_URL", c.public_url);
  read_string(getenv, "MARKETLINK_LOG_LEVEL", c.log_level);
  read_string(getenv, "MARKETLINK_AWS_ENDPOINT", c.aws_endpoint);
  read_string(getenv, "MARKETLINK_SELLER_ACCESS_KEY_ID", c.seller_access_key_id);
  read_string(getenv, "MARKETLINK_SELLER_SECRET_ACCESS_KEY", c.seller_secret_access_key);
  read_string(getenv, "MARKETLINK_BILLING_URL", c.billing_url);
  read_string(getenv, "MARKETLINK_SECRET_KEY", c.secret_key);
  read_string(getenv, "MARKETLINK_SECRET_KEY_FILE", c.secret_key_file);
  read_string(getenv, "MARKETLINK_SMTP_URL", c.smtp_url);
  read_string(getenv, "MARKETLINK_OUTBOX_DIR", c.outbox_dir);
  read_string(getenv, "MARKETLINK_MAIL_FROM", c.mail_from);
  read_string(getenv, "MARKETLINK_SMTP_USERNAME", c.smtp_username);
  read_string(getenv, "MARKETLINK_SMTP_PASSWORD", c.smtp_password);
  for (const Status& s :
       {read_number(getenv, "MARKETLINK_IO_THREADS", 0, c.io_threads),
        read_number(getenv, "MARKETLINK_WORKER_THREADS", 1, c.worker_threads),
        read_number(getenv, "MARKETLINK_DB_POOL_SIZE", 1, c.db_pool_size),
        read_number(getenv, "MARKETLINK_MAX_BODY_BYTES", 1024LL, c.max_body_bytes),
        read_number(getenv, "MARKETLINK_MAX_HEADER_BYTES", 1024LL, c.max_header_bytes),
        read_number(getenv, "MARKETLINK_REQUEST_TIMEOUT", 1, c.request_timeout_seconds),
        read_number(getenv, "MARKETLINK_IDLE_TIMEOUT", 1, c.idle_timeout_seconds),
        read_number(getenv, "MARKETLINK_SHUTDOWN_GRACE", 0, c.shutdown_grace_seconds),
        read_number(getenv, "MARKETLINK_JOB_WORKERS", 0, c.job_workers),
        read_number(getenv, "MARKETLINK_JOB_LEASE", 5, c.job_lease_seconds),
        read_number(getenv, "MARKETLINK_JOB_POLL_MS", 10, c.job_poll_ms),
        read_number(getenv, "MARKETLINK_POOL_STUCK_AFTER", 1, c.pool_stuck_after_minutes),
        read_number(getenv, "MARKETLINK_METERING_WINDOW_HOURS", 1, c.metering_window_hours),
        read_number(getenv, "MARKETLINK_METERING_MINUTE", 0, c.metering_minute),
        read_bool(getenv, "MARKETLINK_SMTP_STARTTLS", c.smtp_starttls)}) {
    if (!s.ok()) return s.error();
  }
  if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" &&
      c.log_level != "error") {
    return invalid(fmt::format(
        "MARKETLINK_LOG_LEVEL must be debug, info, warn or error, not \"{}\"", c.log_level));
  }
  return c;
}

Result<HostPort> parse_host_port(std::string_view text) {
  HostPort hp;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return invalid(fmt::format("\"{}\" is not host:port", text));
    }
    hp.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return invalid(fmt::format("\"{}\" is not host:port", text));
    }
    hp.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  unsigned value = 0;
  const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (port_text.empty() || r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() ||
      value > 65535) {
    return invalid(fmt::format("\"{}\" has no valid port (0-65535)", text));
  }
  hp.port = static_cast<unsigned short>(value);
  return hp;
}

}  // namespace core
