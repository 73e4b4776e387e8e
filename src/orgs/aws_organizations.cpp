#include "orgs/aws_organizations.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "orgs/aws_organization_store.h"

namespace orgs {

namespace {

core::Error secret_key_missing() {
  return core::unavailable(
      "AWS secrets cannot be stored: this server has no secret key. Set MARKETLINK_SECRET_KEY or "
      "MARKETLINK_SECRET_KEY_FILE (`marketlink secret-key` prints a new key).",
      "secret_key_missing");
}

core::Error not_found() {
  return core::not_found("There is no such AWS organization in this marketplace.",
                         "aws_organization_not_found");
}

core::Error invalid_input(std::vector<core::ErrorDetail> details) {
  core::Error e =
      core::invalid(details.size() == 1 ? details.front().message : "Some fields need attention.",
                    "invalid_argument");
  e.details = std::move(details);
  return e;
}

void key_errors(const std::string& key_id, const std::string& secret,
                std::vector<core::ErrorDetail>& errors) {
  static const std::regex kKeyId("[A-Z0-9]{16,128}");
  static const std::regex kSecret("[\\x21-\\x7e]{16,128}");
  if (!std::regex_match(key_id, kKeyId)) {
    errors.push_back({.field = "access_key_id",
                      .message = "Enter an AWS access key ID: 16 to 128 capital letters and "
                                 "digits, e.g. AKIAIOSFODNN7EXAMPLE."});
  } else if (key_id.starts_with("ASIA")) {
    errors.push_back({.field = "access_key_id",
                      .message = "This is a temporary key (ASIA…), which expires. Use the IAM "
                                 "user's access key (AKIA…)."});
  }
  if (!std::regex_match(secret, kSecret)) {
    errors.push_back({.field = "secret_access_key",
                      .message = "Enter the secret access key: 16 to 128 characters without "
                                 "spaces."});
  }
}

std::string aws_reason(const core::Error& e) { return e.message; }

// The sample ids the page's examples use (the length of real ones).
constexpr std::string_view kSampleIds[] = {"1cc0c520-b", "5f067d3a-3"};
static_assert(kSampleIds[0].size() == kMemberIdLength);

Check passed(std::string name, std::string message) {
  return {.name = std::move(name), .status = CheckStatus::kPassed, .message = std::move(message)};
}
Check failed(std::string name, std::string message) {
  return {.name = std::move(name), .status = CheckStatus::kFailed, .message = std::move(message)};
}
Check skipped(std::string name) {
  return {.name = std::move(name),
          .status = CheckStatus::kSkipped,
          .message = "Not checked: an earlier check failed."};
}

bool all_passed(const std::vector<Check>& checks) {
  return std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.ok(); });
}

PreflightError preflight_error(std::vector<Check> checks) {
  std::string first;
  for (const Check& c : checks) {
    if (c.status == CheckStatus::kFailed) {
      first = c.message;
      break;
    }
  }
  return PreflightError{
      .error = core::invalid("A check against AWS failed: " + first + " Nothing was saved.",
                             "preflight_failed"),
      .checks = std::move(checks)};
}

}  // namespace

const std::vector<std::string>& known_regions() {
  static const std::vector<std::string> kRegions = {
      "us-east-1",      "us-east-2",      "us-west-1",      "us-west-2",      "af-south-1",
      "ap-east-1",      "ap-south-1",     "ap-south-2",     "ap-southeast-1", "ap-southeast-2",
      "ap-southeast-3", "ap-southeast-4", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
      "ca-central-1",   "ca-west-1",      "eu-central-1",   "eu-central-2",   "eu-west-1",
      "eu-west-2",      "eu-west-3",      "eu-south-1",     "eu-south-2",     "eu-north-1",
      "il-central-1",   "me-south-1",     "me-central-1",   "sa-east-1"};
  return kRegions;
}

const char* check_status_name(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPassed: return "passed";
    case CheckStatus::kFailed: return "failed";
    case CheckStatus::kSkipped: return "skipped";
  }
  return "skipped";
}

std::optional<CheckStatus> parse_check_status(std::string_view name) {
  if (name == "passed") return CheckStatus::kPassed;
  if (name == "failed") return CheckStatus::kFailed;
  if (name == "skipped") return CheckStatus::kSkipped;
  return std::nullopt;
}

