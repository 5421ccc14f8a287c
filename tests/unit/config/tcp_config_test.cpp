// SPDX-License-Identifier: Apache-2.0
// server.tcp: the frame timeout and the per-source limit, their defaults, ranges and errors.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config_test_support.hpp"

namespace {

using gslbd::test::check_errors;
using gslbd::test::check_has_errors;
using gslbd::test::fixture;
using gslbd::test::load_good;

// A main file with the given tcp: lines.
struct MainFile : gslbd::test::TempMainFile {
  MainFile(const std::string& tag, const std::string& tcp_lines)
      : TempMainFile("tcp-" + tag, "server:\n  tcp:\n" + tcp_lines) {}
};

}  // namespace

TEST_CASE("tcp: defaults") {
  const auto config = load_good(fixture("good/minimal.yaml"));
  const auto& server = config->server;
  CHECK(server.tcp_frame_timeout_ms == 3000);
  CHECK(server.tcp_max_connections_per_source == 16);
  CHECK(server.tcp_source_prefix_v4 == 32);
  CHECK(server.tcp_source_prefix_v6 == 64);
}

TEST_CASE("tcp: frame timeout, per-source limit and prefixes are read") {
  const MainFile main("good",
                      "    frame_timeout: 500ms\n    max_connections_per_source: 0\n"
                      "    source_prefix_v4: 24\n    source_prefix_v6: 56\n");
  const auto config = load_good(main.path);
  const auto& server = config->server;
  CHECK(server.tcp_frame_timeout_ms == 500);
  CHECK(server.tcp_max_connections_per_source == 0);
  CHECK(server.tcp_source_prefix_v4 == 24);
  CHECK(server.tcp_source_prefix_v6 == 56);

  const MainFile edges("edges",
                       "    frame_timeout: 1m\n    max_connections_per_source: 65535\n"
                       "    source_prefix_v4: 8\n    source_prefix_v6: 128\n");
  const auto edge_config = load_good(edges.path);
  CHECK(edge_config->server.tcp_frame_timeout_ms == 60'000);
  CHECK(edge_config->server.tcp_max_connections_per_source == 65535);
  CHECK(edge_config->server.tcp_source_prefix_v4 == 8);
  CHECK(edge_config->server.tcp_source_prefix_v6 == 128);
}

TEST_CASE("tcp: out-of-range values are errors at their place") {
  const MainFile main("bad",
                      "    frame_timeout: 50ms\n    max_connections_per_source: 70000\n"
                      "    source_prefix_v4: 33\n    source_prefix_v6: 8\n"
                      "    frame_timout: 2s\n");
  check_errors(main.path,
               {{4, 20, "'frame_timeout': expected at least 100ms and at most 1m"},
                {5, 33, "'max_connections_per_source': expected a number (0..65535)"},
                {6, 23, "'source_prefix_v4': expected a number (8..32)"},
                {7, 23, "'source_prefix_v6': expected a number (16..128)"},
                {8, 5, "unknown key 'frame_timout' in 'tcp'; did you mean 'frame_timeout'?"}});

  const MainFile long_frame("long", "    frame_timeout: 2m\n");
  check_has_errors(long_frame.path,
                   {{4, 20, "'frame_timeout': expected at least 100ms and at most 1m"}});
}
