// SPDX-License-Identifier: Apache-2.0
// The round_robin policy: per-worker rotation over serving members, skipping down ones.
#include "pool_test_support.hpp"

using namespace test;

TEST_CASE("round_robin: rotates one record at a time") {
  World w;
  const auto p = w.add(make_pool("rr", PolicyKind::round_robin, 1),
                       {{"a", "192.0.2.1"}, {"b", "192.0.2.2"}, {"c", "192.0.2.3"}});
  w.finish();
  std::string seen;
  for (int i = 0; i < 7; ++i) seen += joined(w.select(p));
  CHECK(seen == "abcabca");
  CHECK(w.round_robin[p] == 7);
}

TEST_CASE("round_robin: consecutive members for max_records > 1, wrapping") {
  World w;
  const auto p = w.add(make_pool("rr", PolicyKind::round_robin, 2),
                       {{"a", "192.0.2.1"}, {"b", "192.0.2.2"}, {"c", "192.0.2.3"}});
  w.finish();
  CHECK(joined(w.select(p)) == "a,b");
  CHECK(joined(w.select(p)) == "b,c");
  CHECK(joined(w.select(p)) == "c,a");
  CHECK(joined(w.select(p)) == "a,b");
}

TEST_CASE("round_robin: down members are skipped") {
  World w;
  const auto p = w.add(make_pool("rr", PolicyKind::round_robin, 1),
                       {{"a", "192.0.2.1"}, {"b", "192.0.2.2"}, {"c", "192.0.2.3"}});
  w.finish();
  w.set_health(p, "b", down());
  std::string seen;
  for (int i = 0; i < 4; ++i) seen += joined(w.select(p));
  CHECK(seen == "acac");
  // max_records larger than the serving members: each named once.
  w.set.pools[p].max_records = 5;
  CHECK(w.select(p).count == 2);
}

TEST_CASE("round_robin: counters are per pool index") {
  World w;
  const auto p =
      w.add(make_pool("one", PolicyKind::round_robin, 1), {{"a", "192.0.2.1"}, {"b", "192.0.2.2"}});
  const auto q =
      w.add(make_pool("two", PolicyKind::round_robin, 1), {{"x", "192.0.2.3"}, {"y", "192.0.2.4"}});
  w.finish();
  CHECK(joined(w.select(p)) == "a");
  CHECK(joined(w.select(p)) == "b");
  CHECK(joined(w.select(q)) == "x");
  CHECK(w.round_robin[p] == 2);
  CHECK(w.round_robin[q] == 1);
}

TEST_CASE("round_robin: without a counter slot it always starts at the first member") {
  World w;
  const auto p = w.add(make_pool("first", PolicyKind::round_robin, 2),
                       {{"a", "192.0.2.1"}, {"b", "192.0.2.2"}, {"c", "192.0.2.3"}});
  const auto q = w.add(make_pool("second", PolicyKind::round_robin, 1),
                       {{"x", "192.0.2.4"}, {"y", "192.0.2.5"}});
  w.finish();
  gslbd::pool::SelectContext empty{w.rng, {}};
  for (int i = 0; i < 3; ++i) {
    CHECK(joined(gslbd::pool::select_members(w.set, p, 4, client("192.0.2.9"), empty)) == "a,b");
  }
  // A span with a slot for pool 0 only: pool 0 rotates from its counter, pool 1 does not
  // rotate and nothing past the span is written.
  std::uint32_t counters[2] = {5, 77};
  gslbd::pool::SelectContext short_context{w.rng, std::span<std::uint32_t>(counters, 1)};
  CHECK(joined(gslbd::pool::select_members(w.set, p, 4, client("192.0.2.9"), short_context)) ==
        "c,a");
  CHECK(counters[0] == 6);
  for (int i = 0; i < 3; ++i) {
    CHECK(joined(gslbd::pool::select_members(w.set, q, 4, client("192.0.2.9"), short_context)) ==
          "x");
  }
  CHECK(counters[1] == 77);
}