std::vector<core::ErrorDetail> email_pattern_errors(const std::string& pattern) {
  auto error = [](std::string message) {
    return std::vector<core::ErrorDetail>{
        {.field = "email_pattern", .message = std::move(message)}};
  };
  size_t count = 0;
  for (size_t at = pattern.find("%s"); at != std::string::npos; at = pattern.find("%s", at + 2)) {
    ++count;
  }
  if (count != 1) {
    return error("The pattern needs exactly one %s, e.g. aws-accounts+%s@example.com.");
  }
  // <prefix>+%s@<domain>: a plain local part, then a domain of dot-separated labels.
  static const std::regex kShape(
      R"(([A-Za-z0-9!#$&'*=?^_`{|}~-]+(\.[A-Za-z0-9!#$&'*=?^_`{|}~-]+)*)\+%s@)"
      R"((([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)\.)+[A-Za-z]{2,63})");
  if (!std::regex_match(pattern, kShape)) {
    return error(
        "The pattern must have the form <prefix>+%s@<domain>, e.g. aws-accounts+%s@example.com.");
  }
  const size_t generated = pattern.size() - 2 + kMemberIdLength;
  if (generated > kMaxEmailLength) {
    return error(fmt::format(
        "Addresses from this pattern would be {} characters long; AWS accepts at most {}. Use a "
        "shorter prefix or domain.",
        generated, kMaxEmailLength));
  }
  return {};
}

std::string member_email(const std::string& pattern, std::string_view member_id) {
  std::string out = pattern;
  const auto at = out.find("%s");
  if (at != std::string::npos) out.replace(at, 2, member_id);
  return out;
}

std::vector<std::string> example_emails(const std::string& pattern) {
  if (!email_pattern_errors(pattern).empty()) return {};
  return {member_email(pattern, kSampleIds[0]), member_email(pattern, kSampleIds[1])};
}

std::string mask_key_id(const std::string& key) {
  if (key.size() <= 8) return std::string(key.size(), '*');
  return key.substr(0, 4) + "…" + key.substr(key.size() - 4);
}

std::string billing_bucket_name(const std::string& account_id) {
  return std::string(kBillingBucketPrefix) + account_id;
}

AwsOrganizations::AwsOrganizations(db::Database& database, const core::Clock& clock,
                                   core::IdGenerator& ids, OrgsAws& aws, identity::AuditLog& audit,
                                   const identity::SecretBox* secrets)
    : clock_(clock),
      ids_(ids),
      aws_(aws),
      audit_(audit),
      secrets_(secrets),
      store_(std::make_unique<AwsOrganizationStore>(database)) {}

AwsOrganizations::~AwsOrganizations() = default;

core::Result<std::vector<AwsOrganization>> AwsOrganizations::list(
    const std::string& marketplace_id) const {
  return store_->read([&](AwsOrganizationTx& tx) -> core::Result<std::vector<AwsOrganization>> {
    std::vector<AwsOrganization> out;
    for (auto& row : tx.list(marketplace_id)) out.push_back(std::move(row.org));
    return out;
  });
}

core::Result<AwsOrganization> AwsOrganizations::get(const std::string& marketplace_id,
                                                    const std::string& id) const {
  return store_->read([&](AwsOrganizationTx& tx) -> core::Result<AwsOrganization> {
    auto row = tx.find(marketplace_id, id);
    if (!row) return not_found();
    return row->org;
  });
}

core::Result<AwsOrganization> AwsOrganizations::default_for(
    const std::string& marketplace_id) const {
  auto all = list(marketplace_id);
  if (!all.ok()) return all.error();
  for (const auto& o : *all) {
    if (o.is_default) return o;
  }
  return core::not_found(
      "This marketplace has no AWS organization: a marketplace admin links one under Settings → "
      "AWS organizations.",
      "no_default_aws_organization");
}

core::Result<OrgCredentials> AwsOrganizations::credentials(const std::string& marketplace_id,
                                                           const std::string& id) const {
  if (!secrets_) return secret_key_missing();
  auto row = store_->read([&](AwsOrganizationTx& tx) -> core::Result<AwsOrganizationRow> {
    auto found = tx.find(marketplace_id, id);
    if (!found) return not_found();
    return *found;
  });
  if (!row.ok()) return row.error();
  auto secret = secrets_->open(row->secret_sealed);
  if (!secret.ok()) return secret.error();
  return OrgCredentials{.account_id = row->org.account_id,
                        .region = row->org.region,
                        .access_key_id = row->org.access_key_id,
                        .secret_access_key = std::move(*secret)};
}

