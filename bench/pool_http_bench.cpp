// Account pool allocation over HTTP: `marketlink serve` processes (default settings) on one
// database, a pool of ready accounts in one (provider, marketplace) imported through the API, and
// concurrent keep-alive clients taking through POST …/pool/allocations with unique order_refs
// until each is told no_ready_account. bench/pool_http.sh runs it next to the database's own limit
// (marketlink_pool_bench take --client direct); docs/performance.md has the figures.
//
//   marketlink_pool_http_bench --db URL [--servers 1] [--clients 64] [--accounts 2000]
//
// Starts from an empty database (deletes the SQLite file, or drops and recreates the PostgreSQL
// schema `public`). Checks that every account was taken exactly once and that every client's only
// refusal was its last. Prints one line `key=value …` on stdout; exits 1 on any failure.
#include <fmt/format.h>
#include <soci/soci.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <barrier>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "core/log.h"
#include "db/database.h"
#include "pool_site.h"

namespace {

void reset_database(const std::string& url) {
  if (url.starts_with("sqlite:")) {
    const std::string path = url.substr(7);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    return;
  }
  auto opened = db::Database::open({.url = url, .pool_size = 1});
  if (!opened.ok()) throw std::runtime_error(opened.error().message);
  auto conn = (*opened)->connect();
  conn->sql() << "DROP SCHEMA public CASCADE";
  conn->sql() << "CREATE SCHEMA public";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Account pool allocation over HTTP", "marketlink_pool_http_bench"};
  std::string url;
  int servers = 1, clients = 64, accounts = 2000;
  app.add_option("--db", url, "sqlite:PATH or postgresql://…")->required();
  app.add_option("--servers", servers, "marketlink serve processes on the database");
  app.add_option("--clients", clients, "Concurrent keep-alive clients, spread over the servers");
  app.add_option("--accounts", accounts, "Ready accounts in the pool");
  CLI11_PARSE(app, argc, argv);
  core::log::set_level("warn");
  try {
    reset_database(url);
    std::string error;
    const std::string marketplace = "MP-0000";
    auto identity = pool_site::bootstrap(url, {marketplace}, error);
    if (!identity) throw std::runtime_error(error);
    auto processes = pool_site::start_servers(url, servers, error);
    if (processes.size() != static_cast<size_t>(servers)) throw std::runtime_error(error);
    {
      pool_site::TakeClient admin(processes[0].port(), *identity);
      const auto ids = pool_site::account_ids(accounts, 500000000000LL, 1);
      const auto reply = admin.request("POST", "/api/v1/orgs/provider/pool/accounts/import",
                                       "text/csv", pool_site::csv_for(ids, marketplace));
      if (reply.status != 201) throw std::runtime_error("import failed: " + reply.body);
    }

    std::mutex mutex;
    std::vector<std::string> taken;
    std::vector<std::string> failures;
    pool_site::Clock::time_point started;
    std::barrier start(clients, [&]() noexcept { started = pool_site::Clock::now(); });
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) {
      threads.emplace_back([&, i] {
        pool_site::TakeClient client(processes[static_cast<size_t>(i % servers)].port(), *identity);
        std::vector<std::string> mine;
        std::string failure = client.ok() ? "" : "cannot connect";
        start.arrive_and_wait();
        for (int n = 0; failure.empty(); ++n) {
          const auto t = client.take(marketplace, fmt::format("order-{}-{}", i, n));
          if (t.status == 201) {
            mine.push_back(t.account_id);
          } else {
            if (t.error_code != "no_ready_account")
              failure = fmt::format("{} {}", t.status, t.body);
            break;
          }
        }
        std::lock_guard lock(mutex);
        taken.insert(taken.end(), mine.begin(), mine.end());
        if (!failure.empty()) failures.push_back(failure);
      });
    }
    for (auto& t : threads) t.join();
    const double seconds = std::chrono::duration<double>(pool_site::Clock::now() - started).count();
    if (!failures.empty()) throw std::runtime_error("a take failed: " + failures.front());
    const size_t distinct = std::set<std::string>(taken.begin(), taken.end()).size();
    if (taken.size() != static_cast<size_t>(accounts) || distinct != taken.size()) {
      throw std::runtime_error(fmt::format("{} takes of {} distinct accounts, expected {}",
                                           taken.size(), distinct, accounts));
    }
    fmt::print("takes_per_second={:.0f} seconds={:.3f} takes={} servers={} clients={}\n",
               static_cast<double>(taken.size()) / seconds, seconds, taken.size(), servers,
               clients);
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "marketlink_pool_http_bench: {}\n", e.what());
    return 1;
  }
}
