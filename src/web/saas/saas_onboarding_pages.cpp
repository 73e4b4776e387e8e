// The buyer's path from AWS Marketplace's "Set up product" to a linked organization:
//   POST|GET /aws/fulfillment          the landing: resolve the token, 303 to /onboarding/{id}
//   GET  /onboarding                   continue the setup this browser started (cookie)
//   GET  /onboarding/{id}              step 1: do you have an account? (or what became of it)
//   POST /onboarding/{id}/choice       existing → sign in → authorize; new → sign-up
//   GET|POST /onboarding/{id}/signup   a new account whose verification link leads back here
//   GET  /onboarding/{id}/check-email
//   GET|POST /onboarding/{id}/authorize  step 2: choose the organization, confirm; step 3 is the
//                                      organization's subscription page with a flash
// Every page can be reloaded, gone back to, or opened in another browser: the registration's id
// in the URL is the key (unguessable, 24 hours), and SaasService answers a repeated step as it
// did the first time. The token is only ever in the landing request (and, when AWS did not
// answer, in the retry form of that response): never in a URL, a cookie or a log.
#include <fmt/format.h>

#include <algorithm>

#include "core/log.h"
#include "web/handlers.h"
#include "web/page_support.h"
#include "web/saas/saas_shared.h"

namespace resources {
std::span<const core::EmbeddedFile> web_saas_templates();
}  // namespace resources

namespace web {

namespace {

using http::TemplateData;

constexpr const char* kTokenField = "x-amzn-marketplace-token";
constexpr const char* kOfferTypeField = "x-amzn-marketplace-offer-type";
// Binds the setup to the browser that landed: set on the answer to AWS's cross-site POST, it must
// come back on the top-level GET the 303 leads to, which SameSite=Lax allows (Strict would not:
// that navigation started on another site). Path /onboarding: no other page needs it.
constexpr const char* kOnboardingCookie = "ml_onboarding";
constexpr int kOnboardingCookieSeconds = 24 * 3600;

std::string onboarding_path(const std::string& id) { return "/onboarding/" + id; }

// The numbered step indicator: 1 Account, 2 Authorize, 3 Done; `current` is 1-based.
TemplateData steps(int current) {
  static constexpr const char* kLabels[] = {"Account", "Authorize", "Done"};
  TemplateData list{TemplateData::type::list};
  for (int i = 0; i < 3; ++i) {
    TemplateData s;
    s.set("number", std::to_string(i + 1));
    s.set("label", kLabels[i]);
    if (i + 1 == current) s.set("current", true);
    if (i + 1 < current) s.set("done", true);
    list.push_back(s);
  }
  return list;
}

void set_steps(TemplateData& d, int current) {
  d.set("has_steps", true);
  d.set("steps", steps(current));
}

const char* choice_label(saas::Choice c) {
  switch (c) {
    case saas::Choice::kExisting: return "Existing account";
    case saas::Choice::kNew: return "New account";
    case saas::Choice::kNone: return "Not chosen yet";
  }
  return "";
}

// What is being set up, for the top of every step.
TemplateData summary(const saas::Registration& reg, const std::optional<saas::Product>& product) {
  TemplateData s;
  s.set("product_name", product ? product->name : reg.product_code);
  s.set("product_code", reg.product_code);
  s.set("account_id", reg.customer_aws_account_id);
  if (!reg.license_arn.empty()) s.set("license_arn", reg.license_arn);
  if (!reg.customer_identifier.empty()) s.set("customer_identifier", reg.customer_identifier);
  s.set("offer", reg.free_trial() ? "Free trial" : "Paid subscription");
  if (reg.free_trial()) s.set("free_trial", true);
  return s;
}

// What support needs, so that the buyer can quote one reference instead of a screenshot.
TemplateData support_block(const saas::Registration& reg,
                           const std::optional<saas::Product>& product, const std::string& error) {
  TemplateData s;
  s.set("reference", reg.reference);
  s.set("account_id", reg.customer_aws_account_id.empty() ? "Unknown (AWS did not say)"
                                                          : reg.customer_aws_account_id);
  s.set("product", product ? product->name + " (" + product->product_code + ")"
                           : (reg.product_code.empty() ? "Unknown" : reg.product_code));
  s.set("started", display_time(reg.landed_at));
  s.set("attempted", display_time(reg.updated_at));
  s.set("choice", choice_label(reg.choice));
  s.set("error", error);
  if (product && !product->support_contact.empty()) {
    s.set("contact", product->support_contact);
    if (product->support_contact.find('@') != std::string::npos) {
      s.set("contact_href", "mailto:" + product->support_contact);
    } else {
      s.set("contact_href", product->support_contact);
    }
  }
  return s;
}

// A button on a message page: a link, or (with `post`) a small form.
TemplateData action(const std::string& label, const std::string& href, bool primary = false) {
  TemplateData a;
  a.set("label", label);
  a.set("href", href);
  if (primary) a.set("primary", true);
  return a;
}

void set_actions(TemplateData& d, const TemplateData& actions) {
  d.set("actions", actions);
  d.set("has_actions", !actions.is_empty_list());
}

// The organization of `org_id`, when the viewer belongs to it.
const identity::Organization* viewers_org(const RequestContext& ctx, const std::string& org_id) {
  for (const auto& m : ctx.memberships) {
    if (m.org.id == org_id) return &m.org;
  }
  return nullptr;
}

struct OnboardingPages {
  Pages& pages;
  const Auth& auth;
  saas::SaasService& saas;
  SaasWebSettings settings;

