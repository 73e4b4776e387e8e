// The operator commands that bootstrap identity without a browser: user, org and token create.
#include <fmt/format.h>

#include <istream>

#include "app/command_context.h"
#include "app/commands.h"
#include "core/ids.h"
#include "identity/audit_log.h"
#include "identity/identity_service.h"

namespace app {

int create_user(const core::Config& config, const UserCreateArgs& args, std::istream& password_in) {
  std::string password;
  if (!std::getline(password_in, password) || password.empty()) {
    fmt::print(stderr, "marketlink: no password on standard input (--password-stdin)\n");
    return 1;
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  CommandContext ctx;
  if (!ctx.open(config)) return 1;
  auto user = ctx.service->create_user(
      {.email = args.email, .name = args.name, .password = password, .verified = args.verified});
  if (!user.ok()) return fail_command(user.error());
  fmt::print("Created user {} ({}{}), id {}\n", user->email, user->name,
             user->verified ? ", verified" : ", not verified", user->id);
  return 0;
}

int create_org(const core::Config& config, const OrgCreateArgs& args) {
  const auto kind = identity::parse_org_kind(args.kind);
  const auto subscription = identity::parse_subscription_status(args.subscription);
  if (!kind || !subscription) {
    fmt::print(stderr, "marketlink: unknown --kind or --subscription\n");
    return 2;
  }
  CommandContext ctx;
  if (!ctx.open(config)) return 1;
  auto admin = ctx.service->find_user_by_email(args.admin_email);
  if (!admin.ok()) {
    return fail_command(core::not_found(fmt::format(
        "No user has the e-mail address {}. Create it first with `marketlink user create`.",
        args.admin_email)));
  }
  auto org = ctx.service->create_organization({.name = args.name,
                                               .kind = *kind,
                                               .marketplace_id = args.marketplace_id,
                                               .subscription = *subscription,
                                               .admin_user_id = admin->id},
                                              identity::Actor::system());
  if (!org.ok()) return fail_command(org.error());
  fmt::print("Created {} organization {} (slug {}, id {}) with admin {}\n",
             identity::to_string(org->kind), org->name, org->slug, org->id, admin->email);
  return 0;
}

int create_token(const core::Config& config, const TokenCreateArgs& args) {
  CommandContext ctx;
  if (!ctx.open(config)) return 1;
  auto org = ctx.service->find_organization(args.org);
  if (!org.ok()) return fail_command(core::not_found(fmt::format("No organization {}.", args.org)));
  auto user = ctx.service->find_user_by_email(args.email);
  if (!user.ok()) return fail_command(core::not_found(fmt::format("No user {}.", args.email)));
  auto role = ctx.service->role_in(org->id, user->id);
  if (!role.ok() || *role != identity::Role::kAdmin) {
    return fail_command(core::forbidden(fmt::format(
        "{} is not an admin of {}; only admins create API tokens.", user->email, org->slug)));
  }
  auto token = ctx.service->create_api_token(
      org->id, args.name,
      {.user_id = user->id, .label = identity::normalize_email(user->email), .ip = ""});
  if (!token.ok()) return fail_command(token.error());
  fmt::print(
      "Created API token \"{}\" (id {}) for {}. It is shown only this once; send it as "
      "\"Authorization: Bearer <token>\".\n{}\n",
      token->token.name, token->token.id, org->slug, token->secret);
  return 0;
}

}  // namespace app
