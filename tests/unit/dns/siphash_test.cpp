// SPDX-License-Identifier: Apache-2.0
// SipHash-2-4 against the reference vectors of the SipHash paper (key 00..0f, message
// 00 01 .. n-1): every tail length, one and several blocks.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <utility>

#include "gslbd/dns/siphash.hpp"

namespace {

constexpr std::pair<std::size_t, std::uint64_t> kVectors[] = {
    {0, 0x726fdb47dd0e0e31},  {1, 0x74f839c593dc67fd},  {2, 0x0d6c8009d9a94f5a},
    {3, 0x85676696d7fb7e2d},  {4, 0xcf2794e0277187b7},  {5, 0x18765564cd99a68d},
    {6, 0xcbc9466e58fee3ce},  {7, 0xab0200f58b01d137},  {8, 0x93f5f5799a932462},
    {9, 0x9e0082df0ba9e4b0},  {10, 0x7a5dbbc594ddb9f3}, {11, 0xf4b32f46226bada7},
    {12, 0x751e8fbc860ee5fb}, {13, 0x14ea5627c0843d90}, {14, 0xf723ca908e7af2ee},
    {15, 0xa129ca6149be45e5}, {16, 0x3f2acc7f57c29bdb}, {17, 0x699ae9f52cbe4794},
    {32, 0x7127512f72f27cce}, {63, 0x958a324ceb064572},
};

}  // namespace

TEST_CASE("siphash24 matches the paper's reference vectors") {
  std::uint8_t key[16];
  std::uint8_t message[64];
  for (std::uint8_t i = 0; i < 16; ++i) key[i] = i;
  for (std::uint8_t i = 0; i < 64; ++i) message[i] = i;
  for (const auto& vector : kVectors) {
    const std::size_t len = vector.first;
    CAPTURE(len);
    CHECK(gslbd::dns::siphash24(key, message, len) == vector.second);
  }
}

TEST_CASE("siphash24 reads unaligned input and depends on the key") {
  std::uint8_t key[16];
  std::uint8_t shifted[65];
  for (std::uint8_t i = 0; i < 16; ++i) key[i] = i;
  for (std::uint8_t i = 0; i < 64; ++i) shifted[i + 1] = i;
  CHECK(gslbd::dns::siphash24(key, shifted + 1, 63) == 0x958a324ceb064572);
  key[0] ^= 1;
  CHECK(gslbd::dns::siphash24(key, shifted + 1, 63) != 0x958a324ceb064572);
}
