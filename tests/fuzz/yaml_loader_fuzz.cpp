// SPDX-License-Identifier: Apache-2.0
// Fuzzes the zone-file loader on arbitrary text: YAML parsing, the strict schema, names, rdata
// through ldns and the zone builder. It must never crash, hang or leak, and it must return a
// zone exactly when it reports no error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "gslbd/config/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A directory that does not exist: relative import: paths and serial: auto fail cleanly
  // instead of reading whatever lies around the fuzzer.
  static const std::string path = "/nonexistent/gslbd-fuzz/fuzz.zone.yaml";
  static const std::vector<std::string> pools{"app-pool"};
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<gslbd::util::SourceError> errors;
  const auto zone = gslbd::config::load_zone_text(path, text, pools, errors);
  if ((zone == nullptr) == errors.empty()) std::abort();
  for (const auto& error : errors) {
    if (error.message.empty() || error.line < 0 || error.column < 0) std::abort();
  }
  if (zone) {
    // Every node can be found by its own name, and delegation links stay inside the zone.
    for (std::uint32_t i = 0; i < zone->node_count(); ++i) {
      const auto& node = zone->node(i);
      if (zone->find(node.name()) != i) std::abort();
      if (node.cut != gslbd::zone::kNoNode && node.cut >= zone->node_count()) std::abort();
      for (const auto& set : node.rrsets()) {
        for (std::uint32_t target : set.additional_nodes()) {
          if (target >= zone->node_count()) std::abort();
        }
      }
    }
  }
  return 0;
}
