// SPDX-License-Identifier: Apache-2.0
// NSEC records for compact denial of existence (RFC 9824): one NSEC at the name asked, whose
// next name is its immediate successor (\000.name) and whose type bitmap lists what the name
// has (NODATA), or RRSIG, NSEC and NXNAME for a name that does not exist. No allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace gslbd::dnssec {

namespace rrtype {
inline constexpr std::uint16_t DS = 43;
inline constexpr std::uint16_t RRSIG = 46;
inline constexpr std::uint16_t NSEC = 47;
inline constexpr std::uint16_t DNSKEY = 48;
inline constexpr std::uint16_t CDS = 59;
inline constexpr std::uint16_t CDNSKEY = 60;
inline constexpr std::uint16_t NXNAME = 128;  // RFC 9824 section 3.3
}  // namespace rrtype

// Room for an NSEC rdata: a next name and a bitmap of a few windows.
inline constexpr std::size_t kMaxNsecRdata = 255 + 3 * (2 + 32);

// Writes, as stored RRset records (rdlength, rdata), the NSEC rdata for owner (lowercase wire)
// with the types in types (ascending, without duplicates; RRSIG and NSEC are added). When the
// successor would be longer than a name may be, the next name is the apex: the record then
// still proves what it must, that owner has no other types. Returns the octets written into
// out (2 + kMaxNsecRdata), 0 when types are not ascending or not in windows 0 and 1.
std::size_t compact_nsec(std::string_view owner, std::string_view apex,
                         std::span<const std::uint16_t> types, std::uint8_t* out) noexcept;

}  // namespace gslbd::dnssec
