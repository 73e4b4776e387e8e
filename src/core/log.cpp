#include "core/log.h"

#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

#include "core/clock.h"

namespace core::log {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<bool> g_observed{false};
std::mutex g_observer_mutex;
std::function<void(std::string_view)> g_observer;

// Standard error through a fully buffered stream: one write() per buffer instead of per line,
// which matters at tens of thousands of requests per second. Warnings and errors flush at once;
// everything else within a second (spdlog's periodic flusher) and at exit.
class BufferedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  BufferedStderrSink() : file_(fdopen(dup(STDERR_FILENO), "w")) {
    if (file_ != nullptr) setvbuf(file_, nullptr, _IOFBF, size_t{64} * 1024);
  }
  ~BufferedStderrSink() override {
    if (file_ != nullptr) std::fclose(file_);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (file_ == nullptr) return;
    std::fwrite(msg.payload.data(), 1, msg.payload.size(), file_);
    std::fputc('\n', file_);
  }
  void flush_() override {
    if (file_ != nullptr) std::fflush(file_);
  }

 private:
  FILE* file_;
};

spdlog::logger& sink() {
  static const std::shared_ptr<spdlog::logger> kLogger = [] {
    auto l = std::make_shared<spdlog::logger>("marketlink", std::make_shared<BufferedStderrSink>());
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::warn);
    spdlog::flush_every(std::chrono::seconds(1));
    spdlog::register_logger(l);
    std::atexit([] { spdlog::shutdown(); });
    return l;
  }();
  return *kLogger;
}

spdlog::level::level_enum spdlog_level(Level level) {
  switch (level) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
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

void flush() { sink().flush(); }

void observe_for_test(std::function<void(std::string_view line)> observer) {
  std::lock_guard lock(g_observer_mutex);
  g_observed = static_cast<bool>(observer);
  g_observer = std::move(observer);
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
  if (g_observed.load(std::memory_order_relaxed)) {
    std::lock_guard lock(g_observer_mutex);
    if (g_observer) g_observer(line);
  }
  sink().log(spdlog_level(level), line);
}

}  // namespace core::log
