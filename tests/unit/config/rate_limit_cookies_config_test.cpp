// SPDX-License-Identifier: Apache-2.0
// server.cookies and server.rate_limit: defaults, good values, strict errors.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config_test_support.hpp"

namespace {

using gslbd::config::load_config;
using gslbd::test::errors_text;
using gslbd::test::fixture;
using gslbd::test::load_good;

// A main file with the given server: lines.
struct MainFile : gslbd::test::TempMainFile {
  MainFile(const std::string& tag, const std::string& server_lines)
      : TempMainFile("rrl-" + tag, "server:\n" + server_lines) {}
};

bool has_message(const gslbd::config::LoadResult& result, const std::string& text, int line) {
  for (const auto& e : result.errors) {
    if (e.to_string().find(text) != std::string::npos && e.line == line) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("cookies on with a random secret and rate limiting off by default") {
  const auto a = load_good(fixture("good/minimal.yaml"));
  const auto b = load_good(fixture("good/minimal.yaml"));
  CHECK(a->server.cookies.enabled);
  CHECK(a->server.cookies.secret_file.empty());
  CHECK(a->server.cookies.secret != b->server.cookies.secret);
  CHECK(a->server.cookies.secret != std::array<std::uint8_t, 16>{});
  const auto& limit = a->server.rate_limit;
  CHECK_FALSE(limit.enabled);
  CHECK(limit.slip == 2);
  CHECK(limit.window_s == 15);
  CHECK(limit.ipv4_prefix == 24);
  CHECK(limit.ipv6_prefix == 56);
}

TEST_CASE("cookie secret from a file, rate limit keys are read") {
  const MainFile main("good",
                      "  cookies:\n    secret_file: secret.hex\n"
                      "  rate_limit:\n    enabled: true\n    responses_per_second: 10\n"
                      "    nxdomains_per_second: 3\n    slip: 1\n    window: 5s\n"
                      "    ipv4_prefix: 32\n    ipv6_prefix: 64\n    table_size: 2048\n"
                      "    exempt: [192.0.2.0/24, \"2001:db8::/32\", 198.51.100.1]\n"
                      "    log_only: true\n");
  main.write("secret.hex", "e5e973e5a6b2a43f48e7dc849e37bfcf\n");
  const auto config = load_good(main.path);
  const auto& cookies = config->server.cookies;
  CHECK(cookies.secret[0] == 0xe5);
  CHECK(cookies.secret[15] == 0xcf);
  const auto& limit = config->server.rate_limit;
  CHECK(limit.enabled);
  CHECK(limit.responses_per_second == 10);
  CHECK(limit.nodata_per_second == 10);  // classes default to the answer rate
  CHECK(limit.referrals_per_second == 10);
  CHECK(limit.errors_per_second == 10);
  CHECK(limit.nxdomains_per_second == 3);
  CHECK(limit.slip == 1);
  CHECK(limit.window_s == 5);
  CHECK(limit.ipv4_prefix == 32);
  CHECK(limit.ipv6_prefix == 64);
  CHECK(limit.table_size == 2048);
  REQUIRE(limit.exempt.size() == 3);
  CHECK(limit.exempt[1].prefix == 32);
  CHECK(limit.exempt[2].prefix == 32);
  CHECK(limit.log_only);
}

TEST_CASE("bad cookie and rate limit settings are errors at their place") {
  const MainFile main("bad",
                      "  cookies:\n    secret_file: secret.hex\n    enabled: maybe\n"
                      "  rate_limit:\n    slip: 11\n    window: 1500ms\n"
                      "    exempt: [192.0.2.1/24, nonsense, \"10.0.0.0/33\"]\n    burst: 3\n");
  main.write("secret.hex", "e5e973e5a6b2a43f\n");
  const auto result = load_config(main.path);
  CHECK_FALSE(result.config);
  INFO(errors_text(result.errors));
  CHECK(has_message(result, "must hold 32 hex digits", 4));
  CHECK(has_message(result, "'enabled': expected true or false", 5));
  CHECK(has_message(result, "slip", 7));
  CHECK(has_message(result, "'window': expected whole seconds", 8));
  CHECK(has_message(result, "has bits set past /24", 9));
  CHECK(has_message(result, "'nonsense' is not an address", 9));
  CHECK(has_message(result, "the prefix length must be 0 to 32", 9));
  CHECK(has_message(result, "burst", 10));

  const MainFile missing("missing", "  cookies:\n    secret_file: nowhere.hex\n");
  const auto none = load_config(missing.path);
  CHECK_FALSE(none.config);
  CHECK(has_message(none, "cannot read", 4));
}
