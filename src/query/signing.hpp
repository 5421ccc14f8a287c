// SPDX-License-Identifier: Apache-2.0
// The DNSSEC side of an answer from a signed zone to a DO=1 query: the RRSIGs made at load for
// static RRsets, and those of RRsets that exist only per query (compact denial NSECs,
// wildcard answers under the expanded name, service answers) from the worker's signature
// cache. Worker thread; no allocation of ours (a cache miss signs with OpenSSL).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "gslbd/dns/response_writer.hpp"
#include "gslbd/dnssec/signature_cache.hpp"
#include "gslbd/dnssec/zone_keys.hpp"

namespace gslbd::query {

struct SigningEnv {
  const dnssec::ZoneKeys* keys = nullptr;  // set only when the answer carries DNSSEC records
  dnssec::SignatureCache* cache = nullptr;
  std::uint32_t now = 0;

  bool on() const noexcept { return keys != nullptr; }
};

enum class SignOutcome : std::uint8_t { written, no_room, failed };

// Signs the RRset just written (owner as sent, any case, and owner_lower, the same in
// lowercase; records in stored form, in any order) through the cache and writes its RRSIG set
// after it in section.
SignOutcome put_online_signatures(const SigningEnv& env, dns::Section section,
                                  std::string_view owner, std::string_view owner_lower,
                                  std::uint16_t type, std::uint32_t ttl,
                                  std::span<const std::uint8_t> records, std::uint16_t count,
                                  dns::ResponseWriter& writer) noexcept;

}  // namespace gslbd::query
