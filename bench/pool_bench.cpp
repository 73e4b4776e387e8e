// Account pool benchmark: allocation throughput and CSV import time, through pool::Pool and, as
// the database's own limit, the same allocation SQL run by a minimal client (sqlite3 C API or
// libpq with prepared statements). bench/pool.sh runs it on SQLite and PostgreSQL and prints a
// table; docs/performance.md has the figures.
//
//   marketlink_pool_bench take   --db URL [--client service|direct] [--takers 64] [--accounts 2000]
//                                [--connections N]  (shared by the takers; default one each)
//                                [--reprepare]      (direct: prepare statements on every use)
//   marketlink_pool_bench import --db URL --rows N   (checks that all N are then ready)
//   marketlink_pool_bench csv    --rows N --out FILE [--full]
//
// `take` and `import` start from an empty database: they delete the SQLite file, or drop and
// recreate the PostgreSQL schema `public`. Each prints one line `key=value …` on stdout.
#include <fmt/format.h>
#include <libpq-fe.h>
#include <soci/soci.h>
#include <sqlite3.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <barrier>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "app/schema.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "db/database.h"
#include "db/migrations.h"
#include "identity/audit_log.h"
#include "pool/account_store.h"
#include "pool/pool.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kProvider = "bench-provider";
constexpr const char* kMarketplace = "MP-0000";
constexpr long long kFirstAccount = 100000000000LL;

class AnyMarketplace final : public pool::MarketplaceDirectory {
 public:
  bool exists(const std::string&) const override { return true; }
};

bool is_sqlite(const std::string& url) { return url.starts_with("sqlite:"); }

std::unique_ptr<db::Database> open_database(const std::string& url, int pool_size) {
  auto opened = db::Database::open({.url = url, .pool_size = pool_size});
  if (!opened.ok()) throw std::runtime_error(opened.error().message);
  return std::move(opened).value();
}

// An empty, migrated database.
void reset_database(const std::string& url) {
  if (is_sqlite(url)) {
    const std::string path = url.substr(7);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  } else {
    auto database = open_database(url, 1);
    auto conn = database->connect();
    conn->sql() << "DROP SCHEMA public CASCADE";
    conn->sql() << "CREATE SCHEMA public";
  }
  core::SystemClock clock;
  auto database = open_database(url, 1);
  auto applied = db::migrate(*database, app::schema(), clock);
  if (!applied.ok()) throw std::runtime_error(applied.error().message);
}