  // --- Landing ---

  http::Response land(http::Request& r, RequestContext& ctx) const {
    std::string token, offer_type;
    if (r.method == http::Method::kPost) {
      const Form f(r);
      token = f[kTokenField];
      offer_type = f[kOfferTypeField];
    }
    if (token.empty()) {
      token = r.query(kTokenField).value_or("");
      offer_type = r.query(kOfferTypeField).value_or(offer_type);
    }
    auto landed = saas.land({.token = token, .offer_type = offer_type});
    if (!landed.ok()) {
      if (std::string(landed.error().code_slug()) == "missing_token") return no_token(r, ctx);
      return auth.error(r, landed.error(), &ctx);
    }
    const saas::Registration& reg = *landed;
    http::Response res = reg.outcome == saas::Outcome::kAwsUnavailable
                             ? aws_unavailable(r, ctx, reg, token, offer_type)
                             : http::Response::redirect(onboarding_path(reg.id));
    std::string cookie = fmt::format("{}={}; Path=/onboarding; Max-Age={}; HttpOnly; SameSite=Lax",
                                     kOnboardingCookie, reg.id, kOnboardingCookieSeconds);
    if (settings.secure_cookies) cookie += "; Secure";
    res.add_header("Set-Cookie", cookie);
    return res;
  }

  // Someone opened the fulfillment URL without a token.
  http::Response no_token(http::Request& r, RequestContext& ctx) const {
    TemplateData d;
    d.set("icon_fail", true);
    d.set("heading", "This page is opened from AWS Marketplace");
    d.set("message",
          "There is no subscription to set up here: this address is where AWS Marketplace sends "
          "you after you subscribe.");
    d.set("detail", "Open your subscription in AWS Marketplace and choose Set up product.");
    TemplateData actions{TemplateData::type::list};
    actions.push_back(action("Open AWS Marketplace", settings.subscriptions_url, true));
    set_actions(d, actions);
    return pages.render(r, ctx, "onboarding_message", Frame{.title = "Set up your subscription"}, d,
                        400);
  }

  // AWS did not answer: this answer carries a form that posts the same token again (to this
  // same-site URL), so that "Try again" resolves it once AWS is back. Never cached.
  http::Response aws_unavailable(http::Request& r, RequestContext& ctx,
                                 const saas::Registration& reg, const std::string& token,
                                 const std::string& offer_type) const {
    TemplateData d = message_page(reg, std::nullopt, "aws_unavailable");
    TemplateData retry;
    retry.set("token", token);
    retry.set("offer_type", offer_type);
    d.set("retry", retry);
    http::Response res = pages.render(r, ctx, "onboarding_message",
                                      Frame{.title = "AWS Marketplace did not answer"}, d, 503);
    res.set_header("Cache-Control", "no-store");
    res.set_header("Retry-After", "5");
    return res;
  }

  // --- Step 1 ---

