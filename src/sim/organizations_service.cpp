// AWS Organizations (json 1.1, AWSOrganizationsV20161128): organizations, member accounts and
// the asynchronous CreateAccount (IN_PROGRESS, then SUCCEEDED or FAILED).
#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "sim/sim_state.h"

namespace sim {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const Organization& callers_organization(Ctx& ctx, const Call& call) {
  const Account& account = ctx.account(call.caller.account_id);
  auto it = ctx.st.organizations.find(account.organization_id);
  if (account.organization_id.empty() || it == ctx.st.organizations.end()) {
    throw_error(400, "AWSOrganizationsNotInUseException",
                "Your account is not a member of an organization.");
  }
  return it->second;
}

const Organization& management_only(Ctx& ctx, const Call& call) {
  const Organization& org = callers_organization(ctx, call);
  if (org.management_account_id != call.caller.account_id) {
    throw_error(400, "AccessDeniedException",
                "You don't have permissions to access this resource. This operation can be "
                "called only from the organization's management account.");
  }
  return org;
}

Json organization_json(Ctx& ctx, const Organization& org) {
  const Account& mgmt = ctx.account(org.management_account_id);
  return {{"Id", org.id},
          {"Arn", fmt::format("arn:aws:organizations::{}:organization/{}", mgmt.id, org.id)},
          {"FeatureSet", "ALL"},
          {"MasterAccountArn",
           fmt::format("arn:aws:organizations::{}:account/{}/{}", mgmt.id, org.id, mgmt.id)},
          {"MasterAccountId", mgmt.id},
          {"MasterAccountEmail", mgmt.email},
          {"AvailablePolicyTypes", Json::array()}};
}

Json status_json(const CreateAccountRequest& r) {
  Json j = {{"Id", r.id},
            {"AccountName", r.name},
            {"State", r.state},
            {"RequestedTimestamp", epoch_seconds(r.requested)}};
  if (r.completed) j["CompletedTimestamp"] = epoch_seconds(*r.completed);
  if (!r.account_id.empty()) j["AccountId"] = r.account_id;
  if (!r.failure_reason.empty()) j["FailureReason"] = r.failure_reason;
  return j;
}

// Pagination over a list by position; NextToken is the next position.
std::pair<size_t, size_t> page(const Call& call, size_t total, long long max_limit) {
  long long max = max_limit;
  if (call.input.contains("MaxResults")) {
    const Json& m = call.input["MaxResults"];
    if (!m.is_number_integer() || m.get<long long>() < 1 || m.get<long long>() > max_limit)
      throw_error(400, "InvalidInputException",
                  fmt::format("MaxResults must be between 1 and {}.", max_limit));
    max = m.get<long long>();
  }
  size_t start = 0;
  const std::string token = json_string(call.input, "NextToken", false, "InvalidInputException");
  if (!token.empty()) {
    if (!token.starts_with("orgs-page-"))
      throw_error(400, "InvalidInputException", "Bad NextToken.");
    start = std::stoul(token.substr(10));
  }
  return {std::min(start, total), std::min(total, start + static_cast<size_t>(max))};
}

aws::HttpResponse create_organization(Ctx& ctx, const Call& call) {
  Account& account = ctx.account(call.caller.account_id);
  if (!account.organization_id.empty()) {
    throw_error(400, "AlreadyInOrganizationException",
                "This account is already a member of an organization.");
  }
  Organization org;
  org.id = ctx.new_id("o-", 10);
  org.management_account_id = account.id;
  org.created = ctx.now;
  ctx.st.organizations[org.id] = org;
  account.organization_id = org.id;
  account.joined_method = "CREATED";
  return json_reply({{"Organization", organization_json(ctx, org)}}, call.request_id);
}

aws::HttpResponse create_account(Ctx& ctx, const Call& call) {
  management_only(ctx, call);
  const std::string email = json_string(call.input, "Email", true, "InvalidInputException");
  const std::string name = json_string(call.input, "AccountName", true, "InvalidInputException");
  static const std::regex kEmail(R"([^\s@]+@[^\s@]+\.[^\s@]+)");
  if (email.size() < 6 || email.size() > 64 || !std::regex_match(email, kEmail)) {
    throw_error(400, "InvalidInputException",
                "You provided a value that does not match the required pattern: Email.");
  }
  if (name.empty() || name.size() > 50) {
    throw_error(400, "InvalidInputException", "AccountName must be 1 to 50 characters.");
  }
  CreateAccountRequest r;
  r.id = ctx.new_id("car-", 32);
  r.requester_account_id = call.caller.account_id;
  r.email = email;
  r.name = name;
  r.role_name = json_string(call.input, "RoleName", false, "InvalidInputException");
  if (r.role_name.empty()) r.role_name = "OrganizationAccountAccessRole";
  r.requested = ctx.now;
  r.due = ctx.now + ctx.st.settings.create_account_delay;
  ctx.st.create_requests[r.id] = r;
  ctx.st.create_request_order.push_back(r.id);
  settle_create_accounts(ctx);  // a zero delay completes at once
  return json_reply({{"CreateAccountStatus", status_json(ctx.st.create_requests.at(r.id))}},
                    call.request_id);
}

aws::HttpResponse describe_create_account_status(Ctx& ctx, const Call& call) {
  const Organization& org = management_only(ctx, call);
  const std::string id =
      json_string(call.input, "CreateAccountRequestId", true, "InvalidInputException");
  static const std::regex kId("car-[a-z0-9]{8,32}");
  if (!std::regex_match(id, kId)) {
    throw_error(400, "InvalidInputException",
                "You provided a value that does not match the required pattern: "
                "CreateAccountRequestId.");
  }
  auto it = ctx.st.create_requests.find(id);
  if (it == ctx.st.create_requests.end() ||
      ctx.account(it->second.requester_account_id).organization_id != org.id) {
    throw_error(400, "CreateAccountStatusNotFoundException",
                "We can't find a create account request with the CreateAccountRequestId that you "
                "specified.");
  }
  return json_reply({{"CreateAccountStatus", status_json(it->second)}}, call.request_id);
}

aws::HttpResponse list_create_account_status(Ctx& ctx, const Call& call) {
  const Organization& org = management_only(ctx, call);
  std::vector<std::string> states;
  if (call.input.contains("States")) {
    for (const auto& s : call.input["States"]) states.push_back(s.get<std::string>());
  }
  std::vector<const CreateAccountRequest*> matching;
  for (const auto& id : ctx.st.create_request_order) {
    const auto& r = ctx.st.create_requests.at(id);
    if (ctx.account(r.requester_account_id).organization_id != org.id) continue;
    if (!states.empty() && std::find(states.begin(), states.end(), r.state) == states.end())
      continue;
    matching.push_back(&r);
  }
  const auto [start, end] = page(call, matching.size(), 20);
  Json list = Json::array();
  for (size_t i = start; i < end; ++i) list.push_back(status_json(*matching[i]));
  Json out = {{"CreateAccountStatuses", list}};
  if (end < matching.size()) out["NextToken"] = fmt::format("orgs-page-{}", end);
  return json_reply(out, call.request_id);
}

Json account_json(const Account& a, const Organization& org) {
  return {{"Id", a.id},
          {"Arn", fmt::format("arn:aws:organizations::{}:account/{}/{}", org.management_account_id,
                              org.id, a.id)},
          {"Email", a.email},
          {"Name", a.name},
          {"Status", "ACTIVE"},
          {"State", "ACTIVE"},
          {"JoinedMethod", a.joined_method},
          {"JoinedTimestamp", epoch_seconds(a.created)}};
}

aws::HttpResponse list_accounts(Ctx& ctx, const Call& call) {
  const Organization& org = management_only(ctx, call);
  std::vector<const Account*> members;
  for (const auto& [id, a] : ctx.st.accounts) {
    if (a.organization_id == org.id) members.push_back(&a);
  }
  const auto [start, end] = page(call, members.size(), 20);
  Json list = Json::array();
  for (size_t i = start; i < end; ++i) list.push_back(account_json(*members[i], org));
  Json out = {{"Accounts", list}};
  if (end < members.size()) out["NextToken"] = fmt::format("orgs-page-{}", end);
  return json_reply(out, call.request_id);
}

aws::HttpResponse describe_account(Ctx& ctx, const Call& call) {
  const Organization& org = management_only(ctx, call);
  const std::string id = json_string(call.input, "AccountId", true, "InvalidInputException");
  const Account* a = ctx.find_account(id);
  if (a == nullptr || a->organization_id != org.id) {
    throw_error(400, "AccountNotFoundException",
                "We can't find an AWS account with the AccountId that you specified, or the "
                "account whose credentials you used to make this request isn't a member of an "
                "organization.");
  }
  return json_reply({{"Account", account_json(*a, org)}}, call.request_id);
}

}  // namespace

