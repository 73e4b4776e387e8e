// SaaS benchmark: what saas's services do per second next to what lies underneath them.
// bench/saas.sh runs it on SQLite and PostgreSQL and prints tables; docs/performance.md has the
// figures.
//
//   marketlink_saas_bench setup --db URL [--buyers 1]
//       linked, active buyers with entitlements, for `marketlink serve` to answer about; prints
//       "org=SLUG email=ADMIN product=CODE".
//   marketlink_saas_bench sns   --db URL [--version 2] [--messages 2000] [--buyers 20]
//                               [--threads 2]
//       signed SNS notifications through saas::SnsIntake::handle and the saas.apply_events job.
//   marketlink_saas_bench usage --db URL [--client service|direct] [--batch 1] [--records 2000]
//                               [--buyers 20] [--dimensions 4]
//       usage records through saas::MeteringService::record_usage, or (direct) the same rows
//       INSERTed by a prepared statement, one transaction per batch.
//   marketlink_saas_bench meter --db URL --sim URL [--records 1000000] [--links 40]
//                               [--dimensions 5] [--hours 5]
//       stores usage rows, then times MeteringService::run() against `marketlink sim` until every
//       hour is sent, and compares the simulator's records with the stored totals.
//
// Every command starts from an empty database (the SQLite file deleted, or the PostgreSQL schema
// `public` dropped and created) and prints one line `key=value …` on stdout; a failed check exits
// with status 1.
#include <fmt/format.h>
#include <soci/soci.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "app/marketplace_usage_meter.h"
#include "app/schema.h"
#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/curl_transport.h"
#include "aws/retry_policy.h"
#include "aws/sns_message.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"
#include "db/database.h"
#include "db/migrations.h"
#include "identity/audit_log.h"
#include "identity/identity_service.h"
#include "jobs/job_queue.h"
#include "mail/mail.h"
#include "pool_site.h"
#include "saas/customer_resolver.h"
#include "saas/lifecycle.h"
#include "saas/metering.h"
#include "saas/saas.h"
#include "saas/sns_intake.h"
#include "sim/simulator.h"
#include "sim/sns_signer.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr const char* kProductCode = "bench-saas";
constexpr const char* kPassword = "a long bench passphrase";
constexpr const char* kCertUrl =
    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bench.pem";

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

