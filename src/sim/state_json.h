// The JSON form of the simulator's state, private to src/sim: one to_json/from_json pair per
// entity of sim_state.h, used by the control API's read-outs (GET /_sim/…) and by the state file
// (marketlink sim --state FILE, GET and POST /_sim/state) alike, so both show the same keys.
//
// Keys are the control API's (docs/simulator.md): snake_case, ids named after their entity
// ("account_id", "agreement_id", "product_code"), times as RFC 3339 UTC strings with
// milliseconds ("2026-01-01T00:00:00.000Z"), and null for an empty optional field. A read-out
// may add what is derived from other entities (an account's organization and buckets, a
// notification subscription's queue URL); the entity's own form never depends on anything but
// the entity.
//
// from_json throws Json::exception (a missing key or a wrong type) or std::invalid_argument
// (a malformed value); state_from_json turns both into an invalid Status.
#pragma once

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "sim/sim_state.h"

namespace sim {

// Saved state documents carry this in "format". Format 1 (the state file's own keys, times as
// epoch milliseconds) is no longer read.
inline constexpr int kStateFormat = 2;

void to_json(Json& j, const AccessKey& k);
void from_json(const Json& j, AccessKey& k);
void to_json(Json& j, const Role& r);
void from_json(const Json& j, Role& r);
void to_json(Json& j, const IamUser& u);
void from_json(const Json& j, IamUser& u);
void to_json(Json& j, const Contact& c);
void from_json(const Json& j, Contact& c);
void to_json(Json& j, const Account& a);
void from_json(const Json& j, Account& a);
void to_json(Json& j, const Organization& o);
void from_json(const Json& j, Organization& o);
void to_json(Json& j, const CreateAccountRequest& r);
void from_json(const Json& j, CreateAccountRequest& r);
void to_json(Json& j, const Bucket& b);
void from_json(const Json& j, Bucket& b);
void to_json(Json& j, const Product& p);
void from_json(const Json& j, Product& p);
void to_json(Json& j, const Agreement& a);
void from_json(const Json& j, Agreement& a);
void to_json(Json& j, const MeteringRecord& r);
void from_json(const Json& j, MeteringRecord& r);
void to_json(Json& j, const NotificationSubscription& s);
void from_json(const Json& j, NotificationSubscription& s);
void to_json(Json& j, const EventDestination& d);
void from_json(const Json& j, EventDestination& d);
void to_json(Json& j, const QueueMessage& m);
void from_json(const Json& j, QueueMessage& m);
void to_json(Json& j, const Queue& q);
void from_json(const Json& j, Queue& q);
// Read-outs only: calls and the delivery log are not kept in the state file.
void to_json(Json& j, const CallRecord& c);
void to_json(Json& j, const DeliveryLog& d);

// Registration tokens are keyed by the token itself: {"registration_token", "agreement_id",
// "issued_at"}.
Json registration_token_json(const std::string& token, const RegistrationToken& t);

// The whole saved state: {"format", "offset_seconds", "settings", "accounts", "access_keys",
// "organizations", "create_account_requests", "buckets", "products", "subscriptions",
// "registration_tokens", "metering_records", "notification_subscriptions",
// "event_destinations", "queues"}. Calls, faults, pending deliveries and the delivery log are
// left out; the SNS signing key is made anew at each start.
Json state_to_json(const State& st);
// Replaces the saved parts of `st` (settings start from st.settings and take the saved values).
// Invalid, with `st` unchanged, when `saved` is not a state document of kStateFormat.
core::Status state_from_json(const Json& saved, State& st);

}  // namespace sim
