// 64 concurrent HTTP clients spread over 3 `marketlink serve` processes on one database take
// accounts from a pool in two marketplaces. Checked: every account is taken at most once and all
// of them are taken; no client is told no_ready_account while an account of its marketplace is
// ready; takes respect age (created time, then account id) within each marketplace; repeating an
// order_ref, even at the same moment on several servers, gives the same account.
//
// Sized by MARKETLINK_POOL_TEST_ACCOUNTS (default 300, a few seconds); bench/pool_http.sh runs it
// with 2,000. Runs on SQLite (one file, three processes) and on PostgreSQL (a fresh schema in
// MARKETLINK_TEST_PG_URL; required, not skipped, when MARKETLINK_TEST_REQUIRE_PG=1).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "db/database_test_support.h"
#include "pool_site.h"

namespace {

using db::testing::TestBackend;
using pool_site::Clock;
using pool_site::TakeClient;

constexpr int kClients = 64;
constexpr int kServers = 3;
constexpr int kChunksPerGroup = 3;    // imports per marketplace, each with its own created time
constexpr int kDuplicateSenders = 4;  // clients sending one order_ref at the same moment
constexpr int kDuplicateRounds = 4;   // phase 2's rounds: each round can catch a race

int pool_size() {
  const char* raw = std::getenv("MARKETLINK_POOL_TEST_ACCOUNTS");
  const int n = raw != nullptr ? std::atoi(raw) : 0;
  return n >= 300 ? n : 300;
}

struct Group {
  std::string marketplace;
  std::vector<std::string> by_age;  // oldest first, as the import was designed
  std::map<std::string, int> rank;  // account id → index in by_age
};

// One answered take, with the client and the phase that sent it.
struct Record {
  int client = 0;
  int phase = 0;
  int group = 0;
  std::string order_ref;
  TakeClient::Take take;
};

class PoolProcessTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    MARKETLINK_OPEN_TEST_DATABASE(database_);
    std::string error;
    auto identity = pool_site::bootstrap(database_->url(), {"MP-1001", "MP-1002"}, error);
    ASSERT_TRUE(identity) << error;
    identity_ = *identity;
    servers_ = pool_site::start_servers(database_->url(), kServers, error);
    ASSERT_EQ(servers_.size(), static_cast<size_t>(kServers)) << error;
    admin_ = std::make_unique<TakeClient>(servers_[0].port(), identity_);
    ASSERT_TRUE(admin_->ok());
  }

  // Two marketplaces of `total / 2` accounts each, imported in kChunksPerGroup interleaved CSV
  // files. Ids are shuffled across chunks, so age order (chunk, then id) is not id order.
  void fill(int total) {
    groups_ = {{"MP-1001", {}, {}}, {"MP-1002", {}, {}}};
    const int per_group = total / 2;
    const auto ids = pool_site::account_ids(2 * per_group, 300000000000LL, 7);
    std::vector<std::vector<std::vector<std::string>>> chunks(2);
    size_t next = 0;
    for (int g = 0; g < 2; ++g) {
      for (int c = 0; c < kChunksPerGroup; ++c) {
        const int size = per_group / kChunksPerGroup + (c < per_group % kChunksPerGroup ? 1 : 0);
        chunks[g].emplace_back(ids.begin() + static_cast<long>(next),
                               ids.begin() + static_cast<long>(next) + size);
        next += static_cast<size_t>(size);
      }
    }
    std::map<std::string, std::pair<int, int>> chunk_of;  // id → (group, chunk)
    for (int c = 0; c < kChunksPerGroup; ++c) {
      for (int g = 0; g < 2; ++g) {
        // Each import's created time must differ from the last one's: the server reads the
        // clock after the request arrives, so waiting past the last answer's millisecond is enough.
        const auto answered = std::chrono::system_clock::now();
        while (std::chrono::system_clock::now() < answered + std::chrono::milliseconds(2)) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        const auto reply =
            admin_->request("POST", "/api/v1/orgs/provider/pool/accounts/import", "text/csv",
                            pool_site::csv_for(chunks[g][c], groups_[g].marketplace));
        ASSERT_EQ(reply.status, 201) << reply.body;
        auto sorted = chunks[g][c];
        std::sort(sorted.begin(), sorted.end());  // one import shares one created time
        for (const auto& id : sorted) {
          groups_[g].rank[id] = static_cast<int>(groups_[g].by_age.size());
          groups_[g].by_age.push_back(id);
          chunk_of[id] = {g, c};
        }
      }
    }
    // The created times the server recorded: one per import, later import → later time.
    for (int g = 0; g < 2; ++g) {
      auto listed =
          pool_site::list_accounts(*admin_, identity_.provider, groups_[g].marketplace, "");
      ASSERT_TRUE(listed);
      ASSERT_EQ(listed->size(), groups_[g].by_age.size());
      std::vector<std::string> created(kChunksPerGroup);
      for (const auto& a : *listed) {
        const int c = chunk_of.at(a.account_id).second;
        if (created[c].empty()) created[c] = a.created_at;
        ASSERT_EQ(a.created_at, created[c]) << "one import, one created time";
      }
      for (int c = 1; c < kChunksPerGroup; ++c) ASSERT_LT(created[c - 1], created[c]);
    }
  }

  // The ready accounts of each marketplace are exactly the youngest `ready[g]`, in age order.
  void expect_ready_are_youngest(const std::vector<int>& ready, const std::string& when) {
    for (int g = 0; g < 2; ++g) {
      auto listed =
          pool_site::list_accounts(*admin_, identity_.provider, groups_[g].marketplace, "ready");
      ASSERT_TRUE(listed);
      std::vector<std::string> ids;
      for (const auto& a : *listed) ids.push_back(a.account_id);
      const auto& all = groups_[g].by_age;
      const std::vector<std::string> youngest(all.end() - ready[g], all.end());
      EXPECT_EQ(ids, youngest) << groups_[g].marketplace << " " << when;
    }
  }

  // Runs one thread per client; `body(client, its connection, its records)`.
  template <typename Body>
  void run_clients(Body&& body) {
    std::vector<std::vector<Record>> per_client(kClients);
    std::vector<std::thread> threads;
    std::barrier start(kClients);
    for (int i = 0; i < kClients; ++i) {
      threads.emplace_back([&, i] {
        TakeClient client(servers_[i % kServers].port(), identity_);
        start.arrive_and_wait();
        if (client.ok()) body(i, client, per_client[i]);
      });
    }
    for (auto& t : threads) t.join();
    for (auto& r : per_client) records_.insert(records_.end(), r.begin(), r.end());
  }

  std::unique_ptr<db::testing::TestDatabase> database_;
  pool_site::Identity identity_;
  std::vector<testing_support::ServerProcess> servers_;
  std::unique_ptr<TakeClient> admin_;
  std::vector<Group> groups_;
  std::vector<Record> records_;
};

