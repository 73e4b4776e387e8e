// Linking a registration to an organization: every condition answered by its own error, the
// no-op refresh, a new agreement of a buyer already linked here, the audit entry and the e-mail
// in the link's transaction, the refusals on the registration, and the authorize page's view.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include "saas/saas.h"
#include "saas/saas_test_support.h"

namespace saas {
namespace {

using db::testing::TestBackend;
using identity::Role;
using identity::SubscriptionStatus;
using testing::SaasFixture;
using testing::SaasHarness;

class LinkTest : public SaasFixture {
 protected:
  void SetUp() override {
    SaasFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    legacy_ = h_.product("legacy-prod", false, "Legacy Product");
    concurrent_ = h_.product("concurrent-prod", true, "Concurrent Product");
    ann_ = h_.id.user("ann@acme.test", "Ann Admin");
    bob_ = h_.id.user("bob@acme.test", "Bob Member");
    cat_ = h_.id.user("cat@acme.test", "Cat Coadmin");
    acme_ = h_.customer("Acme", ann_);
    h_.add_member(acme_, bob_, Role::kMember);
    h_.add_member(acme_, cat_, Role::kAdmin);
  }

  // A legacy buyer's registration (customer identifier `customer`).
  Registration legacy_registration(const std::string& name, const std::string& account,
                                   const std::string& customer) {
    return h_.land(h_.token(name, "legacy-prod", account, customer));
  }
  Registration concurrent_registration(const std::string& name, const std::string& account,
                                       const std::string& license) {
    return h_.land(h_.token(name, "concurrent-prod", account, "", license));
  }

  core::Result<LinkResult> link(const Registration& r, const identity::Organization& org,
                                const identity::User& user) {
    return h_.service->link(r.id, org.id, SaasHarness::actor(user));
  }

  std::vector<RegistrationEvent> timeline(const std::string& id) {
    auto d = h_.service->registration_details(id);
    EXPECT_TRUE(d.ok());
    return d.ok() ? d->timeline : std::vector<RegistrationEvent>{};
  }

  std::vector<identity::AuditEvent> saas_log(const identity::Organization& org) {
    auto page = h_.id.audit->list(org.id, 50, "");
    EXPECT_TRUE(page.ok());
    std::vector<identity::AuditEvent> out;
    if (!page.ok()) return out;
    for (const auto& e : page->events) {
      if (e.action.starts_with("saas.")) out.push_back(e);
    }
    return out;
  }

  size_t mails_with_subject(const std::string& subject) {
    size_t n = 0;
    for (const auto& m : h_.id.mail.messages()) n += m.subject == subject ? 1 : 0;
    return n;
  }

  long long live_links() {
    auto c = h_.db().connect();
    long long n = 0;
    c->sql() << "SELECT COUNT(*) FROM saas_links WHERE status NOT IN ('cancelled', 'failed')",
        soci::into(n);
    return n;
  }

  void set_link_status(const std::string& link_id, LinkStatus status) {
    auto c = h_.db().connect();
    const std::string s = link_status_name(status);
    c->sql() << "UPDATE saas_links SET status = :s WHERE id = :id", soci::use(s),
        soci::use(link_id);
  }

  Product legacy_, concurrent_;
  identity::User ann_, bob_, cat_;
  identity::Organization acme_;
};

TEST_P(LinkTest, AnAdminLinksAResolvedRegistration) {
  Registration r = legacy_registration("a", "111111111111", "cust-a");
  h_.clock().advance(std::chrono::hours(23));  // finishing a day later, within 24 h
  auto linked = link(r, acme_, ann_);
  ASSERT_TRUE(linked.ok()) << linked.error().message;
  EXPECT_EQ(linked->change, LinkChange::kCreated);
  const Link& l = linked->link;
  EXPECT_EQ(l.status, LinkStatus::kPending);
  EXPECT_EQ(l.org_id, acme_.id);
  EXPECT_EQ(l.product_code, "legacy-prod");
  EXPECT_EQ(l.registration_id, r.id);
  EXPECT_EQ(l.customer_identifier, "cust-a");
  EXPECT_EQ(l.customer_aws_account_id, "111111111111");
  EXPECT_EQ(l.linked_by_user_id, ann_.id);

  auto after = h_.service->registration(r.id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->outcome, Outcome::kLinked);
  EXPECT_EQ(after->linked_org_id, acme_.id);
  EXPECT_EQ(after->link_id, l.id);
  EXPECT_TRUE(after->linked_at.has_value());
  EXPECT_EQ(timeline(r.id).back().kind, EventKind::kLinked);
  EXPECT_EQ(timeline(r.id).back().user_id, ann_.id);

  auto log = saas_log(acme_);
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].action, "saas.linked");
  EXPECT_EQ(log[0].target_id, l.id);
  EXPECT_EQ(log[0].actor_user_id, ann_.id);

