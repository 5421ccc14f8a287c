#include "gslbd/config/config.hpp"

#include <malloc.h>

#include <map>

#include "file_io.hpp"
#include "gslbd/dns/name.hpp"
#include "main_file.hpp"
#include "pool_file.hpp"
#include "zone_file.hpp"

namespace gslbd::config {
namespace {

void load(const std::string& main_path, Config& config, std::vector<util::SourceError>& errors) {
  std::string why;
  const auto main_text = detail::read_text_file(main_path, why);
  if (!main_text) {
    errors.push_back({main_path, 0, 0, "cannot read the main file: " + why});
    return;
  }
  config.files.push_back(main_path);
  detail::MainFile main = detail::load_main_file(main_path, *main_text, errors);
  config.server = std::move(main.server);

  // Pools first: services in zone files name them.
  std::vector<detail::PoolFileText> pool_texts;
  for (const std::string& file : main.pool_files) {
    auto text = detail::read_text_file(file, why);
    if (!text) {
      errors.push_back({file, 0, 0, "cannot read the pool file: " + why});
      continue;
    }
    config.files.push_back(file);
    pool_texts.push_back({file, std::move(*text)});
  }
  std::vector<std::string> known_pools;
  auto pools = detail::load_pool_files(pool_texts, known_pools, errors);
  struct Seen {
    std::string file;
    int line;
  };
  std::map<std::string, Seen> apexes;
  std::vector<std::unique_ptr<zone::Zone>> zones;
  for (const std::string& file : main.zone_files) {
    const auto text = detail::read_text_file(file, why);
    if (!text) {
      errors.push_back({file, 0, 0, "cannot read the zone file: " + why});
      continue;
    }
    config.files.push_back(file);
    detail::ZoneFile loaded = detail::load_zone_file(file, *text, known_pools, errors);
    config.files.insert(config.files.end(), loaded.imports.begin(), loaded.imports.end());
    if (loaded.apex.empty()) continue;
    const auto [it, inserted] = apexes.try_emplace(loaded.apex, Seen{file, loaded.apex_line});
    if (!inserted) {
      errors.push_back({file, loaded.apex_line, loaded.apex_column,
                        "zone " + dns::name_to_text(loaded.apex) + " is already defined in " +
                            it->second.file + ":" + std::to_string(it->second.line)});
      continue;
    }
    if (loaded.zone) zones.push_back(std::move(loaded.zone));
  }
  if (errors.empty()) {
    config.zones = std::make_shared<const zone::ZoneSet>(std::move(zones));
    config.pools = std::move(pools);
  }
}

}  // namespace

LoadResult load_config(const std::string& main_path) {
  LoadResult result;
  auto config = std::make_shared<Config>();
  try {
    load(main_path, *config, result.errors);
  } catch (const std::exception& e) {
    result.errors.push_back(
        {main_path, 0, 0, std::string("internal error while loading: ") + e.what()});
  } catch (...) {
    result.errors.push_back({main_path, 0, 0, "internal error while loading"});
  }
  if (result.errors.empty()) result.config = std::move(config);
  // Loading a large zone churns through many small allocations (builder nodes, the file's
  // text) that are all free again by now; glibc keeps such memory unless asked, which left a
  // 1,000,000-name zone's process at 2.5 times its real size (tools/bench-peers).
  malloc_trim(0);
  return result;
}

}  // namespace gslbd::config
