// SPDX-License-Identifier: Apache-2.0
// SipHash-2-4 (Aumasson and Bernstein, 2012): the keyed 64-bit PRF that RFC 9018 server
// cookies use, also used to spread rate-limit keys so clients cannot aim at one table slot.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gslbd::dns {

// key is 16 octets; the result is the 64-bit value whose little-endian octets are the
// paper's 8-octet output. Reads exactly [data, data+len); noexcept, no allocation.
std::uint64_t siphash24(const std::uint8_t* key, const std::uint8_t* data,
                        std::size_t len) noexcept;

}  // namespace gslbd::dns
