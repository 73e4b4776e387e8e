// AWS IAM (query, 2010-05-08): users, login profiles, attached policies and the account alias
// (unique across the whole simulator, as across AWS).
#include <fmt/format.h>

#include <regex>

#include "sim/sim_state.h"

namespace sim {

namespace {

constexpr std::string_view kXmlns = "https://iam.amazonaws.com/doc/2010-05-08/";

std::string user_name(const Call& call) {
  std::string name = call.param("UserName");
  static const std::regex kName(R"([\w+=,.@-]{1,64})");
  if (!std::regex_match(name, kName)) {
    throw_error(400, "ValidationError",
                fmt::format("1 validation error detected: Value '{}' at 'userName' failed to "
                            "satisfy constraint: Member must satisfy regular expression pattern: "
                            "[\\w+=,.@-]+",
                            name));
  }
  return name;
}

IamUser& existing_user(Ctx& ctx, const Call& call, const std::string& name) {
  Account& account = ctx.account(call.caller.account_id);
  auto it = account.users.find(name);
  if (it == account.users.end()) {
    throw_error(404, "NoSuchEntity", fmt::format("The user with name {} cannot be found.", name));
  }
  return it->second;
}

std::string user_xml(const Account& account, const IamUser& u) {
  std::string x = "<User>";
  xml_element(x, "Path", u.path);
  xml_element(x, "UserName", u.name);
  xml_element(x, "UserId", u.user_id);
  xml_element(x, "Arn", fmt::format("arn:aws:iam::{}:user{}{}", account.id, u.path, u.name));
  xml_element(x, "CreateDate", iso8601(u.created));
  x += "</User>";
  return x;
}

aws::HttpResponse create_user(Ctx& ctx, const Call& call) {
  const std::string name = user_name(call);
  Account& account = ctx.account(call.caller.account_id);
  if (account.users.contains(name)) {
    throw_error(409, "EntityAlreadyExists", fmt::format("User with name {} already exists.", name));
  }
  IamUser u;
  u.name = name;
  u.user_id = "AIDA" + random_chars(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
  u.path = call.has_param("Path") ? call.param("Path") : "/";
  u.created = ctx.now;
  account.users[name] = u;
  return query_reply(call, kXmlns, user_xml(account, u));
}

aws::HttpResponse get_user(Ctx& ctx, const Call& call) {
  Account& account = ctx.account(call.caller.account_id);
  if (!call.has_param("UserName")) {
    if (call.caller.arn.find(":root") == std::string::npos) {
      throw_error(400, "ValidationError",
                  "Must specify userName when calling with non-User credentials");
    }
    std::string x = "<User>";
    xml_element(x, "UserId", account.id);
    xml_element(x, "Arn", call.caller.arn);
    xml_element(x, "CreateDate", iso8601(account.created));
    x += "</User>";
    return query_reply(call, kXmlns, x);
  }
  const IamUser& u = existing_user(ctx, call, user_name(call));
  return query_reply(call, kXmlns, user_xml(account, u));
}

aws::HttpResponse create_login_profile(Ctx& ctx, const Call& call) {
  IamUser& u = existing_user(ctx, call, user_name(call));
  const std::string password = call.param("Password");
  if (password.size() < 8) {
    throw_error(400, "PasswordPolicyViolation", "Password should have a minimum length of 8");
  }
  if (u.login_profile) {
    throw_error(409, "EntityAlreadyExists",
                fmt::format("Login Profile for user {} already exists.", u.name));
  }
  u.login_profile = true;
  u.password_reset_required = call.param("PasswordResetRequired") == "true";
  u.login_profile_created = ctx.now;
  std::string x = "<LoginProfile>";
  xml_element(x, "UserName", u.name);
  xml_element(x, "CreateDate", iso8601(u.login_profile_created));
  xml_element(x, "PasswordResetRequired", u.password_reset_required ? "true" : "false");
  x += "</LoginProfile>";
  return query_reply(call, kXmlns, x);
}

aws::HttpResponse attach_user_policy(Ctx& ctx, const Call& call) {
  const std::string name = user_name(call);
  const std::string arn = call.param("PolicyArn");
  static const std::regex kArn(R"(arn:aws:iam::(aws|[0-9]{12}):policy/[\w+=,.@/-]+)");
  if (!std::regex_match(arn, kArn)) {
    throw_error(400, "InvalidInput", fmt::format("ARN {} is not valid.", arn));
  }
  IamUser& u = existing_user(ctx, call, name);
  if (!arn.starts_with("arn:aws:iam::aws:policy/")) {
    throw_error(404, "NoSuchEntity",
                fmt::format("Policy {} does not exist or is not attachable.", arn));
  }
  if (std::find(u.policy_arns.begin(), u.policy_arns.end(), arn) == u.policy_arns.end())
    u.policy_arns.push_back(arn);
  return query_reply(call, kXmlns, "", false);
}

aws::HttpResponse create_account_alias(Ctx& ctx, const Call& call) {
  const std::string alias = call.param("AccountAlias");
  static const std::regex kAlias("[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]");
  if (!std::regex_match(alias, kAlias)) {
    throw_error(400, "ValidationError",
                fmt::format("1 validation error detected: Value '{}' at 'accountAlias' failed to "
                            "satisfy constraint: Member must satisfy regular expression pattern: "
                            "^[a-z0-9]([a-z0-9]|-(?!-)){{1,61}}[a-z0-9]$",
                            alias));
  }
  for (const auto& [id, a] : ctx.st.accounts) {
    if (a.alias == alias && id != call.caller.account_id) {
      throw_error(409, "EntityAlreadyExists",
                  fmt::format("The account alias {} already exists.", alias));
    }
  }
  ctx.account(call.caller.account_id).alias = alias;
  return query_reply(call, kXmlns, "", false);
}

aws::HttpResponse list_account_aliases(Ctx& ctx, const Call& call) {
  const Account& account = ctx.account(call.caller.account_id);
  std::string x = "<AccountAliases>";
  if (!account.alias.empty()) xml_element(x, "member", account.alias);
  x += "</AccountAliases><IsTruncated>false</IsTruncated>";
  return query_reply(call, kXmlns, x);
}

}  // namespace

aws::HttpResponse iam_call(Ctx& ctx, const Call& call) {
  const std::string& op = call.operation;
  if (op == "CreateUser") return create_user(ctx, call);
  if (op == "GetUser") return get_user(ctx, call);
  if (op == "CreateLoginProfile") return create_login_profile(ctx, call);
  if (op == "AttachUserPolicy") return attach_user_policy(ctx, call);
  if (op == "CreateAccountAlias") return create_account_alias(ctx, call);
  if (op == "ListAccountAliases") return list_account_aliases(ctx, call);
  throw_error(400, "InvalidAction",
              fmt::format("Could not find operation {} for version 2010-05-08", op));
}

}  // namespace sim
