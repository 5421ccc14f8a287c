// SPDX-License-Identifier: Apache-2.0
// The zones served, found by longest suffix match of a query name.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "gslbd/zone/name_index.hpp"
#include "gslbd/zone/zone.hpp"

namespace gslbd::zone {

class ZoneSet {
 public:
  // Apexes must be distinct (the config loader reports duplicates with their files).
  explicit ZoneSet(std::vector<std::unique_ptr<Zone>> zones);

  // The zone whose apex is the longest suffix of lower_wire, or nullptr. No allocation.
  const Zone* find(std::string_view lower_wire) const noexcept;

  const std::vector<std::unique_ptr<Zone>>& zones() const noexcept { return zones_; }

 private:
  std::vector<std::unique_ptr<Zone>> zones_;
  NameIndex index_;
  std::size_t longest_apex_ = 0;  // octets; longer suffixes cannot be an apex
};

}  // namespace gslbd::zone
