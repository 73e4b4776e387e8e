// The SQL behind AwsAccess (pool_aws_access, migration 0021). Private to src/pool. Functions run
// inside the caller's transaction and throw the database's exceptions, which
// db::Database::transact turns into errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <soci/soci.h>

#include "pool/aws_access.h"

namespace pool::aws_access_store {

struct Row {
  AwsAccessView view;
  std::string secret_sealed;
};

// `lock_clause`: "" or db::Database::for_update().
std::optional<Row> find(soci::session& s, const std::string& provider, const char* lock_clause);
// Inserts or replaces the keys, keeping the latest run.
void save(soci::session& s, const std::string& provider, const AwsAccessView& view,
          const std::string& secret_sealed);
bool remove(soci::session& s, const std::string& provider);
// Records a new run as the latest (replacing the previous one).
void start_run(soci::session& s, const std::string& provider, const AccessCheckRun& run);
// Adds to the counts of the run that started at `started`; false when another run replaced it.
bool add_progress(soci::session& s, const std::string& provider, core::TimePoint started,
                  const AccessCheckReport& report, core::TimePoint at);
// Ends the run that started at `started` (no-op when another run replaced it).
void finish_run(soci::session& s, const std::string& provider, core::TimePoint started,
                core::TimePoint finished, const std::string& error);
// Providers with the automatic check on.
std::vector<std::string> providers_checking(soci::session& s);

}  // namespace pool::aws_access_store
