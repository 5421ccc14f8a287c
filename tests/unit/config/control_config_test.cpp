// SPDX-License-Identifier: Apache-2.0
// The control: section: limits and their defaults, allowed_hosts, the token file rules (not
// together with admin_without_token; a warning when others can read or write it).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config_test_support.hpp"

namespace {

using gslbd::config::load_config;
using gslbd::test::check_errors;
using gslbd::test::load_good;

// A main file with the given control: lines and a token file of the given mode.
struct MainFile : gslbd::test::TempMainFile {
  MainFile(const std::string& tag, const std::string& control_lines, mode_t token_mode = 0600)
      : TempMainFile("control-" + tag, "control:\n" + control_lines) {
    const std::string token = (dir / "control.token").string();
    write("control.token", "0123456789abcdef0123\n");
    ::chmod(token.c_str(), token_mode);
  }
};

}  // namespace

TEST_CASE("control: defaults and the new limits") {
  {
    MainFile main("defaults", "  enabled: true\n");
    const auto config = load_good(main.path);
    const auto& control = config->server.control;
    CHECK(control.max_connections == 64);
    CHECK(control.max_connections_per_source == 8);
    CHECK(control.idle_timeout_ms == 10'000);
    CHECK(control.request_timeout_ms == 5'000);
    CHECK(control.allowed_hosts.empty());
    CHECK(control.warnings.empty());
  }
  MainFile main("values",
                "  max_connections_per_source: 3\n  request_timeout: 1500ms\n"
                "  allowed_hosts: [gslb1.Example.NET, metrics-1]\n");
  const auto config = load_good(main.path);
  const auto& control = config->server.control;
  CHECK(control.max_connections_per_source == 3);
  CHECK(control.request_timeout_ms == 1500);
  CHECK(control.allowed_hosts == std::vector<std::string>{"gslb1.example.net", "metrics-1"});
}

TEST_CASE("control: bad limits and host names are errors at their place") {
  MainFile main("bad",
                "  max_connections_per_source: 0\n  request_timeout: 0s\n"
                "  allowed_hosts: [\"127.0.0.1\", \"a..b\", \"ok.example\"]\n");
  check_errors(main.path, {{3, 31, "max_connections_per_source"},
                           {4, 20, "'request_timeout': expected more than 0"},
                           {5, 19, "'127.0.0.1' is not a host name"},
                           {5, 32, "'a..b' is not a host name"}});
}

TEST_CASE("control: token_file with admin_without_token is an error, not a silent choice") {
  MainFile main("both", "  token_file: control.token\n  admin_without_token: true\n");
  check_errors(main.path, {{4, 24, "'admin_without_token': cannot be used with 'token_file'"}});
  // Either one alone loads.
  MainFile token("token-only", "  token_file: control.token\n  admin_without_token: false\n");
  CHECK(load_config(token.path).config);
  MainFile opt_out("opt-out-only", "  admin_without_token: true\n");
  CHECK(load_config(opt_out.path).config);
}

TEST_CASE("control: a token file others can read or write loads with a warning at its place") {
  for (const mode_t mode : {mode_t{0644}, mode_t{0640}, mode_t{0620}, mode_t{0602}}) {
    CAPTURE(mode);
    MainFile main("open-" + std::to_string(mode), "  token_file: control.token\n", mode);
    const auto config = load_good(main.path);
    const auto& warnings = config->server.control.warnings;
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].rfind(main.path + ":3:15: warning: 'token_file': ", 0) == 0);
    CHECK(warnings[0].find("by group or others") != std::string::npos);
    CHECK(warnings[0].find("chmod 600") != std::string::npos);
  }
  MainFile private_file("private", "  token_file: control.token\n", 0600);
  const auto config = load_good(private_file.path);
  CHECK(config->server.control.warnings.empty());
  CHECK(config->server.control.token == "0123456789abcdef0123");
}