std::string make_csv(long long rows, bool full) {
  const std::string at = core::format_rfc3339(std::chrono::system_clock::now());
  std::string out;
  out.reserve(static_cast<size_t>(rows) * (full ? 140 : 30));
  for (long long i = 0; i < rows; ++i) {
    const std::string id = fmt::format("{:012}", kFirstAccount + i);
    if (full) {
      // The columns pool::Pool writes for an imported account, NULL ones left out ("" is an
      // empty string to COPY, a bare empty field would be NULL).
      out += fmt::format("{},{},{},SPAM,ready,\"\",cli:bench,{},0,cli:bench,import,{},{}\n", id,
                         kProvider, kMarketplace, at, at, at);
    } else {
      out += fmt::format("{},{},SPAM\n", id, kMarketplace);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Takers

struct TakeRun {
  double seconds = 0;
  long long takes = 0;
  long long distinct = 0;
  long long none_answers = 0;
};

// Runs `takers` threads calling take_one(thread, n) until it answers false (no ready account);
// take_one returns the account id it took through `out`.
template <typename Setup, typename TakeOne>
TakeRun run_takers(int takers, Setup&& setup, TakeOne&& take_one) {
  std::mutex mutex;
  std::vector<std::string> all;
  Clock::time_point started;
  std::barrier start(takers, [&]() noexcept { started = Clock::now(); });
  std::atomic<long long> none{0};
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(takers));
  for (int t = 0; t < takers; ++t) {
    threads.emplace_back([&, t] {
      auto state = setup(t);
      std::vector<std::string> mine;
      start.arrive_and_wait();
      for (int n = 0;; ++n) {
        std::string id;
        if (!take_one(*state, t, n, id)) break;
        mine.push_back(std::move(id));
      }
      ++none;
      std::lock_guard lock(mutex);
      all.insert(all.end(), mine.begin(), mine.end());
    });
  }
  for (auto& th : threads) th.join();
  const auto finished = Clock::now();
  TakeRun run;
  run.seconds = std::chrono::duration<double>(finished - started).count();
  run.takes = static_cast<long long>(all.size());
  run.distinct = static_cast<long long>(std::set<std::string>(all.begin(), all.end()).size());
  run.none_answers = none.load();
  return run;
}

TakeRun take_through_service(const std::string& url, int takers, int connections,
                             long long accounts) {
  auto database = open_database(url, connections);
  core::SystemClock clock;
  AnyMarketplace marketplaces;
  core::RandomIdGenerator ids;
  identity::AuditLog audit(*database, clock, ids);
  pool::Pool service(*database, clock, marketplaces, audit);
  auto filled = service.import_csv(kProvider, make_csv(accounts, false), "cli:bench");
  if (!filled.ok()) throw std::runtime_error(filled.error().message);
  struct Nothing {};
  return run_takers(
      takers, [](int) { return std::make_unique<Nothing>(); },
      [&](Nothing&, int t, int n, std::string& id) {
        auto r = service.take(kProvider, kMarketplace, fmt::format("order-{}-{}", t, n), "bench");
        if (!r.ok()) {
          if (r.error().slug != "no_ready_account") throw std::runtime_error(r.error().message);
          return false;
        }
        id = r->account_id;
        return true;
      });
}

// ":name" → "$1", "$2", … in order of appearance, for libpq.
std::string numbered_params(const std::string& sql) {
  std::string out;
  int n = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == ':' && i + 1 < sql.size() &&
        (std::isalpha(static_cast<unsigned char>(sql[i + 1])) || sql[i + 1] == '_')) {
      out += fmt::format("${}", ++n);
      ++i;
      while (i + 1 < sql.size() &&
             (std::isalnum(static_cast<unsigned char>(sql[i + 1])) || sql[i + 1] == '_')) {
        ++i;
      }
    } else {
      out += sql[i];
    }
  }
  return out;
}

class PgClient {
 public:
  // `reprepare`: send each statement's text every time (PQexecParams), as SOCI does, instead of
  // running statements prepared once per connection.
  PgClient(const std::string& url, bool reprepare)
      : conn_(PQconnectdb(url.c_str())), reprepare_(reprepare) {
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
    const pool::AllocationSql sql = pool::allocation_sql(db::Backend::kPostgresql);
    prepare("order", sql.lock_order_ref);
    prepare("find", sql.find_by_order);
    prepare("skip", sql.oldest_ready + " FOR UPDATE SKIP LOCKED");
    prepare("look", sql.oldest_ready);
    prepare("move", sql.move_status);
    prepare("history", sql.insert_history);
  }
  ~PgClient() { PQfinish(conn_); }

  // The statements of pool::Pool::take, in its order.
  bool take(const std::string& order, std::string& id) {
    command("BEGIN");
    rows("order", {kProvider, order.c_str()});
    if (rows("find", {kProvider, order.c_str()}) != 0) throw std::runtime_error("order reused");
    for (auto pause = std::chrono::milliseconds(1);
         rows("skip", {kProvider, kMarketplace}, &id) == 0;
         pause = std::min(pause * 2, std::chrono::milliseconds(20))) {
      if (rows("look", {kProvider, kMarketplace}) == 0) {
        command("COMMIT");
        return false;
      }
      std::this_thread::sleep_for(pause);
    }
    const std::string at = core::format_rfc3339(std::chrono::system_clock::now());
    rows("move", {"provisioning", "", "bench", at.c_str(), order.c_str(), at.c_str(), at.c_str(),
                  id.c_str()});
    rows("history", {"ready", "provisioning", "bench", "", order.c_str(), at.c_str(), id.c_str()});
    command("COMMIT");
    return true;
  }

