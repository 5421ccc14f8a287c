// SPDX-License-Identifier: Apache-2.0
// The weighted policy: shares follow weight * agent weight, distinct records, the weight-0 rule,
// families, drained members, and the all-down actions that do not involve another pool.
#include <algorithm>
#include <cmath>
#include <set>

#include "pool_test_support.hpp"

using namespace test;

namespace {

constexpr int kRounds = 100000;

double share(const std::map<std::string, int>& counts, const std::string& name, int total) {
  const auto it = counts.find(name);
  return it == counts.end() ? 0.0 : static_cast<double>(it->second) / total;
}

}  // namespace

TEST_CASE("weighted: shares follow weights 1:2:7 within 2 points") {
  World w;
  const auto p = w.add(make_pool("web", PolicyKind::weighted, 1),
                       {{"a", "192.0.2.1", 10}, {"b", "192.0.2.2", 20}, {"c", "192.0.2.3", 70}});
  w.finish();
  const auto counts = tally(kRounds, [&] { return w.select(p); });
  CHECK(std::abs(share(counts, "a", kRounds) - 0.10) < 0.02);
  CHECK(std::abs(share(counts, "b", kRounds) - 0.20) < 0.02);
  CHECK(std::abs(share(counts, "c", kRounds) - 0.70) < 0.02);
}

TEST_CASE("weighted: agent weight scales the configured weight") {
  World w;
  const auto p = w.add(make_pool("web", PolicyKind::weighted, 1),
                       {{"a", "192.0.2.1", 100}, {"b", "192.0.2.2", 100}, {"c", "192.0.2.3", 200}});
  w.finish();
  w.set_health(p, "a", up(100));
  w.set_health(p, "b", up(50));
  w.set_health(p, "c", up(25));  // 200 * 25% = 50
  const auto counts = tally(kRounds, [&] { return w.select(p); });
  CHECK(std::abs(share(counts, "a", kRounds) - 0.50) < 0.02);
  CHECK(std::abs(share(counts, "b", kRounds) - 0.25) < 0.02);
  CHECK(std::abs(share(counts, "c", kRounds) - 0.25) < 0.02);
}

TEST_CASE("weighted: max_records distinct members, in draw order") {
  World w;
  const auto p = w.add(make_pool("web", PolicyKind::weighted, 3), {{"a", "192.0.2.1", 10},
                                                                   {"b", "192.0.2.2", 20},
                                                                   {"c", "192.0.2.3", 30},
                                                                   {"d", "192.0.2.4", 40},
                                                                   {"e", "192.0.2.5", 0}});
  w.finish();
  std::map<std::string, int> first;
  for (int i = 0; i < kRounds; ++i) {
    const Selection s = w.select(p);
    REQUIRE(s.count == 3);
    const auto n = names(s);
    CHECK(std::set<std::string>(n.begin(), n.end()).size() == 3);
    CHECK(std::find(n.begin(), n.end(), "e") == n.end());
    ++first[n[0]];
  }
  // The first record is a plain weighted draw: 10:20:30:40.
  CHECK(std::abs(share(first, "a", kRounds) - 0.10) < 0.02);
  CHECK(std::abs(share(first, "d", kRounds) - 0.40) < 0.02);
}

TEST_CASE("weighted: without replacement, a heavy member does not crowd out the others") {
  World w;
  const auto p = w.add(make_pool("web", PolicyKind::weighted, 2),
                       {{"a", "192.0.2.1", 1}, {"b", "192.0.2.2", 1}, {"c", "192.0.2.3", 98}});
  w.finish();
  // c is almost always first; the second record is then a or b with equal odds.
  const auto counts = tally(kRounds, [&] { return w.select(p); });
  CHECK(share(counts, "c", kRounds) > 0.99);
  CHECK(std::abs(share(counts, "a", kRounds) - 0.5) < 0.02);
  CHECK(std::abs(share(counts, "b", kRounds) - 0.5) < 0.02);
}

TEST_CASE("weighted: weight 0 is never chosen while a weighted member serves") {
  World w;
  const auto p = w.add(make_pool("web", PolicyKind::weighted, 2),
                       {{"spare", "192.0.2.1", 0}, {"main", "192.0.2.2", 5}});
  w.finish();
  for (int i = 0; i < 1000; ++i) {
    const Selection s = w.select(p);
    REQUIRE(s.count == 1);  // fewer records rather than the spare
    CHECK(names(s)[0] == "main");
  }
  // Once main is down the spare is the only candidate and does answer.
  w.set_health(p, "main", down());
  const Selection s = w.select(p);
  CHECK(joined(s) == "spare");
  CHECK(s.outcome == Outcome::normal);
  CHECK(s.degraded);
}

TEST_CASE("weighted: all weights 0 still answers, as if equally weighted") {
  World w;
  const auto p = w.add(make_pool("web", PolicyKind::weighted, 1),
                       {{"a", "192.0.2.1", 0}, {"b", "192.0.2.2", 0}});
  w.finish();
  const auto counts = tally(10000, [&] { return w.select(p); });
  CHECK(std::abs(share(counts, "a", 10000) - 0.5) < 0.03);
  CHECK(std::abs(share(counts, "b", 10000) - 0.5) < 0.03);
}

