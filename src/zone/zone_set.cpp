// SPDX-License-Identifier: Apache-2.0
#include "gslbd/zone/zone_set.hpp"

#include <algorithm>

#include "gslbd/dns/name.hpp"

namespace gslbd::zone {

ZoneSet::ZoneSet(std::vector<std::unique_ptr<Zone>> zones) : zones_(std::move(zones)) {
  for (std::size_t i = 0; i < zones_.size(); ++i) {
    zones_[i]->position_ = static_cast<std::uint32_t>(i);
    longest_apex_ = std::max(longest_apex_, zones_[i]->apex().size());
  }
  index_.build(static_cast<std::uint32_t>(zones_.size()),
               [this](std::uint32_t i) -> std::string_view { return zones_[i]->apex(); });
}

const Zone* ZoneSet::find(std::string_view lower_wire) const noexcept {
  auto apex_of = [this](std::uint32_t i) -> std::string_view { return zones_[i]->apex(); };
  std::string_view name = lower_wire;
  // Most query names are longer than every apex: skip hashing the suffixes that cannot match.
  while (name.size() > longest_apex_ && name.size() > 1) name = dns::parent_name(name);
  for (;;) {
    const std::uint32_t i = index_.find(name, apex_of);
    if (i != 0xffffffffu) return zones_[i].get();
    if (name.size() <= 1) return nullptr;
    name = dns::parent_name(name);
  }
}

}  // namespace gslbd::zone
