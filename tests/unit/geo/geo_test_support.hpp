// SPDX-License-Identifier: Apache-2.0
// Clients and region names for the geo and geodb tests.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "gslbd/geo/geo_map.hpp"
#include "gslbd/util/address.hpp"

namespace test {

inline gslbd::util::Address address(const std::string& text) {
  const auto parsed = gslbd::util::parse_address(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

// A client revealing `prefix` bits (default: its whole address).
inline gslbd::util::Client client(const std::string& text, int prefix = -1) {
  gslbd::util::Client c;
  c.address = address(text);
  c.prefix = static_cast<std::uint8_t>(prefix >= 0 ? prefix : c.address.family == 4 ? 32 : 128);
  return c;
}

// The matched region's name, "-" when none.
inline std::string region(const gslbd::geo::GeoMap& map, const gslbd::geo::GeoMatch& m) {
  return m.region < 0 ? "-" : map.regions()[static_cast<std::size_t>(m.region)];
}

}  // namespace test
