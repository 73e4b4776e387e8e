#include "identity/sealed_secrets.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <map>
#include <thread>

#include "db/database_test_support.h"

namespace identity {
namespace {

using db::testing::TestBackend;

constexpr const char* kOldKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kNewKey = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

class ResealTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    MARKETLINK_OPEN_TEST_DATABASE(db_);
    auto created = db_->db().transact([](db::Tx& tx) -> core::Status {
      tx.sql() << "CREATE TABLE sealed_things (id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
                  " secret TEXT NOT NULL)";
      return {};
    });
    ASSERT_TRUE(created.ok()) << created.error().message;
  }

  void put(const std::string& id, const std::string& kind, const std::string& sealed) {
    auto done = db_->db().transact([&](db::Tx& tx) -> core::Status {
      tx.sql() << "INSERT INTO sealed_things (id, kind, secret) VALUES (:i, :k, :s)", soci::use(id),
          soci::use(kind), soci::use(sealed);
      return {};
    });
    ASSERT_TRUE(done.ok()) << done.error().message;
  }

  std::map<std::string, std::string> rows() {
    std::map<std::string, std::string> out;
    auto done = db_->db().transact(
        [&](db::Tx& tx) -> core::Status {
          soci::rowset<soci::row> rs = (tx.sql().prepare << "SELECT id, secret FROM sealed_things");
          for (const soci::row& r : rs) out[r.get<std::string>(0)] = r.get<std::string>(1);
          return {};
        },
        db::TxMode::kRead);
    EXPECT_TRUE(done.ok());
    return out;
  }

  static SecretBox box(const std::string& keys) { return *SecretBox::from_key_text(keys); }

  SealedColumn column_ = {.what = "things",
                          .table = "sealed_things",
                          .key_column = "id",
                          .column = "secret",
                          .filter_column = "kind",
                          .filter_value = "sealed"};
  std::unique_ptr<db::testing::TestDatabase> db_;
};

TEST_P(ResealTest, ReSealsUnderTheFirstKeyWhatOthersSealedAndCountsTheRest) {
  const SecretBox old_key = box(kOldKey);
  const SecretBox rotated = box(std::string(kNewKey) + "," + kOldKey);
  const SecretBox stranger = box(SecretBox::generate_key_text());
  // More rows than one page of the walk.
  for (int i = 0; i < 450; ++i)
    put("a" + std::to_string(1000 + i), "sealed", old_key.seal("s" + std::to_string(i)));
  put("b-new", "sealed", rotated.seal("already"));
  put("c-lost", "sealed", stranger.seal("lost"));
  put("d-plain", "plain", "not a sealed value");  // outside the filter: left alone

  auto count = reseal_column(db_->db(), rotated, column_);
  ASSERT_TRUE(count.ok()) << count.error().message;
  EXPECT_EQ(count->resealed, 450);
  EXPECT_EQ(count->current, 1);
  EXPECT_EQ(count->unreadable, std::vector<std::string>{"c-lost"});

  const SecretBox new_only = box(kNewKey);
  const auto after = rows();
  for (int i = 0; i < 450; ++i) {
    const std::string& sealed = after.at("a" + std::to_string(1000 + i));
    EXPECT_EQ(SecretBox::key_id_of(sealed), new_only.key_ids().front());
    EXPECT_EQ(*new_only.open(sealed), "s" + std::to_string(i));
  }
  EXPECT_EQ(*new_only.open(after.at("b-new")), "already");
  EXPECT_EQ(after.at("d-plain"), "not a sealed value");
  EXPECT_EQ(*stranger.open(after.at("c-lost")), "lost");

  // A second run changes nothing.
  auto again = reseal_column(db_->db(), rotated, column_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->resealed, 0);
  EXPECT_EQ(again->current, 451);
  EXPECT_EQ(rows(), after);
}

// A running instance changes secrets while the rotation walks them: its writes are never
// overwritten with the older secret.
TEST_P(ResealTest, ASecretChangedDuringTheRotationKeepsItsNewValue) {
  const SecretBox old_key = box(kOldKey);
  const SecretBox rotated = box(std::string(kNewKey) + "," + kOldKey);
  for (int i = 0; i < 300; ++i) put("k" + std::to_string(1000 + i), "sealed", old_key.seal("old"));
  auto other = db_->open_another();
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    // Another instance, still sealing under the old key, edits every row once.
    for (int i = 0; i < 300 && !stop; ++i) {
      const std::string id = "k" + std::to_string(1000 + i);
      const std::string sealed = old_key.seal("edited");
      auto done = other->transact([&](db::Tx& tx) -> core::Status {
        tx.sql() << "UPDATE sealed_things SET secret = :s WHERE id = :i", soci::use(sealed),
            soci::use(id);
        return {};
      });
      if (done.ok()) ++written;
    }
  });
  auto count = reseal_column(db_->db(), rotated, column_);
  stop = true;
  writer.join();
  ASSERT_TRUE(count.ok()) << count.error().message;
  EXPECT_EQ(count->resealed + count->current, 300);
  // Every row holds either the edit (sealed under either key) or the re-sealed original, and
  // exactly `written` rows hold the edit: none was lost.
  int edited = 0;
  for (const auto& [id, sealed] : rows()) {
    auto opened = rotated.open(sealed);
    ASSERT_TRUE(opened.ok()) << id;
    if (*opened == "edited")
      ++edited;
    else
      EXPECT_EQ(*opened, "old") << id;
  }
  EXPECT_EQ(edited, written.load());
  // Afterwards a second run seals what the writer left under the old key.
  ASSERT_TRUE(reseal_column(db_->db(), rotated, column_).ok());
  for (const auto& [id, sealed] : rows()) {
    EXPECT_EQ(SecretBox::key_id_of(sealed), rotated.key_ids().front()) << id;
  }
}

TEST_P(ResealTest, RefusesNamesThatAreNotIdentifiers) {
  SealedColumn bad = column_;
  bad.table = "sealed_things; DROP TABLE x";
  EXPECT_EQ(reseal_column(db_->db(), box(kNewKey), bad).error().code, core::ErrorCode::kInvalid);
}

INSTANTIATE_TEST_SUITE_P(Backends, ResealTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace identity
