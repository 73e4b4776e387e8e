#include "web/pool_shared.h"

#include <algorithm>

#include "core/log.h"
#include "web/json_support.h"

namespace web {

void record_pool_change(identity::AuditLog& audit, const http::Request& r,
                        const RequestContext& ctx, const std::string& action,
                        const std::string& account_id, const std::string& detail) {
  const core::Status recorded =
      audit.record({.org_id = ctx.org_id(),
                    .subject_user_id = {},
                    .actor = ctx.actor(r),
                    .action = action,
                    .target_type = account_id.empty() ? "pool" : "account",
                    .target_id = account_id,
                    .detail = detail});
  if (!recorded.ok()) {
    core::log::error("audit entry not written",
                     {{"action", action}, {"error", recorded.error().message}});
  }
}

std::string pool_actor(const RequestContext& ctx) {
  if (ctx.user) return "user:" + ctx.user->id;
  if (ctx.token) return "token:" + ctx.token->token.id;
  return "unknown";
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
