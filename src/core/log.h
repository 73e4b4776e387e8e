// Structured logging: one JSON object per line on standard error, e.g.
//   {"ts":"2026-11-23T09:52:56.123Z","level":"info","msg":"request","status":200}
// Lines are buffered (see flush()). Thread safe. Never pass secrets, tokens or passwords as fields:
// nothing here redacts them.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace core::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// A key and an already-encoded JSON value.
struct Field {
  Field(std::string_view k, std::string_view v);
  Field(std::string_view k, const char* v) : Field(k, std::string_view(v)) {}
  Field(std::string_view k, const std::string& v) : Field(k, std::string_view(v)) {}
  template <typename N,
            std::enable_if_t<std::is_arithmetic_v<N> && !std::is_same_v<N, bool>, int> = 0>
  Field(std::string_view k, N v) : key(k), json(std::to_string(v)) {}
  Field(std::string_view k, bool v) : key(k), json(v ? "true" : "false") {}
  std::string_view key;
  std::string json;
};

// Writes out buffered lines now (they go out within a second anyway, warnings at once).
void flush();

// "debug", "info", "warn" or "error"; anything else keeps the current level. Default: info.
void set_level(std::string_view level);
bool enabled(Level level);
void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kDebug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kInfo, m, f);
}
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kWarn, m, f);
}
inline void error(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kError, m, f);
}

// Test-only: while set, every line written is also handed to `observer` (on the writing thread);
// an empty function stops it. For tests that check what is (not) logged.
void observe_for_test(std::function<void(std::string_view line)> observer);

// `text` as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);

}  // namespace core::log
