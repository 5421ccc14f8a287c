// SPDX-License-Identifier: Apache-2.0
#include "summary.hpp"

#include "gslbd/dns/name.hpp"

namespace gslbd::app {
namespace {

// The line goes to the log at every start and reload and to systemd's status: with thousands of
// zones, naming each made one line of hundreds of kilobytes.
constexpr std::size_t kZonesNamed = 10;

}  // namespace

std::string summarize(const runtime::Config& config) {
  std::size_t names = 0;
  std::size_t services = 0;
  std::string apexes;
  std::size_t named = 0;
  for (const auto& zone : config.zones->zones()) {
    names += zone->node_count();
    services += zone->services().size();
    if (named == kZonesNamed) continue;
    ++named;
    if (!apexes.empty()) apexes += ' ';
    apexes += dns::name_to_text(zone->apex()) + " (serial " + std::to_string(zone->serial()) + ")";
  }
  const std::size_t zones = config.zones->zones().size();
  if (zones > named) apexes += " and " + std::to_string(zones - named) + " more";
  return std::to_string(zones) + (zones == 1 ? " zone, " : " zones, ") + std::to_string(names) +
         " names, " + std::to_string(services) + " services: " + apexes;
}

}  // namespace gslbd::app