 private:
  void prepare(const char* name, const std::string& sql) {
    text_[name] = numbered_params(sql);
    PGresult* r = PQprepare(conn_, name, text_[name].c_str(), 0, nullptr);
    check(r, PGRES_COMMAND_OK);
  }
  void command(const char* sql) { check(PQexec(conn_, sql), PGRES_COMMAND_OK); }
  int rows(const char* name, std::initializer_list<const char*> params,
           std::string* first = nullptr) {
    std::vector<const char*> values(params);
    const int n_values = static_cast<int>(values.size());
    PGresult* r = reprepare_
                      ? PQexecParams(conn_, text_.at(name).c_str(), n_values, nullptr,
                                     values.data(), nullptr, nullptr, 0)
                      : PQexecPrepared(conn_, name, n_values, values.data(), nullptr, nullptr, 0);
    const ExecStatusType status = PQresultStatus(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) check(r, PGRES_TUPLES_OK);
    const int n = PQntuples(r);
    if (first != nullptr && n > 0) *first = PQgetvalue(r, 0, 0);
    PQclear(r);
    return n;
  }
  void check(PGresult* r, ExecStatusType expected) {
    const ExecStatusType status = PQresultStatus(r);
    const std::string message = PQresultErrorMessage(r);
    PQclear(r);
    if (status != expected) throw std::runtime_error(message);
  }
  PGconn* conn_;
  bool reprepare_;
  std::map<std::string, std::string> text_;  // statement name → SQL with $n parameters
};

class SqliteClient {
 public:
  // `reprepare`: prepare and finalize each statement every time, as SOCI does.
  SqliteClient(const std::string& path, bool reprepare) : reprepare_(reprepare) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      throw std::runtime_error("cannot open " + path);
    }
    // As db::Database configures its connections (the busy timeout first: 64 connections
    // opening at once otherwise collide on the journal mode).
    sqlite3_busy_timeout(db_, 10000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA foreign_keys=ON");
    exec("PRAGMA synchronous=NORMAL");
    const pool::AllocationSql sql = pool::allocation_sql(db::Backend::kSqlite);
    find_ = prepare(sql.find_by_order);
    oldest_ = prepare(sql.oldest_ready);
    move_ = prepare(sql.move_status);
    history_ = prepare(sql.insert_history);
  }
  ~SqliteClient() {
    for (sqlite3_stmt* s : {find_, oldest_, move_, history_}) sqlite3_finalize(s);
    sqlite3_close(db_);
  }

  bool take(const std::string& order, std::string& id) {
    exec("BEGIN IMMEDIATE");
    if (run(find_, {kProvider, order.c_str()}) != 0) throw std::runtime_error("order reused");
    if (run(oldest_, {kProvider, kMarketplace}, &id) == 0) {
      exec("COMMIT");
      return false;
    }
    const std::string at = core::format_rfc3339(std::chrono::system_clock::now());
    run(move_, {"provisioning", "", "bench", at.c_str(), order.c_str(), at.c_str(), at.c_str(),
                id.c_str()});
    run(history_, {"ready", "provisioning", "bench", "", order.c_str(), at.c_str(), id.c_str()});
    exec("COMMIT");
    return true;
  }

 private:
  void exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error != nullptr ? error : "sqlite error";
      sqlite3_free(error);
      throw std::runtime_error(message);
    }
  }
  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db_));
    }
    text_[s] = sql;
    return s;
  }
  int run(sqlite3_stmt* prepared, std::initializer_list<const char*> params,
          std::string* first = nullptr) {
    sqlite3_stmt* s = prepared;
    if (reprepare_ &&
        sqlite3_prepare_v2(db_, text_.at(prepared).c_str(), -1, &s, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db_));
    }
    int i = 0;
    for (const char* p : params) sqlite3_bind_text(s, ++i, p, -1, SQLITE_TRANSIENT);
    int n = 0;
    for (;;) {
      const int rc = sqlite3_step(s);
      if (rc == SQLITE_ROW) {
        if (n == 0 && first != nullptr) {
          *first = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        }
        ++n;
        continue;
      }
      if (rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
      break;
    }
    if (s != prepared) {
      sqlite3_finalize(s);
    } else {
      sqlite3_reset(s);
    }
    return n;
  }
  sqlite3* db_ = nullptr;
  sqlite3_stmt* find_ = nullptr;
  sqlite3_stmt* oldest_ = nullptr;
  sqlite3_stmt* move_ = nullptr;
  sqlite3_stmt* history_ = nullptr;
  bool reprepare_;
  std::map<sqlite3_stmt*, std::string> text_;
};

