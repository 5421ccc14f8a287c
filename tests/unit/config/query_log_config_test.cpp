// SPDX-License-Identifier: Apache-2.0
// server.log.queries and server.log.query_rate: defaults, good values, strict errors.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config_test_support.hpp"

namespace {

using gslbd::test::check_errors;
using gslbd::test::fixture;
using gslbd::test::load_good;

// A main file with the given log: lines.
struct MainFile : gslbd::test::TempMainFile {
  MainFile(const std::string& tag, const std::string& log_lines)
      : TempMainFile("qlog-" + tag, "server:\n  log:\n" + log_lines) {}
};

}  // namespace

TEST_CASE("query log: off with 100 lines per second by default") {
  const auto config = load_good(fixture("good/minimal.yaml"));
  CHECK(config->server.log_queries == false);
  CHECK(config->server.query_log_rate == 100);
}

TEST_CASE("query log: queries and query_rate are read") {
  const MainFile main("good", "    level: debug\n    queries: true\n    query_rate: 5\n");
  const auto config = load_good(main.path);
  CHECK(config->server.log_queries == true);
  CHECK(config->server.query_log_rate == 5);
  CHECK(config->server.log_level == "debug");

  const MainFile top("top", "    queries: false\n    query_rate: 100000\n");
  const auto top_config = load_good(top.path);
  CHECK(top_config->server.log_queries == false);
  CHECK(top_config->server.query_log_rate == 100000);
}

TEST_CASE("query log: bad values are reported with their position") {
  const MainFile main("bad", "    queries: yes\n    query_rate: 0\n");
  check_errors(main.path, {{4, 14, "'queries': expected true or false"},
                           {5, 17, "expected a number (1..100000)"}});

  const MainFile high("high", "    query_rate: 100001\n    query_log: true\n");
  check_errors(high.path, {{4, 17, "expected a number (1..100000)"},
                           {5, 5, "unknown key 'query_log' in 'log'"}});
}