void settle_create_accounts(Ctx& ctx) {
  for (const auto& id : ctx.st.create_request_order) {
    CreateAccountRequest& r = ctx.st.create_requests.at(id);
    if (r.state != "IN_PROGRESS" || r.due > ctx.now) continue;
    r.completed = ctx.now;
    const std::string email = lower(r.email);
    const bool taken = std::any_of(ctx.st.accounts.begin(), ctx.st.accounts.end(),
                                   [&](const auto& kv) { return lower(kv.second.email) == email; });
    const Account* requester = ctx.find_account(r.requester_account_id);
    if (taken) {
      r.state = "FAILED";
      r.failure_reason = "EMAIL_ALREADY_EXISTS";
    } else if (requester == nullptr || requester->organization_id.empty()) {
      r.state = "FAILED";
      r.failure_reason = "INTERNAL_FAILURE";
    } else {
      Account a;
      a.id = ctx.new_account_id();
      a.email = r.email;
      a.name = r.name;
      a.created = ctx.now;
      a.organization_id = requester->organization_id;
      a.joined_method = "CREATED";
      a.roles.push_back({r.role_name, r.requester_account_id});
      r.account_id = a.id;
      r.state = "SUCCEEDED";
      ctx.st.accounts[a.id] = std::move(a);
    }
    ctx.st.dirty = true;
  }
}

aws::HttpResponse organizations_call(Ctx& ctx, const Call& call) {
  const std::string& op = call.operation;
  if (op == "CreateOrganization") return create_organization(ctx, call);
  if (op == "DescribeOrganization") {
    return json_reply({{"Organization", organization_json(ctx, callers_organization(ctx, call))}},
                      call.request_id);
  }
  if (op == "CreateAccount") return create_account(ctx, call);
  if (op == "DescribeCreateAccountStatus") return describe_create_account_status(ctx, call);
  if (op == "ListCreateAccountStatus") return list_create_account_status(ctx, call);
  if (op == "ListAccounts") return list_accounts(ctx, call);
  if (op == "DescribeAccount") return describe_account(ctx, call);
  throw_error(400, "UnknownOperationException", "Unknown operation " + op + ".");
}

}  // namespace sim
