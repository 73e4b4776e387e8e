// The metering API (metering_routes.h). Only the operator organization (its members' sessions
// and its API tokens) reports usage: a customer organization's token cannot meter anything,
// its own usage included, so no customer can meter another.
#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "web/handlers.h"
#include "web/json_support.h"
#include "web/saas/metering_routes.h"

namespace web {

namespace {

using nlohmann::json;

json usage_json(const saas::Usage& u) {
  return {{"id", u.id},
          {"link_id", u.link_id},
          {"org_id", u.org_id},
          {"product_code", u.product_code},
          {"dimension", u.dimension},
          {"quantity", u.quantity},
          {"timestamp", core::format_rfc3339(u.at)},
          {"hour", core::format_rfc3339(u.hour)},
          {"received_at", core::format_rfc3339(u.received_at)},
          {"source", u.source},
          {"state", saas::usage_state_name(u.state)},
          {"note", u.note.empty() ? json(nullptr) : json(u.note)}};
}

json hour_json(const saas::MeteredHour& h) {
  return {{"link_id", h.link_id},
          {"org_id", h.org_id},
          {"product_code", h.product_code},
          {"dimension", h.dimension},
          {"hour", core::format_rfc3339(h.hour)},
          {"quantity", h.quantity},
          {"state", saas::hour_state_name(h.state)},
          {"aws_status", h.aws_status},
          {"metering_record_id",
           h.metering_record_id.empty() ? json(nullptr) : json(h.metering_record_id)},
          {"submissions", h.submissions}};
}

json totals_json(const std::vector<saas::UsageTotal>& totals) {
  json out = json::object();
  for (const saas::UsageTotal& t : totals) out[t.dimension] = t.quantity;
  return out;
}

// One record of the body; a field of the wrong type is read as missing, and the service names it.
saas::UsageInput usage_input(const json& item) {
  saas::UsageInput in;
  const auto text = [&](const char* name) {
    auto it = item.find(name);
    return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  in.org = text("org");
  in.product_code = text("product_code");
  in.dimension = text("dimension");
  in.timestamp = text("timestamp");
  if (auto q = item.find("quantity"); q != item.end() && q->is_number_integer()) {
    in.quantity = q->get<long long>();
  }
  return in;
}

json run_json(const saas::MeterRun& run) {
  json answered = json::array();
  for (const saas::MeteredHour& h : run.answered) answered.push_back(hour_json(h));
  return {{"nothing_due", run.nothing_due()},
          {"hours_fixed", run.hours_fixed},
          {"calls", run.calls},
          {"records_sent", run.records_sent},
          {"billed", run.billed},
          {"not_subscribed", run.not_subscribed},
          {"alarms", run.alarms},
          {"expired", run.expired},
          {"unprocessed_left", run.unprocessed_left},
          {"late_usage", run.late_usage},
          {"records", answered},
          {"error", run.error.empty() ? json(nullptr) : json(run.error)}};
}

struct MeteringApi {
  const Auth& auth;
  saas::MeteringService& metering;

  http::Response post_usage(http::Request& r, RequestContext& ctx) const {
    auto body = body_object(r);
    if (!body.ok()) return auth.error(r, body.error());
    std::vector<saas::UsageInput> records;
    if (auto list = body->find("records"); list != body->end()) {
      if (!list->is_array()) {
        return auth.error(r, invalid_field("records", "records must be a list of usage records."));
      }
      for (const json& item : *list) {
        records.push_back(item.is_object() ? usage_input(item) : saas::UsageInput{});
      }
    } else {
      records.push_back(usage_input(*body));
    }
    const std::string* key = r.header("Idempotency-Key");
    auto stored = metering.record_usage(ctx.org_id(), records, key ? *key : std::string());
    if (!stored.ok()) return auth.error(r, stored.error());
    json out = json::array();
    for (const saas::Usage& u : stored->records) out.push_back(usage_json(u));
    return json_response(202, {{"records", out}, {"repeated", stored->repeated}});
  }

  http::Response import(http::Request& r, RequestContext& ctx) const {
    auto imported = metering.import_csv(ctx.org_id(), r.body);
    if (!imported.ok()) {
      if (imported.error().code_slug() == std::string_view("invalid_csv")) {
        json rows = json::array();
        for (const core::ErrorDetail& d : imported.error().details) {
          rows.push_back({{"line", std::stoi(d.field)}, {"message", d.message}});
        }
        return json_response(
            422,
            {{"error",
              {{"code", "invalid_csv"}, {"message", imported.error().message}, {"rows", rows}}}});
      }
      return auth.error(r, imported.error());
    }
    return json_response(201, {{"imported", imported->imported}});
  }

  http::Response run(http::Request& r, RequestContext&) const {
    auto ran = metering.run();
    if (!ran.ok()) return auth.error(r, ran.error());
    return json_response(202, run_json(*ran));
  }

  http::Response late(http::Request& r, RequestContext&) const {
    auto listed = metering.late_usage();
    if (!listed.ok()) return auth.error(r, listed.error());
    json out = json::array();
    for (const saas::Usage& u : *listed) out.push_back(usage_json(u));
    return json_response(200, {{"records", out}});
  }

  http::Response org_usage(http::Request& r, RequestContext& ctx) const {
    auto summary = metering.usage_summary(ctx.org_id(), r.query("product_code").value_or(""));
    if (!summary.ok()) return auth.error(r, summary.error());
    return json_response(200, {{"link_id", summary->link_id},
                               {"this_hour", totals_json(summary->this_hour)},
                               {"this_month", totals_json(summary->this_month)},
                               {"billed_this_month", totals_json(summary->billed_this_month)},
                               {"late_records_this_month", summary->late_records}});
  }

  void add_routes(http::Router& router) const {
    const MeteringApi& a = *this;
    using A = MeteringApi;
    router.post("/api/v1/usage", auth.operator_member(to(a, &A::post_usage)));
    router.post("/api/v1/usage/import", auth.operator_admin(to(a, &A::import)));
    router.post("/api/v1/metering/run", auth.operator_admin(to(a, &A::run)));
    router.get("/api/v1/metering/late", auth.operator_member(to(a, &A::late)));
    router.get("/api/v1/orgs/{org}/usage",
               auth.member(to(a, &A::org_usage), {identity::OrgKind::kCustomer}));
  }
};

}  // namespace

void add_metering_routes(http::Router& router, const Auth& auth, saas::MeteringService& metering) {
  MeteringApi{auth, metering}.add_routes(router);
}

}  // namespace web
