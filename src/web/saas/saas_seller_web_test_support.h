#pragma once
// What the tests of the operator's pages, the subscription and billing pages and the SaaS API
// share beside SaasWebTest: customer organizations with their own subscription, landings a
// minute apart, links, API tokens, and small readers of replies.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <soci/soci.h>
#include <nlohmann/json.hpp>

#include "saas/saas.h"
#include "web/saas/saas_web_test_support.h"
#include "web/web_test_support.h"

namespace web::testing {

class SaasSellerWebTest : public SaasWebTest {
 protected:
  void add_member(const identity::Organization& org, const identity::User& user,
                  identity::Role role = identity::Role::kMember) {
    auto invited = h_.service->invite(org.id, user.email, role, identity::Actor::system());
    EXPECT_TRUE(invited.ok()) << (invited.ok() ? "" : invited.error().message);
  }

  // Lands `token`, then lets a minute pass (so that landings are ordered).
  saas::Registration land(const std::string& token, const std::string& offer_type = "") {
    auto r = saas_->land({.token = token, .offer_type = offer_type});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    h_.clock.advance(std::chrono::minutes(1));
    return r.ok() ? *r : saas::Registration{};
  }

  // Links `registration` to `org` as `admin` and expects it to work.
  saas::Link link(const saas::Registration& registration, const identity::Organization& org,
                  const identity::User& admin) {
    auto linked = saas_->link(registration.id, org.id,
                              {.user_id = admin.id, .label = admin.email, .ip = "192.0.2.9"});
    EXPECT_TRUE(linked.ok()) << (linked.ok() ? "" : linked.error().message);
    return linked.ok() ? linked->link : saas::Link{};
  }

  void set_link_status(const std::string& link_id, saas::LinkStatus status) {
    auto c = h_.database->db().connect();
    ASSERT_TRUE(c.ok());
    const std::string s = saas::link_status_name(status);
    c->sql() << "UPDATE saas_links SET status = :s WHERE id = :id", soci::use(s),
        soci::use(link_id);
  }

  std::string api_token(const identity::Organization& org) {
    auto created = h_.service->create_api_token(org.id, "connector", identity::Actor::system());
    EXPECT_TRUE(created.ok());
    return created.ok() ? created->secret : "";
  }

  // An API call with a bearer token.
  Reply call(const std::string& token, http::Method method, const std::string& path,
             const std::string& body = "") {
    TestClient c(router_);
    return c.api(method, path, body, {{"authorization", "Bearer " + token}});
  }

  static nlohmann::json body(const Reply& r) {
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  static std::string error_code(const Reply& r) {
    const nlohmann::json j = body(r);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
  }
  // The field the first detail of an error names.
  static std::string error_field(const Reply& r) {
    const nlohmann::json j = body(r);
    if (!j.is_object() || !j.contains("error") || !j["error"].contains("details")) return "";
    const auto& details = j["error"]["details"];
    return details.empty() ? "" : details[0].value("field", "");
  }
  static bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
  }
  static size_t occurrences(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t pos = text.find(needle); pos != std::string::npos;
         pos = text.find(needle, pos + needle.size())) {
      ++n;
    }
    return n;
  }
};

}  // namespace web::testing
