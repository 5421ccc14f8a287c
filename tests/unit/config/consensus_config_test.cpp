// SPDX-License-Identifier: Apache-2.0
// A pool's consensus rule: the names and a count, each bounded by the instances of the fleet,
// every error at its place.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "config/pool_file.hpp"
#include "config_test_support.hpp"

namespace {

using gslbd::test::errors_text;

struct Loaded {
  std::shared_ptr<gslbd::pool::PoolSet> set;
  std::vector<gslbd::util::SourceError> errors;
};

Loaded load(const std::string& consensus, std::size_t instances) {
  const std::string text =
      "version: 1\n"
      "pools:\n"
      "  - name: web\n"
      "    consensus: " +
      consensus +
      "\n"
      "    members:\n"
      "      - name: a\n"
      "        address: 192.0.2.1\n";
  Loaded out;
  std::vector<std::string> names;
  out.set = gslbd::config::detail::load_pool_files({{"web.pool.yaml", text}}, names, out.errors,
                                                   instances);
  return out;
}

}  // namespace

TEST_CASE("consensus: own by default, the rules and a count are read") {
  using gslbd::pool::ConsensusRule;
  const auto check = [](const std::string& text, ConsensusRule rule, std::uint32_t count) {
    const Loaded l = load(text, 3);
    INFO(text << ": " << errors_text(l.errors));
    REQUIRE(l.errors.empty());
    CHECK(l.set->pools[0].consensus.rule == rule);
    CHECK(l.set->pools[0].consensus.count == count);
  };
  check("own", ConsensusRule::own, 0);
  check("any", ConsensusRule::any, 0);
  check("majority", ConsensusRule::majority, 0);
  check("all", ConsensusRule::all, 0);
  check("2", ConsensusRule::at_least, 2);
  check("3", ConsensusRule::at_least, 3);
  const Loaded own_alone = load("own", 1);
  CHECK(own_alone.errors.empty());
}

TEST_CASE("consensus: errors at file:line:col") {
  const auto error_of = [](const std::string& text, std::size_t instances) {
    const Loaded l = load(text, instances);
    REQUIRE(l.errors.size() == 1);
    return errors_text(l.errors);
  };
  const std::string no_peers = error_of("majority", 1);
  CHECK(no_peers.find("web.pool.yaml:4:16:") != std::string::npos);
  CHECK(no_peers.find("needs the other instances in the main file's peers: section") !=
        std::string::npos);
  const std::string too_many = error_of("4", 3);
  CHECK(too_many.find("web.pool.yaml:4:16:") != std::string::npos);
  CHECK(too_many.find("expected 1..3") != std::string::npos);
  CHECK(error_of("0", 3).find("expected 1..3") != std::string::npos);
  const std::string typo = error_of("majorty", 3);
  CHECK(typo.find("unknown value 'majorty'") != std::string::npos);
  CHECK(typo.find("did you mean 'majority'") != std::string::npos);
  CHECK(error_of("[any]", 3).find("expected a string") != std::string::npos);
}

TEST_CASE("consensus: the instances are this one and the main file's peers") {
  gslbd::test::TempMainFile main("consensus-fleet",
                                 "control:\n  listen: 127.0.0.1:9253\n"
                                 "pools:\n  - web.pool.yaml\n"
                                 "peers:\n  token_file: peer.token\n  instances:\n"
                                 "    - name: ns2\n      url: http://127.0.0.2:9253\n");
  main.write("peer.token", "fleet-token-0123456789\n");
  ::chmod((main.dir / "peer.token").c_str(), 0600);
  const std::string pool =
      "version: 1\npools:\n  - name: web\n    consensus: CONSENSUS\n    members:\n"
      "      - name: a\n        address: 192.0.2.1\n";
  const auto with = [&](const std::string& consensus) {
    std::string text = pool;
    text.replace(text.find("CONSENSUS"), 9, consensus);
    main.write("web.pool.yaml", text);
    return gslbd::config::load_config(main.path);
  };
  const auto two = with("2");
  INFO(errors_text(two.errors));
  REQUIRE(two.config);
  CHECK(two.config->pools->pools[0].consensus.count == 2);
  const auto three = with("3");
  REQUIRE_FALSE(three.config);
  CHECK(errors_text(three.errors).find("the fleet has 2 instances") != std::string::npos);
}