template <typename T>
T must(core::Result<T> r, const std::string& what) {
  if (!r.ok()) fail(what + ": " + r.error().message);
  return std::move(r).value();
}
void must(const core::Status& s, const std::string& what) {
  if (!s.ok()) fail(what + ": " + s.error().message);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// --- A hub in this process, on a fresh database ----------------------------------------------

class NoMail final : public mail::MailQueue {
 public:
  core::Status enqueue(const mail::Message&) override { return {}; }
  core::Status enqueue(db::Tx&, const mail::Message&) override { return {}; }
};

class TableResolver final : public saas::CustomerResolver {
 public:
  void add(const std::string& token, saas::ResolvedBuyer buyer) {
    std::lock_guard lock(mutex_);
    buyers_[token] = std::move(buyer);
  }
  core::Result<saas::ResolvedBuyer> resolve(const std::string& token) override {
    std::lock_guard lock(mutex_);
    auto it = buyers_.find(token);
    if (it == buyers_.end()) return core::invalid("unknown token", saas::kInvalidTokenSlug);
    return it->second;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, saas::ResolvedBuyer> buyers_;
};

// GetEntitlements: every buyer has 10 users.
class FixedEntitlements final : public saas::EntitlementReader {
 public:
  core::Result<std::vector<saas::Entitlement>> entitlements(
      const saas::EntitlementQuery&) override {
    return std::vector<saas::Entitlement>{
        {.dimension = "users", .kind = saas::EntitlementValueKind::kInteger, .value = "10"}};
  }
};

class CertificateWeb final : public saas::SnsWeb {
 public:
  explicit CertificateWeb(std::string pem) : pem_(std::move(pem)) {}
  core::Result<std::string> get(const std::string& url) override {
    if (url != kCertUrl) return core::unavailable("404 " + url);
    ++fetches;
    return pem_;
  }
  std::atomic<int> fetches{0};

 private:
  std::string pem_;
};

class CountingMeter final : public saas::UsageMeter {
 public:
  core::Result<saas::MeterAnswer> meter(const saas::MeterBatch&) override {
    return core::unavailable("not used by this benchmark");
  }
};

void reset_database(const std::string& url) {
  if (url.starts_with("sqlite:")) {
    const std::string path = url.substr(7);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  } else {
    auto database = must(db::Database::open({.url = url, .pool_size = 1}), "open");
    auto conn = must(database->connect(), "connect");
    conn.sql() << "DROP SCHEMA public CASCADE";
    conn.sql() << "CREATE SCHEMA public";
  }
}

struct Buyer {
  saas::ResolvedBuyer aws;
  identity::Organization org;
  std::string admin_email;
  std::string link_id;
};

struct Hub {
  std::unique_ptr<db::Database> database;
  core::SystemClock clock;
  core::RandomIdGenerator ids;
  core::Metrics metrics;
  NoMail mail;
  std::unique_ptr<identity::AuditLog> audit;
  std::unique_ptr<identity::IdentityService> identity;
  TableResolver resolver;
  std::unique_ptr<saas::SaasService> saas;
  std::unique_ptr<jobs::JobQueue> queue;
  FixedEntitlements reader;
  std::unique_ptr<saas::LifecycleService> lifecycle;
  identity::Organization operator_org;
  identity::User operator_admin;
  std::vector<Buyer> buyers;

  Hub(const std::string& url, int pool_size) {
    reset_database(url);
    database = must(db::Database::open({.url = url, .pool_size = pool_size}), "open");
    must(db::migrate(*database, app::schema(), clock), "migrate");
    audit = std::make_unique<identity::AuditLog>(*database, clock, ids);
    identity = std::make_unique<identity::IdentityService>(*database, clock, ids, mail, *audit);
    saas = std::make_unique<saas::SaasService>(*database, clock, ids, resolver, *identity, mail,
                                               *audit, saas::SaasSettings{});
    queue = std::make_unique<jobs::JobQueue>(*database, clock, ids, metrics,
                                             jobs::QueueSettings{.workers = 0});
    lifecycle = std::make_unique<saas::LifecycleService>(*database, clock, ids, *queue, *identity,
                                                         reader, nullptr, nullptr);
    must(lifecycle->register_jobs(), "register lifecycle jobs");
    saas->set_link_observer(lifecycle.get());
    operator_admin = must(identity->create_user({.email = "ops@saas.bench",
                                                 .name = "Operator",
                                                 .password = kPassword,
                                                 .verified = true}),
                          "create operator user");
    operator_org = must(identity->create_organization({.name = "Operator",
                                                       .kind = identity::OrgKind::kOperator,
                                                       .admin_user_id = operator_admin.id},
                                                      identity::Actor::system()),
                        "create operator organization");
  }

  identity::Actor operator_actor() const {
    return {.user_id = operator_admin.id, .label = operator_admin.email, .ip = "192.0.2.1"};
  }

  void product(const std::string& code, bool concurrent, int dimensions) {
    std::vector<saas::Dimension> dims;
    for (int d = 0; d < dimensions; ++d) {
      dims.push_back({.name = d == 0 ? "users" : fmt::format("d{}", d), .description = "bench"});
    }
    must(saas->create_product(operator_org.id,
                              {.product_code = code,
                               .name = "Bench " + code,
                               .pricing_model = saas::PricingModel::kSubscription,
                               .dimensions = dims,
                               .concurrent_agreements = concurrent,
                               .manage_url = "https://aws.amazon.com/marketplace/pp/" + code,
                               .support_contact = "support@seller.test",
                               .new_org_subscription = identity::SubscriptionStatus::kTrial},
                              operator_actor()),
         "create product");
  }

  // Runs due jobs until none is left.
  void drain() {
    for (;;) {
      if (!must(queue->run_next(), "run job")) return;
    }
  }

  // Each buyer: an organization and its admin, a landing, a link, and subscribe-success applied
  // (the link becomes active, its entitlements read).
  void link_buyers(const std::vector<saas::ResolvedBuyer>& list) {
    for (const saas::ResolvedBuyer& aws : list) {
      const int n = static_cast<int>(buyers.size()) + 1;
      Buyer b{.aws = aws, .admin_email = fmt::format("buyer-{}@saas.bench", n)};
      const identity::User admin = must(
          identity->create_user(
              {.email = b.admin_email, .name = "Buyer", .password = kPassword, .verified = true}),
          "create buyer user");
      b.org =
          must(identity->create_organization({.name = fmt::format("Buyer {}", n),
                                              .kind = identity::OrgKind::kCustomer,
                                              .subscription = identity::SubscriptionStatus::kTrial,
                                              .admin_user_id = admin.id},
                                             identity::Actor::system()),
               "create buyer organization");
      const std::string token = fmt::format("bench-token-{}-{}", n, ids.new_id());
      resolver.add(token, aws);
      const saas::Registration r = must(saas->land({.token = token}), "land");
      b.link_id = must(saas->link(r.id, b.org.id,
                                  {.user_id = admin.id, .label = admin.email, .ip = "192.0.2.7"}),
                       "link")
                      .link.id;
      const std::string message = json{
          {"action", "subscribe-success"},
          {"customer-identifier", aws.customer_identifier},
          {"product-code",
           aws.product_code}}.dump();
      const saas::LifecycleEvent event = must(
          saas::parse_sns_notification(message, "setup-" + ids.new_id(), clock.now()), "event");
      must(lifecycle->receive(event), "receive");
      buyers.push_back(std::move(b));
    }
    drain();
    for (const Buyer& b : buyers) {
      const auto view =
          must(lifecycle->entitlements(b.org.id, buyers.front().aws.product_code), "entitlements");
      if (!view.entitled || view.entitlements.empty()) fail("a buyer is not active after setup");
    }
  }

  long long count(const std::string& sql) {
    auto conn = must(database->connect(), "connect");
    long long n = 0;
    conn.sql() << sql, soci::into(n);
    return n;
  }
};

std::vector<saas::ResolvedBuyer> legacy_buyers(int n) {
  std::vector<saas::ResolvedBuyer> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({.product_code = kProductCode,
                   .customer_identifier = fmt::format("cust{:07d}", i),
                   .customer_aws_account_id = fmt::format("{:012d}", 200000000000LL + i),
                   .license_arn = ""});
  }
  return out;
}

// --- setup ------------------------------------------------------------------------------------

void run_setup(const std::string& url, int buyers) {
  Hub hub(url, 2);
  hub.product(kProductCode, false, 1);
  hub.link_buyers(legacy_buyers(buyers));
  const Buyer& b = hub.buyers.front();
  std::printf("org=%s email=%s product=%s\n", b.org.slug.c_str(), b.admin_email.c_str(),
              kProductCode);
}

// --- sns --------------------------------------------------------------------------------------

std::string signed_notification(const sim::SnsSigner& signer, const std::string& version,
                                const std::string& id, const std::string& customer,
                                const std::string& timestamp) {
  const std::string message = json{
      {"action", "entitlement-updated"},
      {"customer-identifier", customer},
      {"product-code",
       kProductCode}}.dump();
  std::vector<std::pair<std::string, std::string>> fields = {
      {"MessageId", id},
      {"TopicArn",
       std::string("arn:aws:sns:us-east-1:287250355862:aws-mp-entitlement-notification-") +
           kProductCode},
      {"Message", message},
      {"Timestamp", timestamp},
      {"UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&x=1"},
      {"Type", "Notification"}};
  json body = json::object();
  for (const auto& [k, v] : fields) body[k] = v;
  body["SignatureVersion"] = version;
  body["Signature"] = signer.sign(sim::sns_string_to_sign("Notification", fields), version);
  body["SigningCertURL"] = kCertUrl;
  return body.dump();
}

// `threads` threads share `count` items; returns the seconds from the start to the last one.
double parallel(int threads, size_t count, const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::string failure;
  Clock::time_point started;
  std::barrier start(threads, [&]() noexcept { started = Clock::now(); });
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      start.arrive_and_wait();
      try {
        for (size_t i; (i = next.fetch_add(1)) < count;) work(i);
      } catch (const std::exception& e) {
        next = count;
        std::lock_guard lock(mutex);
        if (failure.empty()) failure = e.what();
      }
    });
  }
  for (auto& t : pool) t.join();
  const double seconds = seconds_since(started);
  if (!failure.empty()) fail(failure);
  return seconds;
}

