// SPDX-License-Identifier: Apache-2.0
// Record data in zone-file presentation format, parsed with ldns into uncompressed wire form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gslbd::config::detail {

// The RR type named by text ("A", "aaaa", "TYPE65000"), or nullopt when ldns knows no such type.
std::optional<std::uint16_t> rr_type_from_text(const std::string& text);

// Mnemonic of a type for messages ("A", "TYPE65000").
std::string rr_type_text(std::uint16_t type);

// True for types that only exist in queries or transport (OPT, TSIG, AXFR, ANY, ...).
bool is_meta_type(std::uint16_t type);

// Parses the rdata of one record of type, relative names completed with origin_wire. Returns
// the rdata, or nullopt with ldns's reason in error.
std::optional<std::vector<std::uint8_t>> parse_rdata(std::uint16_t type, const std::string& text,
                                                     std::string_view origin_wire,
                                                     std::string& error);

// Common types to suggest when a type name is misspelt.
const std::vector<std::string_view>& common_type_names();

}  // namespace gslbd::config::detail
