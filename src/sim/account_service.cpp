// AWS Account Management (rest-json): alternate contacts, for the caller's own account or, from
// an organization's management account, for a member account.
#include <fmt/format.h>

#include <regex>

#include "sim/sim_state.h"

namespace sim {

namespace {

[[noreturn]] void validation(const std::string& field, const std::string& message) {
  AwsError e{400, "ValidationException", fmt::format("Invalid request body: {}", message),
             Json::object()};
  e.extra["reason"] = "fieldValidationFailed";
  e.extra["fieldList"] = Json::array({{{"name", field}, {"message", message}}});
  throw e;
}

std::string field(const Json& input, const std::string& name, size_t max_len, bool required) {
  if (!input.contains(name) || input[name].is_null()) {
    if (required) validation(name, name + " must not be null.");
    return {};
  }
  if (!input[name].is_string()) validation(name, name + " must be a string.");
  std::string value = input[name].get<std::string>();
  if (required && value.empty()) validation(name, name + " must not be empty.");
  if (value.size() > max_len)
    validation(name, fmt::format("{} must be at most {} characters.", name, max_len));
  return value;
}

std::string contact_type(const Json& input) {
  std::string type = field(input, "AlternateContactType", 32, true);
  if (type != "BILLING" && type != "OPERATIONS" && type != "SECURITY") {
    validation("AlternateContactType",
               "AlternateContactType must be one of BILLING, OPERATIONS, SECURITY.");
  }
  return type;
}

// The account a call acts on, checking the caller may act on it.
Account& target_account(Ctx& ctx, const Call& call) {
  const std::string id = field(call.input, "AccountId", 12, false);
  if (id.empty() || id == call.caller.account_id) return ctx.account(call.caller.account_id);
  static const std::regex kId("[0-9]{12}");
  if (!std::regex_match(id, kId)) validation("AccountId", "AccountId must be 12 digits.");
  Account* target = ctx.find_account(id);
  const Account& caller = ctx.account(call.caller.account_id);
  const auto org = ctx.st.organizations.find(caller.organization_id);
  const bool is_management =
      org != ctx.st.organizations.end() && org->second.management_account_id == caller.id;
  if (target == nullptr || !is_management || target->organization_id != caller.organization_id) {
    throw_error(403, "AccessDeniedException",
                fmt::format("User: {} is not authorized to perform: account:{} on resource: "
                            "arn:aws:account::{}:account",
                            call.caller.arn, call.operation, id));
  }
  return *target;
}

aws::HttpResponse empty_ok(const Call& call) {
  aws::HttpResponse r;
  r.status = 200;
  r.set_header("Content-Type", "application/json");
  r.set_header("x-amzn-RequestId", call.request_id);
  return r;
}

}  // namespace

aws::HttpResponse account_call(Ctx& ctx, const Call& call) {
  if (call.operation == "PutAlternateContact") {
    const std::string type = contact_type(call.input);
    Contact c;
    c.name = field(call.input, "Name", 64, true);
    c.title = field(call.input, "Title", 50, true);
    c.email = field(call.input, "EmailAddress", 254, true);
    c.phone = field(call.input, "PhoneNumber", 25, true);
    static const std::regex kPhone(R"([\s0-9()+-]+)");
    if (!std::regex_match(c.phone, kPhone))
      validation("PhoneNumber", "PhoneNumber must match [\\s0-9()+-]+.");
    static const std::regex kEmail(R"([\s]*[\w+=.#|!&-]{1,64}@[\w.-]{1,230}\.[\w-]{1,60}[\s]*)");
    if (!std::regex_match(c.email, kEmail))
      validation("EmailAddress", "EmailAddress is not a valid e-mail address.");
    Account& account = target_account(ctx, call);
    account.contacts[type] = c;
    return empty_ok(call);
  }
  if (call.operation == "GetAlternateContact") {
    const std::string type = contact_type(call.input);
    Account& account = target_account(ctx, call);
    auto it = account.contacts.find(type);
    if (it == account.contacts.end()) {
      throw_error(404, "ResourceNotFoundException",
                  "No contact of the inputted alternate contact type found.");
    }
    aws::HttpResponse r = empty_ok(call);
    r.body = Json{{"AlternateContact",
                   {{"AlternateContactType", type},
                    {"EmailAddress", it->second.email},
                    {"Name", it->second.name},
                    {"PhoneNumber", it->second.phone},
                    {"Title", it->second.title}}}}
                 .dump();
    return r;
  }
  if (call.operation == "DeleteAlternateContact") {
    const std::string type = contact_type(call.input);
    Account& account = target_account(ctx, call);
    if (account.contacts.erase(type) == 0) {
      throw_error(404, "ResourceNotFoundException",
                  "No contact of the inputted alternate contact type found.");
    }
    return empty_ok(call);
  }
  throw_error(404, "UnknownOperationException", "Unknown operation " + call.operation + ".");
}

}  // namespace sim
