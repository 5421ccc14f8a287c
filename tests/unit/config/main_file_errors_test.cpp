// SPDX-License-Identifier: Apache-2.0
// Errors of the main file and of the load as a whole (globs, duplicate apexes, all files).
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config_test_support.hpp"

using gslbd::config::load_config;
using gslbd::test::errors_text;
using gslbd::test::fixture;
using gslbd::test::has_error;

TEST_CASE("main file: every bad server value is reported") {
  const std::string file = fixture("bad/main/server_values.yaml");
  const auto result = load_config(file);
  INFO(errors_text(result.errors));
  CHECK(result.config == nullptr);
  CHECK(result.errors.size() == 7);
  CHECK(has_error(result.errors, file, 3, 30, "'localhost' is not an IPv4 address"));
  CHECK(has_error(result.errors, file, 3, 46, "'127.0.0.1:5300' is listed twice"));
  CHECK(has_error(result.errors, file, 4, 12, "'workers': expected a number (0..256), got '300'"));
  CHECK(has_error(result.errors, file, 5, 18, "'edns_udp_size': expected a number (512..4096)"));
  CHECK(has_error(result.errors, file, 7, 22, "'max_connections': expected a number (1..65535)"));
  CHECK(has_error(result.errors, file, 8, 5,
                  "unknown key 'idle_timout' in 'tcp'; did you mean 'idle_timeout'?"));
  CHECK(has_error(result.errors, file, 10, 12, "unknown log level 'debg'; did you mean 'debug'?"));
}

TEST_CASE("main file: unknown top-level key") {
  const std::string file = fixture("bad/main/unknown_key.yaml");
  const auto result = load_config(file);
  INFO(errors_text(result.errors));
  REQUIRE(result.errors.size() == 1);
  CHECK(has_error(result.errors, file, 2, 1,
                  "unknown key 'servr' in the main file; did you mean 'server'?"));
}

TEST_CASE("main file: zones is required") {
  const std::string file = fixture("bad/main/missing_zones.yaml");
  const auto result = load_config(file);
  INFO(errors_text(result.errors));
  REQUIRE(result.errors.size() == 1);
  CHECK(has_error(result.errors, file, 1, 1, "missing required key 'zones' in the main file"));
}

TEST_CASE("main file: a glob that matches nothing") {
  const std::string file = fixture("bad/main/no_match.yaml");
  const auto result = load_config(file);
  INFO(errors_text(result.errors));
  REQUIRE(result.errors.size() == 1);
  CHECK(has_error(result.errors, file, 4, 5, "'nothing/*.zone.yaml' matches no zone file in"));
}

TEST_CASE("main file: YAML syntax error") {
  const std::string file = fixture("bad/main/syntax.yaml");
  const auto result = load_config(file);
  INFO(errors_text(result.errors));
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].file == file);
  CHECK(result.errors[0].line >= 2);
  CHECK(result.errors[0].message.find("YAML syntax error") != std::string::npos);
}

TEST_CASE("main file: unreadable") {
  const std::string file = fixture("bad/main/does-not-exist.yaml");
  const auto result = load_config(file);
  CHECK(result.config == nullptr);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].to_string() ==
        file + ": cannot read the main file: No such file or directory");
}

TEST_CASE("load: two zone files with the same apex name both files") {
  const auto result = load_config(fixture("bad/main/duplicate_apex.yaml"));
  INFO(errors_text(result.errors));
  CHECK(result.config == nullptr);
  REQUIRE(result.errors.size() == 1);
  CHECK(has_error(
      result.errors, fixture("bad/main/dup/b.zone.yaml"), 3, 7,
      "zone dup.test. is already defined in " + fixture("bad/main/dup/a.zone.yaml") + ":2"));
}

TEST_CASE("load: errors of every zone file are reported together") {
  const auto result = load_config(fixture("bad/main/bad_zones.yaml"));
  INFO(errors_text(result.errors));
  CHECK(result.config == nullptr);
  CHECK(result.errors.size() == 5);
  const std::string three = fixture("bad/main/../zone/three_errors.zone.yaml");
  CHECK(has_error(result.errors, three, 3, 14, "'default_ttl'"));
  CHECK(has_error(result.errors, three, 4, 43, "'colour'"));
  CHECK(has_error(result.errors, three, 9, 12, "'300.0.0.1'"));
  CHECK(has_error(result.errors, fixture("bad/main/../zone/no_ns.zone.yaml"), 3, 7,
                  "has no apex NS"));
  // Both fixtures are zone bad.test, which is an error of its own.
  CHECK(has_error(result.errors, fixture("bad/main/../zone/no_ns.zone.yaml"), 3, 7,
                  "zone bad.test. is already defined in " + three + ":2"));
}

TEST_CASE("load: a zone file that cannot be read") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("gslbd-unreadable-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "main.yaml") << "version: 1\nzones: [\"*.zone.yaml\"]\n";
  // glob(3) lists a dangling symlink, but there is nothing to read behind it.
  fs::create_symlink(dir / "missing-target", dir / "gone.zone.yaml");
  const auto result = load_config((dir / "main.yaml").string());
  INFO(errors_text(result.errors));
  CHECK(result.config == nullptr);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].to_string() ==
        (dir / "gone.zone.yaml").string() +
            ": cannot read the zone file: No such file or directory");
  fs::remove_all(dir);
}
