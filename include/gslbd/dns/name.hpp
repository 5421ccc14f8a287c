// SPDX-License-Identifier: Apache-2.0
// Domain names in uncompressed wire form (std::string of length-prefixed labels, ending in the
// root label): text conversion for config, and allocation-free helpers for the query path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gslbd::dns {

// Converts presentation text ("www", "@", "a.example.com.", with \. and \DDD escapes) to wire.
// Names without a trailing dot are relative to origin (a wire name); "@" is origin itself.
// Returns nullopt and sets *error on a malformed name.
std::optional<std::string> name_from_text(std::string_view text, std::string_view origin_wire,
                                          std::string* error);

// Presentation form with a trailing dot; "." for the root.
std::string name_to_text(std::string_view wire);

// ASCII lower-casing of a wire name (labels' length octets are never letters).
void lowercase_name(char* wire, std::size_t len) noexcept;
std::string lowercased(std::string_view wire);
// Lower-cases wire into out (at least wire.size() octets) and returns a view of the result.
std::string_view lowercased_into(std::string_view wire, char* out) noexcept;

// ASCII case-insensitive equality of two wire names (RFC 4343).
bool same_name(std::string_view a, std::string_view b) noexcept;

// Drops the first label; the root stays the root. Input must be a valid wire name.
std::string_view parent_name(std::string_view wire) noexcept;

// True when name equals ancestor or lies below it (both lowercase wire names).
bool is_at_or_below(std::string_view name, std::string_view ancestor) noexcept;

std::size_t label_count(std::string_view wire) noexcept;

// Reads an uncompressed name at msg[pos..); for names in questions, which never need pointers.
// On success returns the wire length and advances pos. Returns 0 on malformed input.
std::size_t read_plain_name(const std::uint8_t* msg, std::size_t len, std::size_t& pos) noexcept;

// Skips a possibly compressed name (for sections we do not interpret). Returns false if bad.
bool skip_name(const std::uint8_t* msg, std::size_t len, std::size_t& pos) noexcept;

// Reads a possibly compressed name at msg[pos..) into out (room for kMaxNameWire octets), for
// names in the answers of replies. Each compression pointer must point before the one followed
// last (the first before pos), so that pointers cannot loop. On success returns the name's wire
// length and sets pos to the octet after the name as it stands at pos; returns 0 on malformed
// input (0x40 and 0x80 label types, a name longer than 255 octets, one that runs past len) and
// leaves pos alone.
std::size_t decompress_name(const std::uint8_t* msg, std::size_t len, std::size_t& pos,
                            char* out) noexcept;

}  // namespace gslbd::dns