  http::Response resume(http::Request& r, RequestContext& ctx) const {
    if (auto id = r.cookie(kOnboardingCookie); id && !id->empty()) {
      if (saas.registration(*id).ok()) return http::Response::redirect(onboarding_path(*id));
    }
    TemplateData d;
    d.set("icon_info", true);
    d.set("heading", "No setup in progress in this browser");
    d.set("message",
          "To set up an AWS Marketplace subscription, open it in AWS Marketplace and choose Set "
          "up product, or open the setup link you were given.");
    TemplateData actions{TemplateData::type::list};
    actions.push_back(action("Open AWS Marketplace", settings.subscriptions_url, true));
    set_actions(d, actions);
    return pages.render(r, ctx, "onboarding_message", Frame{.title = "Set up your subscription"}, d,
                        404);
  }

  http::Response start(http::Request& r, RequestContext& ctx) const {
    auto details = saas.registration_details(r.param("id"));
    if (!details.ok()) return not_found(r, ctx, details.error());
    const saas::Registration& reg = details->registration;
    if (auto settled = settled_page(r, ctx, *details)) return std::move(*settled);
    TemplateData d;
    set_steps(d, 1);
    d.set("summary", summary(reg, details->product));
    d.set("choice_action", onboarding_path(reg.id) + "/choice");
    d.set("reference", reg.reference);
    if (ctx.user) {
      d.set("signed_in_as", ctx.user->name.empty() ? ctx.user->email : ctx.user->name);
      d.set("signed_in_email", ctx.user->email);
    }
    return pages.render(r, ctx, "onboarding", Frame{.title = "Set up " + product_name(*details)},
                        d);
  }

  http::Response choose(http::Request& r, RequestContext& ctx) const {
    const Form f(r);
    const auto choice = saas::parse_choice(f["choice"]);
    if (!choice || *choice == saas::Choice::kNone) {
      core::Error e = core::invalid("Choose whether you have an account.", "invalid_argument");
      e.details.push_back({.field = "choice", .message = "Choose existing or new."});
      return auth.error(r, e, &ctx);
    }
    auto chosen = saas.record_choice(r.param("id"), *choice);
    if (!chosen.ok()) return not_found(r, ctx, chosen.error());
    const std::string base = onboarding_path(chosen->id);
    if (*choice == saas::Choice::kNew) return http::Response::redirect(base + "/signup");
    if (ctx.user) return http::Response::redirect(base + "/authorize");
    return http::Response::redirect("/login?next=" + http::url_encode(base + "/authorize"));
  }

  // --- A new account ---

  http::Response signup_form(http::Request& r, RequestContext& ctx) const {
    auto details = saas.registration_details(r.param("id"));
    if (!details.ok()) return not_found(r, ctx, details.error());
    if (auto settled = settled_page(r, ctx, *details)) return std::move(*settled);
    return signup_page(r, ctx, *details, TemplateData{}, 200);
  }

  http::Response signup(http::Request& r, RequestContext& ctx) const {
    auto details = saas.registration_details(r.param("id"));
    if (!details.ok()) return not_found(r, ctx, details.error());
    if (auto settled = settled_page(r, ctx, *details)) return std::move(*settled);
    const std::string base = onboarding_path(details->registration.id);
    const Form f(r);
    const auto subscription = details->product ? details->product->new_org_subscription
                                               : identity::SubscriptionStatus::kTrial;
    auto created = auth.identity().sign_up({.email = f["email"],
                                            .name = f["name"],
                                            .password = f["password"],
                                            .organization_name = f["organization_name"],
                                            .subscription = subscription,
                                            .next = base + "/authorize"},
                                           r.remote_ip);
    if (!created.ok()) {
      TemplateData d;
      d.set("email", f["email"]);
      d.set("name", f["name"]);
      d.set("organization_name", f["organization_name"]);
      set_errors(d, created.error());
      return signup_page(r, ctx, *details, d, status_of(created.error()));
    }
    return http::Response::redirect(base +
                                    "/check-email?email=" + http::url_encode(created->user.email));
  }