Check AwsOrganizations::keys_check(const OrgCredentials& c) {
  auto caller = aws_.caller_account(c);
  if (!caller.ok()) return failed("keys", "AWS refused these keys: " + aws_reason(caller.error()));
  if (*caller != c.account_id) {
    return failed(
        "keys", fmt::format("These keys belong to AWS account {}, not {}.", *caller, c.account_id));
  }
  return passed("keys", fmt::format("The keys belong to account {}.", c.account_id));
}

std::vector<Check> AwsOrganizations::preflight(const OrgCredentials& c) {
  std::vector<Check> checks;
  checks.push_back(keys_check(c));
  if (!checks.back().ok()) {
    for (const char* name : {"organization", "s3_access", "billing_bucket", "cost_report"}) {
      checks.push_back(skipped(name));
    }
    return checks;
  }

  auto org = aws_.organization(c);
  if (!org.ok()) {
    checks.push_back(failed(
        "organization", "Could not read the account's organization: " + aws_reason(org.error())));
  } else if (!*org) {
    checks.push_back(passed("organization",
                            "The account is in no organization: Marketlink creates one with all "
                            "features, this account its management account."));
  } else if ((*org)->management_account_id != c.account_id) {
    checks.push_back(failed(
        "organization",
        fmt::format("The account is a member of organization {}, managed by account {}. Use "
                    "the management account of your own organization, or an account in none.",
                    (*org)->id, (*org)->management_account_id)));
  } else {
    checks.push_back(
        passed("organization", fmt::format("The account manages organization {}.", (*org)->id)));
  }

  auto s3 = aws_.s3_usable(c);
  const bool s3_ok = s3.ok();
  checks.push_back(s3_ok ? passed("s3_access", "The keys can create S3 buckets.")
                         : failed("s3_access", "The keys cannot use S3: " + aws_reason(s3.error()) +
                                                   " Give the IAM user administrator access."));
  const std::string bucket = billing_bucket_name(c.account_id);
  if (!s3_ok) {
    checks.push_back(skipped("billing_bucket"));
  } else {
    auto state = aws_.bucket_state(c, bucket);
    if (!state.ok()) {
      checks.push_back(failed("billing_bucket", "Could not look for bucket " + bucket + ": " +
                                                    aws_reason(state.error())));
    } else if (*state == BucketState::kAbsent) {
      checks.push_back(passed("billing_bucket", "No bucket " + bucket + " exists yet."));
    } else {
      checks.push_back(
          failed("billing_bucket",
                 *state == BucketState::kOurs
                     ? "Bucket " + bucket +
                           " already exists in this account. Delete it (or empty and "
                           "delete it) in the S3 console, then check again."
                     : "Bucket " + bucket + " exists and belongs to another AWS account."));
    }
  }

  auto reports = aws_.report_names(c);
  if (!reports.ok()) {
    checks.push_back(failed("cost_report", "Could not read the Cost and Usage Reports: " +
                                               aws_reason(reports.error())));
  } else if (!reports->empty()) {
    std::string names;
    for (const auto& n : *reports) names += (names.empty() ? "" : ", ") + n;
    checks.push_back(
        failed("cost_report", "A Cost and Usage Report is already defined (" + names +
                                  "). Delete it in the Billing console's Cost and Usage Reports, "
                                  "then check again."));
  } else {
    checks.push_back(passed("cost_report", "No Cost and Usage Report is defined yet."));
  }
  return checks;
}

std::vector<Check> AwsOrganizations::verify(const OrgCredentials& c,
                                            const AwsOrganization& linked) {
  std::vector<Check> checks;
  checks.push_back(keys_check(c));
  if (!checks.back().ok()) {
    for (const char* name : {"organization", "billing_bucket", "cost_report"}) {
      checks.push_back(skipped(name));
    }
    return checks;
  }
  auto org = aws_.organization(c);
  if (!org.ok()) {
    checks.push_back(failed(
        "organization", "Could not read the account's organization: " + aws_reason(org.error())));
  } else if (!*org) {
    checks.push_back(failed("organization", "The account is no longer in an organization."));
  } else if ((*org)->management_account_id != c.account_id) {
    checks.push_back(
        failed("organization",
               fmt::format("The account is now a member of organization {}.", (*org)->id)));
  } else {
    checks.push_back(
        passed("organization", fmt::format("The account manages organization {}.", (*org)->id)));
  }
  auto state = aws_.bucket_state(c, linked.billing_bucket);
  if (!state.ok()) {
    checks.push_back(failed("billing_bucket", "Could not look for bucket " + linked.billing_bucket +
                                                  ": " + aws_reason(state.error())));
  } else if (*state == BucketState::kOurs) {
    checks.push_back(passed("billing_bucket", "Bucket " + linked.billing_bucket + " is there."));
  } else {
    checks.push_back(failed("billing_bucket",
                            "Bucket " + linked.billing_bucket + " is gone or not this account's."));
  }
  auto reports = aws_.report_names(c);
  if (!reports.ok()) {
    checks.push_back(failed("cost_report", "Could not read the Cost and Usage Reports: " +
                                               aws_reason(reports.error())));
  } else if (std::find(reports->begin(), reports->end(), linked.report_name) == reports->end()) {
    checks.push_back(
        failed("cost_report", "The Cost and Usage Report " + linked.report_name + " is gone."));
  } else {
    checks.push_back(
        passed("cost_report", "The Cost and Usage Report " + linked.report_name + " is defined."));
  }
  return checks;
}

