// Loading the whole configuration (main file, zone files, imports) into one validated snapshot.
// Control-plane only. A config with any error yields no snapshot: the caller keeps the old one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gslbd/config/server_config.hpp"
#include "gslbd/pool/pool_set.hpp"
#include "gslbd/util/source_error.hpp"
#include "gslbd/zone/zone_set.hpp"

namespace gslbd::config {

struct Config {
  ServerConfig server;
  std::shared_ptr<const zone::ZoneSet> zones;
  std::shared_ptr<const pool::PoolSet> pools;  // never null in a loaded config
  std::vector<std::string> files;  // every file read, main file first (for reload and watching)
};

struct LoadResult {
  std::shared_ptr<const Config> config;  // null when errors is not empty
  std::vector<util::SourceError> errors;
};

// Reads main_path and everything it names. All errors of the load are collected.
LoadResult load_config(const std::string& main_path);

// Parses the YAML text of one zone file into a built zone (used by load_config and by tests
// and the fuzz target). path is used for error positions and to resolve import: and serial:
// auto. known_pools lists the pool names services may refer to.
std::unique_ptr<zone::Zone> load_zone_text(const std::string& path, const std::string& text,
                                           const std::vector<std::string>& known_pools,
                                           std::vector<util::SourceError>& errors);

}  // namespace gslbd::config
