#include "identity/audit_log.h"

#include <algorithm>

#include "identity/audit_store.h"

namespace identity {

namespace {

constexpr char kCursorSeparator = '~';

}  // namespace

void AuditLog::write(db::Tx& transaction, const AuditEvent& event) {
  insert_audit_event(transaction, event);
}

AuditEvent AuditLog::make_event(const AuditEntry& entry) {
  return AuditEvent{.id = ids_.new_id(),
                    .org_id = entry.org_id,
                    .subject_user_id = entry.subject_user_id,
                    .actor_user_id = entry.actor.user_id,
                    .actor_label = entry.actor.label.empty() ? "system" : entry.actor.label,
                    .action = entry.action,
                    .target_type = entry.target_type,
                    .target_id = entry.target_id,
                    .detail = entry.detail,
                    .ip = entry.actor.ip,
                    .at = clock_.now()};
}

core::Status AuditLog::record(const AuditEntry& entry) {
  const AuditEvent event = make_event(entry);
  return database_.transact([&](db::Tx& tx) -> core::Status {
    write(tx, event);
    return {};
  });
}

void AuditLog::record(db::Tx& transaction, const AuditEntry& entry) {
  write(transaction, make_event(entry));
}

core::Result<AuditPage> AuditLog::list(const std::string& org_id, int limit,
                                       const std::string& cursor) {
  limit = std::clamp(limit, 1, 200);
  std::string cursor_at;
  std::string cursor_id;
  if (!cursor.empty()) {
    const auto sep = cursor.find(kCursorSeparator);
    if (sep == std::string::npos || !core::parse_rfc3339(cursor.substr(0, sep))) {
      return core::invalid("The cursor is not one this server gave out.", "invalid_cursor");
    }
    cursor_at = cursor.substr(0, sep);
    cursor_id = cursor.substr(sep + 1);
  }
  return database_.transact(
      [&](db::Tx& tx) -> core::Result<AuditPage> {
        AuditPage page;
        page.events = select_audit_events(tx, org_id, cursor_at, cursor_id, limit + 1);
        if (static_cast<int>(page.events.size()) > limit) {
          page.events.resize(static_cast<size_t>(limit));
          const AuditEvent& last = page.events.back();
          page.next_cursor = core::format_rfc3339(last.at) + kCursorSeparator + last.id;
        }
        return page;
      },
      db::TxMode::kRead);
}

}  // namespace identity
