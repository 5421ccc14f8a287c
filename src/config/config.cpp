// SPDX-License-Identifier: Apache-2.0
#include "gslbd/config/load.hpp"

#include <malloc.h>

#include <map>
#include <new>

#include "error_list.hpp"
#include "file_io.hpp"
#include "gslbd/dns/name.hpp"
#include "main_file.hpp"
#include "pool_file.hpp"
#include "zone_file.hpp"

namespace gslbd::config {
namespace {

using detail::add_error;

// current_file names the file being read, for an error that can only be reported for the load
// as a whole (running out of memory).
void load(const std::string& main_path, runtime::Config& config,
          std::vector<util::SourceError>& errors, std::vector<util::SourceError>& warnings,
          std::string& current_file) {
  std::string why;
  current_file = main_path;
  const auto main_text = detail::read_text_file(main_path, why);
  if (!main_text) {
    add_error(errors, {main_path, 0, 0, "cannot read the main file: " + why});
    return;
  }
  detail::MainFile main = detail::load_main_file(main_path, *main_text, errors);
  config.server = std::move(main.server);
  config.peers = std::move(main.peers);

  // Pools first: services in zone files name them.
  std::vector<detail::PoolFileText> pool_texts;
  for (const std::string& file : main.pool_files) {
    current_file = file;
    auto text = detail::read_text_file(file, why);
    if (!text) {
      add_error(errors, {file, 0, 0, "cannot read the pool file: " + why});
      continue;
    }
    pool_texts.push_back({file, std::move(*text)});
  }
  std::vector<std::string> known_pools;
  current_file = main.pool_files.empty() ? main_path : main.pool_files.front();
  auto pools =
      detail::load_pool_files(pool_texts, known_pools, errors, config.peers.instances.size() + 1,
                              !config.server.resolvers.empty());
  struct Seen {
    std::string file;
    int line;
  };
  std::map<std::string, Seen> apexes;
  std::vector<std::unique_ptr<zone::Zone>> zones;
  // What a zone file reads besides itself: an edit to any of them changes what is served.
  std::vector<std::string> zone_inputs;
  for (const std::string& file : main.zone_files) {
    current_file = file;
    const auto text = detail::read_text_file(file, why);
    if (!text) {
      add_error(errors, {file, 0, 0, "cannot read the zone file: " + why});
      continue;
    }
    detail::ZoneFile loaded = detail::load_zone_file(file, *text, known_pools, errors, &warnings);
    zone_inputs.insert(zone_inputs.end(), loaded.imports.begin(), loaded.imports.end());
    zone_inputs.insert(zone_inputs.end(), loaded.key_files.begin(), loaded.key_files.end());
    if (loaded.apex.empty()) continue;
    const auto [it, inserted] = apexes.try_emplace(loaded.apex, Seen{file, loaded.apex_line});
    if (!inserted) {
      add_error(errors, {file, loaded.apex_line, loaded.apex_column,
                         "zone " + dns::name_to_text(loaded.apex) + " is already defined in " +
                             it->second.file + ":" + std::to_string(it->second.line)});
      continue;
    }
    if (loaded.zone) zones.push_back(std::move(loaded.zone));
  }
  if (errors.empty()) {
    config.zones = std::make_shared<const zone::ZoneSet>(std::move(zones));
    config.pools = std::move(pools);
    config.source_files.push_back(main_path);
    config.source_files.insert(config.source_files.end(), main.pool_files.begin(),
                               main.pool_files.end());
    config.source_files.insert(config.source_files.end(), main.zone_files.begin(),
                               main.zone_files.end());
    config.source_files.insert(config.source_files.end(), zone_inputs.begin(), zone_inputs.end());
  }
}

}  // namespace

LoadResult load_config(const std::string& main_path) {
  LoadResult result;
  std::string current_file = main_path;
  std::string failure;
  try {
    auto config = std::make_shared<runtime::Config>();
    load(main_path, *config, result.errors, result.warnings, current_file);
    if (result.errors.empty()) result.config = std::move(config);
  } catch (const std::bad_alloc&) {
    // Whatever the load built is freed by now; the running config is untouched. A reload must
    // never end the process, so this is a rejected config like any other.
    failure = "out of memory while loading " + current_file;
  } catch (const std::exception& e) {
    failure = "internal error while loading " + current_file + ": " + e.what();
  } catch (...) {
    failure = "internal error while loading " + current_file;
  }
  if (!failure.empty()) {
    result.config.reset();
    // The errors gathered so far may be what filled the memory; the one that stopped the load
    // says more, and needs room to be stored.
    std::vector<util::SourceError>().swap(result.errors);
    std::vector<util::SourceError>().swap(result.warnings);
    malloc_trim(0);
    result.errors.push_back({current_file, 0, 0, std::move(failure)});
  }
  result.error_total = detail::error_count(result.errors);
  // Loading a large zone churns through many small allocations (builder nodes, the file's
  // text) that are all free again by now; glibc keeps such memory unless asked, which left a
  // 1,000,000-name zone's process at 2.5 times its real size (tools/bench-peers).
  malloc_trim(0);
  return result;
}

}  // namespace gslbd::config