  // Every admin is told, and nobody else.
  std::set<std::string> told;
  for (const auto& m : h_.id.mail.messages()) {
    if (m.subject != "Linked to AWS Marketplace") continue;
    told.insert(m.to);
    EXPECT_NE(m.text_body.find("Legacy Product"), std::string::npos);
    EXPECT_NE(m.text_body.find("http://marketlink.test/orgs/acme/subscription"), std::string::npos)
        << m.text_body;
    EXPECT_NE(m.text_body.find(legacy_.manage_url), std::string::npos);
  }
  EXPECT_EQ(told, (std::set<std::string>{"ann@acme.test", "cat@acme.test"}));

  auto subs = h_.service->subscriptions(acme_.id);
  ASSERT_TRUE(subs.ok());
  ASSERT_EQ(subs->size(), 1U);
  EXPECT_EQ((*subs)[0].link.id, l.id);
  EXPECT_EQ((*subs)[0].product.name, "Legacy Product");
}

TEST_P(LinkTest, LinkingTheSameRegistrationToTheSameOrganizationAgainChangesNothing) {
  Registration r = legacy_registration("b", "222222222222", "cust-b");
  auto first = link(r, acme_, ann_);
  ASSERT_TRUE(first.ok());
  h_.clock().advance(std::chrono::hours(30));  // even after the registration would have expired
  auto again = link(r, acme_, cat_);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->change, LinkChange::kUnchanged);
  EXPECT_EQ(again->link.id, first->link.id);
  EXPECT_EQ(live_links(), 1);
  EXPECT_EQ(mails_with_subject("Linked to AWS Marketplace"), 2U) << "one e-mail per admin, once";
  EXPECT_EQ(saas_log(acme_).size(), 1U);
}

TEST_P(LinkTest, ARegistrationLinkedElsewhereIsUsed) {
  Registration r = legacy_registration("c", "333333333333", "cust-c");
  const identity::Organization other = h_.customer("Other", ann_);
  ASSERT_TRUE(link(r, acme_, ann_).ok());
  auto used = link(r, other, ann_);
  ASSERT_FALSE(used.ok());
  EXPECT_EQ(used.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(used.error().slug, "registration_used");
  EXPECT_EQ(other_org_of(used.error()), acme_.id);
  auto after = h_.service->registration(r.id);
  EXPECT_EQ(after->outcome, Outcome::kLinked) << "a refusal does not undo a link";
  EXPECT_EQ(timeline(r.id).back().kind, EventKind::kLinkRefused);
  EXPECT_EQ(timeline(r.id).back().slug, "registration_used");
}

TEST_P(LinkTest, AMemberIsToldWhoTheAdminsAre) {
  Registration r = legacy_registration("d", "444444444444", "cust-d");
  auto refused = link(r, acme_, bob_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kForbidden);
  EXPECT_EQ(refused.error().slug, "not_admin");
  auto admins = admins_of(refused.error());
  ASSERT_EQ(admins.size(), 2U);
  std::set<std::string> emails;
  for (const Contact& c : admins) {
    emails.insert(c.email);
    EXPECT_EQ(c.name, c.email == "ann@acme.test" ? "Ann Admin" : "Cat Coadmin");
  }
  EXPECT_EQ(emails, (std::set<std::string>{"ann@acme.test", "cat@acme.test"}));

  auto after = h_.service->registration(r.id);
  EXPECT_EQ(after->outcome, Outcome::kRefused);
  EXPECT_EQ(after->outcome_slug, "not_admin");
  const RegistrationEvent last = timeline(r.id).back();
  EXPECT_EQ(last.kind, EventKind::kLinkRefused);
  EXPECT_EQ(last.org_id, acme_.id);
  EXPECT_EQ(last.user_id, bob_.id);
  EXPECT_EQ(live_links(), 0);
  EXPECT_EQ(mails_with_subject("Linked to AWS Marketplace"), 0U);

  // An admin then links it: refused is not final.
  auto linked = link(r, acme_, ann_);
  ASSERT_TRUE(linked.ok()) << linked.error().message;
  EXPECT_EQ(h_.service->registration(r.id)->outcome, Outcome::kLinked);
  EXPECT_EQ(h_.service->registration(r.id)->outcome_slug, "");
}

TEST_P(LinkTest, SomeoneOutsideTheOrganizationFindsNoOrganization) {
  Registration r = legacy_registration("e", "555555555555", "cust-e");
  const identity::User stranger = h_.id.user("zed@elsewhere.test", "Zed");
  auto refused = link(r, acme_, stranger);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(refused.error().slug, "organization_not_found");
  EXPECT_TRUE(admins_of(refused.error()).empty()) << "nothing about the organization leaks";
  auto unknown = h_.service->link(r.id, "no-such-org", SaasHarness::actor(ann_));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().slug, "organization_not_found");
  EXPECT_EQ(
      h_.service->link("no-such-registration", acme_.id, SaasHarness::actor(ann_)).error().slug,
      "registration_not_found");
  EXPECT_EQ(h_.service->link(r.id, acme_.id, identity::Actor::system()).error().slug,
            "invalid_argument");
}

