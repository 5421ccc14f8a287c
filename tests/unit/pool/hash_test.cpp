// SPDX-License-Identifier: Apache-2.0
// The hash policy: sticky answers per client subnet, minimal movement when a member fails,
// the ECS scope it justifies, IPv6 /56 keys, and weighted shares.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "pool_test_support.hpp"

using namespace test;

namespace {

std::string v4(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "%u.%u.%u.%u", value >> 24, (value >> 16) & 0xff,
                (value >> 8) & 0xff, value & 0xff);
  return text;
}

struct HashPool {
  World w;
  std::uint32_t p = 0;
  explicit HashPool(std::uint32_t max_records = 2) {
    Pool pool = make_pool("sticky", PolicyKind::hash, max_records);
    p = w.add(pool, {{"m0", "192.0.2.10"},
                     {"m1", "192.0.2.11"},
                     {"m2", "192.0.2.12"},
                     {"m3", "192.0.2.13"},
                     {"m4", "192.0.2.14"},
                     {"m5", "192.0.2.15"},
                     {"m6", "192.0.2.16"},
                     {"m7", "192.0.2.17"},
                     {"v6a", "2001:db8::a"},
                     {"v6b", "2001:db8::b"},
                     {"v6c", "2001:db8::c"},
                     {"v6d", "2001:db8::d"}});
    w.finish();
  }
  std::string answer(const std::string& source, int prefix = -1, std::uint8_t family = 4) {
    return joined(w.select(p, family, client(source.c_str(), prefix)));
  }
};

}  // namespace

TEST_CASE("hash: the same client subnet always gets the same members") {
  HashPool h;
  const std::string first = h.answer("198.51.100.7");
  CHECK(first.size() > 0);
  for (int i = 0; i < 100; ++i) CHECK(h.answer("198.51.100.7") == first);
  // Neighbours in the same /24 share it, whatever their host part.
  for (const char* other : {"198.51.100.0", "198.51.100.1", "198.51.100.200", "198.51.100.255"}) {
    CHECK(h.answer(other) == first);
  }
  // An ECS /24 of that network is the same key.
  CHECK(h.answer("198.51.100.0", 24) == first);
}

TEST_CASE("hash: different /24s spread over all members") {
  HashPool h(1);
  std::map<std::string, int> counts;
  gslbd::util::Rng pick(7);
  for (int i = 0; i < 40000; ++i) {
    const auto net = static_cast<std::uint32_t>(pick.next()) & 0xffffff00u;
    ++counts[h.answer(v4(net + 1))];
  }
  CHECK(counts.size() == 8);
  for (const auto& [name, n] : counts) CHECK(std::abs(n / 40000.0 - 0.125) < 0.02);
}

TEST_CASE("hash: when a member goes down only the clients that had it move") {
  HashPool h(2);
  gslbd::util::Rng pick(99);
  std::vector<std::string> sources;
  std::vector<std::vector<std::string>> before;
  for (int i = 0; i < 10000; ++i) {
    const auto net = static_cast<std::uint32_t>(pick.next()) & 0xffffff00u;
    sources.push_back(v4(net + 5));
    before.push_back(names(h.w.select(h.p, 4, client(sources.back().c_str()))));
  }
  h.w.set_health(h.p, "m3", down());
  int had_it = 0;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const auto after = names(h.w.select(h.p, 4, client(sources[i].c_str())));
    REQUIRE(after.size() == 2);
    const auto pos = std::find(before[i].begin(), before[i].end(), "m3");
    if (pos == before[i].end()) {
      CHECK(after == before[i]);  // untouched clients keep members and order
    } else {
      ++had_it;
      // The survivor keeps its relative place; one new member fills the gap.
      std::vector<std::string> kept = before[i];
      kept.erase(kept.begin() + (pos - before[i].begin()));
      CHECK(after[0] == kept[0]);
      CHECK(std::find(after.begin(), after.end(), "m3") == after.end());
    }
  }
  // m3 is in about 2 of 8 slots: a quarter of the clients.
  CHECK(std::abs(had_it / 10000.0 - 0.25) < 0.03);
  // Recovery puts every client back where it was.
  h.w.set_health(h.p, "m3", up());
  for (std::size_t i = 0; i < sources.size(); i += 97) {
    CHECK(names(h.w.select(h.p, 4, client(sources[i].c_str()))) == before[i]);
  }
}

