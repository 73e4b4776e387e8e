// Outbox event names: each one round-trips, and nothing else parses.
#include <gtest/gtest.h>

#include "saas/outbox.h"

namespace saas {
namespace {

TEST(OutboxEventNames, EachNameRoundTripsAndOthersDoNotParse) {
  for (OutboxEvent e :
       {OutboxEvent::kLinked, OutboxEvent::kActive, OutboxEvent::kUnsubscribePending,
        OutboxEvent::kCancelled, OutboxEvent::kEntitlementsChanged, OutboxEvent::kMeteringFailed}) {
    const std::string name = outbox_event_name(e);
    EXPECT_FALSE(name.empty());
    EXPECT_EQ(parse_outbox_event(name), e) << name;
  }
  EXPECT_EQ(std::string(outbox_event_name(OutboxEvent::kUnsubscribePending)),
            "unsubscribe_pending");
  EXPECT_EQ(parse_outbox_event("Active"), std::nullopt);
  EXPECT_EQ(parse_outbox_event(""), std::nullopt);
}

}  // namespace
}  // namespace saas
