// SPDX-License-Identifier: Apache-2.0
// The rise/fall machine as a pure unit: initial states and every transition.
#include <doctest/doctest.h>

#include "probe/rise_fall.hpp"

using gslbd::health::InitialState;
using gslbd::probe::RiseFall;

TEST_CASE("initial states: up starts up, down and wait start down, none known") {
  const RiseFall up(2, 3, InitialState::up);
  CHECK(up.up());
  CHECK_FALSE(up.known());
  const RiseFall down(2, 3, InitialState::down);
  CHECK_FALSE(down.up());
  CHECK_FALSE(down.known());
  const RiseFall wait(2, 3, InitialState::wait);
  CHECK_FALSE(wait.up());
  CHECK_FALSE(wait.known());
}

TEST_CASE("down needs rise consecutive successes to come up") {
  RiseFall m(3, 2, InitialState::down);
  CHECK_FALSE(m.record(true));
  CHECK(m.known());
  CHECK_FALSE(m.record(true));
  CHECK_FALSE(m.up());
  CHECK(m.record(true));  // third in a row
  CHECK(m.up());
  CHECK_FALSE(m.record(true));  // stays up, no change reported
}

TEST_CASE("a failure resets the run of successes") {
  RiseFall m(2, 5, InitialState::down);
  m.record(true);
  m.record(false);
  CHECK(m.successes() == 0);
  CHECK_FALSE(m.record(true));
  CHECK(m.record(true));
  CHECK(m.up());
}

TEST_CASE("up needs fall consecutive failures to go down and a success resets the run") {
  RiseFall m(2, 3, InitialState::up);
  CHECK_FALSE(m.record(false));
  CHECK_FALSE(m.record(false));
  CHECK_FALSE(m.record(true));  // resets
  CHECK(m.failures() == 0);
  CHECK_FALSE(m.record(false));
  CHECK_FALSE(m.record(false));
  CHECK(m.up());
  CHECK(m.record(false));
  CHECK_FALSE(m.up());
  CHECK_FALSE(m.record(false));
}

TEST_CASE("wait: the first result decides at once, then rise/fall apply") {
  SUBCASE("first success") {
    RiseFall m(3, 3, InitialState::wait);
    CHECK(m.record(true));
    CHECK(m.up());
    CHECK(m.known());
    CHECK_FALSE(m.record(false));  // one failure is not enough now
    CHECK(m.up());
  }
  SUBCASE("first failure") {
    RiseFall m(3, 3, InitialState::wait);
    CHECK_FALSE(m.record(false));
    CHECK_FALSE(m.up());
    CHECK(m.known());
    CHECK_FALSE(m.record(true));  // needs three now
    CHECK_FALSE(m.record(true));
    CHECK(m.record(true));
  }
}

TEST_CASE("immediate failure (agent down) goes down at once") {
  RiseFall m(2, 5, InitialState::up);
  CHECK(m.record(false, true));
  CHECK_FALSE(m.up());
  CHECK_FALSE(m.record(true));
  CHECK(m.record(true));
}

TEST_CASE("rise and fall of 0 behave as 1 and counters saturate") {
  RiseFall m(0, 0, InitialState::down);
  CHECK(m.record(true));
  CHECK(m.record(false));
  for (int i = 0; i < 1000; ++i) m.record(false);
  CHECK(m.failures() == 1);
  RiseFall n(4, 4, InitialState::down);
  for (int i = 0; i < 1000; ++i) n.record(true);
  CHECK(n.successes() == 4);
  CHECK(n.up());
}
