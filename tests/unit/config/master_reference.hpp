// SPDX-License-Identifier: Apache-2.0
// The oracle for MasterReader: a master file read by ldns alone, record by record, as the
// importer did before MasterReader; and the reader's output in the same form for comparison.
#pragma once

// clang-format off
#include <stdbool.h>
#include <ldns/ldns.h>
// clang-format on

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "config/master_reader.hpp"

namespace gslbd::test {

// One record or one error of a master file.
struct MasterItem {
  bool error = false;
  int line = 0;
  std::string owner;  // wire, case as written
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::vector<std::uint8_t> rdata;
  std::string message;

  bool operator==(const MasterItem&) const = default;
};

inline std::string describe(const MasterItem& item) {
  std::string out = "line " + std::to_string(item.line) + ": ";
  if (item.error) return out + "error: " + item.message;
  out += "owner ";
  for (const char c : item.owner) {
    const auto u = static_cast<unsigned char>(c);
    if (u > 0x20 && u < 0x7f) {
      out += c;
    } else {
      out += "\\" + std::to_string(u);
    }
  }
  out += " type " + std::to_string(item.type) + " ttl " + std::to_string(item.ttl) + " rdata";
  for (const std::uint8_t b : item.rdata) out += " " + std::to_string(b);
  return out;
}

inline std::string describe(const std::vector<MasterItem>& items) {
  std::string out;
  for (const auto& item : items) out += describe(item) + "\n";
  return out;
}

// The first line at or after offset that holds more than blanks and a comment.
inline int reference_line(const std::string& text, std::size_t offset) {
  int line = 1 + static_cast<int>(
                     std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
  std::size_t at = offset;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::size_t content = text.find_first_not_of(" \t\r", at);
    if (content < end && text[content] != ';') return line;
    at = end + 1;
    ++line;
  }
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

// ldns_rr_new_frm_fp_l over the whole text with the old importer's checks.
inline std::vector<MasterItem> ldns_reference(std::string text, const std::string& origin_wire,
                                              std::uint32_t default_ttl) {
  std::vector<MasterItem> items;
  if (text.empty() || text.back() != '\n') text += '\n';
  FILE* file = fmemopen(text.data(), text.size(), "r");
  if (!file) return items;
  ldns_rdf* origin =
      ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, origin_wire.size(), origin_wire.data());
  ldns_rdf* prev = nullptr;
  std::uint32_t ttl = default_ttl;
  int line_nr = 0;
  while (origin && !std::feof(file)) {
    const long before = std::ftell(file);
    ldns_rr* rr = nullptr;
    const ldns_status status = ldns_rr_new_frm_fp_l(&rr, file, &ttl, &origin, &prev, &line_nr);
    MasterItem item;
    item.line = reference_line(text, static_cast<std::size_t>(before));
    item.error = true;
    if (status == LDNS_STATUS_SYNTAX_EMPTY || status == LDNS_STATUS_SYNTAX_TTL ||
        status == LDNS_STATUS_SYNTAX_ORIGIN) {
      item.error = false;
      item.line = 0;
    } else if (status == LDNS_STATUS_SYNTAX_INCLUDE) {
      item.message = "$INCLUDE is not supported in imported files";
    } else if (status != LDNS_STATUS_OK || !rr) {
      item.message = ldns_get_errorstr_by_id(status);
    } else {
      const auto type = static_cast<std::uint32_t>(ldns_rr_get_type(rr));
      if (type > 0xffff) {
        item.message = "RR type number " + std::to_string(type) + " is above 65535";
      } else if (static_cast<std::uint32_t>(ldns_rr_get_class(rr)) != LDNS_RR_CLASS_IN) {
        item.message = "only class IN records can be served";
      } else if (ldns_rr_ttl(rr) > 2147483647u) {
        item.message = "TTL " + std::to_string(ldns_rr_ttl(rr)) +
                       " is above the largest TTL 2147483647 (RFC 2181 section 8)";
      } else {
        ldns_buffer* buffer = ldns_buffer_new(512);
        if (ldns_rr_rdata2buffer_wire(buffer, rr) != LDNS_STATUS_OK) {
          item.message = "cannot encode the record data";
        } else {
          item.error = false;
          const ldns_rdf* owner = ldns_rr_owner(rr);
          item.owner.assign(reinterpret_cast<const char*>(ldns_rdf_data(owner)),
                            ldns_rdf_size(owner));
          item.type = static_cast<std::uint16_t>(type);
          item.ttl = ldns_rr_ttl(rr);
          item.rdata.assign(ldns_buffer_begin(buffer),
                            ldns_buffer_begin(buffer) + ldns_buffer_position(buffer));
        }
        ldns_buffer_free(buffer);
      }
    }
    ldns_rr_free(rr);
    if (item.error || item.line != 0) items.push_back(std::move(item));
    if (std::ftell(file) == before) break;
  }
  if (origin) ldns_rdf_deep_free(origin);
  if (prev) ldns_rdf_deep_free(prev);
  std::fclose(file);
  return items;
}

// The ldns syntax: MasterReader without its extensions reads exactly like ldns_reference.
inline constexpr config::detail::MasterSyntax kLdnsSyntax{false, false};

struct ReaderOutput {
  std::vector<MasterItem> items;
  std::size_t fast_entries = 0;
  std::size_t ldns_entries = 0;
};

inline ReaderOutput read_master(const std::string& text, const std::string& origin_wire,
                                std::uint32_t default_ttl,
                                config::detail::MasterSyntax syntax = kLdnsSyntax) {
  using config::detail::MasterReader;
  ReaderOutput out;
  MasterReader reader(text, origin_wire, default_ttl, syntax);
  config::detail::MasterRecord record;
  std::string message;
  int line = 0;
  for (;;) {
    const MasterReader::Step step = reader.next(record, message, line);
    if (step == MasterReader::Step::end) break;
    MasterItem item;
    item.line = line;
    if (step == MasterReader::Step::error) {
      item.error = true;
      item.message = message;
    } else {
      item.owner = std::string(record.owner);
      item.type = record.type;
      item.ttl = record.ttl;
      item.rdata.assign(record.rdata.begin(), record.rdata.end());
    }
    out.items.push_back(std::move(item));
  }
  out.fast_entries = reader.fast_entries();
  out.ldns_entries = reader.ldns_entries();
  return out;
}

}  // namespace gslbd::test