// `connections` minimal clients shared by the takers: a taker waits for a free one, as requests
// wait for a connection of db::Database's pool in `marketlink serve`.
template <typename Client>
class ClientPool {
 public:
  ClientPool(int connections, const std::function<std::unique_ptr<Client>()>& open) {
    for (int i = 0; i < connections; ++i) all_.push_back(open());
    for (auto& c : all_) free_.push_back(c.get());
  }
  bool take(const std::string& order, std::string& id) {
    Client* client = nullptr;
    {
      std::unique_lock lock(mutex_);
      available_.wait(lock, [&] { return !free_.empty(); });
      client = free_.back();
      free_.pop_back();
    }
    const bool taken = client->take(order, id);
    {
      std::lock_guard lock(mutex_);
      free_.push_back(client);
    }
    available_.notify_one();
    return taken;
  }

 private:
  std::vector<std::unique_ptr<Client>> all_;
  std::vector<Client*> free_;
  std::mutex mutex_;
  std::condition_variable available_;
};

TakeRun take_directly(const std::string& url, int takers, int connections, long long accounts,
                      bool reprepare) {
  {
    auto database = open_database(url, 1);
    core::SystemClock clock;
    AnyMarketplace marketplaces;
    core::RandomIdGenerator ids;
    identity::AuditLog audit(*database, clock, ids);
    pool::Pool service(*database, clock, marketplaces, audit);
    auto filled = service.import_csv(kProvider, make_csv(accounts, false), "cli:bench");
    if (!filled.ok()) throw std::runtime_error(filled.error().message);
  }
  auto take_one = [](auto& client, int t, int n, std::string& id) {
    return client.take(fmt::format("order-{}-{}", t, n), id);
  };
  auto run = [&](auto open) {
    using Client = typename decltype(open())::element_type;
    if (connections >= takers) {
      return run_takers(
          takers, [&](int) { return open(); }, take_one);
    }
    ClientPool<Client> shared(connections, open);
    struct Shared {
      ClientPool<Client>* pool;
      bool take(const std::string& order, std::string& id) { return pool->take(order, id); }
    };
    return run_takers(
        takers, [&](int) { return std::make_unique<Shared>(Shared{&shared}); }, take_one);
  };
  if (is_sqlite(url)) {
    return run([&] { return std::make_unique<SqliteClient>(url.substr(7), reprepare); });
  }
  return run([&] { return std::make_unique<PgClient>(url, reprepare); });
}

struct ImportRun {
  double seconds = 0;           // the whole call
  double validate_seconds = 0;  // parse, marketplaces, "already in a pool" (until inserting)
};

