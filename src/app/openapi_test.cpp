// The OpenAPI document and the router agree: every /api/v1 route `marketlink serve` registers is
// in docs/openapi.json (method and path), and everything the document describes is a route.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "app/openapi_route.h"
#include "app/wiring.h"
#include "identity/secret_box.h"

namespace app {
namespace {

using Operation = std::pair<std::string, std::string>;  // method, path

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("marketlink-openapi-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    config_.db = "sqlite:" + (dir_ / "openapi.db").string();
    config_.secret_key = identity::SecretBox::generate_key_text();
    config_.outbox_dir = (dir_ / "outbox").string();
    platform_ = Platform::open(config_, "http://127.0.0.1:8080");
    ASSERT_TRUE(platform_);
    // Every domain, as serve() wires them.
    domains_ = wire_domains(*platform_);
    ASSERT_TRUE(domains_);
  }
  void TearDown() override {
    domains_.reset();
    platform_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  core::Config config_;
  std::unique_ptr<Platform> platform_;
  std::unique_ptr<Domains> domains_;
};

TEST_F(OpenApiTest, EveryApiRouteIsDescribedAndEveryDescribedOperationIsARoute) {
  const auto doc = nlohmann::json::parse(openapi_document(), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["openapi"], "3.1.0");

  std::set<Operation> routed;
  for (const http::Route& route : platform_->router.routes()) {
    if (route.pattern.starts_with("/api/v1/") || route.pattern == "/api/v1") {
      routed.insert({lower(http::method_name(route.method)), route.pattern});
    }
  }
  ASSERT_GT(routed.size(), 30u);
  std::set<Operation> described;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) described.insert({method, path});
  }
  for (const Operation& op : routed) {
    EXPECT_TRUE(described.count(op))
        << "not in docs/openapi.json: " << op.first << " " << op.second;
  }
  for (const Operation& op : described) {
    EXPECT_TRUE(routed.count(op)) << "no such route: " << op.first << " " << op.second;
  }
}

TEST_F(OpenApiTest, EveryOperationDeclaresItsPathParametersAndAnswersAndEveryReferenceResolves) {
  const auto doc = nlohmann::json::parse(openapi_document());
  std::set<std::string> ids;
  const std::regex placeholder("\\{([a-z_]+)\\}");
  for (const auto& [path, item] : doc["paths"].items()) {
    std::set<std::string> in_path;
    for (auto it = std::sregex_iterator(path.begin(), path.end(), placeholder);
         it != std::sregex_iterator(); ++it) {
      in_path.insert((*it)[1]);
    }
    for (const auto& [method, op] : item.items()) {
      const std::string where = method + " " + path;
      ASSERT_TRUE(op.contains("operationId")) << where;
      EXPECT_TRUE(ids.insert(op["operationId"].get<std::string>()).second) << where;
      EXPECT_FALSE(op.value("summary", "").empty()) << where;
      ASSERT_TRUE(op.contains("responses") && !op["responses"].empty()) << where;
      std::set<std::string> declared;
      for (const auto& p : op.value("parameters", nlohmann::json::array())) {
        if (p["in"] == "path") declared.insert(p["name"].get<std::string>());
      }
      EXPECT_EQ(declared, in_path) << where;
      if (op.contains("requestBody")) {
        EXPECT_TRUE(op["requestBody"].is_object() && op["requestBody"].contains("content"))
            << where << ": a request body is an object with its content types";
      }
      for (const auto& [status, answer] : op["responses"].items()) {
        if (status.starts_with("4") || status.starts_with("5")) {
          EXPECT_TRUE(answer.contains("$ref")) << where << " " << status;
        }
      }
    }
  }
  // Every $ref points at something in the document.
  std::function<void(const nlohmann::json&)> check = [&](const nlohmann::json& node) {
    if (node.is_object()) {
      if (const auto r = node.find("$ref"); r != node.end()) {
        const std::string pointer = r->get<std::string>();
        ASSERT_TRUE(pointer.starts_with("#/")) << pointer;
        EXPECT_TRUE(doc.contains(nlohmann::json::json_pointer(pointer.substr(1)))) << pointer;
      }
      for (const auto& [key, value] : node.items()) check(value);
    } else if (node.is_array()) {
      for (const auto& value : node) check(value);
    }
  };
  check(doc);
  // The error shape of API.md.
  EXPECT_EQ(doc["components"]["schemas"]["Error"]["required"], nlohmann::json({"error"}));
}

TEST_F(OpenApiTest, IsServedAtApiV1OpenapiJson) {
  auto match = platform_->router.match(http::Method::kGet, "/api/v1/openapi.json");
  ASSERT_NE(match.route, nullptr);
  http::Request request;
  request.method = http::Method::kGet;
  request.path = "/api/v1/openapi.json";
  const http::Response response = match.route->handler(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, openapi_document());
  const std::string* type = response.header("Content-Type");
  ASSERT_NE(type, nullptr);
  EXPECT_NE(type->find("application/json"), std::string::npos);
}

}  // namespace
}  // namespace app
