// SPDX-License-Identifier: Apache-2.0
// server.log.queries and server.log.query_rate: defaults, good values, strict errors.
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
using gslbd::test::has_error;

// A main file with the given log: lines.
struct MainFile : gslbd::test::TempMainFile {
  MainFile(const std::string& tag, const std::string& log_lines)
      : TempMainFile("qlog-" + tag, "server:\n  log:\n" + log_lines) {}
};

}  // namespace

TEST_CASE("query log: off with 100 lines per second by default") {
  const auto result = load_config(fixture("good/minimal.yaml"));
  INFO(errors_text(result.errors));
  REQUIRE(result.config);
  CHECK(result.config->server.log_queries == false);
  CHECK(result.config->server.query_log_rate == 100);
}

TEST_CASE("query log: queries and query_rate are read") {
  const MainFile main("good", "    level: debug\n    queries: true\n    query_rate: 5\n");
  const auto result = load_config(main.path);
  INFO(errors_text(result.errors));
  REQUIRE(result.config);
  CHECK(result.config->server.log_queries == true);
  CHECK(result.config->server.query_log_rate == 5);
  CHECK(result.config->server.log_level == "debug");

  const MainFile top("top", "    queries: false\n    query_rate: 100000\n");
  const auto top_result = load_config(top.path);
  INFO(errors_text(top_result.errors));
  REQUIRE(top_result.config);
  CHECK(top_result.config->server.log_queries == false);
  CHECK(top_result.config->server.query_log_rate == 100000);
}

TEST_CASE("query log: bad values are reported with their position") {
  const MainFile main("bad", "    queries: yes\n    query_rate: 0\n");
  const auto result = load_config(main.path);
  INFO(errors_text(result.errors));
  CHECK(result.config == nullptr);
  CHECK(result.errors.size() == 2);
  CHECK(has_error(result.errors, main.path, 4, 14, "'queries': expected true or false"));
  CHECK(has_error(result.errors, main.path, 5, 17, "expected a number (1..100000)"));

  const MainFile high("high", "    query_rate: 100001\n    query_log: true\n");
  const auto high_result = load_config(high.path);
  INFO(errors_text(high_result.errors));
  CHECK(high_result.config == nullptr);
  CHECK(high_result.errors.size() == 2);
  CHECK(has_error(high_result.errors, high.path, 4, 17, "expected a number (1..100000)"));
  CHECK(has_error(high_result.errors, high.path, 5, 5, "unknown key 'query_log' in 'log'"));
}
