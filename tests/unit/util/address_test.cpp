// SPDX-License-Identifier: Apache-2.0
// Address helpers: masking to a prefix, against a bit-by-bit reference at every length.
#include <doctest/doctest.h>

#include <random>

#include "gslbd/util/address.hpp"

using gslbd::util::Address;

namespace {

// Clears every bit from `bits` on, one bit at a time.
Address reference_mask(Address a, unsigned bits) {
  const unsigned width = a.family == 4 ? 32 : 128;
  for (unsigned i = 0; i < 128; ++i) {
    if (i >= bits || i >= width) {
      a.bytes[i / 8] = static_cast<std::uint8_t>(a.bytes[i / 8] & ~(0x80u >> (i % 8)));
    }
  }
  return a;
}

}  // namespace

TEST_CASE("address: masked keeps exactly the first bits, at every prefix length") {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 50; ++round) {
    for (const std::uint8_t family : {std::uint8_t{4}, std::uint8_t{6}}) {
      Address a;
      a.family = family;
      for (std::size_t i = 0; i < (family == 4 ? 4u : 16u); ++i) {
        a.bytes[i] = static_cast<std::uint8_t>(rng());
      }
      for (unsigned bits = 0; bits <= 130; ++bits) {
        const Address got = gslbd::util::masked(a, bits);
        CHECK_MESSAGE(got == reference_mask(a, bits), gslbd::util::address_text(a)
                                                          << "/" << bits << " gave "
                                                          << gslbd::util::address_text(got));
      }
    }
  }
}

TEST_CASE("address: parse and print round trip, mapped addresses stay IPv6") {
  const auto v4 = gslbd::util::parse_address("198.18.7.9");
  REQUIRE(v4);
  CHECK(v4->family == 4);
  CHECK(gslbd::util::address_text(gslbd::util::masked(*v4, 20)) == "198.18.0.0");
  const auto v6 = gslbd::util::parse_address("fd00:1:2:3::9");
  REQUIRE(v6);
  CHECK(gslbd::util::address_text(gslbd::util::masked(*v6, 56)) == "fd00:1:2::");
  CHECK_FALSE(gslbd::util::parse_address("198.18.7"));
}
