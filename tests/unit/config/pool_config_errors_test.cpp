// SPDX-License-Identifier: Apache-2.0
// Pool errors seen through load_config: services, the pools: globs, unreadable pool files,
// and errors of several files reported together.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config_test_support.hpp"

using gslbd::config::load_config;
using gslbd::test::errors_text;
using gslbd::test::fixture;
using gslbd::test::has_error;

TEST_CASE("pool config: a service naming an unknown pool, degraded_ttl above ttl") {
  const auto result = load_config(fixture("bad/pools/services/gslbd.yaml"));
  INFO(errors_text(result.errors));
  CHECK(result.config == nullptr);
  CHECK(result.errors.size() == 2);
  const std::string zone = fixture("bad/pools/services/svc.zone.yaml");
  CHECK(has_error(result.errors, zone, 7, 11,
                  "'pool': pool 'ap' is not defined; did you mean 'app'?"));
  CHECK(has_error(result.errors, zone, 11, 19,
                  "'degraded_ttl': 60 is longer than the service's ttl 30"));
}

TEST_CASE("pool config: a pools: glob that matches nothing") {
  const std::string file = fixture("bad/pools/no_match/gslbd.yaml");
  const auto result = load_config(file);
  INFO(errors_text(result.errors));
  CHECK(result.config == nullptr);
  REQUIRE(result.errors.size() == 1);
  CHECK(has_error(result.errors, file, 5, 5,
                  "item 2 of 'pools': 'nothing/*.pool.yaml' matches no pool file in"));
}

TEST_CASE("pool config: a file matched by both zones: and pools: is reported once") {
  const std::string file = fixture("bad/pools/both/gslbd.yaml");
  const auto result = load_config(file);
  INFO(errors_text(result.errors));
  CHECK(result.config == nullptr);
  // Only this: the pool file is not also read as a zone file.
  REQUIRE(result.errors.size() == 1);
  CHECK(has_error(
      result.errors, file, 3, 8,
      "'" + fixture("bad/pools/both/app.pool.yaml") + "' is matched by both zones: and pools:"));
}

TEST_CASE("pool config: errors of several pool files and a zone file at once") {
  const auto result = load_config(fixture("bad/pools/multi/gslbd.yaml"));
  INFO(errors_text(result.errors));
  CHECK(result.config == nullptr);
  CHECK(result.errors.size() == 4);
  const std::string a = fixture("bad/pools/multi/a.pool.yaml");
  const std::string b = fixture("bad/pools/multi/b.pool.yaml");
  CHECK(has_error(result.errors, a, 3, 38,
                  "item 1 of 'checks': timeout (9000ms) must be shorter than interval (5000ms)"));
  CHECK(has_error(result.errors, b, 4, 13,
                  "'policy': unknown value 'round_robbin'; did you mean 'round_robin'?"));
  CHECK(has_error(result.errors, b, 6, 11, "pool 'app' is already defined at " + a + ":5"));
  // Pools with errors still count as defined: only the misspelt name is reported.
  CHECK(has_error(result.errors, fixture("bad/pools/multi/svc.zone.yaml"), 8, 25,
                  "'pool': pool 'sapre' is not defined; expected one of: app, spare"));
}

TEST_CASE("pool config: a pool file that cannot be read") {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("gslbd-pool-unreadable-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "main.yaml") << "version: 1\nzones: [\"*.zone.yaml\"]\n"
                                      "pools: [\"*.pool.yaml\"]\n";
  std::ofstream(dir / "a.zone.yaml") << "version: 1\nzone: a.test\n"
                                        "soa: {mname: ns1, rname: admin.a.test.}\n"
                                        "ns: [ns1.example.net.]\n";
  // glob(3) lists a dangling symlink, but there is nothing to read behind it.
  fs::create_symlink(dir / "missing-target", dir / "gone.pool.yaml");
  const auto result = load_config((dir / "main.yaml").string());
  INFO(errors_text(result.errors));
  CHECK(result.config == nullptr);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].to_string() ==
        (dir / "gone.pool.yaml").string() +
            ": cannot read the pool file: No such file or directory");
  fs::remove_all(dir);
}
