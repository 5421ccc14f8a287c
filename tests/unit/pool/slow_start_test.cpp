// SPDX-License-Identifier: Apache-2.0
// The slow-start ramp: linear from the floor to the full weight over slow_start.
#include "gslbd/pool/slow_start.hpp"

#include "gslbd/pool/selection_trace.hpp"
#include "gslbd/util/clock.hpp"
#include "pool_test_support.hpp"

using namespace test;
using gslbd::pool::kFullPermille;
using gslbd::pool::kRampFloorPermille;
using gslbd::pool::ramp_permille;
using gslbd::pool::ramped_weight;

TEST_CASE("slow start: no ramp without slow_start or without a recovery") {
  CHECK(ramp_permille(0, 5'000, 5'001) == kFullPermille);
  CHECK(ramp_permille(60'000, 0, 5'001) == kFullPermille);
}

TEST_CASE("slow start: linear from the floor to the full weight") {
  const std::uint64_t since = 1'000'000;
  CHECK(ramp_permille(60'000, since, since) == kRampFloorPermille);
  CHECK(ramp_permille(60'000, since, since + 30'000) == 525);  // 50 + 950 / 2
  CHECK(ramp_permille(60'000, since, since + 59'999) == 999);
  CHECK(ramp_permille(60'000, since, since + 60'000) == kFullPermille);
  CHECK(ramp_permille(60'000, since, since + 3'600'000) == kFullPermille);
  // A share never falls as time goes on.
  std::uint32_t before = 0;
  for (std::uint64_t t = 0; t <= 61'000; t += 500) {
    const std::uint32_t share = ramp_permille(60'000, since, since + t);
    CHECK(share >= before);
    before = share;
  }
}

TEST_CASE("slow start: a clock behind the recovery is the start of the ramp") {
  CHECK(ramp_permille(10'000, 50'000, 40'000) == kRampFloorPermille);
}

TEST_CASE("slow start: the ramped weight keeps a positive weight positive") {
  CHECK(ramped_weight(10'000, 525) == 5'250);
  CHECK(ramped_weight(10'000, kFullPermille) == 10'000);
  CHECK(ramped_weight(1, kRampFloorPermille) == 1);
  CHECK(ramped_weight(0, kRampFloorPermille) == 0);
}

TEST_CASE("slow start: the selection draws a recovered member by its ramped weight") {
  World w;
  Pool pool = make_pool("p", PolicyKind::weighted, 1);
  const auto p = w.add(pool, {{"a", "10.0.0.1"}, {"b", "10.0.0.2"}});
  w.set.pools[p].members[0].slow_start_ms = 1'000;
  w.set.pools[p].members[1].slow_start_ms = 3'600'000;
  w.finish();
  // b recovered just now: it draws by 5% of its weight, a by all of it.
  w.set.health->write_ramp(w.slot_of(p, "b"), gslbd::util::monotonic_ms());
  gslbd::pool::SelectionTrace trace;
  gslbd::pool::SelectContext context{w.rng, w.round_robin};
  gslbd::pool::select_members(w.set, p, 4, client("192.0.2.1"), context, &trace);
  CHECK(trace.pool[0].member[1].ramp_permille == kRampFloorPermille);
  CHECK(trace.pool[0].member[1].weight == 10'000 * kRampFloorPermille / kFullPermille);
  CHECK(trace.pool[0].member[0].ramp_permille == kFullPermille);
  const auto counts = tally(4000, [&] { return w.select(p); });
  const double share = counts.at("b") / 4000.0;
  CHECK(share > 0.03);  // 50 / 1050 = 0.048
  CHECK(share < 0.07);
  // A ramp that started longer ago than slow_start is over (a's slow start is 1 s, so that
  // the start fits on a monotonic clock that began at boot).
  const std::uint64_t now_ms = gslbd::util::monotonic_ms();
  REQUIRE(now_ms > 1'001);
  w.set.health->write_ramp(w.slot_of(p, "a"), now_ms);
  gslbd::pool::select_members(w.set, p, 4, client("192.0.2.1"), context, &trace);
  CHECK(trace.pool[0].member[0].ramp_permille < kFullPermille);
  w.set.health->write_ramp(w.slot_of(p, "a"), now_ms - 1'001);
  gslbd::pool::select_members(w.set, p, 4, client("192.0.2.1"), context, &trace);
  CHECK(trace.pool[0].member[0].ramp_permille == kFullPermille);
}
