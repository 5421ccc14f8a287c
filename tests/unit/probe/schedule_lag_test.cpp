// SPDX-License-Identifier: Apache-2.0
// The schedule-lag meter: what counts as a late probe, the one-second gauges, and the
// "behind schedule" log line written at most once a minute.
#include <doctest/doctest.h>

#include "gslbd/probe/health_loop.hpp"
#include "log_capture.hpp"
#include "probe/schedule_lag.hpp"

using gslbd::probe::is_late;
using gslbd::probe::ScheduleLag;
using gslbd::probe::test::LogCapture;

namespace {
constexpr std::uint64_t kMs = 1'000'000;  // ns
constexpr std::uint64_t kS = 1000 * kMs;
}  // namespace

TEST_CASE("late: more than half the interval, and at least 5 ms") {
  CHECK_FALSE(is_late(5'000, 10));  // 10 ms interval: the 5 ms floor applies
  CHECK(is_late(5'001, 10));
  CHECK_FALSE(is_late(5'000, 1));  // intervals below 10 ms: still the floor
  CHECK_FALSE(is_late(100'000, 200));
  CHECK(is_late(100'001, 200));
  CHECK_FALSE(is_late(2'500'000, 5000));
  CHECK(is_late(2'500'001, 5000));
}

TEST_CASE("gauges: the largest lag and the late count of the last second, totals kept") {
  LogCapture log;
  ScheduleLag lag;
  lag.set_planned(250.0);
  lag.record(2 * kMs, 200);
  lag.record(150 * kMs, 200);  // late
  lag.record(20 * kMs, 200);
  lag.roll(1 * kS, 0);
  CHECK(lag.lag_us() == 150'000);
  CHECK(lag.late_last_second() == 1);
  CHECK(lag.started_last_second() == 3);
  CHECK(lag.late_total() == 1);
  CHECK(lag.planned() == 250.0);
  // a quiet second: the gauges fall back; the tick's own lag counts (a stalled loop)
  lag.record(1 * kMs, 200);
  lag.roll(2 * kS, 7 * kMs);
  CHECK(lag.lag_us() == 7'000);
  CHECK(lag.late_last_second() == 0);
  CHECK(lag.late_total() == 1);
}

TEST_CASE("the behind-schedule line: at once, then at most once a minute") {
  LogCapture log;
  ScheduleLag lag;
  lag.set_planned(102400);
  const std::vector<std::string> line = {"warning health: probes start behind schedule"};
  // on schedule for a while: nothing
  for (std::uint64_t s = 1; s <= 70; ++s) {
    lag.record(1 * kMs, 10);
    lag.roll(s * kS, 0);
  }
  CHECK(log.count(line) == 0);
  // late: the next tick writes the line, with the numbers
  lag.record(30 * kMs, 10);
  lag.record(1 * kMs, 10);
  lag.roll(71 * kS, 0);
  REQUIRE(log.count(line) == 1);
  CHECK(log.count({"1 of 11 probes in the last 10 s", "up to 30 ms", "ask for 102400 probes/s"}) ==
        1);
  // late every second for the next 59 s: no second line
  for (std::uint64_t s = 72; s < 131; ++s) {
    lag.record(40 * kMs, 10);
    lag.roll(s * kS, 0);
  }
  CHECK(log.count(line) == 1);
  // a minute after the first line: the second one sums the minute
  lag.record(40 * kMs, 10);
  lag.roll(131 * kS, 0);
  CHECK(log.count(line) == 2);
  CHECK(log.count({"60 of 60 probes in the last 60 s", "up to 40 ms"}) == 1);
  // on schedule again: no more lines
  for (std::uint64_t s = 132; s < 300; ++s) {
    lag.record(1 * kMs, 10);
    lag.roll(s * kS, 0);
  }
  CHECK(log.count(line) == 2);
  MESSAGE(log.dump());
}
