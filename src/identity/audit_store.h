// The SQL of the audit log (table audit_events, migration 0010). Private to src/identity: AuditLog
// decides what is written and read, these functions how. They run inside the caller's transaction
// and throw the database's exceptions, which db::Database::transact turns into errors.
#pragma once

#include <string>
#include <vector>

#include "db/database.h"
#include "identity/audit_log.h"

namespace identity {

void insert_audit_event(db::Tx& tx, const AuditEvent& event);

// The organization's own events and the org-less events about its current members, newest
// first, at most `limit`; after (cursor_at, cursor_id) when cursor_at is not empty.
std::vector<AuditEvent> select_audit_events(db::Tx& tx, const std::string& org_id,
                                            const std::string& cursor_at,
                                            const std::string& cursor_id, int limit);

}  // namespace identity
