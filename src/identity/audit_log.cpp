#include "identity/audit_log.h"

#include <soci/soci.h>
#include <algorithm>

namespace identity {

namespace {

constexpr const char* kInsertEvent =
    "INSERT INTO audit_events (id, org_id, subject_user_id, actor_user_id, actor_label, action, "
    "target_type, target_id, detail, ip, created_at) VALUES (:id, :org_id, :subject_user_id, "
    ":actor_user_id, :actor_label, :action, :target_type, :target_id, :detail, :ip, :created_at)";

// An organization's own events, and the org-less events about its current members.
constexpr const char* kListEvents =
    "SELECT id, org_id, subject_user_id, actor_user_id, actor_label, action, target_type, "
    "target_id, detail, ip, created_at FROM audit_events "
    "WHERE (org_id = :org_id OR (org_id = '' AND subject_user_id IN "
    "(SELECT user_id FROM memberships WHERE org_id = :member_org_id))) "
    "AND (:no_cursor = 1 OR created_at < :cursor_at OR (created_at = :cursor_at_same AND id < "
    ":cursor_id)) "
    "ORDER BY created_at DESC, id DESC LIMIT :limit";

constexpr char kCursorSeparator = '~';

}  // namespace

void AuditLog::write(db::Tx& transaction, const AuditEvent& e) {
  const std::string at = core::format_rfc3339(e.at);
  transaction.sql() << kInsertEvent, soci::use(e.id), soci::use(e.org_id),
      soci::use(e.subject_user_id), soci::use(e.actor_user_id), soci::use(e.actor_label),
      soci::use(e.action), soci::use(e.target_type), soci::use(e.target_id), soci::use(e.detail),
      soci::use(e.ip), soci::use(at);
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
  int no_cursor = cursor.empty() ? 1 : 0;
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
  int fetch = limit + 1;
  return database_.transact(
      [&](db::Tx& tx) -> core::Result<AuditPage> {
        soci::session& sql = tx.sql();
        AuditPage page;
        soci::rowset<soci::row> rows =
            (sql.prepare << kListEvents, soci::use(org_id), soci::use(org_id), soci::use(no_cursor),
             soci::use(cursor_at), soci::use(cursor_at), soci::use(cursor_id), soci::use(fetch));
        for (const soci::row& r : rows) {
          AuditEvent e;
          e.id = r.get<std::string>(0);
          e.org_id = r.get<std::string>(1);
          e.subject_user_id = r.get<std::string>(2);
          e.actor_user_id = r.get<std::string>(3);
          e.actor_label = r.get<std::string>(4);
          e.action = r.get<std::string>(5);
          e.target_type = r.get<std::string>(6);
          e.target_id = r.get<std::string>(7);
          e.detail = r.get<std::string>(8);
          e.ip = r.get<std::string>(9);
          e.at = core::parse_rfc3339(r.get<std::string>(10)).value_or(core::TimePoint{});
          page.events.push_back(std::move(e));
        }
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
