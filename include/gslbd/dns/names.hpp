// SPDX-License-Identifier: Apache-2.0
// The mnemonics of RR types and rcodes: one table each, for logs, metrics, /explain and the
// messages of the zone builder. Pure and allocation-free but for the std::string helpers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gslbd::dns {

// The type's mnemonic ("AAAA"), or empty for a type without one here.
std::string_view rr_type_name(std::uint16_t type) noexcept;
// The mnemonic, or "TYPE<n>" (RFC 3597 section 5) for the others.
std::string rr_type_text(std::uint16_t type);
// A mnemonic in any case ("aaaa") or "TYPE<n>" with n in 1..65535.
std::optional<std::uint16_t> parse_rr_type(std::string_view text) noexcept;

// The rcode's mnemonic for 0..23 (extended rcodes included; "RCODE12".."RCODE15" for the
// unassigned ones), empty above.
std::string_view rcode_name(std::uint16_t rcode) noexcept;
inline constexpr std::uint16_t kNamedRcodes = 24;

}  // namespace gslbd::dns
