// SPDX-License-Identifier: Apache-2.0
#include "gslbd/util/duration.hpp"

#include <doctest/doctest.h>

using gslbd::util::parse_duration_ms;

TEST_CASE("durations with units") {
  CHECK(parse_duration_ms("500ms") == 500u);
  CHECK(parse_duration_ms("30s") == 30'000u);
  CHECK(parse_duration_ms("5m") == 300'000u);
  CHECK(parse_duration_ms("1h30m") == 5'400'000u);
  CHECK(parse_duration_ms("1w") == 604'800'000u);
  CHECK(parse_duration_ms("2d") == 172'800'000u);
}

TEST_CASE("a bare number means seconds") {
  CHECK(parse_duration_ms("60") == 60'000u);
  CHECK(parse_duration_ms("0") == 0u);
}

TEST_CASE("malformed durations are refused") {
  CHECK_FALSE(parse_duration_ms(""));
  CHECK_FALSE(parse_duration_ms("s"));
  CHECK_FALSE(parse_duration_ms("10x"));
  CHECK_FALSE(parse_duration_ms("1h30"));
  CHECK_FALSE(parse_duration_ms("-5s"));
  CHECK_FALSE(parse_duration_ms("1.5s"));
  CHECK_FALSE(parse_duration_ms("99999999999999999999999s"));
  CHECK_FALSE(parse_duration_ms("18446744073709551615w"));
}
