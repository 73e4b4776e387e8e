// For other modules' store files: writes an audit event inside the caller's own transaction, so
// the change and its record commit together. Build the event with AuditLog::make_event.
#pragma once

#include <soci/soci.h>

#include "identity/audit_log.h"

namespace identity {

void insert_audit_event(soci::session& sql, const AuditEvent& event);

}  // namespace identity