void run_sns(const std::string& url, const std::string& version, int messages, int buyers,
             int threads) {
  Hub hub(url, 8);
  hub.product(kProductCode, false, 1);
  hub.link_buyers(legacy_buyers(buyers));
  const sim::SnsSigner signer;
  CertificateWeb web(signer.certificate_pem());
  saas::SnsIntake intake(*hub.lifecycle, *hub.saas, web, saas::SnsSettings{});

  // Signed before the clock starts: signing is SNS's work, not ours.
  std::vector<std::string> bodies;
  const std::string timestamp = core::format_rfc3339(hub.clock.now());
  for (int i = 0; i < messages; ++i) {
    bodies.push_back(signed_notification(
        signer, version, fmt::format("bench-{}-{}", i, hub.ids.new_id()),
        hub.buyers[static_cast<size_t>(i % buyers)].aws.customer_identifier, timestamp));
  }
  // The certificate is fetched once, as in serve; not timed.
  const std::string warm =
      signed_notification(signer, version, "warm-" + hub.ids.new_id(),
                          hub.buyers.front().aws.customer_identifier, timestamp);
  must(intake.handle(warm), "warm-up message");
  hub.drain();
  const long long applied_before =
      hub.count("SELECT COUNT(*) FROM saas_lifecycle_events WHERE outcome = 'applied'");

  // Verification alone (parse + RSA verify), the same threads.
  const double verify_seconds = parallel(threads, bodies.size(), [&](size_t i) {
    const auto m = must(aws::sns::parse_sns_message(bodies[i]), "parse");
    must(aws::sns::verify_sns_signature(m, signer.certificate_pem()), "verify");
  });

  // Time spent in handle() and in run_next(), summed over the threads.
  std::atomic<long long> handle_ns{0}, apply_ns{0};
  const double seconds = parallel(threads, bodies.size(), [&](size_t i) {
    const auto t0 = Clock::now();
    const saas::SnsResult r = must(intake.handle(bodies[i]), "handle");
    if (r.outcome != saas::SnsOutcome::kReceived) fail("a message was not received as new");
    const auto t1 = Clock::now();
    must(hub.queue->run_next(), "apply");
    handle_ns += std::chrono::nanoseconds(t1 - t0).count();
    apply_ns += std::chrono::nanoseconds(Clock::now() - t1).count();
  });
  const auto drain_start = Clock::now();
  hub.drain();
  const double total = seconds + seconds_since(drain_start);
  const long long applied =
      hub.count("SELECT COUNT(*) FROM saas_lifecycle_events WHERE outcome = 'applied'") -
      applied_before;
  if (applied != messages) fail(fmt::format("{} of {} messages applied", applied, messages));
  if (web.fetches != 1) fail("the certificate was fetched more than once");
  std::printf(
      "messages=%d version=%s threads=%d seconds=%.3f messages_per_second=%.0f "
      "verify_per_second=%.0f applied=%lld handle_ms=%.3f apply_ms=%.3f\n",
      messages, version.c_str(), threads, total, messages / total, messages / verify_seconds,
      applied, static_cast<double>(handle_ns) / 1e6 / messages,
      static_cast<double>(apply_ns) / 1e6 / messages);
}