  http::Response signup_page(http::Request& r, RequestContext& ctx,
                             const saas::RegistrationDetails& details, TemplateData d,
                             int status) const {
    const std::string base = onboarding_path(details.registration.id);
    set_steps(d, 1);
    d.set("setting_up", product_name(details));
    d.set("signup_action", base + "/signup");
    d.set("login_href", "/login?next=" + http::url_encode(base + "/authorize"));
    if (ctx.user) {
      // A signed-in user creates a new account only after signing out; say so, and offer theirs.
      TemplateData m;
      m.set("icon_info", true);
      set_steps(m, 1);
      m.set("heading", "You are signed in");
      m.set("message", "You are signed in as " + ctx.user->email +
                           ". Link one of your organizations, or sign out to create a new "
                           "account.");
      TemplateData actions{TemplateData::type::list};
      actions.push_back(action("Link an organization of yours", base + "/authorize", true));
      set_actions(m, actions);
      m.set("sign_out", true);
      m.set("sign_out_next", base + "/signup");
      return pages.render(r, ctx, "onboarding_message", Frame{.title = "Create an account"}, m);
    }
    return pages.render(r, ctx, "signup", Frame{.title = "Create an account"}, d, status);
  }

  http::Response check_email(http::Request& r, RequestContext& ctx) const {
    auto details = saas.registration_details(r.param("id"));
    if (!details.ok()) return not_found(r, ctx, details.error());
    const std::string email = r.query("email").value_or("");
    TemplateData d;
    set_steps(d, 1);
    d.set("icon_mail", true);
    d.set("heading", "Check your inbox");
    d.set("message",
          (email.empty() ? std::string("We sent you a link") : "We sent a link to " + email) +
              " to confirm your e-mail address.");
    d.set("detail",
          "Open it within 24 hours and sign in: you come back here to link " +
              product_name(*details) +
              " to your new organization. You can close this tab. Nothing arrived? Check your "
              "spam folder, or send a new link.");
    d.set("resend", true);
    d.set("email", email);
    return pages.render(r, ctx, "onboarding_message", Frame{.title = "Check your inbox"}, d);
  }

  // --- Step 2: authorize ---

  http::Response authorize_form(http::Request& r, RequestContext& ctx) const {
    auto view = saas.authorize_view(r.param("id"), ctx.user->id);
    if (!view.ok()) return not_found(r, ctx, view.error());
    auto details = saas.registration_details(view->registration.id);
    if (!details.ok()) return not_found(r, ctx, details.error());
    if (auto settled = settled_page(r, ctx, *details)) return std::move(*settled);
    return authorize_page(r, ctx, *view, "");
  }

  http::Response authorize_page(http::Request& r, RequestContext& ctx,
                                const saas::AuthorizeView& view, const std::string& chosen) const {
    const saas::Registration& reg = view.registration;
    TemplateData d;
    set_steps(d, 2);
    d.set("summary", summary(reg, view.product));
    d.set("action", onboarding_path(reg.id) + "/authorize");
    d.set("user_email", ctx.user->email);
    d.set("reference", reg.reference);
    d.set("signup_href", onboarding_path(reg.id) + "/signup");
    TemplateData orgs{TemplateData::type::list};
    int linkable = 0;
    std::string first_linkable;
    for (const auto& option : view.organizations) {
      if (option.can_link && first_linkable.empty() &&
          option.org.kind == identity::OrgKind::kCustomer) {
        first_linkable = option.org.id;
      }
    }
    const std::string selected = chosen.empty() ? first_linkable : chosen;
    for (const auto& option : view.organizations) {
      // Customers use the seller's product; the other kinds are the reselling side's.
      if (option.org.kind != identity::OrgKind::kCustomer) continue;
      TemplateData o;
      o.set("id", option.org.id);
      o.set("name", option.org.name);
      o.set("role", identity::display_name(option.role));
      o.set("kind", identity::display_name(option.org.kind));
      if (option.can_link) {
        ++linkable;
        if (option.org.id == selected) o.set("checked", true);
      } else if (option.linked) {
        o.set("linked", true);
        o.set("reason", "Already linked to this subscription.");
      } else {
        o.set("disabled", true);
        o.set("reason", option.problem ? option.problem->message : "Cannot be linked.");
        if (option.problem) {
          std::string names;
          for (const auto& a : saas::admins_of(*option.problem)) {
            names += (names.empty() ? "" : ", ") + (a.name.empty() ? a.email : a.name) + " (" +
                     a.email + ")";
          }
          if (!names.empty()) o.set("admins", "Its admins: " + names + ".");
        }
      }
      orgs.push_back(o);
    }
    d.set("org_options", orgs);
    if (orgs.is_empty_list()) d.set("no_orgs", true);
    if (linkable > 0) d.set("can_confirm", true);
    if (linkable == 0 && !orgs.is_empty_list()) d.set("none_linkable", true);
    return pages.render(
        r, ctx, "onboarding_authorize",
        Frame{.title = "Authorize " + (view.product ? view.product->name : reg.product_code)}, d);
  }

