// Result<T>: the value of an operation that can fail in an expected way.
//
// Errors cross module boundaries as values, never as exceptions. An Error carries one of a fixed
// set of codes that say what the caller can do about it, a stable snake_case `slug` that the
// public contract exposes (e.g. "no_ready_account"), a human sentence, and optional detail lines.
// The mapping from codes to HTTP statuses lives in exactly one place: http/error_mapping.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace core {

enum class ErrorCode {
  kNotFound,         // the thing does not exist, or belongs to another tenant
  kConflict,         // the request is valid but the current state forbids it (taken, in use)
  kInvalid,          // the input is malformed or breaks a rule; fixing the input helps
  kUnauthenticated,  // no valid credentials were presented
  kForbidden,        // credentials are valid but lack the right
  kRateLimited,      // too many attempts; retry later
  kUnavailable,      // a dependency is down or busy; retrying later may help
  kInternal,         // a bug or broken invariant; never the caller's fault
};

// The default contract slug of each code ("not_found", "conflict", ...).
const char* error_code_slug(ErrorCode code);

// One line of detail, e.g. a bad CSV row or a form field.
struct ErrorDetail {
  std::string field;  // a field name or a line number as text; may be empty
  std::string message;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // a sentence safe to show to the user
  std::string slug;     // contract code; empty means error_code_slug(code)
  std::vector<ErrorDetail> details;

  const char* code_slug() const { return slug.empty() ? error_code_slug(code) : slug.c_str(); }
};

Error not_found(std::string message, std::string slug = {});
Error conflict(std::string message, std::string slug = {});
Error invalid(std::string message, std::string slug = {});
Error unauthenticated(std::string message, std::string slug = {});
Error forbidden(std::string message, std::string slug = {});
Error rate_limited(std::string message, std::string slug = {});
Error unavailable(std::string message, std::string slug = {});
Error internal(std::string message, std::string slug = {});

// Holds either a T or an Error. Accessing the wrong alternative is a bug and asserts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(data_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(data_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(data_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(data_));
  }

 private:
  std::variant<T, Error> data_;
};

// A Result with no value: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    assert(!ok());
    return *error_;
  }
  Error&& error() && {
    assert(!ok());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status ok_status() { return {}; }

}  // namespace core