// --- usage ------------------------------------------------------------------------------------

constexpr const char* kInsertUsage =
    "INSERT INTO saas_usage (id, link_id, org_id, product_code, dimension, hour, quantity, at,"
    " received_at, source, request_key, position, state, note)"
    " VALUES (:id, :link_id, :org_id, :product_code, :dimension, :hour, :quantity, :at,"
    " :received_at, :source, :request_key, :position, :state, :note)";

std::string dimension_name(int d) { return d == 0 ? "users" : fmt::format("d{}", d); }

// One row of saas_usage as record_usage stores it, bound once to a prepared statement.
struct UsageRow {
  std::string id, link_id, org_id, product_code, dimension, hour;
  long long quantity = 0;
  std::string at, received_at, source = "api", request_key;
  int position = 0;
  std::string state = "pending", note;
};

struct Inserter {
  soci::session& sql;
  UsageRow row;
  soci::statement st;
  explicit Inserter(soci::session& s)
      : sql(s),
        st((s.prepare << kInsertUsage, soci::use(row.id), soci::use(row.link_id),
            soci::use(row.org_id), soci::use(row.product_code), soci::use(row.dimension),
            soci::use(row.hour), soci::use(row.quantity), soci::use(row.at),
            soci::use(row.received_at), soci::use(row.source), soci::use(row.request_key),
            soci::use(row.position), soci::use(row.state), soci::use(row.note))) {}
  void insert() { st.execute(true); }
};