ImportRun import_through_service(const std::string& url, long long rows) {
  auto database = open_database(url, 1);
  core::SystemClock clock;
  AnyMarketplace marketplaces;
  core::RandomIdGenerator ids;
  identity::AuditLog audit(*database, clock, ids);
  pool::Pool service(*database, clock, marketplaces, audit);
  std::string csv = "account_id;marketplace_id,account_model\r\n" + make_csv(rows, false);
  const auto start = Clock::now();
  Clock::time_point inserting = start;
  auto imported =
      service.import_csv(kProvider, csv, "cli:bench",
                         {.source = "the benchmark",
                          .progress = [&](pool::ImportPhase phase, long long done, long long) {
                            if (phase == pool::ImportPhase::kInserting && done == 0)
                              inserting = Clock::now();
                          }});
  const auto end = Clock::now();
  if (!imported.ok() || imported->imported != rows) {
    throw std::runtime_error(imported.ok() ? "short import" : imported.error().message);
  }
  const auto counts = service.counts(kProvider);
  if (!counts.ok() || counts->ready != rows) {
    throw std::runtime_error(
        counts.ok() ? fmt::format("{} ready accounts after importing {} rows", counts->ready, rows)
                    : counts.error().message);
  }
  return {.seconds = std::chrono::duration<double>(end - start).count(),
          .validate_seconds = std::chrono::duration<double>(inserting - start).count()};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Account pool benchmark", "marketlink_pool_bench"};
  app.require_subcommand(1);
  std::string url, client = "service", out;
  int takers = 64;
  int connections = 0;
  long long accounts = 2000, rows = 100000;
  bool full = false, reprepare = false;
  auto* take_cmd = app.add_subcommand("take", "Allocation throughput with concurrent takers.");
  take_cmd->add_option("--db", url, "sqlite:PATH or postgresql://…")->required();
  take_cmd->add_option("--client", client, "service (pool::Pool) or direct (same SQL, raw API)")
      ->check(CLI::IsMember({"service", "direct"}));
  take_cmd->add_option("--takers", takers, "Concurrent takers");
  take_cmd->add_option("--connections", connections,
                       "Database connections shared by the takers (default: one each)");
  take_cmd->add_option("--accounts", accounts, "Ready accounts in the pool");
  take_cmd->add_flag("--reprepare", reprepare,
                     "Direct: prepare each statement on every use, as SOCI does");
  auto* import_cmd = app.add_subcommand("import", "CSV import time through pool::Pool.");
  import_cmd->add_option("--db", url, "sqlite:PATH or postgresql://…")->required();
  import_cmd->add_option("--rows", rows, "Rows in the file");
  auto* csv_cmd = app.add_subcommand("csv", "Write a CSV for the databases' own bulk loaders.");
  csv_cmd->add_option("--rows", rows, "Rows in the file");
  csv_cmd->add_option("--out", out, "File to write")->required();
  csv_cmd->add_flag("--full", full, "Every stored column (for COPY), not the import format");
  CLI11_PARSE(app, argc, argv);
  core::log::set_level("warn");
  try {
    if (csv_cmd->parsed()) {
      std::ofstream(out, std::ios::binary) << make_csv(rows, full);
      return 0;
    }
    reset_database(url);
    if (import_cmd->parsed()) {
      const ImportRun run = import_through_service(url, rows);
      fmt::print("rows={} seconds={:.3f} validate_seconds={:.3f}\n", rows, run.seconds,
                 run.validate_seconds);
      return 0;
    }
    if (connections <= 0) connections = takers;
    const TakeRun run = client == "service"
                            ? take_through_service(url, takers, connections, accounts)
                            : take_directly(url, takers, connections, accounts, reprepare);
    const bool ok = run.takes == accounts && run.distinct == accounts && run.none_answers == takers;
    fmt::print(
        "client={} takers={} accounts={} takes={} distinct={} seconds={:.3f} "
        "takes_per_second={:.0f} ok={}\n",
        client, takers, accounts, run.takes, run.distinct, run.seconds,
        static_cast<double>(run.takes) / run.seconds, ok ? "yes" : "no");
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "marketlink_pool_bench: {}\n", e.what());
    return 1;
  }
}