// An order_ref unique to a client's n-th take in a phase.
std::string order_ref(int phase, int client, int n) {
  return fmt::format("order-{}-{}-{}", phase, client, n);
}

TEST_P(PoolProcessTest, SixtyFourClientsOnThreeServersTakeEachAccountOnceInAgeOrder) {
  const int total = pool_size();
  ASSERT_NO_FATAL_FAILURE(fill(total));
  const int per_group = static_cast<int>(groups_[0].by_age.size());
  // Client i talks to server i % 3 and takes from marketplace i % 2: every pairing occurs.
  auto group_of = [](int client) { return client % 2; };

  // Phase 1: takes until a third of each marketplace is left. With that many ready, every single
  // take must succeed, and afterwards exactly the youngest third must still be ready.
  const int keep = per_group / 3;
  std::vector<std::atomic<int>> reserved(2);
  run_clients([&](int i, TakeClient& client, std::vector<Record>& out) {
    const int g = group_of(i);
    for (int n = 0; reserved[g].fetch_add(1) < per_group - keep; ++n) {
      const std::string ref = order_ref(1, i, n);
      out.push_back({i, 1, g, ref, client.take(groups_[g].marketplace, ref)});
    }
  });
  for (const Record& r : records_) {
    ASSERT_EQ(r.take.status, 201) << "phase 1, " << keep << "+ still ready: " << r.take.body;
  }
  ASSERT_NO_FATAL_FAILURE(expect_ready_are_youngest({keep, keep}, "after phase 1"));

  // Phase 2: groups of kDuplicateSenders clients on different servers send one order_ref at the
  // same moment: each group gets one account, the same for all its senders. Several rounds, as
  // one round catches a race between such senders only some of the time.
  const int dup_per_group = kClients / kDuplicateSenders / 2;
  for (int round = 1; round <= kDuplicateRounds; ++round) {
    const size_t first = records_.size();
    run_clients([&](int i, TakeClient& client, std::vector<Record>& out) {
      const int g = (i / kDuplicateSenders) % 2;
      const std::string ref = fmt::format("order-dup-{}-{}", round, i / kDuplicateSenders);
      out.push_back({i, 2, g, ref, client.take(groups_[g].marketplace, ref)});
    });
    std::map<std::string, std::set<std::string>> dup_accounts;
    for (size_t k = first; k < records_.size(); ++k) {
      const Record& r = records_[k];
      ASSERT_EQ(r.take.status, 201) << r.take.body;
      dup_accounts[r.order_ref].insert(r.take.account_id);
    }
    ASSERT_EQ(dup_accounts.size(), static_cast<size_t>(kClients / kDuplicateSenders));
    for (const auto& [ref, accounts] : dup_accounts) {
      EXPECT_EQ(accounts.size(), 1u) << ref << " got several accounts";
    }
    const int left = keep - round * dup_per_group;
    ASSERT_NO_FATAL_FAILURE(
        expect_ready_are_youngest({left, left}, fmt::format("after phase 2, round {}", round)));
  }

  // Phase 3: every client takes until it is told no_ready_account.
  run_clients([&](int i, TakeClient& client, std::vector<Record>& out) {
    const int g = group_of(i);
    for (int n = 0;; ++n) {
      const std::string ref = order_ref(3, i, n);
      out.push_back({i, 3, g, ref, client.take(groups_[g].marketplace, ref)});
      if (out.back().take.status != 201) break;
    }
  });

  // Every answer is a take or, last for each client, no_ready_account.
  std::map<std::string, const Record*> taken;  // account → the (first) record that took it
  std::vector<int> last_409_per_client(kClients, 0);
  for (const Record& r : records_) {
    const auto& t = r.take;
    if (r.phase == 3 && t.status == 409) {
      EXPECT_EQ(t.error_code, "no_ready_account") << t.body;
      ++last_409_per_client[r.client];
      continue;
    }
    ASSERT_EQ(t.status, 201) << "phase " << r.phase << ": " << t.body;
    EXPECT_EQ(t.order_id, r.order_ref);
    EXPECT_EQ(t.marketplace_id, groups_[r.group].marketplace);
    EXPECT_EQ(t.account_status, "provisioning");
    ASSERT_TRUE(groups_[r.group].rank.contains(t.account_id)) << t.account_id;
    auto [at, fresh] = taken.emplace(t.account_id, &r);
    if (!fresh) {
      EXPECT_TRUE(r.phase == 2 && at->second->order_ref == r.order_ref)
          << t.account_id << " taken by " << at->second->order_ref << " and " << r.order_ref;
    }
  }
  for (int i = 0; i < kClients; ++i) EXPECT_EQ(last_409_per_client[i], 1) << "client " << i;
  EXPECT_EQ(taken.size(), static_cast<size_t>(2 * per_group)) << "every account taken once";
  ASSERT_NO_FATAL_FAILURE(expect_ready_are_youngest({0, 0}, "at the end"));

  for (int g = 0; g < 2; ++g) {
    // A take answered before another was sent committed first; since nothing is ever handed back,
    // the later one must get a younger account. (Phase 2's senders share their take.)
    std::vector<const Record*> mine;
    for (const Record& r : records_) {
      if (r.group == g && r.phase != 2 && r.take.status == 201) mine.push_back(&r);
    }
    std::vector<const Record*> by_sent = mine, by_received = mine;
    std::sort(by_sent.begin(), by_sent.end(),
              [](auto* a, auto* b) { return a->take.sent < b->take.sent; });
    std::sort(by_received.begin(), by_received.end(),
              [](auto* a, auto* b) { return a->take.received < b->take.received; });
    const auto& rank = groups_[g].rank;
    int oldest_possible = -1;  // the youngest rank among takes answered so far
    size_t answered = 0;
    int violations = 0;
    for (const Record* r : by_sent) {
      while (answered < by_received.size() && by_received[answered]->take.received < r->take.sent) {
        oldest_possible =
            std::max(oldest_possible, rank.at(by_received[answered]->take.account_id));
        ++answered;
      }
      if (rank.at(r->take.account_id) <= oldest_possible && ++violations <= 5) {
        ADD_FAILURE() << r->order_ref << " took " << r->take.account_id << " (age rank "
                      << rank.at(r->take.account_id) << ") after a take of rank " << oldest_possible
                      << " was answered";
      }
    }
    EXPECT_EQ(violations, 0) << groups_[g].marketplace;

    // No one was told "none" before a take that then still found an account.
    Clock::time_point last_take_sent{}, first_none_received = Clock::time_point::max();
    for (const Record& r : records_) {
      if (r.group != g) continue;
      if (r.take.status == 201) last_take_sent = std::max(last_take_sent, r.take.sent);
      if (r.take.status == 409)
        first_none_received = std::min(first_none_received, r.take.received);
    }
    EXPECT_LE(last_take_sent, first_none_received)
        << groups_[g].marketplace << ": no_ready_account answered before a later successful take";
  }

  // Repeating an order_ref, on another server, gives the same account; in another marketplace
  // it is a conflict.
  run_clients([&](int i, TakeClient& client, std::vector<Record>&) {
    const std::string ref = order_ref(1, (i + 1) % kClients, 0);
    const int ref_group = group_of((i + 1) % kClients);
    const auto original = std::find_if(records_.begin(), records_.end(),
                                       [&](const Record& r) { return r.order_ref == ref; });
    if (original == records_.end()) return;  // that client took nothing in phase 1
    auto again = client.take(groups_[ref_group].marketplace, ref);
    EXPECT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(again.account_id, original->take.account_id) << ref;
    EXPECT_EQ(again.order_id, ref);
    auto elsewhere = client.take(groups_[1 - ref_group].marketplace, ref);
    EXPECT_EQ(elsewhere.status, 409);
    EXPECT_EQ(elsewhere.error_code, "order_ref_conflict") << elsewhere.body;
  });
  expect_ready_are_youngest({0, 0}, "after the repeats");
}

INSTANTIATE_TEST_SUITE_P(Backends, PoolProcessTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
