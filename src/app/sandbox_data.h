// The sandbox's demo organizations and users (`marketlink serve --sandbox`). Loading is
// idempotent: what exists already is left as it is. The demo password is for the sandbox only.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "identity/identity_service.h"

namespace app {

inline constexpr const char* kDemoPassword = "marketlink-demo-password";

struct DemoUser {
  std::string email;
  std::string name;
  std::string what;  // what signing in as this user shows, for the sandbox guide
};

// The demo users, in the order the sandbox guide lists them.
const std::vector<DemoUser>& demo_users();

// Creates whatever of the demo data is missing.
core::Status load_identity_demo_data(identity::IdentityService& identity);

}  // namespace app