  http::Response authorize(http::Request& r, RequestContext& ctx) const {
    const Form f(r);
    const std::string org_id = f["org"];
    if (org_id.empty()) {
      auto view = saas.authorize_view(r.param("id"), ctx.user->id);
      if (!view.ok()) return not_found(r, ctx, view.error());
      return authorize_page(r, ctx, *view, "");
    }
    auto linked = saas.link(r.param("id"), org_id, ctx.actor(r));
    if (linked.ok()) {
      auto org = auth.identity().find_organization(linked->link.org_id);
      const std::string slug = org.ok() ? org->slug : linked->link.org_id;
      const char* text = "Linked to AWS Marketplace";
      if (linked->change == saas::LinkChange::kAgreementAdded) {
        text = "Linked to AWS Marketplace: the new agreement is added to your subscription";
      } else if (linked->change == saas::LinkChange::kUnchanged) {
        text = "Already linked to AWS Marketplace";
      }
      return auth.redirect_with_flash(
          "/orgs/" + slug + "/subscription", text,
          linked->change == saas::LinkChange::kUnchanged ? "info" : "ok");
    }
    const core::Error& e = linked.error();
    const std::string slug = e.code_slug();
    if (slug == "registration_not_found") return not_found(r, ctx, e);
    auto details = saas.registration_details(r.param("id"));
    if (!details.ok()) return not_found(r, ctx, details.error());
    return refusal_page(r, ctx, *details, e);
  }

  // --- Pages that end the path ---

  // The page of a registration that cannot go on from step 1 or 2 (AWS refused the token, it
  // expired, it is linked already), or nullopt when it can.
  std::optional<http::Response> settled_page(http::Request& r, RequestContext& ctx,
                                             const saas::RegistrationDetails& details) const {
    const saas::Registration& reg = details.registration;
    if (reg.linked()) return linked_page(r, ctx, details);
    if (!reg.resolved()) {
      TemplateData d = message_page(reg, details.product, outcome_slug(reg));
      return pages.render(r, ctx, "onboarding_message",
                          Frame{.title = saas::display_name(reg.outcome)}, d,
                          status_for(outcome_slug(reg)));
    }
    if (details.expired) {
      TemplateData d = message_page(reg, details.product, "registration_expired");
      return pages.render(r, ctx, "onboarding_message", Frame{.title = "This setup has expired"}, d,
                          410);
    }
    return std::nullopt;
  }

  static std::string outcome_slug(const saas::Registration& reg) {
    return reg.outcome_slug.empty() ? saas::outcome_name(reg.outcome) : reg.outcome_slug;
  }

  http::Response linked_page(http::Request& r, RequestContext& ctx,
                             const saas::RegistrationDetails& details) const {
    const saas::Registration& reg = details.registration;
    TemplateData d;
    set_steps(d, 3);
    d.set("icon_ok", true);
    d.set("summary", summary(reg, details.product));
    TemplateData actions{TemplateData::type::list};
    if (const identity::Organization* org = viewers_org(ctx, reg.linked_org_id)) {
      d.set("heading", "This subscription is set up");
      d.set("message",
            product_name(details) + " from AWS Marketplace is linked to " + org->name + ".");
      actions.push_back(action("Open " + org->name + "'s subscription",
                               "/orgs/" + org->slug + "/subscription", true));
    } else {
      d.set("heading", "This subscription is already set up");
      d.set("message",
            product_name(details) + " from AWS Marketplace is already linked to an organization.");
      d.set("detail", ctx.user ? "You are not a member of it: ask its admins to invite you."
                               : "Sign in as one of its members to open it.");
      if (!ctx.user) {
        actions.push_back(
            action("Sign in", "/login?next=" + http::url_encode(onboarding_path(reg.id)), true));
      }
    }
    set_actions(d, actions);
    return pages.render(r, ctx, "onboarding_message", Frame{.title = "Subscription set up"}, d);
  }

