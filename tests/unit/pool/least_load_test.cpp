// SPDX-License-Identifier: Apache-2.0
// The least_load policy: agent-reported spare capacity first, ties shared at random.
#include "pool_test_support.hpp"

using namespace test;

TEST_CASE("least_load: members ordered by agent weight, highest first") {
  World w;
  const auto p = w.add(
      make_pool("ll", PolicyKind::least_load, 3),
      {{"busy", "192.0.2.1"}, {"idle", "192.0.2.2"}, {"half", "192.0.2.3"}, {"full", "192.0.2.4"}});
  w.finish();
  w.set_health(p, "busy", up(20));
  w.set_health(p, "idle", up(100));
  w.set_health(p, "half", up(50));
  w.set_health(p, "full", up(5));
  for (int i = 0; i < 50; ++i) CHECK(joined(w.select(p)) == "idle,half,busy");
  // The agent reports change: so does the order.
  w.set_health(p, "full", up(90));
  CHECK(joined(w.select(p)) == "idle,full,half");
  // Down members are not named even with the most capacity.
  w.set_health(p, "idle", down());
  CHECK(joined(w.select(p)) == "full,half,busy");
}

TEST_CASE("least_load: ties are broken at random in proportion to weight") {
  World w;
  const auto p = w.add(make_pool("ll", PolicyKind::least_load, 1),
                       {{"a", "192.0.2.1", 100}, {"b", "192.0.2.2", 300}, {"c", "192.0.2.3"}});
  w.finish();
  w.set_health(p, "a", up(80));
  w.set_health(p, "b", up(80));
  w.set_health(p, "c", up(60));
  const auto counts = tally(20000, [&] { return w.select(p); });
  CHECK(counts.count("c") == 0);
  CHECK(std::abs(counts.at("a") / 20000.0 - 0.25) < 0.02);
  CHECK(std::abs(counts.at("b") / 20000.0 - 0.75) < 0.02);
}

TEST_CASE("least_load: agent weight 0 is left out while others have capacity") {
  World w;
  const auto p = w.add(make_pool("ll", PolicyKind::least_load, 2),
                       {{"zero", "192.0.2.1"}, {"some", "192.0.2.2"}});
  w.finish();
  w.set_health(p, "zero", up(0));
  w.set_health(p, "some", up(10));
  CHECK(joined(w.select(p)) == "some");
}