TEST_P(LinkTest, TheOrganizationNeedsATrialOrActiveSubscriptionOfItsOwn) {
  const identity::Organization none = h_.customer("No Plan", ann_, SubscriptionStatus::kNone);
  const identity::Organization active = h_.customer("Paid", ann_, SubscriptionStatus::kActive);
  const identity::Organization trial = h_.customer("Trying", ann_, SubscriptionStatus::kTrial);
  Registration r1 = legacy_registration("f1", "666666666661", "cust-f1");
  auto refused = link(r1, none, ann_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().slug, "no_subscription");
  EXPECT_TRUE(link(r1, active, ann_).ok());

  // A trial that has ended (identity: 14 days) counts as none.
  h_.clock().advance(std::chrono::hours(24 * 15));
  Registration r2 = legacy_registration("f2", "666666666662", "cust-f2");
  auto ended = link(r2, trial, ann_);
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.error().slug, "no_subscription");

  // Nor can an organization that is not a customer be linked.
  Registration r3 = legacy_registration("f3", "666666666663", "cust-f3");
  EXPECT_EQ(h_.service->link(r3.id, h_.operator_org.id, h_.operator_actor()).error().slug,
            "no_subscription");
}

TEST_P(LinkTest, AnOrganizationHasOneLinkPerProduct) {
  Registration first = legacy_registration("g1", "777777777771", "cust-g1");
  Registration second = legacy_registration("g2", "777777777772", "cust-g2");
  auto linked = link(first, acme_, ann_);
  ASSERT_TRUE(linked.ok());
  auto refused = link(second, acme_, ann_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(refused.error().slug, "org_already_linked");
  ASSERT_EQ(refused.error().details.size(), 1U);
  EXPECT_EQ(refused.error().details[0].message, linked->link.id);

  // Another product is another link.
  Registration other_product = concurrent_registration("g3", "777777777773", "arn:l-g3");
  EXPECT_TRUE(link(other_product, acme_, ann_).ok());
  EXPECT_EQ(live_links(), 2);
}

TEST_P(LinkTest, ALegacyBuyerIsLinkedToOneOrganization) {
  const identity::Organization other = h_.customer("Other", ann_);
  // A first setup that AWS did not answer, then a second one that is linked to Acme.
  const std::string first_token = h_.token("h1", "legacy-prod", "888888888888", "cust-h");
  h_.resolver.set_unavailable(true);
  h_.land(first_token);
  h_.resolver.set_unavailable(false);
  Registration linked = legacy_registration("h2", "888888888888", "cust-h");
  ASSERT_TRUE(link(linked, acme_, ann_).ok());
  // Try again in the first browser: that setup resolves, for a buyer already linked.
  Registration again = h_.land(first_token);
  ASSERT_NE(again.id, linked.id);
  ASSERT_EQ(again.outcome, Outcome::kResolved);
  auto elsewhere = link(again, other, ann_);
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().slug, "buyer_linked_elsewhere");
  EXPECT_EQ(other_org_of(elsewhere.error()), acme_.id);
  // To the organization it is linked to: the same link.
  auto here = link(again, acme_, ann_);
  ASSERT_TRUE(here.ok()) << here.error().message;
  EXPECT_EQ(here->change, LinkChange::kUnchanged);
  EXPECT_EQ(live_links(), 1);
  EXPECT_EQ(h_.service->registration(again.id)->outcome, Outcome::kLinked);
}