  http::Response refusal_page(http::Request& r, RequestContext& ctx,
                              const saas::RegistrationDetails& details,
                              const core::Error& e) const {
    const std::string slug = e.code_slug();
    if (slug == "registration_used") return linked_page(r, ctx, details);
    const saas::Registration& reg = details.registration;
    TemplateData d = message_page(reg, details.product, slug, &e, &ctx);
    return pages.render(r, ctx, "onboarding_message", Frame{.title = "The link was not made"}, d,
                        status_of(e));
  }

  http::Response not_found(http::Request& r, RequestContext& ctx, const core::Error& e) const {
    if (e.code != core::ErrorCode::kNotFound) return auth.error(r, e, &ctx);
    TemplateData d;
    d.set("icon_fail", true);
    d.set("heading", "This setup link does not work");
    d.set("message", "There is no AWS Marketplace setup at this address.");
    d.set("detail",
          "Check that the link is complete, or start again: open your subscription in AWS "
          "Marketplace and choose Set up product.");
    TemplateData actions{TemplateData::type::list};
    actions.push_back(action("Open AWS Marketplace", settings.subscriptions_url, true));
    set_actions(d, actions);
    return pages.render(r, ctx, "onboarding_message", Frame{.title = "Setup not found"}, d, 404);
  }

  // The message page of a problem `slug` (an outcome or a link error): one sentence of what
  // happened, what to do, and the support reference. `e` and `ctx` name organizations and
  // admins for link errors.
  TemplateData message_page(const saas::Registration& reg,
                            const std::optional<saas::Product>& product, const std::string& slug,
                            const core::Error* e = nullptr,
                            const RequestContext* ctx = nullptr) const {
    TemplateData d;
    d.set("icon_fail", true);
    const std::string restart_url =
        product && !product->manage_url.empty() ? product->manage_url : settings.subscriptions_url;
    const std::string name = product ? product->name : "the product";
    TemplateData actions{TemplateData::type::list};
    const auto restart = [&](bool primary) {
      actions.push_back(action("Start again in AWS Marketplace", restart_url, primary));
    };
    // The organization a link error names, when the viewer is one of its members.
    const identity::Organization* other =
        e != nullptr && ctx != nullptr ? viewers_org(*ctx, saas::other_org_of(*e)) : nullptr;
    std::string heading, message, detail;
    if (slug == "invalid_token") {
      heading = "AWS Marketplace's link did not work";
      message = "AWS Marketplace did not recognize this setup link.";
      detail = "Open your subscription in AWS Marketplace and choose Set up product again.";
      restart(true);
    } else if (slug == "expired_token") {
      heading = "This setup link has expired";
      message =
          "Links from AWS Marketplace's Set up product work for 4 hours, and this one is older.";
      detail =
          "Open your subscription in AWS Marketplace and choose Set up product again: you "
          "get a new link.";
      restart(true);
    } else if (slug == "product_unknown") {
      heading = "This product is not sold here";
      message = "The subscription is for product " + reg.product_code +
                ", which this Marketlink does not sell.";
      detail =
          "The seller's fulfillment URL may be wrong. Contact the seller with the reference "
          "below.";
      restart(false);
    } else if (slug == "aws_unavailable") {
      heading = "AWS Marketplace did not answer";
      message = "We could not confirm your subscription with AWS Marketplace just now.";
      detail =
          "Nothing is lost: try again in a moment. If it keeps failing, contact support "
          "with the reference below.";
    } else if (slug == "registration_expired") {
      heading = "This setup has expired";
      message = "A setup must be finished within 24 hours, and this one started on " +
                display_time(reg.landed_at) + ".";
      detail = "Open your subscription in AWS Marketplace and choose Set up product again.";
      restart(true);
    } else if (slug == "buyer_linked_elsewhere") {
      heading = "This AWS account is already linked";
      message = "AWS account " + reg.customer_aws_account_id + " already uses " + name +
                " through " + (other ? other->name : "another organization") + ".";
      detail = other ? "Open that organization to manage the subscription, or contact support to "
                       "move it."
                     : "Sign in as an admin of that organization to manage it, or contact support "
                       "with the reference below to move the subscription.";
      if (other) {
        actions.push_back(
            action("Open " + other->name, "/orgs/" + other->slug + "/subscription", true));
      }
      actions.push_back(
          action("Choose another organization", onboarding_path(reg.id) + "/authorize"));
    } else if (slug == "no_subscription") {
      heading = "This organization has no active plan";
      message = (e ? e->message : std::string("The organization's own subscription has ended."));
      detail =
          "Choose an organization with an active or trial plan, or renew the plan on its "
          "Billing page and try again.";
      actions.push_back(
          action("Choose another organization", onboarding_path(reg.id) + "/authorize", true));
    } else if (slug == "org_already_linked") {
      heading = "This organization already has " + name;
      message =
          (e ? e->message : std::string("The organization is linked to this product already."));
      detail =
          "An organization has one AWS Marketplace subscription per product. Choose another "
          "organization, or create a new account.";
      actions.push_back(
          action("Choose another organization", onboarding_path(reg.id) + "/authorize", true));
      actions.push_back(action("Create a new account", onboarding_path(reg.id) + "/signup"));
    } else if (slug == "not_admin") {
      heading = "Only an admin can link this organization";
      message =
          e ? e->message : std::string("You are a member of this organization, not an admin.");
      detail =
          "Ask one of its admins to open this page and confirm, or choose another "
          "organization.";
      TemplateData admins{TemplateData::type::list};
      if (e != nullptr) {
        for (const auto& a : saas::admins_of(*e)) {
          TemplateData c;
          c.set("name", a.name.empty() ? a.email : a.name);
          c.set("email", a.email);
          admins.push_back(c);
        }
      }
      d.set("admins", admins);
      d.set("has_admins", e != nullptr && !saas::admins_of(*e).empty());
      d.set("share_link", saas.settings().public_url + onboarding_path(reg.id));
      actions.push_back(
          action("Choose another organization", onboarding_path(reg.id) + "/authorize", true));
    } else if (slug == "organization_not_found") {
      heading = "You cannot link that organization";
      message = "You are not a member of that organization.";
      detail = "Choose one of your organizations.";
      actions.push_back(
          action("Choose another organization", onboarding_path(reg.id) + "/authorize", true));
    } else {
      heading = "The link was not made";
      message = e ? e->message : reg.outcome_message;
      detail = "Contact support with the reference below.";
    }
    d.set("heading", heading);
    d.set("message", message);
    d.set("detail", detail);
    set_actions(d, actions);
    d.set("support",
          support_block(reg, product, (e ? e->message : reg.outcome_message) + " (" + slug + ")"));
    return d;
  }

