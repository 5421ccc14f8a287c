// SPDX-License-Identifier: Apache-2.0
// Loading the whole configuration (main file, zone files, imports) into one validated snapshot.
// Control-plane only. A config with any error yields no snapshot: the caller keeps the old one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gslbd/runtime/config.hpp"
#include "gslbd/util/source_error.hpp"
#include "gslbd/zone/zone_set.hpp"

namespace gslbd::config {

struct LoadResult {
  std::shared_ptr<const runtime::Config> config;  // null when errors is not empty
  // At most 100 of each are kept; a last entry then says how many more there were.
  std::vector<util::SourceError> errors;
  std::size_t error_total = 0;  // errors found, shown or not
  // What loads but is likely a mistake (a relative name of several labels): for the log and
  // --check-config; warnings never reject a config.
  std::vector<util::SourceError> warnings;
};

// Reads main_path and everything it names. All errors of the load are collected. Never throws:
// running out of memory, or any other failure inside, is an error of the load ("out of memory
// while loading FILE"), so a reload can never end the process.
LoadResult load_config(const std::string& main_path);

// Parses the YAML text of one zone file into a built zone (used by load_config and by tests
// and the fuzz target). path is used for error positions and to resolve import: and serial:
// auto. known_pools lists the pool names services may refer to. Warnings go to warnings when
// given.
std::unique_ptr<zone::Zone> load_zone_text(const std::string& path, const std::string& text,
                                           const std::vector<std::string>& known_pools,
                                           std::vector<util::SourceError>& errors,
                                           std::vector<util::SourceError>* warnings = nullptr);

}  // namespace gslbd::config