TEST_P(LinkTest, SetUpProductAgainAfterLinkingLandsOnTheLinkedSetup) {
  Registration r = legacy_registration("g1", "787878787878", "cust-g");
  auto linked = link(r, acme_, ann_);
  ASSERT_TRUE(linked.ok());
  h_.clock().advance(std::chrono::hours(30));  // long after the setup would have expired
  Registration again = legacy_registration("g2", "787878787878", "cust-g");
  EXPECT_EQ(again.id, r.id);
  EXPECT_TRUE(again.linked());
  EXPECT_EQ(again.linked_org_id, acme_.id);
  // Once the link has ended (cancelled in AWS), the buyer's next subscription starts afresh.
  set_link_status(linked->link.id, LinkStatus::kCancelled);
  Registration renewed = legacy_registration("g3", "787878787878", "cust-g");
  EXPECT_NE(renewed.id, r.id);
  EXPECT_EQ(renewed.outcome, Outcome::kResolved);
}

TEST_P(LinkTest, ANewAgreementOfAnAccountLinkedHereUpdatesTheLink) {
  const identity::Organization other = h_.customer("Other", ann_);
  Registration first =
      concurrent_registration("i1", "999999999999", "arn:aws:license-manager::1:license:l-1");
  auto linked = link(first, acme_, ann_);
  ASSERT_TRUE(linked.ok());
  h_.clock().advance(std::chrono::hours(2));
  Registration second =
      concurrent_registration("i2", "999999999999", "arn:aws:license-manager::1:license:l-2");
  auto updated = link(second, acme_, cat_);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(updated->change, LinkChange::kAgreementAdded);
  EXPECT_EQ(updated->link.id, linked->link.id);
  EXPECT_EQ(updated->link.license_arn, "arn:aws:license-manager::1:license:l-2");
  EXPECT_EQ(updated->link.registration_id, second.id);
  EXPECT_EQ(live_links(), 1);
  auto subs = h_.service->subscriptions(acme_.id);
  ASSERT_EQ(subs->size(), 1U);
  EXPECT_EQ((*subs)[0].link.license_arn, "arn:aws:license-manager::1:license:l-2");
  EXPECT_EQ(saas_log(acme_).front().action, "saas.link_updated");
  EXPECT_EQ(timeline(second.id).back().kind, EventKind::kLinkUpdated);

  // The same AWS account to another organization: refused, whatever the license.
  Registration third =
      concurrent_registration("i3", "999999999999", "arn:aws:license-manager::1:license:l-3");
  auto elsewhere = link(third, other, ann_);
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().slug, "buyer_linked_elsewhere");
}

TEST_P(LinkTest, ARegistrationExpiresTwentyFourHoursAfterLanding) {
  Registration r = legacy_registration("j", "121212121212", "cust-j");
  h_.clock().advance(std::chrono::hours(24));
  auto expired = link(r, acme_, ann_);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(expired.error().slug, "registration_expired");
  EXPECT_EQ(h_.service->registration(r.id)->outcome_slug, "registration_expired");
  EXPECT_EQ(live_links(), 0);
}

TEST_P(LinkTest, ATokenThatDidNotResolveCannotBeLinked) {
  Registration invalid = h_.land("not-a-token");
  h_.resolver.set_unavailable(true);
  Registration unavailable = h_.land(h_.token("k", "legacy-prod", "131313131313", "cust-k"));
  h_.resolver.set_unavailable(false);
  Registration foreign = h_.land(h_.token("k2", "not-ours", "131313131314", "cust-k2"));
  for (const Registration& r : {invalid, unavailable, foreign}) {
    auto refused = link(r, acme_, ann_);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().slug, "token_not_resolved");
    EXPECT_FALSE(refused.error().message.empty());
    auto after = h_.service->registration(r.id);
    EXPECT_EQ(after->outcome, r.outcome) << "the outcome keeps what AWS said";
    EXPECT_EQ(timeline(r.id).back().kind, EventKind::kLinkRefused);
  }
  EXPECT_EQ(live_links(), 0);
}

