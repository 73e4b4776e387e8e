#include "identity/audit_store.h"

#include <soci/soci.h>

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

}  // namespace

void insert_audit_event(db::Tx& tx, const AuditEvent& e) {
  const std::string at = core::format_rfc3339(e.at);
  tx.sql() << kInsertEvent, soci::use(e.id), soci::use(e.org_id), soci::use(e.subject_user_id),
      soci::use(e.actor_user_id), soci::use(e.actor_label), soci::use(e.action),
      soci::use(e.target_type), soci::use(e.target_id), soci::use(e.detail), soci::use(e.ip),
      soci::use(at);
}

std::vector<AuditEvent> select_audit_events(db::Tx& tx, const std::string& org_id,
                                            const std::string& cursor_at,
                                            const std::string& cursor_id, int limit) {
  int no_cursor = cursor_at.empty() ? 1 : 0;
  std::vector<AuditEvent> out;
  soci::rowset<soci::row> rows =
      (tx.sql().prepare << kListEvents, soci::use(org_id), soci::use(org_id), soci::use(no_cursor),
       soci::use(cursor_at), soci::use(cursor_at), soci::use(cursor_id), soci::use(limit));
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
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace identity
