// SPDX-License-Identifier: Apache-2.0
// LoadAverager: a member's polls become its published Load.
#include <doctest/doctest.h>

#include "gslbd/health/health_table.hpp"
#include "gslbd/health/load.hpp"

using gslbd::health::Load;
using gslbd::health::LoadAverager;
using gslbd::health::LoadSample;

namespace {
constexpr std::uint64_t kSecond = 1'000'000'000;
}

TEST_CASE("LoadAverager: the first poll is taken as it is, later ones move the average by half") {
  LoadAverager avg;
  CHECK_FALSE(avg.load().known);
  LoadSample s;
  s.sessions = 100;
  s.session_limit = 1000;
  s.response_ms = 40;
  s.up_servers = 3;
  avg.add(s, 1 * kSecond);
  CHECK(avg.load().known);
  CHECK(avg.load().sessions == 100);
  CHECK(avg.load().response_ms == 40);
  CHECK(avg.load().session_limit == 1000);
  CHECK(avg.load().up_servers == 3);
  CHECK(avg.load().bytes_in_per_s == 0);  // a rate needs two polls
  s.sessions = 300;
  s.response_ms = 20;
  s.up_servers = 1;
  avg.add(s, 2 * kSecond);
  CHECK(avg.load().sessions == 200);
  CHECK(avg.load().response_ms == 30);
  CHECK(avg.load().up_servers == 1);  // not averaged: the latest count
}

TEST_CASE("LoadAverager: byte rates come from counter deltas over the time between polls") {
  LoadAverager avg;
  LoadSample s;
  s.bytes_in = 1'000;
  s.bytes_out = 10'000;
  avg.add(s, 10 * kSecond);
  s.bytes_in += 2'000'000;
  s.bytes_out += 8'000'000;
  avg.add(s, 12 * kSecond);  // two seconds later
  CHECK(avg.load().bytes_in_per_s == 1'000'000);
  CHECK(avg.load().bytes_out_per_s == 4'000'000);
  // Counters that go back (HAProxy restarted): no rate from that pair, the average stays.
  s.bytes_in = 0;
  s.bytes_out = 0;
  avg.add(s, 13 * kSecond);
  CHECK(avg.load().bytes_in_per_s == 1'000'000);
  // The next pair counts again, averaged with the earlier rate.
  s.bytes_in = 3'000'000;
  s.bytes_out = 0;
  avg.add(s, 14 * kSecond);
  CHECK(avg.load().bytes_in_per_s == 2'000'000);
}

TEST_CASE("HealthTable: load figures round-trip per slot") {
  gslbd::health::HealthTable table(3, gslbd::health::Health{});
  CHECK_FALSE(table.read_load(1).known);
  Load load;
  load.known = true;
  load.sessions = 4'000'000'000u;
  load.session_limit = 7;
  load.session_rate = 9;
  load.queue = 11;
  load.response_ms = 13;
  load.total_ms = 17;
  load.up_servers = 19;
  load.bytes_in_per_s = 1ull << 40;
  load.bytes_out_per_s = 5;
  table.write_load(1, load);
  CHECK(table.read_load(1) == load);
  CHECK_FALSE(table.read_load(0).known);
  CHECK_FALSE(table.read_load(2).known);
}