TEST_CASE("hash: the ECS scope is the prefix used, never more than the client gave") {
  HashPool h;
  const Selection full = h.w.select(h.p, 4, client("198.51.100.7"));
  CHECK(full.ecs_scope == 24);
  const Selection ecs16 = h.w.select(h.p, 4, client("198.51.0.0", 16));
  CHECK(ecs16.ecs_scope == 16);
  // A /16 client is hashed on its /16: every /24 inside answers alike only if sent as /16.
  CHECK(h.answer("198.51.0.0", 16) == h.answer("198.51.77.0", 16));
  h.w.set.pools[h.p].hash_prefix_v4 = 20;
  CHECK(h.w.select(h.p, 4, client("198.51.100.7")).ecs_scope == 20);
  // The scope holds for AAAA answers to an IPv4 client (the key is its own address).
  CHECK(h.w.select(h.p, 6, client("198.51.100.7")).ecs_scope == 20);
}

TEST_CASE("hash: IPv6 clients are keyed on their /56") {
  HashPool h;
  const std::string first = h.answer("2001:db8:1234:5600::1", -1, 6);
  CHECK(h.answer("2001:db8:1234:56ff:ffff::1", -1, 6) == first);
  CHECK(h.answer("2001:db8:1234:5600::", 56, 6) == first);
  CHECK(h.w.select(h.p, 6, client("2001:db8:1234:5600::1")).ecs_scope == 56);
  // v6 clients asking for A get v4 members, still keyed on the /56.
  const Selection a = h.w.select(h.p, 4, client("2001:db8:1234:5600::1"));
  CHECK(a.ecs_scope == 56);
  CHECK(joined(a) == joined(h.w.select(h.p, 4, client("2001:db8:1234:56aa::9"))));
  // Different /56s do not all land on the same members.
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    char text[64];
    std::snprintf(text, sizeof text, "2001:db8:%x:%x00::1", i * 7, i);
    seen.insert(h.answer(text, -1, 6));
  }
  CHECK(seen.size() > 3);
}

TEST_CASE("hash: answers survive member reordering (keyed by name)") {
  HashPool h;
  std::vector<std::string> before;
  for (std::uint32_t i = 0; i < 200; ++i)
    before.push_back(h.answer(v4((i * 2654435761u) & ~0xffu)));
  auto& members = h.w.set.pools[h.p].members;
  std::reverse(members.begin(), members.end());
  for (std::uint32_t i = 0; i < 200; ++i) {
    auto now = names(h.w.select(h.p, 4, client(v4((i * 2654435761u) & ~0xffu).c_str())));
    std::string text;
    for (const auto& n : now) text += (text.empty() ? "" : ",") + n;
    CHECK(text == before[i]);
  }
}

TEST_CASE("hash: weights set each member's share of clients") {
  World w;
  const auto p = w.add(make_pool("sticky", PolicyKind::hash, 1),
                       {{"small", "192.0.2.1", 100}, {"big", "192.0.2.2", 300}});
  w.finish();
  gslbd::util::Rng pick(3);
  std::map<std::string, int> counts;
  for (int i = 0; i < 40000; ++i) {
    const auto net = static_cast<std::uint32_t>(pick.next()) & 0xffffff00u;
    ++counts[joined(w.select(p, 4, client(v4(net).c_str())))];
  }
  CHECK(std::abs(counts["small"] / 40000.0 - 0.25) < 0.02);
  CHECK(std::abs(counts["big"] / 40000.0 - 0.75) < 0.02);
}
