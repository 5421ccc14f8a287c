#include "summary.hpp"

#include "gslbd/dns/name.hpp"

namespace gslbd::app {

std::string summarize(const config::Config& config) {
  std::size_t names = 0;
  std::size_t services = 0;
  std::string apexes;
  for (const auto& zone : config.zones->zones()) {
    names += zone->node_count();
    services += zone->services().size();
    if (!apexes.empty()) apexes += ' ';
    apexes += dns::name_to_text(zone->apex()) + " (serial " + std::to_string(zone->serial()) + ")";
  }
  const std::size_t zones = config.zones->zones().size();
  return std::to_string(zones) + (zones == 1 ? " zone, " : " zones, ") + std::to_string(names) +
         " names, " + std::to_string(services) + " services: " + apexes;
}

}  // namespace gslbd::app
