// SPDX-License-Identifier: Apache-2.0
// Names and the rdata of common record types from master-file tokens, byte for byte as ldns.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "master_tokenizer.hpp"

namespace gslbd::config::detail {

// A wire name of at most 255 octets, in a fixed buffer (no allocation per record).
struct WireName {
  std::array<char, 256> octets{};
  std::size_t size = 0;

  std::string_view view() const noexcept { return {octets.data(), size}; }
};

// Reads a domain name as ldns_str2rdf_dname does: labels split at unescaped dots, \X and \DDD
// escapes, "." is the root. A name not ending in an unescaped dot is relative: out then holds
// its labels and the root label, and relative is set. Returns false where ldns refuses the text
// and also where ldns might read it differently (over 250 characters): the caller then lets ldns
// read the whole entry. Case is kept.
bool read_name(std::string_view text, WireName& out, bool& relative) noexcept;

// Appends origin to a relative name read by read_name (its root label is dropped), as ldns's
// ldns_dname_cat. False when the result would exceed 255 octets, which ldns does not check.
bool complete_name(WireName& name, std::string_view origin_wire) noexcept;

// The type number of the mnemonics encoded here (A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, DNAME;
// any case), 0 for every other text.
std::uint16_t fast_type(std::string_view mnemonic) noexcept;

// Appends to out the wire rdata of type (a fast_type) given its rdata tokens, relative names
// completed with origin_wire. Returns false when ldns would refuse the tokens or might encode
// them differently (e.g. numbers ldns silently truncates, "\#" generic data): the caller then
// hands the entry to ldns, which gives the answer or the error.
bool encode_fast_rdata(std::uint16_t type, const MasterToken* tokens, std::size_t count,
                       std::string_view origin_wire, std::vector<std::uint8_t>& out);

}  // namespace gslbd::config::detail
