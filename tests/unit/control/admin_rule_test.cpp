// SPDX-License-Identifier: Apache-2.0
// The admin token rule (as a decision function: the tests never bind non-loopback addresses),
// the constant-time comparison, and the largest TTL behind a drain's safe_after.
#include <doctest/doctest.h>

#include "control/admin.hpp"
#include "control_test_support.hpp"

using namespace gslbd::control;

namespace {

gslbd::runtime::ControlConfig settings(const std::string& host, const std::string& token,
                                       bool without) {
  gslbd::runtime::ControlConfig s;
  s.listen = {host, 9253};
  s.token = token;
  s.admin_without_token = without;
  return s;
}

}  // namespace

TEST_CASE("a token is needed unless admin_without_token on a loopback listener") {
  const std::string good = "Bearer t0ken";
  const std::string wrong = "Bearer t0kem";
  const std::string basic = "Basic dXNlcjpwYXNz";
  // A token configured: only the right bearer token passes.
  CHECK(admin_access(settings("127.0.0.1", "t0ken", false), &good) == AdminAccess::allowed);
  CHECK(admin_access(settings("127.0.0.1", "t0ken", false), &wrong) == AdminAccess::wrong);
  CHECK(admin_access(settings("127.0.0.1", "t0ken", false), nullptr) == AdminAccess::missing);
  CHECK(admin_access(settings("127.0.0.1", "t0ken", false), &basic) == AdminAccess::missing);
  const std::string lower = "bearer t0ken";
  CHECK(admin_access(settings("127.0.0.1", "t0ken", false), &lower) == AdminAccess::allowed);
  const std::string prefix = "Bearer t0ke";
  CHECK(admin_access(settings("127.0.0.1", "t0ken", false), &prefix) == AdminAccess::wrong);
  // The opt-out works on loopback listeners only.
  CHECK(admin_access(settings("127.0.0.1", "", true), nullptr) == AdminAccess::allowed);
  CHECK(admin_access(settings("::1", "", true), nullptr) == AdminAccess::allowed);
  CHECK(admin_access(settings("0.0.0.0", "", true), nullptr) == AdminAccess::no_token_configured);
  CHECK(admin_access(settings("192.0.2.1", "t0ken", true), nullptr) == AdminAccess::missing);
  CHECK(admin_access(settings("192.0.2.1", "t0ken", true), &good) == AdminAccess::allowed);
  // A configured token is never bypassed by the opt-out (the config refuses both; callers
  // that build settings by hand get the same answer).
  CHECK(admin_access(settings("127.0.0.1", "t0ken", true), &wrong) == AdminAccess::wrong);
  CHECK(admin_access(settings("127.0.0.1", "t0ken", true), nullptr) == AdminAccess::missing);
  CHECK(admin_access(settings("127.0.0.1", "t0ken", true), &good) == AdminAccess::allowed);
  // No token and no opt-out: admin is closed.
  CHECK(admin_access(settings("127.0.0.1", "", false), &good) == AdminAccess::no_token_configured);
}

TEST_CASE("constant_time_equal") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK(constant_time_equal("", ""));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK_FALSE(constant_time_equal("abc", ""));
  CHECK_FALSE(constant_time_equal(std::string_view("a\0", 2), "a"));
}

TEST_CASE("largest TTL naming a pool follows services and fallback pools") {
  const auto config = test::make_config();
  // app: 30/5. sticky: 60. spare: its own service (10) and app falls back to it (30).
  CHECK(largest_ttl_naming(*config, 0) == 30);
  CHECK(largest_ttl_naming(*config, 1) == 60);
  CHECK(largest_ttl_naming(*config, 2) == 30);
  CHECK(largest_ttl_naming(*config, 3) == 0);
  CHECK(largest_ttl_naming(*config, -1) == 0);
}
