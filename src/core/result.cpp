#include "core/result.h"

namespace core {

const char* error_code_slug(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kInvalid: return "invalid";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

namespace {
Error make(ErrorCode code, std::string message, std::string slug) {
  return Error{.code = code, .message = std::move(message), .slug = std::move(slug), .details = {}};
}
}  // namespace

Error not_found(std::string m, std::string s) {
  return make(ErrorCode::kNotFound, std::move(m), std::move(s));
}
Error conflict(std::string m, std::string s) {
  return make(ErrorCode::kConflict, std::move(m), std::move(s));
}
Error invalid(std::string m, std::string s) {
  return make(ErrorCode::kInvalid, std::move(m), std::move(s));
}
Error unauthenticated(std::string m, std::string s) {
  return make(ErrorCode::kUnauthenticated, std::move(m), std::move(s));
}
Error forbidden(std::string m, std::string s) {
  return make(ErrorCode::kForbidden, std::move(m), std::move(s));
}
Error rate_limited(std::string m, std::string s) {
  return make(ErrorCode::kRateLimited, std::move(m), std::move(s));
}
Error unavailable(std::string m, std::string s) {
  return make(ErrorCode::kUnavailable, std::move(m), std::move(s));
}
Error internal(std::string m, std::string s) {
  return make(ErrorCode::kInternal, std::move(m), std::move(s));
}

}  // namespace core
