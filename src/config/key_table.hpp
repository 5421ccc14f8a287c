// SPDX-License-Identifier: Apache-2.0
// Config keys as data: a section of a file is read from a table with one row per key (its name,
// whether it is required, and the function that reads its value). The list of keys a section
// accepts is made from the same table, so the keys and the code that reads them cannot drift
// apart.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "yaml_reader.hpp"

namespace gslbd::config::detail {

// One key of a section whose values are read into a Target (the thing being built, or a small
// context around it when a key needs more than its own value).
template <typename Target>
struct Key {
  std::string_view name;
  // Reads the value into target. Rows are read in table order, so a row may rely on the rows
  // above it. nullptr for a key the section's reader handles itself; the row still makes the
  // key known.
  void (*read)(Diagnostics& diag, const Value& value, Target& target);
  bool required = false;
};

template <typename Target, std::size_t N>
std::vector<std::string_view> key_names(const Key<Target> (&table)[N]) {
  std::vector<std::string_view> names;
  names.reserve(N);
  for (const Key<Target>& key : table) names.push_back(key.name);
  return names;
}

// Reads the rows of table that have a reader, in order, from map (made with key_names(table)).
// A required key that is missing is reported at the map.
template <typename Target, std::size_t N>
void read_keys(Diagnostics& diag, const MapReader& map, const Key<Target> (&table)[N],
               Target& target) {
  for (const Key<Target>& key : table) {
    if (key.read == nullptr) continue;
    const auto value = key.required ? map.require(key.name) : map.find(key.name);
    if (value) key.read(diag, *value, target);
  }
}

// Reads value as a section whose keys all come from table. False when it is not a map (which
// is reported).
template <typename Target, std::size_t N>
bool read_section(Diagnostics& diag, const Value& value, const Key<Target> (&table)[N],
                  Target& target) {
  const MapReader map(diag, value, key_names(table));
  if (!map.is_map()) return false;
  read_keys(diag, map, table, target);
  return true;
}

}  // namespace gslbd::config::detail