core::Result<PreflightResult<AwsOrganization>> AwsOrganizations::add(
    const std::string& marketplace_id, const NewAwsOrganization& in, const identity::Actor& actor) {
  if (!secrets_) return secret_key_missing();
  std::vector<core::ErrorDetail> errors;
  static const std::regex kAccount("[0-9]{12}");
  if (!std::regex_match(in.account_id, kAccount)) {
    errors.push_back({.field = "account_id", .message = "Enter the 12-digit AWS account ID."});
  }
  const auto& regions = known_regions();
  if (std::find(regions.begin(), regions.end(), in.region) == regions.end()) {
    errors.push_back({.field = "region", .message = "Choose an AWS region, e.g. us-east-1."});
  }
  key_errors(in.access_key_id, in.secret_access_key, errors);
  for (auto& e : email_pattern_errors(in.email_pattern)) errors.push_back(std::move(e));
  if (!errors.empty()) return invalid_input(std::move(errors));

  auto linked = store_->read([&](AwsOrganizationTx& tx) -> core::Result<bool> {
    return tx.account_linked(marketplace_id, in.account_id);
  });
  if (!linked.ok()) return linked.error();
  if (*linked) {
    return core::conflict(
        "AWS account " + in.account_id + " is already linked to this marketplace.",
        "aws_organization_exists");
  }

  const OrgCredentials c{.account_id = in.account_id,
                         .region = in.region,
                         .access_key_id = in.access_key_id,
                         .secret_access_key = in.secret_access_key};
  std::vector<Check> checks = preflight(c);
  if (!all_passed(checks)) return PreflightResult<AwsOrganization>(preflight_error(checks));

  // Every check passed: set up what billing needs, each step a check of its own.
  AwsOrganization o{.id = ids_.new_id(),
                    .marketplace_id = marketplace_id,
                    .account_id = in.account_id,
                    .region = in.region,
                    .access_key_id = in.access_key_id,
                    .email_pattern = in.email_pattern,
                    .billing_bucket = billing_bucket_name(in.account_id),
                    .report_name = std::string(kReportName)};
  auto org = aws_.organization(c);
  core::Status setup = org.ok() ? core::Status() : core::Status(org.error());
  if (setup.ok() && !*org) {
    auto created = aws_.create_organization(c);
    if (created.ok()) {
      o.aws_organization_id = created->id;
      o.created_organization = true;
    } else {
      setup = created.error();
    }
  } else if (setup.ok()) {
    o.aws_organization_id = (*org)->id;
  }
  if (setup.ok()) setup = aws_.create_billing_bucket(c, o.billing_bucket);
  if (setup.ok()) setup = aws_.create_report(c, o.report_name, o.billing_bucket);
  if (!setup.ok()) {
    checks.push_back(failed("setup", "Setting up billing failed: " + setup.error().message));
    return PreflightResult<AwsOrganization>(preflight_error(checks));
  }
  checks.push_back(passed(
      "setup", fmt::format("{}bucket {} created with the policy CUR delivery needs; report {} "
                           "delivers to it daily.",
                           o.created_organization
                               ? fmt::format("Organization {} created with all features; ",
                                             o.aws_organization_id)
                               : "",
                           o.billing_bucket, o.report_name)));

  const core::TimePoint now = clock_.now();
  o.checks = checks;
  o.last_check_ok = true;
  o.last_check_at = now;
  o.created_by = actor.label;
  o.created_at = now;
  o.updated_at = now;
  const AwsOrganizationRow row{.org = o, .secret_sealed = secrets_->seal(in.secret_access_key)};
  auto stored = store_->write([&](AwsOrganizationTx& tx) -> core::Result<AwsOrganization> {
    auto existing = tx.list_for_update(marketplace_id);
    for (const auto& r : existing) {
      if (r.org.account_id == o.account_id) {
        return core::conflict(
            "AWS account " + o.account_id + " is already linked to this marketplace.",
            "aws_organization_exists");
      }
    }
    AwsOrganizationRow insert = row;
    insert.org.is_default = existing.empty() || in.make_default;
    if (insert.org.is_default) tx.clear_default(marketplace_id);
    tx.insert(insert);
    audit_.record(tx.transaction(),
                  {.org_id = marketplace_id,
                   .actor = actor,
                   .action = "orgs.aws_organization_linked",
                   .target_type = "aws_organization",
                   .target_id = o.id,
                   .detail = fmt::format("AWS account {} in {}, key {}{}", o.account_id, o.region,
                                         mask_key_id(o.access_key_id),
                                         insert.org.is_default ? ", default" : "")});
    return insert.org;
  });
  if (!stored.ok()) return stored.error();
  return PreflightResult<AwsOrganization>(std::move(*stored));
}

