// SPDX-License-Identifier: Apache-2.0
// server.tcp: the frame timeout and the per-source limit, their defaults, ranges and errors.
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

// A main file with the given tcp: lines.
struct MainFile : gslbd::test::TempMainFile {
  MainFile(const std::string& tag, const std::string& tcp_lines)
      : TempMainFile("tcp-" + tag, "server:\n  tcp:\n" + tcp_lines) {}
};

}  // namespace

TEST_CASE("tcp: defaults") {
  const auto result = load_config(fixture("good/minimal.yaml"));
  INFO(errors_text(result.errors));
  REQUIRE(result.config);
  const auto& server = result.config->server;
  CHECK(server.tcp_frame_timeout_ms == 3000);
  CHECK(server.tcp_max_connections_per_source == 16);
  CHECK(server.tcp_source_prefix_v4 == 32);
  CHECK(server.tcp_source_prefix_v6 == 64);
}

TEST_CASE("tcp: frame timeout, per-source limit and prefixes are read") {
  const MainFile main("good",
                      "    frame_timeout: 500ms\n    max_connections_per_source: 0\n"
                      "    source_prefix_v4: 24\n    source_prefix_v6: 56\n");
  const auto result = load_config(main.path);
  INFO(errors_text(result.errors));
  REQUIRE(result.config);
  const auto& server = result.config->server;
  CHECK(server.tcp_frame_timeout_ms == 500);
  CHECK(server.tcp_max_connections_per_source == 0);
  CHECK(server.tcp_source_prefix_v4 == 24);
  CHECK(server.tcp_source_prefix_v6 == 56);

  const MainFile edges("edges",
                       "    frame_timeout: 1m\n    max_connections_per_source: 65535\n"
                       "    source_prefix_v4: 8\n    source_prefix_v6: 128\n");
  const auto edge_result = load_config(edges.path);
  INFO(errors_text(edge_result.errors));
  REQUIRE(edge_result.config);
  CHECK(edge_result.config->server.tcp_frame_timeout_ms == 60'000);
  CHECK(edge_result.config->server.tcp_max_connections_per_source == 65535);
  CHECK(edge_result.config->server.tcp_source_prefix_v4 == 8);
  CHECK(edge_result.config->server.tcp_source_prefix_v6 == 128);
}

TEST_CASE("tcp: out-of-range values are errors at their place") {
  const MainFile main("bad",
                      "    frame_timeout: 50ms\n    max_connections_per_source: 70000\n"
                      "    source_prefix_v4: 33\n    source_prefix_v6: 8\n"
                      "    frame_timout: 2s\n");
  const auto result = load_config(main.path);
  INFO(errors_text(result.errors));
  CHECK(result.config == nullptr);
  CHECK(result.errors.size() == 5);
  CHECK(has_error(result.errors, main.path, 4, 20,
                  "'frame_timeout': expected at least 100ms and at most 1m"));
  CHECK(has_error(result.errors, main.path, 5, 33,
                  "'max_connections_per_source': expected a number (0..65535)"));
  CHECK(
      has_error(result.errors, main.path, 6, 23, "'source_prefix_v4': expected a number (8..32)"));
  CHECK(has_error(result.errors, main.path, 7, 23,
                  "'source_prefix_v6': expected a number (16..128)"));
  CHECK(has_error(result.errors, main.path, 8, 5,
                  "unknown key 'frame_timout' in 'tcp'; did you mean 'frame_timeout'?"));

  const MainFile long_frame("long", "    frame_timeout: 2m\n");
  const auto long_result = load_config(long_frame.path);
  CHECK(has_error(long_result.errors, long_frame.path, 4, 20,
                  "'frame_timeout': expected at least 100ms and at most 1m"));
}
