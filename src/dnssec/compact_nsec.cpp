// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dnssec/compact_nsec.hpp"

#include <cstring>

namespace gslbd::dnssec {

std::size_t compact_nsec(std::string_view owner, std::string_view apex,
                         std::span<const std::uint16_t> types, std::uint8_t* out) noexcept {
  std::uint8_t* rdata = out + 2;
  std::size_t at = 0;
  if (owner.size() + 2 <= 255) {
    rdata[0] = 1;
    rdata[1] = 0;
    std::memcpy(rdata + 2, owner.data(), owner.size());
    at = owner.size() + 2;
  } else {
    std::memcpy(rdata, apex.data(), apex.size());
    at = apex.size();
  }
  // Windows 0 (types 0-255) and 1 (256-511) cover every type a zone of ours can hold that a
  // bitmap needs; 32 octets each at most.
  std::uint8_t bits[2][32] = {};
  int lengths[2] = {0, 0};  // octets of each window's bitmap in use
  int last = -1;
  const auto set = [&bits, &lengths](std::uint16_t type) {
    const int window = type >> 8;
    const int octet = (type & 0xff) >> 3;
    bits[window][octet] |= static_cast<std::uint8_t>(0x80 >> (type & 7));
    if (octet + 1 > lengths[window]) lengths[window] = octet + 1;
  };
  for (std::uint16_t type : types) {
    if (static_cast<int>(type) <= last || type >= 512) return 0;
    last = type;
    set(type);
  }
  set(rrtype::RRSIG);
  set(rrtype::NSEC);
  for (std::uint8_t window = 0; window < 2; ++window) {
    const int length = lengths[window];
    if (length == 0) continue;
    rdata[at++] = window;
    rdata[at++] = static_cast<std::uint8_t>(length);
    std::memcpy(rdata + at, bits[window], static_cast<std::size_t>(length));
    at += static_cast<std::size_t>(length);
  }
  out[0] = static_cast<std::uint8_t>(at >> 8);
  out[1] = static_cast<std::uint8_t>(at & 0xff);
  return at + 2;
}

}  // namespace gslbd::dnssec
