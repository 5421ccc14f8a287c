// SPDX-License-Identifier: Apache-2.0
// The observations peers fetch: the token rule, the pool digest (canonical: equal definitions
// give equal digests whatever the loader's positions; any change of the definition changes
// it), and the document's per-member fields.
#include <doctest/doctest.h>

#include "control/observations.hpp"
#include "control/pool_digest.hpp"
#include "control_test_support.hpp"

using namespace gslbd::control;

TEST_CASE("observations need the fleet's or the admin token, never none") {
  const std::string fleet = "Bearer fleet-token";
  const std::string admin = "Bearer admin-token";
  const std::string other = "Bearer other-token";
  CHECK(peer_access("fleet-token", "admin-token", &fleet) == AdminAccess::allowed);
  CHECK(peer_access("fleet-token", "admin-token", &admin) == AdminAccess::allowed);
  CHECK(peer_access("fleet-token", "admin-token", &other) == AdminAccess::wrong);
  CHECK(peer_access("fleet-token", "admin-token", nullptr) == AdminAccess::missing);
  CHECK(peer_access("fleet-token", "", &fleet) == AdminAccess::allowed);
  CHECK(peer_access("fleet-token", "", &admin) == AdminAccess::wrong);
  CHECK(peer_access("", "admin-token", &admin) == AdminAccess::allowed);
  CHECK(peer_access("", "admin-token", &fleet) == AdminAccess::wrong);
  CHECK(peer_access("", "", &fleet) == AdminAccess::no_token_configured);
  CHECK(peer_access("", "", nullptr) == AdminAccess::no_token_configured);
}

TEST_CASE("pool digests are canonical and follow every part of the definition") {
  const auto one = test::make_config();
  const auto two = test::make_config();
  const gslbd::pool::PoolSet& a = *one->pools;
  const gslbd::pool::PoolSet& b = *two->pools;
  const std::string digest = pool_digest(a, a.pools[0]);
  CHECK(digest.size() == 64);
  CHECK(digest == pool_digest(b, b.pools[0]));
  CHECK(digest != pool_digest(a, a.pools[1]));

  gslbd::pool::PoolSet changed = a;
  // Positions the loader assigns are not part of the definition.
  for (auto& m : changed.pools[0].members) m.health_slot += 7;
  CHECK(pool_digest(changed, changed.pools[0]) == digest);
  changed.pools[0].members[1].weight = 50;
  CHECK(pool_digest(changed, changed.pools[0]) != digest);
  changed = a;
  gslbd::health::CheckSpec check;
  check.type = gslbd::health::CheckType::tcp;
  check.port = 80;
  changed.pools[0].members[0].checks.push_back(check);
  const std::string with_check = pool_digest(changed, changed.pools[0]);
  CHECK(with_check != digest);
  changed.pools[0].members[0].checks[0].fall = 5;
  CHECK(pool_digest(changed, changed.pools[0]) != with_check);
  changed = a;
  changed.pools[0].members[0].name = "a2";
  CHECK(pool_digest(changed, changed.pools[0]) != digest);
  // Each setting that changes a verdict or an answer changes the digest.
  const auto differs = [&](auto&& change) {
    gslbd::pool::PoolSet copy = a;
    change(copy.pools[0]);
    return pool_digest(copy, copy.pools[0]) != digest;
  };
  using gslbd::pool::Pool;
  CHECK(differs([](Pool& p) { p.pool_min_healthy = 2; }));
  CHECK(differs([](Pool& p) { p.consensus.rule = gslbd::pool::ConsensusRule::majority; }));
  CHECK(differs([](Pool& p) { p.members[0].slow_start_ms = 60'000; }));
  CHECK(differs([](Pool& p) {
    p.members[0].healthy_when.kind = gslbd::health::RuleKind::at_least;
    p.members[0].healthy_when.at_least = 1;
  }));
  CHECK(differs([](Pool& p) {
    p.members[0].has_location = true;
    p.members[0].location.latitude = 50.1;
  }));
  changed = a;
  changed.pools[0].members[0].checks.push_back(check);
  changed.pools[0].members[0].checks[0].invert = true;
  CHECK(pool_digest(changed, changed.pools[0]) != with_check);
  changed = a;
  changed.pools[0].policy = gslbd::pool::PolicyKind::geo;
  const std::string geo = pool_digest(changed, changed.pools[0]);
  changed.pools[0].geo.default_order = {"eu"};
  CHECK(pool_digest(changed, changed.pools[0]) != geo);
  changed.pools[0].geo.default_order.clear();
  changed.pools[0].geo.closest = true;
  CHECK(pool_digest(changed, changed.pools[0]) != geo);
  // The fallback pool counts by name, not by index.
  changed = a;
  changed.pools[2].name = "other";
  CHECK(pool_digest(changed, changed.pools[0]) != digest);
}

TEST_CASE("the observations document: verdicts before admin actions, ages, generation") {
  auto config = std::make_shared<gslbd::runtime::Config>(*test::make_config());
  auto pools = std::make_shared<gslbd::pool::PoolSet>(*config->pools);
  gslbd::health::CheckSpec check;
  check.type = gslbd::health::CheckType::tcp;
  check.port = 80;
  pools->pools[0].members[0].checks = {check};  // app/a: checked
  pools->pools[0].members[1].checks = {check};  // app/b: checked, never probed
  config->pools = pools;
  gslbd::runtime::Snapshot snapshot{config, 42};

  ObservationsInput in;
  in.snapshot = &snapshot;
  in.instance = "ns1";
  in.now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  gslbd::probe::MemberStatus a;
  a.key = "app/a";
  a.up = true;  // forced up by an operator...
  a.forced = true;
  a.checks_up = false;  // ...while its checks say down: peers are told the checks' verdict
  a.checks_known = true;
  a.last_probe_at = in.now - std::chrono::milliseconds(1250);
  in.members = {a};
  const std::string doc = render_observations(in);
  INFO(doc);
  CHECK(doc.find("\"format\":1") != std::string::npos);
  CHECK(doc.find("\"instance\":\"ns1\"") != std::string::npos);
  CHECK(doc.find("\"generation\":42") != std::string::npos);
  CHECK(
      doc.find("{\"name\":\"a\",\"known\":true,\"up\":false,\"age_ms\":1250,\"generation\":42}") !=
      std::string::npos);
  CHECK(
      doc.find("{\"name\":\"b\",\"known\":false,\"up\":false,\"age_ms\":null,\"generation\":42}") !=
      std::string::npos);
  // No checks: always up, never stale.
  CHECK(doc.find("{\"name\":\"v6\",\"known\":true,\"up\":true,\"age_ms\":0,\"generation\":42}") !=
        std::string::npos);
  CHECK(doc.find("\"digest\":\"" + pool_digest(*pools, pools->pools[0]) + "\"") !=
        std::string::npos);
}
