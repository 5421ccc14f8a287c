// SPDX-License-Identifier: Apache-2.0
// The served model: one complete, validated configuration as the workers, the health loop and
// the control endpoint read it. The loader (config/) builds it; nothing here parses text.
// Immutable once published (see snapshot.hpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gslbd/pool/pool_set.hpp"
#include "gslbd/runtime/peers_config.hpp"
#include "gslbd/runtime/server_config.hpp"
#include "gslbd/zone/zone_set.hpp"

namespace gslbd::runtime {

struct Config {
  ServerConfig server;
  PeersConfig peers;
  std::shared_ptr<const zone::ZoneSet> zones;
  std::shared_ptr<const pool::PoolSet> pools;  // never null in a loaded config
  // The files the config was read from: the main file, its pool and zone files, then what the
  // zone files import and their DNSSEC key files (as the daemon watches them with
  // server.watch_files).
  std::vector<std::string> source_files;
};

}  // namespace gslbd::runtime