core::Result<PreflightResult<AwsOrganization>> AwsOrganizations::edit(
    const std::string& marketplace_id, const std::string& id, const AwsOrganizationChange& change,
    const identity::Actor& actor) {
  auto current_row = store_->read([&](AwsOrganizationTx& tx) -> core::Result<AwsOrganizationRow> {
    auto found = tx.find(marketplace_id, id);
    if (!found) return not_found();
    return *found;
  });
  if (!current_row.ok()) return current_row.error();
  const AwsOrganization& current = current_row->org;

  const bool new_keys = change.access_key_id.has_value() || change.secret_access_key.has_value();
  if (new_keys && !secrets_) return secret_key_missing();
  std::vector<core::ErrorDetail> errors;
  const std::string key_id = change.access_key_id.value_or(current.access_key_id);
  if (new_keys) {
    if (!change.secret_access_key) {
      errors.push_back({.field = "secret_access_key",
                        .message = "Enter the secret access key that goes with the new key ID."});
    } else {
      key_errors(key_id, *change.secret_access_key, errors);
    }
  }
  if (change.email_pattern) {
    for (auto& e : email_pattern_errors(*change.email_pattern)) errors.push_back(std::move(e));
  }
  if (change.make_default && !*change.make_default && current.is_default) {
    errors.push_back({.field = "default",
                      .message = "An organization stays the default until another is made the "
                                 "default."});
  }
  if (!errors.empty()) return invalid_input(std::move(errors));

  AwsOrganizationRow updated = *current_row;
  const core::TimePoint now = clock_.now();
  if (new_keys && errors.empty()) {
    const OrgCredentials c{.account_id = current.account_id,
                           .region = current.region,
                           .access_key_id = key_id,
                           .secret_access_key = *change.secret_access_key};
    std::vector<Check> checks = verify(c, current);
    if (!all_passed(checks)) return PreflightResult<AwsOrganization>(preflight_error(checks));
    updated.org.access_key_id = key_id;
    updated.secret_sealed = secrets_->seal(*change.secret_access_key);
    updated.org.checks = std::move(checks);
    updated.org.last_check_ok = true;
    updated.org.last_check_at = now;
  }
  if (change.email_pattern) updated.org.email_pattern = *change.email_pattern;
  updated.org.updated_at = now;
  auto stored = store_->write([&](AwsOrganizationTx& tx) -> core::Result<AwsOrganization> {
    tx.list_for_update(marketplace_id);
    auto fresh = tx.find(marketplace_id, id);
    if (!fresh) return not_found();
    AwsOrganizationRow row = updated;
    // A concurrent change of the default is kept unless this one makes it the default.
    row.org.is_default = fresh->org.is_default;
    if (!new_keys) {
      row.secret_sealed = fresh->secret_sealed;
      row.org.access_key_id = fresh->org.access_key_id;
      row.org.checks = fresh->org.checks;
      row.org.last_check_ok = fresh->org.last_check_ok;
      row.org.last_check_at = fresh->org.last_check_at;
    }
    if (!change.email_pattern) row.org.email_pattern = fresh->org.email_pattern;
    if (change.make_default && *change.make_default && !row.org.is_default) {
      tx.clear_default(marketplace_id);
      row.org.is_default = true;
    }
    tx.update(row);
    std::vector<std::string> what;
    if (new_keys) what.push_back("key " + mask_key_id(row.org.access_key_id));
    if (change.email_pattern) what.push_back("e-mail pattern " + row.org.email_pattern);
    if (change.make_default && *change.make_default) what.push_back("made the default");
    std::string detail;
    for (const auto& w : what) detail += (detail.empty() ? "" : ", ") + w;
    audit_.record(tx.transaction(), {.org_id = marketplace_id,
                                     .actor = actor,
                                     .action = "orgs.aws_organization_changed",
                                     .target_type = "aws_organization",
                                     .target_id = id,
                                     .detail = fmt::format("AWS account {}: {}", row.org.account_id,
                                                           detail.empty() ? "no change" : detail)});
    return row.org;
  });
  if (!stored.ok()) return stored.error();
  return PreflightResult<AwsOrganization>(std::move(*stored));
}

