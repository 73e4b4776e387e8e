// AWS STS (query, 2011-06-15): GetCallerIdentity and AssumeRole. AssumeRole succeeds only into a
// role that trusts the caller's account; the temporary credentials it returns are accepted by
// the simulator until they expire.
#include <fmt/format.h>

#include <regex>

#include "sim/sim_state.h"

namespace sim {

namespace {

constexpr std::string_view kXmlns = "https://sts.amazonaws.com/doc/2011-06-15/";

aws::HttpResponse get_caller_identity(const Call& call) {
  std::string x;
  xml_element(x, "Arn", call.caller.arn);
  xml_element(x, "UserId", call.caller.user_id);
  xml_element(x, "Account", call.caller.account_id);
  return query_reply(call, kXmlns, x);
}

aws::HttpResponse assume_role(Ctx& ctx, const Call& call) {
  const std::string role_arn = call.param("RoleArn");
  const std::string session = call.param("RoleSessionName");
  static const std::regex kRoleArn(
      R"(arn:aws:iam::([0-9]{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+))");
  std::smatch m;
  if (role_arn.size() < 20 || !std::regex_match(role_arn, m, kRoleArn)) {
    throw_error(400, "ValidationError",
                fmt::format("{} is invalid: RoleArn must be an IAM role ARN.", role_arn));
  }
  static const std::regex kSession(R"([\w+=,.@-]{2,64})");
  if (!std::regex_match(session, kSession)) {
    throw_error(400, "ValidationError",
                "1 validation error detected: Value at 'roleSessionName' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
  }
  long long duration = ctx.st.settings.session_duration.count();
  if (call.has_param("DurationSeconds")) {
    try {
      duration = std::stoll(call.param("DurationSeconds"));
    } catch (const std::exception&) {
      duration = -1;
    }
    if (duration < 900 || duration > 43200) {
      throw_error(400, "ValidationError",
                  "The requested DurationSeconds must be between 900 and 43200 seconds.");
    }
  }
  const std::string account_id = m[1];
  const std::string role_name = m[2];
  const Account* target = ctx.find_account(account_id);
  bool trusted = false;
  if (target) {
    for (const auto& role : target->roles) {
      trusted =
          trusted || (role.name == role_name && role.trusted_account_id == call.caller.account_id);
    }
  }
  if (!trusted) {
    throw_error(403, "AccessDenied",
                fmt::format("User: {} is not authorized to perform: sts:AssumeRole on resource: {}",
                            call.caller.arn, role_arn));
  }
  AccessKey& key = ctx.new_access_key(account_id, true);
  const std::string role_id = "AROA" + random_chars(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
  key.arn = fmt::format("arn:aws:sts::{}:assumed-role/{}/{}", account_id, role_name, session);
  key.user_id = role_id + ":" + session;
  key.expires = ctx.now + std::chrono::seconds(duration);
  std::string x = "<Credentials>";
  xml_element(x, "AccessKeyId", key.access_key_id);
  xml_element(x, "SecretAccessKey", key.secret_access_key);
  xml_element(x, "SessionToken", key.session_token);
  xml_element(x, "Expiration", iso8601(*key.expires));
  x += "</Credentials><AssumedRoleUser>";
  xml_element(x, "AssumedRoleId", key.user_id);
  xml_element(x, "Arn", key.arn);
  x += "</AssumedRoleUser>";
  return query_reply(call, kXmlns, x);
}

}  // namespace

aws::HttpResponse sts_call(Ctx& ctx, const Call& call) {
  if (call.operation == "GetCallerIdentity") return get_caller_identity(call);
  if (call.operation == "AssumeRole") return assume_role(ctx, call);
  throw_error(400, "InvalidAction",
              fmt::format("Could not find operation {} for version 2011-06-15", call.operation));
}

}  // namespace sim