TEST_CASE("weighted: agent weight 0 counts as weight 0") {
  World w;
  const auto p =
      w.add(make_pool("web", PolicyKind::weighted, 2), {{"a", "192.0.2.1"}, {"b", "192.0.2.2"}});
  w.finish();
  w.set_health(p, "a", up(0));
  for (int i = 0; i < 100; ++i) CHECK(joined(w.select(p)) == "b");
}

TEST_CASE("weighted: one member") {
  World w;
  const auto p = w.add(make_pool("web", PolicyKind::weighted, 4), {{"only", "192.0.2.1"}});
  w.finish();
  const Selection s = w.select(p);
  CHECK(joined(s) == "only");
  CHECK(s.outcome == Outcome::normal);
  CHECK_FALSE(s.degraded);
  CHECK(s.ecs_scope == 0);
  CHECK(s.pool == &w.set.pools[p]);
}

TEST_CASE("weighted: mixed families answer A from v4 and AAAA from v6 members") {
  World w;
  const auto p = w.add(
      make_pool("web", PolicyKind::weighted, 4),
      {{"v4a", "192.0.2.1"}, {"v6a", "2001:db8::1"}, {"v4b", "192.0.2.2"}, {"v6b", "2001:db8::2"}});
  const auto only4 = w.add(make_pool("only4", PolicyKind::weighted, 4), {{"x", "192.0.2.9"}});
  w.finish();
  for (int i = 0; i < 100; ++i) {
    const auto a = names(w.select(p, 4));
    CHECK(std::set<std::string>(a.begin(), a.end()) == std::set<std::string>{"v4a", "v4b"});
    const auto aaaa = names(w.select(p, 6));
    CHECK(std::set<std::string>(aaaa.begin(), aaaa.end()) == std::set<std::string>{"v6a", "v6b"});
  }
  // A v6 member being down degrades AAAA answers only.
  w.set_health(p, "v6a", down());
  CHECK_FALSE(w.select(p, 4).degraded);
  CHECK(w.select(p, 6).degraded);
  CHECK(joined(w.select(p, 6)) == "v6b");
  // No member of the family: NODATA, not all-down.
  const Selection none = w.select(only4, 6);
  CHECK(none.count == 0);
  CHECK(none.outcome == Outcome::normal);
  CHECK(none.ecs_scope == 0);
  CHECK_FALSE(none.servfail);
}

TEST_CASE("weighted: drained members get no new answers") {
  World w;
  const auto p = w.add(make_pool("web", PolicyKind::weighted, 3),
                       {{"a", "192.0.2.1"}, {"b", "192.0.2.2"}, {"c", "192.0.2.3"}});
  w.finish();
  w.set_health(p, "b", drained());
  for (int i = 0; i < 200; ++i) {
    const auto n = names(w.select(p));
    CHECK(n.size() == 2);
    CHECK(std::find(n.begin(), n.end(), "b") == n.end());
  }
  CHECK(w.select(p).degraded);
}

TEST_CASE("weighted: all down with serve_all answers from every member, outcome all_down") {
  World w;
  Pool pool = make_pool("web", PolicyKind::weighted, 2);
  pool.all_down = AllDownAction::serve_all;
  const auto p = w.add(pool, {{"a", "192.0.2.1", 1}, {"b", "192.0.2.2", 1}, {"z", "192.0.2.3", 0}});
  w.finish();
  for (const char* m : {"a", "b", "z"}) w.set_health(p, m, down());
  for (int i = 0; i < 100; ++i) {
    const Selection s = w.select(p);
    CHECK(s.outcome == Outcome::all_down);
    CHECK(s.degraded);
    CHECK_FALSE(s.servfail);
    const auto n = names(s);
    // The weight-0 rule still applies when failing open.
    CHECK(std::set<std::string>(n.begin(), n.end()) == std::set<std::string>{"a", "b"});
  }
}

TEST_CASE("weighted: all down with nodata and servfail") {
  World w;
  Pool nodata = make_pool("nd", PolicyKind::weighted, 2);
  nodata.all_down = AllDownAction::nodata;
  Pool servfail = make_pool("sf", PolicyKind::weighted, 2);
  servfail.all_down = AllDownAction::servfail;
  const auto nd = w.add(nodata, {{"a", "192.0.2.1"}});
  const auto sf = w.add(servfail, {{"b", "192.0.2.2"}});
  w.finish();
  w.set_health(nd, "a", drained());
  w.set_health(sf, "b", down());

  const Selection n = w.select(nd);
  CHECK(n.count == 0);
  CHECK(n.outcome == Outcome::all_down);
  CHECK_FALSE(n.servfail);
  CHECK(n.degraded);

  const Selection f = w.select(sf);
  CHECK(f.count == 0);
  CHECK(f.outcome == Outcome::all_down);
  CHECK(f.servfail);

  // Back up: normal again.
  w.set_health(sf, "b", up());
  const Selection back = w.select(sf);
  CHECK(joined(back) == "b");
  CHECK(back.outcome == Outcome::normal);
  CHECK_FALSE(back.servfail);
}
