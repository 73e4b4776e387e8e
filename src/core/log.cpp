#include "core/log.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "core/clock.h"

namespace core::log {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};

// spdlog does the thread-safe, flushed writing; the JSON line is built here.
spdlog::logger& sink() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("marketlink",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return *logger;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}
}  // namespace

Field::Field(std::string_view k, std::string_view v) : key(k), json(json_quote(v)) {}

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

void set_level(std::string_view level) {
  if (level == "debug")
    g_level = static_cast<int>(Level::kDebug);
  else if (level == "info")
    g_level = static_cast<int>(Level::kInfo);
  else if (level == "warn")
    g_level = static_cast<int>(Level::kWarn);
  else if (level == "error")
    g_level = static_cast<int>(Level::kError);
}

bool enabled(Level level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  std::string line = fmt::format("{{\"ts\":\"{}\",\"level\":\"{}\",\"msg\":{}",
                                 format_rfc3339(std::chrono::system_clock::now()),
                                 level_name(level), json_quote(message));
  for (const Field& f : fields) {
    line += ',';
    line += json_quote(f.key);
    line += ':';
    line += f.json;
  }
  line += '}';
  sink().log(spdlog::level::info, line);
}

}  // namespace core::log
