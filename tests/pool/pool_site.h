// Test and benchmark support for the account pool over HTTP: one database prepared through the
// real command line (a provider, marketplaces, an API token), `marketlink serve` processes on it,
// and keep-alive clients that take accounts through POST /api/v1/orgs/{org}/pool/allocations.
//
// Used by tests/pool/pool_process_test.cpp (correctness, 64 clients, 3 servers) and
// bench/pool_http_bench.cpp (takes per second). Not thread-safe except where stated: a
// TakeClient belongs to one thread; a PoolSite is shared read-only once started.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "process.h"

namespace pool_site {

using Clock = std::chrono::steady_clock;

// Runs the marketlink binary with `args` (each one argument, no shell) and `input` on standard
// input; returns its exit code and what it printed.
struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CliRun run_cli(const std::vector<std::string>& args, const std::string& input = "");

// One database set up for the pool: migrated, with user ops@pool.test, a provider organization
// (slug `provider`) and one marketplace organization per id in `marketplaces`, and an admin API
// token of the provider. Returns nullopt and sets `error` when a command fails.
struct Identity {
  std::string token;
  std::string provider = "provider";
};
std::optional<Identity> bootstrap(const std::string& db,
                                  const std::vector<std::string>& marketplaces, std::string& error);

// `count` `marketlink serve` processes on `db` (the environment passes MARKETLINK_* settings on).
std::vector<testing_support::ServerProcess> start_servers(const std::string& db, int count,
                                                          std::string& error);

// One keep-alive connection to one server, authenticated with the token.
class TakeClient {
 public:
  TakeClient(unsigned short port, Identity identity);
  bool ok() const { return connection_ && connection_->ok(); }

  struct Take {
    int status = 0;          // HTTP status; 0 when the server did not answer
    std::string account_id;  // 201
    std::string order_id;    // 201
    std::string marketplace_id;
    std::string account_status;
    std::string error_code;  // 4xx/5xx
    std::string body;
    Clock::time_point sent;      // just before the request's first byte was written
    Clock::time_point received;  // just after the whole answer was read
  };
  Take take(const std::string& marketplace_id, const std::string& order_ref);

  // Any request on this connection (for imports and listings).
  testing_support::HttpReply request(const std::string& method, const std::string& path,
                                     const std::string& content_type = "",
                                     const std::string& body = "");

 private:
  Identity identity_;
  std::unique_ptr<testing_support::Connection> connection_;
};

// Distinct 12-digit account ids, shuffled with `seed`.
std::vector<std::string> account_ids(int count, long long first, unsigned seed);

// "account_id;marketplace_id;account_model" then one SPAM row per id.
std::string csv_for(const std::vector<std::string>& ids, const std::string& marketplace_id);

// Every account of `marketplace_id` with `status` ("" for any), in the API's order, paging
// through GET …/pool/accounts: (account_id, created_at) pairs. nullopt when a page fails.
struct Listed {
  std::string account_id;
  std::string created_at;
};
std::optional<std::vector<Listed>> list_accounts(TakeClient& client, const std::string& provider,
                                                 const std::string& marketplace_id,
                                                 const std::string& status);

}  // namespace pool_site