TEST_P(LinkTest, AnEndedLinkNoLongerCounts) {
  Registration first = legacy_registration("l1", "141414141414", "cust-l");
  auto linked = link(first, acme_, ann_);
  ASSERT_TRUE(linked.ok());
  set_link_status(linked->link.id, LinkStatus::kCancelled);
  // The buyer subscribes again (legacy: the same customer identifier) and links another
  // organization; Acme may link another buyer.
  const identity::Organization other = h_.customer("Other", ann_);
  Registration again = legacy_registration("l2", "141414141414", "cust-l");
  EXPECT_TRUE(link(again, other, ann_).ok());
  Registration another = legacy_registration("l3", "151515151515", "cust-m");
  EXPECT_TRUE(link(another, acme_, ann_).ok());

  auto subs = h_.service->subscriptions(acme_.id);
  ASSERT_TRUE(subs.ok());
  ASSERT_EQ(subs->size(), 2U);
  EXPECT_EQ((*subs)[0].link.status, LinkStatus::kPending) << "live first";
  EXPECT_EQ((*subs)[1].link.status, LinkStatus::kCancelled);
}

TEST_P(LinkTest, TheAuthorizeViewGivesEachOrganizationLinkOrWhyNot) {
  const identity::Organization none = h_.customer("B No Plan", ann_, SubscriptionStatus::kNone);
  const identity::Organization taken = h_.customer("C Taken", ann_);
  const identity::User dan = h_.id.user("dan@d.test", "Dan Admin");
  const identity::Organization members_only = h_.customer("D Dans", dan);
  h_.add_member(members_only, ann_, Role::kMember);
  ASSERT_TRUE(link(legacy_registration("m0", "161616161610", "cust-m0"), taken, ann_).ok());

  Registration r = legacy_registration("m1", "161616161611", "cust-m1");
  auto view = h_.service->authorize_view(r.id, ann_.id);
  ASSERT_TRUE(view.ok()) << view.error().message;
  EXPECT_FALSE(view->problem.has_value());
  ASSERT_TRUE(view->product.has_value());
  EXPECT_EQ(view->product->name, "Legacy Product");
  EXPECT_EQ(view->registration.id, r.id);
  ASSERT_EQ(view->organizations.size(), 4U);
  std::map<std::string, OrgOption> by_name;
  for (const OrgOption& o : view->organizations) by_name[o.org.name] = o;
  EXPECT_TRUE(by_name["Acme"].can_link);
  EXPECT_FALSE(by_name["Acme"].problem.has_value());
  EXPECT_FALSE(by_name["B No Plan"].can_link);
  EXPECT_EQ(by_name["B No Plan"].problem->slug, "no_subscription");
  EXPECT_EQ(by_name["C Taken"].problem->slug, "org_already_linked");
  EXPECT_EQ(by_name["D Dans"].role, Role::kMember);
  ASSERT_TRUE(by_name["D Dans"].problem.has_value());
  EXPECT_EQ(by_name["D Dans"].problem->slug, "not_admin");
  ASSERT_EQ(admins_of(*by_name["D Dans"].problem).size(), 1U);
  EXPECT_EQ(admins_of(*by_name["D Dans"].problem)[0].email, "dan@d.test");
  EXPECT_EQ(h_.service->registration(r.id)->outcome, Outcome::kResolved)
      << "looking changes nothing";

  // Once linked: that organization shows linked, the others say the registration is used.
  ASSERT_TRUE(link(r, acme_, ann_).ok());
  view = h_.service->authorize_view(r.id, ann_.id);
  ASSERT_TRUE(view.ok());
  ASSERT_TRUE(view->problem.has_value());
  EXPECT_EQ(view->problem->slug, "registration_used");
  for (const OrgOption& o : view->organizations) {
    EXPECT_FALSE(o.can_link) << o.org.name;
    EXPECT_EQ(o.linked, o.org.id == acme_.id) << o.org.name;
    if (!o.linked) {
      EXPECT_EQ(o.problem->slug, "registration_used");
    }
  }

  // Expired before linking: the registration's problem, and no organization can take it.
  Registration late = legacy_registration("m2", "161616161612", "cust-m2");
  h_.clock().advance(std::chrono::hours(25));
  view = h_.service->authorize_view(late.id, ann_.id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->problem->slug, "registration_expired");
  for (const OrgOption& o : view->organizations) EXPECT_FALSE(o.can_link);

  EXPECT_EQ(h_.service->authorize_view("nope", ann_.id).error().slug, "registration_not_found");
}

INSTANTIATE_TEST_SUITE_P(Backends, LinkTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace saas
