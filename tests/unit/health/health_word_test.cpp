// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "gslbd/health/health_table.hpp"

using gslbd::health::Health;

TEST_CASE("health words round-trip every field") {
  Health h;
  h.up = true;
  h.known = true;
  h.forced = false;
  h.drained = true;
  h.agent_weight = 37;
  h.rtt_us = 4'000'000'000u;
  CHECK(gslbd::health::unpack(gslbd::health::pack(h)) == h);
  CHECK_FALSE(gslbd::health::serving(h));
  h.drained = false;
  CHECK(gslbd::health::serving(h));
}

TEST_CASE("a table starts every slot in the initial state and publishes writes") {
  Health initial;
  initial.up = true;
  gslbd::health::HealthTable table(3, initial);
  CHECK(table.size() == 3);
  CHECK(table.read(2) == initial);
  Health down;
  down.known = true;
  table.write(1, down);
  CHECK(table.read(1) == down);
  CHECK(table.read(0) == initial);
}