core::Result<AwsOrganization> AwsOrganizations::check(const std::string& marketplace_id,
                                                      const std::string& id,
                                                      const identity::Actor& actor) {
  auto current = get(marketplace_id, id);
  if (!current.ok()) return current.error();
  auto c = credentials(marketplace_id, id);
  std::vector<Check> checks;
  if (!c.ok()) {
    if (c.error().code == core::ErrorCode::kNotFound) return c.error();
    checks.push_back(failed("keys", c.error().message));
  } else {
    checks = verify(*c, *current);
  }
  const core::TimePoint now = clock_.now();
  const bool ok = all_passed(checks);
  return store_->write([&](AwsOrganizationTx& tx) -> core::Result<AwsOrganization> {
    auto fresh = tx.find(marketplace_id, id);
    if (!fresh) return not_found();
    // Keys changed meanwhile: this result is about keys no longer used.
    if (fresh->org.access_key_id != current->access_key_id) return fresh->org;
    fresh->org.checks = checks;
    fresh->org.last_check_ok = ok;
    fresh->org.last_check_at = now;
    tx.update(*fresh);
    audit_.record(tx.transaction(),
                  {.org_id = marketplace_id,
                   .actor = actor,
                   .action = "orgs.aws_organization_checked",
                   .target_type = "aws_organization",
                   .target_id = id,
                   .detail = fmt::format("AWS account {}: checks {}", fresh->org.account_id,
                                         ok ? "passed" : "failed")});
    return fresh->org;
  });
}

core::Status AwsOrganizations::remove(const std::string& marketplace_id, const std::string& id,
                                      const std::optional<std::string>& new_default_id,
                                      const identity::Actor& actor) {
  auto removed = store_->write([&](AwsOrganizationTx& tx) -> core::Status {
    auto rows = tx.list_for_update(marketplace_id);
    auto it = std::find_if(rows.begin(), rows.end(),
                           [&](const AwsOrganizationRow& r) { return r.org.id == id; });
    if (it == rows.end()) return not_found();
    const AwsOrganization gone = it->org;
    std::optional<AwsOrganizationRow> next;
    if (new_default_id && !new_default_id->empty()) {
      auto n = std::find_if(rows.begin(), rows.end(), [&](const AwsOrganizationRow& r) {
        return r.org.id == *new_default_id && r.org.id != id;
      });
      if (n == rows.end()) {
        core::Error e = core::invalid(
            "Choose another organization of this marketplace as the "
            "new default.",
            "default_required");
        e.details.push_back({.field = "new_default_id", .message = e.message});
        return e;
      }
      next = *n;
    }
    if (gone.is_default && rows.size() > 1 && !next) {
      core::Error e = core::invalid(
          "This is the default organization: choose which of the others becomes the default "
          "before removing it.",
          "default_required");
      e.details.push_back({.field = "new_default_id", .message = e.message});
      return e;
    }
    tx.remove(marketplace_id, id);
    if (next && (gone.is_default || !next->org.is_default)) {
      tx.clear_default(marketplace_id);
      next->org.is_default = true;
      next->org.updated_at = clock_.now();
      tx.update(*next);
    }
    audit_.record(tx.transaction(),
                  {.org_id = marketplace_id,
                   .actor = actor,
                   .action = "orgs.aws_organization_removed",
                   .target_type = "aws_organization",
                   .target_id = id,
                   .detail = fmt::format("AWS account {} unlinked{}", gone.account_id,
                                         next ? "; default now " + next->org.account_id : "")});
    return core::Status();
  });
  return removed;
}

}  // namespace orgs
