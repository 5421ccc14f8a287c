// SPDX-License-Identifier: Apache-2.0
// One zone file (YAML) into a built zone, with what load_config needs beyond the zone itself.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/util/source_error.hpp"
#include "gslbd/zone/zone.hpp"

namespace gslbd::config::detail {

struct ZoneFile {
  std::unique_ptr<zone::Zone> zone;  // null when the file had errors
  std::string apex;                  // lowercase wire; empty when zone: is missing or bad
  int apex_line = 0;                 // 1-based position of the zone: key, for whole-zone errors
  int apex_column = 0;
  std::vector<std::string> imports;    // files read through import:
  std::vector<std::string> key_files;  // the DNSSEC key files read (.key and .private)
};

// Warnings go to warnings when given.
ZoneFile load_zone_file(const std::string& path, const std::string& text,
                        const std::vector<std::string>& known_pools,
                        std::vector<util::SourceError>& errors,
                        std::vector<util::SourceError>* warnings = nullptr);

// The keys of each section of a zone file, from the lists its reader checks them against: the
// top level (name ""), soa, records, services, dnssec and dnssec keys.
struct ZoneFileSection {
  std::string_view name;
  std::vector<std::string_view> keys;
};
std::vector<ZoneFileSection> zone_file_sections();

// Every key of a zone file's sections, in the order above.
std::vector<std::string_view> zone_file_key_names();

}  // namespace gslbd::config::detail
