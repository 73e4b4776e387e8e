// AuditLog: who did what to which resource, when, and from which IP. Every module records its
// state changes here; organization admins read their organization's log.
//
// An entry either belongs to one organization (org_id) or is about a user (subject_user_id, e.g.
// sign-ins), in which case it shows in the log of every organization the user belongs to.
// Entries are never updated or deleted. Never put secrets in `detail`.
//
// A change and its audit entry commit together: services record inside the transaction that makes
// the change (record(db::Tx&, …)); record(entry) alone is for events that change nothing else.
//
// Thread safety: safe for concurrent use.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "db/database.h"
#include "identity/types.h"

namespace identity {

struct AuditEntry {
  std::string org_id;           // the organization the change belongs to; may be empty
  std::string subject_user_id;  // the user an org-less event is about (sign-ins)
  Actor actor;
  std::string action;       // dotted verb: "user.signed_in", "member.role_changed", "pool.imported"
  std::string target_type;  // "user", "organization", "api_token", "account", …
  std::string target_id;
  std::string detail;  // a short human sentence
};

struct AuditEvent {
  std::string id;
  std::string org_id;
  std::string subject_user_id;
  std::string actor_user_id;
  std::string actor_label;
  std::string action;
  std::string target_type;
  std::string target_id;
  std::string detail;
  std::string ip;
  core::TimePoint at;
};

struct AuditPage {
  std::vector<AuditEvent> events;  // newest first
  std::string next_cursor;         // empty when there are no more
};

class AuditLog {
 public:
  AuditLog(db::Database& database, const core::Clock& clock, core::IdGenerator& ids)
      : database_(database), clock_(clock), ids_(ids) {}

  // In a transaction of its own.
  core::Status record(const AuditEntry& entry);
  // Inside the caller's open transaction (from db::Database::transact), so the entry exists if
  // and only if the caller's writes commit. A failed write throws the database's exception into
  // that transact(), which rolls everything back, exactly as for the caller's own statements.
  void record(db::Tx& transaction, const AuditEntry& entry);
  // The same for an event made beforehand with make_event.
  static void write(db::Tx& transaction, const AuditEvent& event);
  // The organization's events, newest first. `limit` is clamped to 1..200; `cursor` is a
  // previous page's next_cursor (invalid when malformed).
  core::Result<AuditPage> list(const std::string& org_id, int limit, const std::string& cursor);

  // The event `entry` becomes, with its id and time.
  AuditEvent make_event(const AuditEntry& entry);

 private:
  db::Database& database_;
  const core::Clock& clock_;
  core::IdGenerator& ids_;
};

}  // namespace identity
