// SPDX-License-Identifier: Apache-2.0
// One entry of a pool file's `geo_maps:` list: its regions (with the database keys that place
// networks in them and an optional point), its MaxMind database walked into the map's tries,
// and its own networks, which override the database. Also the `location:` form members use.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/geo/geo_map.hpp"
#include "gslbd/geodb/maxmind_database.hpp"
#include "yaml_reader.hpp"

namespace gslbd::config::detail {

struct GeoMapRead {
  std::string name;  // empty when the entry's name had errors
  geo::GeoMap map;
  bool complete = false;  // read without errors, so its region list is the full one
  // A database with coordinates, kept open until the pools are read: its locations are walked
  // only for maps a closest pool uses (walk_locations), since they cost as much as the regions.
  std::shared_ptr<const geodb::MaxmindDatabase> locations;
  YAML::Mark database_mark;
};

// Reads one geo map. A database path is relative to the directory of the file being read. The
// database is opened and walked here, on the loading thread; errors are reported at the key
// that caused them.
GeoMapRead read_geo_map(Diagnostics& diag, const Value& item);

// Walks a kept database's coordinates (GeoMapRead::locations) into the map; a corrupt walk is
// reported at the map's `database:` (mark).
void walk_locations(Diagnostics& diag, const geodb::MaxmindDatabase& database,
                    const YAML::Mark& mark, geo::GeoMap& map);

// `{lat: 50.11, lon: 8.68}`: latitude -90..90, longitude -180..180, in degrees.
// The keys of a geo map, its regions and its networks, for the test that the documentation
// names each.
std::vector<std::string_view> geo_map_key_names();

std::optional<geo::Coordinates> read_location(Diagnostics& diag, const Value& value);

}  // namespace gslbd::config::detail