void begin(soci::session& sql, db::Backend backend) {
  sql << (backend == db::Backend::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
}

void run_usage(const std::string& url, const std::string& client, int batch, int records,
               int buyers, int dimensions) {
  if (batch < 1 || batch > 1000 || records % batch != 0)
    fail("--records must be a multiple of --batch (1-1000)");
  Hub hub(url, 2);
  hub.product(kProductCode, false, dimensions);
  hub.link_buyers(legacy_buyers(buyers));
  CountingMeter meter;
  saas::MeteringService metering(*hub.database, hub.clock, hub.ids, *hub.identity, meter, nullptr);
  const core::TimePoint at = hub.clock.now() - std::chrono::minutes(1);
  const std::string at_text = core::format_rfc3339(at);
  const std::string hour_text = core::format_rfc3339(
      core::TimePoint(std::chrono::floor<std::chrono::hours>(at.time_since_epoch())));
  const int calls = records / batch;
  const long long before = hub.count("SELECT COUNT(*) FROM saas_usage");
  const auto start = Clock::now();
  if (client == "service") {
    for (int c = 0; c < calls; ++c) {
      std::vector<saas::UsageInput> list;
      for (int j = 0; j < batch; ++j) {
        const int i = c * batch + j;
        list.push_back({.org = hub.buyers[static_cast<size_t>(i % buyers)].org.id,
                        .product_code = kProductCode,
                        .dimension = dimension_name(i % dimensions),
                        .quantity = 1 + i % 7,
                        .timestamp = at_text});
      }
      const auto receipt = must(
          metering.record_usage(hub.operator_org.id, list, fmt::format("bench-{}", c)), "record");
      if (receipt.repeated || receipt.records.size() != list.size()) fail("a call was not stored");
    }
  } else if (client == "direct") {
    auto conn = must(hub.database->connect(), "connect");
    Inserter ins(conn.sql());
    for (int c = 0; c < calls; ++c) {
      begin(conn.sql(), hub.database->backend());
      for (int j = 0; j < batch; ++j) {
        const int i = c * batch + j;
        const Buyer& b = hub.buyers[static_cast<size_t>(i % buyers)];
        ins.row.id = hub.ids.new_id();
        ins.row.link_id = b.link_id;
        ins.row.org_id = b.org.id;
        ins.row.product_code = kProductCode;
        ins.row.dimension = dimension_name(i % dimensions);
        ins.row.hour = hour_text;
        ins.row.quantity = 1 + i % 7;
        ins.row.at = at_text;
        ins.row.received_at = core::format_rfc3339(hub.clock.now());
        ins.row.request_key = fmt::format("bench-{}", c);
        ins.row.position = j;
        ins.insert();
      }
      conn.sql() << "COMMIT";
    }
  } else {
    fail("--client is service or direct");
  }
  const double seconds = seconds_since(start);
  const long long stored = hub.count("SELECT COUNT(*) FROM saas_usage") - before;
  if (stored != records) fail(fmt::format("{} of {} records stored", stored, records));
  std::printf("client=%s batch=%d records=%d seconds=%.3f records_per_second=%.0f\n",
              client.c_str(), batch, records, seconds, records / seconds);
}

// --- meter ------------------------------------------------------------------------------------

unsigned short loopback_port(const std::string& url) {
  const std::string prefix = "http://127.0.0.1:";
  if (!url.starts_with(prefix)) fail("--sim must be http://127.0.0.1:PORT");
  return static_cast<unsigned short>(std::stoi(url.substr(prefix.size())));
}

json sim_call(testing_support::Connection& c, const std::string& method, const std::string& path,
              const json& body = nullptr) {
  const std::string text = body.is_null() ? "" : body.dump();
  std::string head = fmt::format("{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\n", method, path);
  if (!text.empty()) head += "Content-Type: application/json\r\n";
  head += fmt::format("Content-Length: {}\r\n\r\n", text.size());
  c.send(head + text);
  const auto reply = c.read_reply(std::chrono::seconds(60));
  if (reply.status < 200 || reply.status > 299) {
    fail(fmt::format("{} {}: {} {}", method, path, reply.status, reply.body));
  }
  return json::parse(reply.body);
}

void run_meter(const std::string& url, const std::string& sim_url, int records, int links,
               int dimensions, int hours) {
  if (hours < 1 || hours > 5) fail("--hours is 1 to 5 (the window is 6 h)");
  if (records < links * dimensions * hours)
    fail("--records must fill every (link, dimension, hour)");
  const unsigned short port = loopback_port(sim_url);
  testing_support::Connection sim(port);
  if (!sim.ok()) fail("cannot connect to the simulator");
  json dims = json::array();
  for (int d = 0; d < dimensions; ++d) dims.push_back({{"name", dimension_name(d)}});
  sim_call(sim, "POST", "/_sim/products",
           {{"product_code", kProductCode},
            {"name", "Bench SaaS"},
            {"pricing_model", "subscription"},
            {"dimensions", dims},
            {"fulfillment_url", "http://127.0.0.1:9/aws/fulfillment"},
            {"legacy_identity", true}});
  std::vector<saas::ResolvedBuyer> list;
  for (int i = 0; i < links; ++i) {
    const std::string account = fmt::format("{:012d}", 300000000000LL + i);
    sim_call(sim, "POST", "/_sim/accounts", {{"account_id", account}});
    const json s = sim_call(sim, "POST", "/_sim/subscriptions",
                            {{"buyer_account_id", account}, {"product_code", kProductCode}});
    list.push_back({.product_code = kProductCode,
                    .customer_identifier = s.at("customer_identifier").get<std::string>(),
                    .customer_aws_account_id = account,
                    .license_arn = ""});
  }

  Hub hub(url, 8);
  hub.product(kProductCode, false, dimensions);
  hub.link_buyers(list);
  const core::TimePoint this_hour(
      std::chrono::floor<std::chrono::hours>(hub.clock.now().time_since_epoch()));
  const core::TimePoint first_hour = this_hour - std::chrono::hours(hours);
  {
    // Active since the first hour of usage, as if linked then.
    auto conn = must(hub.database->connect(), "connect");
    const std::string since = core::format_rfc3339(first_hour);
    conn.sql() << "UPDATE saas_links SET updated_at = :at", soci::use(since);
  }

  // Store the usage: row i → link i % L, dimension (i / L) % D, hour (i / (L·D)) % H.
  std::vector<std::string> hour_text;
  for (int h = 0; h < hours; ++h)
    hour_text.push_back(core::format_rfc3339(first_hour + std::chrono::hours(h)));
  const auto load_start = Clock::now();
  {
    auto conn = must(hub.database->connect(), "connect");
    Inserter ins(conn.sql());
    const std::string received = core::format_rfc3339(hub.clock.now());
    constexpr int kPerTransaction = 10000;
    for (int i = 0; i < records; ++i) {
      if (i % kPerTransaction == 0) begin(conn.sql(), hub.database->backend());
      const Buyer& b = hub.buyers[static_cast<size_t>(i % links)];
      const int h = (i / (links * dimensions)) % hours;
      ins.row.id = hub.ids.new_id();
      ins.row.link_id = b.link_id;
      ins.row.org_id = b.org.id;
      ins.row.product_code = kProductCode;
      ins.row.dimension = dimension_name((i / links) % dimensions);
      ins.row.hour = hour_text[static_cast<size_t>(h)];
      ins.row.quantity = 1 + i % 7;
      ins.row.at = core::format_rfc3339(first_hour + std::chrono::hours(h) +
                                        std::chrono::seconds((i * 7919LL) % 3600));
      ins.row.received_at = received;
      ins.row.request_key = fmt::format("load-{}", i / 1000);
      ins.row.position = i % 1000;
      ins.insert();
      if (i % kPerTransaction == kPerTransaction - 1 || i == records - 1) conn.sql() << "COMMIT";
    }
  }
  const double load_seconds = seconds_since(load_start);

  aws::CurlTransport transport({.max_idle_handles = 8});
  aws::ThreadSleeper sleeper;
  const aws::ClientContext context{transport, hub.clock, sleeper, aws::system_random()};
  app::MarketplaceUsageMeter meter(
      context,
      aws::static_credentials({.access_key_id = std::string(sim::kSellerAccessKeyId),
                               .secret_access_key = std::string(sim::kSellerSecretAccessKey),
                               .session_token = "",
                               .expiration = std::nullopt}),
      {.region = "us-east-1", .endpoint = sim_url, .retry = app::kMeterRetry});
  saas::MeteringService metering(*hub.database, hub.clock, hub.ids, *hub.identity, meter, nullptr);

  saas::MeterRun sum;
  int runs = 0;
  const auto start = Clock::now();
  for (; runs < 10; ++runs) {
    const saas::MeterRun r = must(metering.run(), "metering run");
    if (!r.error.empty()) fail("metering run: " + r.error);
    if (r.nothing_due()) break;
    sum.hours_fixed += r.hours_fixed;
    sum.calls += r.calls;
    sum.records_sent += r.records_sent;
    sum.billed += r.billed;
  }
  const double seconds = seconds_since(start);

  // What the simulator holds, next to what was stored.
  std::map<std::string, std::string> customer_of_link;
  for (const Buyer& b : hub.buyers) customer_of_link[b.link_id] = b.aws.customer_identifier;
  std::map<std::string, long long> stored;
  long long stored_total = 0;
  {
    auto conn = must(hub.database->connect(), "connect");
    std::string link_id, dimension, hour;
    long long quantity = 0;
    soci::statement st =
        (conn.sql().prepare << "SELECT link_id, dimension, hour, SUM(quantity) FROM saas_usage "
                               "GROUP BY link_id, dimension, hour",
         soci::into(link_id), soci::into(dimension), soci::into(hour), soci::into(quantity));
    st.execute();
    while (st.fetch()) {
      const auto t = core::parse_rfc3339(hour);
      if (!t) fail("stored hour " + hour);
      stored[customer_of_link[link_id] + "/" + dimension + "/" +
             std::to_string(core::unix_seconds(*t))] = quantity;
      stored_total += quantity;
    }
  }
  std::map<std::string, long long> billed;
  long long billed_total = 0;
  testing_support::Connection after(port);
  const json held = sim_call(after, "GET", "/_sim/metering-records");
  for (const json& r : held.at("records")) {
    if (r.at("status") != "Success" || r.at("product_code") != kProductCode) continue;
    const auto t = core::parse_rfc3339(r.at("hour").get<std::string>());
    if (!t) fail("simulator hour " + r.at("hour").dump());
    billed[r.at("customer").get<std::string>() + "/" + r.at("dimension").get<std::string>() + "/" +
           std::to_string(core::unix_seconds(*t))] += r.at("quantity").get<long long>();
    billed_total += r.at("quantity").get<long long>();
  }
  const bool match = billed == stored;
  std::printf(
      "records=%d links=%d dimensions=%d hours=%d load_seconds=%.2f seconds=%.3f runs=%d "
      "hours_fixed=%d calls=%d records_sent=%d billed=%d usage_per_second=%.0f "
      "stored_total=%lld sim_total=%lld totals_match=%d\n",
      records, links, dimensions, hours, load_seconds, seconds, runs, sum.hours_fixed, sum.calls,
      sum.records_sent, sum.billed, records / seconds, stored_total, billed_total, match ? 1 : 0);
  if (!match) fail("the simulator's totals differ from the stored totals");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"SaaS benchmark (see bench/saas.sh)"};
  app.require_subcommand(1);
  std::string url, sim_url, client = "service", version = "2";
  int buyers = 20, messages = 2000, threads = 2, batch = 1, records = 2000, dimensions = 4,
      links = 40, hours = 5;
  auto* setup = app.add_subcommand("setup", "Linked, active buyers for serve");
  setup->add_option("--db", url)->required();
  setup->add_option("--buyers", buyers);
  auto* sns = app.add_subcommand("sns", "SNS notifications verified and applied");
  sns->add_option("--db", url)->required();
  sns->add_option("--version", version);
  sns->add_option("--messages", messages);
  sns->add_option("--buyers", buyers);
  sns->add_option("--threads", threads);
  auto* usage = app.add_subcommand("usage", "Usage records accepted");
  usage->add_option("--db", url)->required();
  usage->add_option("--client", client);
  usage->add_option("--batch", batch);
  usage->add_option("--records", records);
  usage->add_option("--buyers", buyers);
  usage->add_option("--dimensions", dimensions);
  auto* meter = app.add_subcommand("meter", "Usage metered into the simulator");
  meter->add_option("--db", url)->required();
  meter->add_option("--sim", sim_url)->required();
  meter->add_option("--records", records);
  meter->add_option("--links", links);
  meter->add_option("--dimensions", dimensions);
  meter->add_option("--hours", hours);
  CLI11_PARSE(app, argc, argv);
  core::log::set_level("warn");
  try {
    if (*setup) run_setup(url, std::max(1, buyers));
    if (*sns) run_sns(url, version, messages, std::max(1, buyers), std::max(1, threads));
    if (*usage)
      run_usage(url, client, batch, records, std::max(1, buyers), std::max(1, dimensions));
    if (*meter) run_meter(url, sim_url, records, links, dimensions, hours);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "saas bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
