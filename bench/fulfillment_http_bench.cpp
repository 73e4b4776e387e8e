// SaaS fulfillment landings over HTTP: buyers arriving from AWS Marketplace at `marketlink serve`
// (default settings) with fresh registration tokens, next to the simulator answering
// ResolveCustomer to a minimal client, in the same run. bench/fulfillment.sh runs it on SQLite
// and PostgreSQL, each time against a fresh `marketlink sim`; docs/performance.md has the
// figures.
//
//   marketlink_fulfillment_bench --db URL --sim http://127.0.0.1:PORT
//                                [--clients 64] [--landings 3000] [--first sim|hub]
//
// 1. The hub: starts from an empty database (deletes the SQLite file, or drops and recreates the
//    PostgreSQL schema `public`), creates an operator organization and its API token with the
//    command line, and starts `marketlink serve` with the simulator as its AWS endpoint and the
//    simulator's seller key.
// 2. The simulator: a subscription product with concurrent agreements whose fulfillment URL is
//    the hub, a buyer account, and `landings` registration tokens (one agreement each), minted
//    through POST /_sim/subscriptions on a few keep-alive connections before any timing.
// 3. The same product is registered in the hub through POST /api/v1/products.
// 4. Timed, in the order --first gives:
//    - sim: `clients` threads resolve every token once with aws::metering::MeteringClient over
//      one aws::AwsClient (SigV4, libcurl, a kept-alive connection per thread, no retry);
//    - hub: `clients` keep-alive connections post every token once to POST /aws/fulfillment
//      (the form a buyer's browser posts): the server resolves it on the simulator, stores the
//      registration and answers 303 to /onboarding/{id}.
//    Each side's rate is counted from the first request to the last answer; latency is per
//    request, from its first byte written to its answer read.
// Checks: every landing was a 303 to /onboarding/{id} with an id of its own, the database then
// holds `landings` registrations of the product resolved for the buyer, and every direct
// ResolveCustomer named the product and the buyer. Prints one line `key=value …` on stdout;
// exits 1 on any failure.
#include <curl/curl.h>
#include <fmt/format.h>
#include <soci/soci.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/curl_transport.h"
#include "aws/metering.h"
#include "aws/retry_policy.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/database.h"
#include "http/message.h"
#include "pool_site.h"
#include "process.h"
#include "sim/simulator.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr const char* kProductCode = "bench-saas";
constexpr const char* kBuyerAccountId = "444455556666";
constexpr const char* kOperatorEmail = "ops@saas.test";
constexpr int kMintConnections = 4;

void reset_database(const std::string& url) {
  if (url.starts_with("sqlite:")) {
    const std::string path = url.substr(7);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    return;
  }
  auto opened = db::Database::open({.url = url, .pool_size = 1});
  if (!opened.ok()) throw std::runtime_error(opened.error().message);
  auto conn = (*opened)->connect();
  if (!conn.ok()) throw std::runtime_error(conn.error().message);
  conn->sql() << "DROP SCHEMA public CASCADE";
  conn->sql() << "CREATE SCHEMA public";
}

// "http://127.0.0.1:PORT" → PORT; the bench talks to loopback only.
unsigned short loopback_port(const std::string& url) {
  const std::string prefix = "http://127.0.0.1:";
  if (!url.starts_with(prefix)) throw std::runtime_error("--sim must be http://127.0.0.1:PORT");
  const int port = std::stoi(url.substr(prefix.size()));
  if (port <= 0 || port > 65535) throw std::runtime_error("--sim has no valid port");
  return static_cast<unsigned short>(port);
}

// One request on a kept-alive connection; `headers` are whole lines without the final CRLF.
testing_support::HttpReply exchange(testing_support::Connection& c, const std::string& method,
                                    const std::string& path, const std::string& content_type,
                                    const std::string& body, const std::string& headers = "") {
  std::string head = fmt::format("{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\n", method, path);
  if (!headers.empty()) head += headers + "\r\n";
  if (!content_type.empty()) head += "Content-Type: " + content_type + "\r\n";
  head += fmt::format("Content-Length: {}\r\n\r\n", body.size());
  c.send(head + body);
  return c.read_reply(std::chrono::seconds(30));
}

