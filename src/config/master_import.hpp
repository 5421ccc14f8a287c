// SPDX-License-Identifier: Apache-2.0
// Import of an RFC 1035 master file into a zone being built (the zone file's import: key).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gslbd/util/source_error.hpp"
#include "gslbd/zone/zone_builder.hpp"

namespace gslbd::config::detail {

// The ZoneBuilder source of an imported record: this bit, or'ed with the record's line.
inline constexpr std::uint32_t kImportedLine = 0x80000000u;

struct ImportResult {
  bool read = false;     // the file could be read (its mtime counts for serial: auto)
  bool had_soa = false;  // an apex SOA was imported (then soa: in YAML is an error)
  bool had_ns = false;   // apex NS records were imported
  bool refused = false;  // not text (binary, or zeroed): reported, and nothing imported
};

// Parses text (the content of path) with MasterReader (common types directly, the rest with
// ldns), the apex as origin and default_ttl as $TTL, and adds every record to builder: the apex
// SOA via set_soa, apex NS via add_apex_ns, each other record with kImportedLine | line as its
// source. Every bad entry is reported as path:line with the
// reader's (ldns's) or the builder's reason; parsing goes on after it, up to 99 errors and a
// last "too many errors" (100 in all, the bound on a load's errors). A file
// with binary content (NUL bytes) is refused as a whole at the first such byte.
ImportResult import_master_file(const std::string& path, const std::string& text,
                                std::uint32_t default_ttl, zone::ZoneBuilder& builder,
                                std::vector<util::SourceError>& errors);

}  // namespace gslbd::config::detail