  static int status_for(const std::string& slug) {
    if (slug == "invalid_token") return 400;
    if (slug == "expired_token") return 410;
    if (slug == "product_unknown") return 404;
    if (slug == "aws_unavailable") return 503;
    return 409;
  }

  static std::string product_name(const saas::RegistrationDetails& details) {
    return details.product ? details.product->name : details.registration.product_code;
  }
};

}  // namespace

core::Status add_onboarding_routes(http::Router& router, Pages& pages, const Auth& auth,
                                   saas::SaasService& saas, const SaasWebSettings& settings) {
  if (auto added = pages.add_templates(resources::web_saas_templates()); !added.ok()) return added;
  using P = OnboardingPages;
  const P p{.pages = pages, .auth = auth, .saas = saas, .settings = settings};
  router.post("/aws/fulfillment", auth.external(to(p, &P::land)));
  router.get("/aws/fulfillment", auth.external(to(p, &P::land)));
  router.get("/onboarding", auth.anyone(to(p, &P::resume)));
  router.get("/onboarding/{id}", auth.anyone(to(p, &P::start)));
  router.post("/onboarding/{id}/choice", auth.anyone(to(p, &P::choose)));
  router.get("/onboarding/{id}/signup", auth.anyone(to(p, &P::signup_form)));
  router.post("/onboarding/{id}/signup", auth.anyone(to(p, &P::signup)));
  router.get("/onboarding/{id}/check-email", auth.anyone(to(p, &P::check_email)));
  router.get("/onboarding/{id}/authorize", auth.signed_in(to(p, &P::authorize_form)));
  router.post("/onboarding/{id}/authorize", auth.signed_in(to(p, &P::authorize)));
  return {};
}

}  // namespace web