json post_json(testing_support::Connection& c, const std::string& path, const json& body) {
  const auto reply = exchange(c, "POST", path, "application/json", body.dump());
  if (reply.status < 200 || reply.status > 299) {
    throw std::runtime_error(fmt::format("POST {}: {} {}", path, reply.status, reply.body));
  }
  return json::parse(reply.body);
}

// The simulator's side: product, buyer, and `count` tokens (one new agreement each).
std::vector<std::string> prepare_simulator(unsigned short sim_port, const std::string& hub_url,
                                           int count) {
  {
    testing_support::Connection c(sim_port);
    if (!c.ok()) throw std::runtime_error("cannot connect to the simulator");
    post_json(c, "/_sim/products",
              {{"product_code", kProductCode},
               {"name", "Bench SaaS"},
               {"pricing_model", "subscription"},
               {"dimensions", json::array({{{"name", "users"}}})},
               {"fulfillment_url", hub_url + "/aws/fulfillment"},
               {"legacy_identity", false}});
    post_json(c, "/_sim/accounts", {{"account_id", kBuyerAccountId}});
  }
  std::vector<std::string> tokens(static_cast<size_t>(count));
  std::atomic<int> next{0};
  std::mutex mutex;
  std::string failure;
  std::vector<std::thread> threads;
  for (int t = 0; t < kMintConnections; ++t) {
    threads.emplace_back([&] {
      try {
        testing_support::Connection c(sim_port);
        if (!c.ok()) throw std::runtime_error("cannot connect to the simulator");
        const json body = {{"buyer_account_id", kBuyerAccountId}, {"product_code", kProductCode}};
        for (int i; (i = next.fetch_add(1)) < count;) {
          tokens[static_cast<size_t>(i)] =
              post_json(c, "/_sim/subscriptions", body).at("registration_token").get<std::string>();
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        failure = e.what();
        next = count;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (!failure.empty()) throw std::runtime_error("minting tokens: " + failure);
  if (std::set<std::string>(tokens.begin(), tokens.end()).size() != tokens.size()) {
    throw std::runtime_error("the simulator minted a token twice");
  }
  return tokens;
}

// The hub's side: operator organization and token, then `marketlink serve`.
std::string bootstrap_operator(const std::string& db) {
  const std::vector<std::vector<std::string>> commands = {
      {"migrate", "--db", db},
      {"user", "create", "--email", kOperatorEmail, "--password-stdin", "--verified", "--db", db},
      {"org", "create", "--name", "Operator", "--kind", "operator", "--admin", kOperatorEmail,
       "--db", db},
  };
  for (const auto& c : commands) {
    const auto r = pool_site::run_cli(c, "a long operator passphrase\n");
    if (r.exit_code != 0) {
      throw std::runtime_error(
          fmt::format("marketlink {} failed ({}): {}{}", c[0], r.exit_code, r.out, r.err));
    }
  }
  const auto r = pool_site::run_cli({"token", "create", "--email", kOperatorEmail, "--org",
                                     "operator", "--name", "bench", "--db", db});
  std::istringstream words(r.out);
  std::string token;
  for (std::string w; words >> w;) token = w;  // the token is the last word printed
  if (r.exit_code != 0 || !token.starts_with("mlk_")) {
    throw std::runtime_error("marketlink token create failed: " + r.out + r.err);
  }
  return token;
}

void register_product(unsigned short hub_port, const std::string& api_token) {
  testing_support::Connection c(hub_port);
  if (!c.ok()) throw std::runtime_error("cannot connect to the hub");
  const json product = {
      {"product_code", kProductCode},
      {"name", "Bench SaaS"},
      {"pricing_model", "subscription"},
      {"dimensions", json::array({{{"name", "users"}, {"description", "Active users"}}})},
      {"concurrent_agreements", true},
      {"manage_url", "https://aws.amazon.com/marketplace/pp/bench-saas"},
      {"support_contact", "support@seller.test"},
      {"new_org_subscription", "trial"}};
  const auto reply = exchange(c, "POST", "/api/v1/products", "application/json", product.dump(),
                              "Authorization: Bearer " + api_token);
  if (reply.status != 201) {
    throw std::runtime_error(fmt::format("POST /api/v1/products: {} {}", reply.status, reply.body));
  }
}

// What one timed side measured.
struct Side {
  double per_second = 0;
  double seconds = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// Runs `clients` threads over `count` items: make(thread) builds a thread's state before the
// clock starts; each thread then takes the next item until none is left, calling
// work(state, item), which returns an error text or "". Latency is the time of each work call.
template <typename State>
Side run_clients(int clients, size_t count, const std::function<State(int)>& make,
                 const std::function<std::string(State&, size_t)>& work) {
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::vector<double> latencies;
  std::string failure;
  Clock::time_point started;
  std::barrier start(clients, [&]() noexcept { started = Clock::now(); });
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      std::vector<double> mine;
      std::string error;
      std::optional<State> state;
      try {
        state.emplace(make(t));
      } catch (const std::exception& e) {
        error = e.what();
      }
      start.arrive_and_wait();
      for (size_t i; error.empty() && (i = next.fetch_add(1)) < count;) {
        const auto sent = Clock::now();
        error = work(*state, i);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
      }
      if (!error.empty()) next = count;
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      if (!error.empty() && failure.empty()) failure = error;
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (!failure.empty()) throw std::runtime_error(failure);
  std::sort(latencies.begin(), latencies.end());
  return {.per_second = static_cast<double>(count) / seconds,
          .seconds = seconds,
          .p50_ms = percentile(latencies, 0.50),
          .p99_ms = percentile(latencies, 0.99)};
}

// The simulator alone: ResolveCustomer for every token, signed, with no retry.
Side measure_simulator(const std::string& sim_url, const std::vector<std::string>& tokens,
                       int clients) {
  aws::CurlTransport transport({.max_idle_handles = static_cast<size_t>(clients) + 8});
  core::SystemClock clock;
  aws::ThreadSleeper sleeper;
  const aws::ClientContext context{transport, clock, sleeper, aws::system_random()};
  const aws::AwsClient client(
      context,
      aws::static_credentials({.access_key_id = std::string(sim::kSellerAccessKeyId),
                               .secret_access_key = std::string(sim::kSellerSecretAccessKey),
                               .session_token = "",
                               .expiration = std::nullopt}),
      {.region = "us-east-1", .endpoint = sim_url, .retry = {.max_attempts = 1}});
  const aws::metering::MeteringClient metering(client);
  return run_clients<int>(
      clients, tokens.size(), [](int t) { return t; },
      [&](int&, size_t i) -> std::string {
        auto r = metering.resolve_customer({.registration_token = tokens[i]});
        if (!r.ok()) return "ResolveCustomer: " + r.error().message;
        if (r->product_code != kProductCode || r->customer_aws_account_id != kBuyerAccountId) {
          return "ResolveCustomer named " + r->product_code + " / " + r->customer_aws_account_id;
        }
        return "";
      });
}

// The hub: one landing per token, each a fresh one.
Side measure_hub(unsigned short hub_port, const std::vector<std::string>& tokens, int clients,
                 std::vector<std::string>& registration_ids) {
  registration_ids.assign(tokens.size(), "");
  const std::string prefix = "/onboarding/";
  return run_clients<std::unique_ptr<testing_support::Connection>>(
      clients, tokens.size(),
      [&](int) {
        auto c = std::make_unique<testing_support::Connection>(hub_port);
        if (!c->ok()) throw std::runtime_error("cannot connect to the hub");
        return c;
      },
      [&](std::unique_ptr<testing_support::Connection>& c, size_t i) -> std::string {
        const auto reply =
            exchange(*c, "POST", "/aws/fulfillment", "application/x-www-form-urlencoded",
                     "x-amzn-marketplace-token=" + http::url_encode(tokens[i]));
        const std::string location = reply.header("Location");
        if (reply.status != 303 || !location.starts_with(prefix)) {
          return fmt::format("landing answered {} (Location \"{}\"): {}", reply.status, location,
                             reply.body.substr(0, 300));
        }
        registration_ids[i] = location.substr(prefix.size());
        return "";
      });
}

void check_registrations(const std::string& db, const std::vector<std::string>& ids) {
  if (std::set<std::string>(ids.begin(), ids.end()).size() != ids.size()) {
    throw std::runtime_error("two landings were sent to the same registration");
  }
  auto opened = db::Database::open({.url = db, .pool_size = 1});
  if (!opened.ok()) throw std::runtime_error(opened.error().message);
  auto conn = (*opened)->connect();
  if (!conn.ok()) throw std::runtime_error(conn.error().message);
  long long resolved = 0, all = 0;
  const std::string product = kProductCode, buyer = kBuyerAccountId;
  conn->sql() << "SELECT COUNT(*) FROM saas_registrations", soci::into(all);
  conn->sql() << "SELECT COUNT(*) FROM saas_registrations WHERE outcome = 'resolved' AND "
                 "product_code = :p AND customer_aws_account_id = :b AND landings = 1",
      soci::use(product), soci::use(buyer), soci::into(resolved);
  if (all != static_cast<long long>(ids.size()) || resolved != all) {
    throw std::runtime_error(fmt::format(
        "{} landings left {} registrations, {} of them resolved once for the product and buyer",
        ids.size(), all, resolved));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"SaaS fulfillment landings over HTTP", "marketlink_fulfillment_bench"};
  std::string db, sim_url, first = "sim";
  int clients = 64, landings = 3000;
  app.add_option("--db", db, "sqlite:PATH or postgresql://…")->required();
  app.add_option("--sim", sim_url, "URL of a running `marketlink sim`, http://127.0.0.1:PORT")
      ->required();
  app.add_option("--clients", clients, "Concurrent clients (threads, one connection each)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--landings", landings, "Fresh tokens: landings on the hub, calls to the sim")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--first", first, "Which side is timed first")
      ->check(CLI::IsMember({"sim", "hub"}));
  CLI11_PARSE(app, argc, argv);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    fmt::print(stderr, "marketlink_fulfillment_bench: libcurl could not be initialized\n");
    return 1;
  }
  core::log::set_level("warn");
  try {
    const unsigned short sim_port = loopback_port(sim_url);
    // `marketlink serve` reads these; they are set before any thread starts.
    setenv("MARKETLINK_AWS_ENDPOINT", sim_url.c_str(), 1);
    setenv("MARKETLINK_SELLER_ACCESS_KEY_ID", std::string(sim::kSellerAccessKeyId).c_str(), 1);
    setenv("MARKETLINK_SELLER_SECRET_ACCESS_KEY", std::string(sim::kSellerSecretAccessKey).c_str(),
           1);

    reset_database(db);
    const std::string api_token = bootstrap_operator(db);
    std::string error;
    auto hub = testing_support::ServerProcess::start(db, {}, error);
    if (!hub) throw std::runtime_error(error);
    const std::string hub_url = fmt::format("http://127.0.0.1:{}", hub->port());

    const auto minting = Clock::now();
    const auto tokens = prepare_simulator(sim_port, hub_url, landings);
    const double mint_seconds = std::chrono::duration<double>(Clock::now() - minting).count();
    register_product(hub->port(), api_token);

    Side sim_side, hub_side;
    std::vector<std::string> ids;
    if (first == "sim") sim_side = measure_simulator(sim_url, tokens, clients);
    hub_side = measure_hub(hub->port(), tokens, clients, ids);
    if (first == "hub") sim_side = measure_simulator(sim_url, tokens, clients);
    check_registrations(db, ids);

    fmt::print(
        "hub_per_second={:.0f} hub_seconds={:.3f} hub_p50_ms={:.2f} hub_p99_ms={:.2f} "
        "sim_per_second={:.0f} sim_seconds={:.3f} sim_p50_ms={:.2f} sim_p99_ms={:.2f} "
        "landings={} clients={} first={} mint_seconds={:.2f}\n",
        hub_side.per_second, hub_side.seconds, hub_side.p50_ms, hub_side.p99_ms,
        sim_side.per_second, sim_side.seconds, sim_side.p50_ms, sim_side.p99_ms, landings, clients,
        first, mint_seconds);
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "marketlink_fulfillment_bench: {}\n", e.what());
    return 1;
  }
}
