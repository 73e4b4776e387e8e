// RequestContext: who is asking and about which organization, resolved by web::Auth before a
// handler runs (see web/auth.h). Handlers read it; they never look at cookies or headers for
// credentials themselves.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/message.h"
#include "identity/identity_service.h"
#include "identity/types.h"

namespace web {

struct RequestContext {
  // A signed-in browser: the user and every organization they belong to (ordered by name).
  std::optional<identity::User> user;
  std::vector<identity::Membership> memberships;
  // A bearer token: its organization (and the admin role in it).
  std::optional<identity::TokenPrincipal> token;
  // {org} routes: the organization named in the path, already checked, and the caller's role.
  std::optional<identity::Organization> org;
  identity::Role role = identity::Role::kMember;

  std::string session_token;  // the session cookie's value, when signed in
  // The CSRF token every form on the page must carry as `csrf_token`.
  std::string csrf_token;
  // A flash message left by the previous response's redirect.
  std::string flash_message;
  std::string flash_kind;
  // Cookies to add to the response (set by Auth).
  std::vector<std::string> set_cookies;

  bool signed_in() const { return user.has_value(); }
  bool is_admin() const { return org.has_value() && role == identity::Role::kAdmin; }
  // The organization id of {org} routes ("" elsewhere): pass it to every tenant-scoped query.
  const std::string& org_id() const;
  // The actor for the audit log: the user or the token, and the client's address.
  identity::Actor actor(const http::Request& request) const;
};

}  // namespace web
