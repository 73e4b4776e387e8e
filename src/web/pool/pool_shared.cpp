#include "web/pool/pool_shared.h"

#include <algorithm>

#include "web/json_support.h"

namespace web {

pool::ChangedBy changed_by(const http::Request& request, const RequestContext& ctx) {
  std::string ref = "unknown";
  if (ctx.user) ref = "user:" + ctx.user->id;
  if (ctx.token) ref = "token:" + ctx.token->token.id;
  return pool::ChangedBy(std::move(ref), ctx.actor(request));
}

core::Result<pool::AccountFilter> pool_list_filter(const http::Request& r) {
  pool::AccountFilter filter;
  if (auto s = r.query("status"); s && !s->empty()) {
    filter.status = pool::parse_status(*s);
    if (!filter.status) {
      return invalid_field("status",
                           "status must be one of ready, provisioning, invalid, allocated, "
                           "provisioning_failed.");
    }
  }
  if (auto m = r.query("marketplace_id"); m && !m->empty()) filter.marketplace_id = *m;
  if (auto m = r.query("model"); m && !m->empty()) {
    filter.model = pool::parse_model(*m);
    if (!filter.model) return invalid_field("model", "model must be SPAM or ECAM.");
  }
  if (auto q = r.query("q"); q && !q->empty()) {
    std::string digits = *q;
    digits.erase(std::remove(digits.begin(), digits.end(), ' '), digits.end());
    digits.erase(std::remove(digits.begin(), digits.end(), '-'), digits.end());
    if (digits.empty() || digits.size() > 12 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return invalid_field("q", "Search by the first digits of an account id (up to 12 digits).");
    }
    filter.account_id_prefix = digits;
  }
  return filter;
}

}  // namespace web
