#include "http/router.h"

#include <cassert>

namespace http {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t start = path.starts_with('/') ? 1 : 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    out.emplace_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (out.size() == 1 && out[0].empty()) out.clear();  // "/" has no segments
  return out;
}

bool is_param(const std::string& s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }
bool is_tail(const std::string& s) { return is_param(s) && s[s.size() - 2] == '*'; }

// Returns a score (higher is more specific) or -1 when the route does not match.
int match_segments(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                   std::map<std::string, std::string>& params) {
  int score = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const std::string& p = pattern[i];
    if (is_tail(p)) {
      if (i >= path.size()) return -1;
      std::string rest;
      for (size_t j = i; j < path.size(); ++j) rest += (j > i ? "/" : "") + path[j];
      params[p.substr(1, p.size() - 3)] = url_decode(rest);
      return score;
    }
    if (i >= path.size()) return -1;
    if (is_param(p)) {
      if (path[i].empty()) return -1;
      params[p.substr(1, p.size() - 2)] = url_decode(path[i]);
      score += 1;
    } else if (p == path[i]) {
      score += 2;
    } else {
      return -1;
    }
  }
  return pattern.size() == path.size() ? score : -1;
}

}  // namespace

void Router::add(Method method, std::string pattern, RouteHandler handler, RouteOptions options) {
  assert(pattern.starts_with('/'));
  Route r{method,
          pattern,
          std::move(handler.handler),
          std::move(handler.header_check),
          options,
          split_path(pattern),
          routes_.size()};
  routes_.push_back(std::move(r));
}

Router::Match Router::match(Method method, std::string_view path) const {
  const auto segments = split_path(path);
  Match best;
  int best_score = -1;
  for (const Route& r : routes_) {
    std::map<std::string, std::string> params;
    const int score = match_segments(r.segments, segments, params);
    if (score < 0) continue;
    const bool method_ok =
        r.method == method || (method == Method::kHead && r.method == Method::kGet);
    if (!method_ok) {
      best.path_exists = true;
      best.allowed.emplace_back(method_name(r.method));
      continue;
    }
    if (score > best_score) {
      best_score = score;
      best.route = &r;
      best.params = std::move(params);
    }
  }
  return best;
}

}  // namespace http
