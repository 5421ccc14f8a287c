// SPDX-License-Identifier: Apache-2.0
#include "geo_map_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>

#include "gslbd/geodb/maxmind_database.hpp"
#include "gslbd/geodb/region_rules.hpp"
#include "gslbd/util/address.hpp"
#include "key_table.hpp"

namespace gslbd::config::detail {
namespace {

using geodb::GeoKeyKind;

constexpr std::array<GeoKeyKind, geodb::kGeoKeyKinds> kKinds = {
    GeoKeyKind::continent, GeoKeyKind::country, GeoKeyKind::subdivision, GeoKeyKind::asn};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// "192.0.2.0/24" -> network and prefix; host bits must be zero.
bool parse_network(const std::string& text, util::Address& network, unsigned& prefix,
                   std::string& why) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) {
    why = "expected address/prefix, e.g. 192.0.2.0/24";
    return false;
  }
  const auto address = util::parse_address(text.substr(0, slash));
  if (!address || text.substr(0, slash).find('\0') != std::string::npos) {
    why = detail::quoted(text.substr(0, slash)) + " is not an IP address";
    return false;
  }
  const std::string bits = text.substr(slash + 1);
  const unsigned width = address->family == 4 ? 32 : 128;
  if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), is_digit) ||
      std::stoul(bits) > width) {
    why = "prefix length " + detail::quoted(bits) + " is not 0.." + std::to_string(width);
    return false;
  }
  prefix = static_cast<unsigned>(std::stoul(bits));
  if (!(util::masked(*address, prefix) == *address)) {
    why = "address has bits set past /" + bits + " (did you mean " +
          util::address_text(util::masked(*address, prefix)) + "/" + bits + "?)";
    return false;
  }
  network = *address;
  return true;
}

std::optional<double> read_degrees(Diagnostics& diag, const Value& value, double limit) {
  const std::string text = value.node.IsScalar() ? value.node.Scalar() : std::string();
  double number = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, number);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(number)) {
    diag.error(value.mark,
               value.label + ": expected a number of degrees, got " + detail::quoted(text));
    return std::nullopt;
  }
  if (number < -limit || number > limit) {
    const std::string range = std::to_string(static_cast<int>(limit));
    diag.error(value.mark, value.label + ": " + text + " is out of range, expected -" + range +
                               " to " + range + " degrees");
    return std::nullopt;
  }
  return number;
}

// A region's database keys, with the mark of the first list of each kind for messages about
// the database.
struct RulesRead {
  geodb::RegionRules rules;
  std::array<std::optional<YAML::Mark>, geodb::kGeoKeyKinds> first;
  std::map<geodb::RegionRules::Key, YAML::Mark> where;  // each key's first place in the file
};

// A region as it is read: its id once its name is known (-1 before, or when the name is bad:
// then its other keys are not read).
struct RegionRead {
  geo::GeoMap& map;
  RulesRead& rules;
  std::int32_t id = -1;
};

template <GeoKeyKind Kind>
void read_key_list(Diagnostics& diag, const Value& list, RegionRead& region) {
  if (region.id < 0) return;
  constexpr auto kind_index = static_cast<std::size_t>(Kind);
  auto& first = region.rules.first[kind_index];
  if (!first) first = list.key_mark;
  const auto items = read_list(diag, list, true);
  if (!items) return;
  for (const Value& key_value : *items) {
    const auto text = read_string(diag, key_value);
    if (!text) continue;
    std::string why;
    const std::string key = geodb::RegionRules::canonical(Kind, *text, why);
    if (key.empty()) {
      diag.error(key_value.mark,
                 key_value.label + ": unknown code " + detail::quoted(*text) + ", " + why);
    } else if (!region.rules.rules.add(Kind, key, region.id)) {
      diag.error(key_value.mark,
                 key_value.label + ": " + key + " is already in another region of this geo map");
    } else {
      region.rules.where.try_emplace({Kind, key}, key_value.mark);
    }
  }
}

template <GeoKeyKind Kind>
constexpr Key<RegionRead> kind_row() {
  return {geodb::kGeoKeyKindNames[static_cast<std::size_t>(Kind)], read_key_list<Kind>};
}

constexpr Key<RegionRead> kRegionKeys[] = {
    {"name",
     [](Diagnostics& diag, const Value& v, RegionRead& region) {
       const auto text = read_label(diag, v);
       if (text && !text->empty()) region.id = region.map.region_id(*text);
     },
     true},
    kind_row<GeoKeyKind::continent>(),
    kind_row<GeoKeyKind::country>(),
    kind_row<GeoKeyKind::subdivision>(),
    kind_row<GeoKeyKind::asn>(),
    {"location",
     [](Diagnostics& diag, const Value& v, RegionRead& region) {
       if (region.id < 0) return;
       if (auto where = read_location(diag, v)) region.map.set_region_location(region.id, *where);
     }},
};

// A networks entry as it is read: the region and location rows apply only once the network
// itself has been read without error.
struct NetworkRead {
  explicit NetworkRead(geo::GeoMap& into) : map(into) {}
  geo::GeoMap& map;
  bool read = false;
  util::Address address;
  unsigned prefix = 0;
  std::string text;
  YAML::Mark mark;  // the network's own, where errors about it are reported
  std::string label;
};

constexpr Key<NetworkRead> kNetworkKeys[] = {
    {"network",
     [](Diagnostics& diag, const Value& v, NetworkRead& entry) {
       const auto text = read_string(diag, v);
       if (!text) return;
       std::string why;
       if (!parse_network(*text, entry.address, entry.prefix, why)) {
         diag.error(v.mark, v.label + ": " + why);
         return;
       }
       entry.mark = v.mark;
       entry.label = v.label;
       entry.text = *text;
       entry.read = true;
     },
     true},
    {"region",
     [](Diagnostics& diag, const Value& v, NetworkRead& entry) {
       if (!entry.read) return;
       const auto region = read_label(diag, v);
       if (region && !entry.map.add(entry.address, entry.prefix, *region)) {
         diag.error(entry.mark, entry.label + ": " + detail::quoted(entry.text) +
                                    " is already mapped to another region in this geo map");
       }
     }},
    {"location",
     [](Diagnostics& diag, const Value& v, NetworkRead& entry) {
       if (!entry.read) return;
       const auto where = read_location(diag, v);
       if (where && !entry.map.add_location(entry.address, entry.prefix, *where)) {
         diag.error(entry.mark, entry.label + ": " + detail::quoted(entry.text) +
                                    " already has another location in this geo map");
       }
     }},
};

void read_network(Diagnostics& diag, const Value& item, geo::GeoMap& map) {
  const MapReader entry(diag, item, key_names(kNetworkKeys));
  if (!entry.is_map()) return;
  if (!entry.find("region") && !entry.find("location")) {
    diag.error(entry.mark(), item.label + ": expected 'region', 'location' or both");
  }
  NetworkRead read(map);
  read_keys(diag, entry, kNetworkKeys, read);
}

// Opens the database, checks that it has what the regions ask of it, and walks it into the map.
void read_database(Diagnostics& diag, const Value& value, const RulesRead& read,
                   GeoMapRead& result) {
  geo::GeoMap& map = result.map;
  const auto text = read_string(diag, value);
  if (!text) return;
  if (text->empty()) {
    diag.error(value.mark, value.label + ": expected the path of a MaxMind database file");
    return;
  }
  std::filesystem::path path(*text);
  if (path.is_relative()) path = std::filesystem::path(diag.file()).parent_path() / path;
  std::string why;
  auto db = geodb::MaxmindDatabase::open(path.string(), why);
  if (!db) {
    diag.error(value.mark, value.label + ": " + detail::quoted(path.string()) + ": " + why +
                               ", expected a MaxMind database (GeoIP2 / GeoLite2 format)");
    return;
  }
  bool fields_ok = true;
  for (const GeoKeyKind kind : kKinds) {
    const auto& first = read.first[static_cast<std::size_t>(kind)];
    if (!first || db->fields().has(kind)) continue;
    fields_ok = false;
    diag.error(*first, std::string("'") + geodb::kGeoKeyKindNames[static_cast<std::size_t>(kind)] +
                           "': the database " + detail::quoted(path.string()) + " (" + db->type() +
                           ") has no " + geodb::kGeoKeyKindNames[static_cast<std::size_t>(kind)] +
                           ", expected a database that does (GeoIP2 Country has continents and "
                           "countries, City adds subdivisions, ASN has asns)");
  }
  if (!fields_ok) return;
  if (read.rules.empty() && !db->fields().location) {
    diag.error(value.mark, value.label +
                               ": no region lists continents, countries, subdivisions "
                               "or asns, and the database " +
                               detail::quoted(path.string()) + " (" + db->type() +
                               ") has no coordinates: it would place no client");
    return;
  }
  geodb::WalkStats stats;
  const std::size_t errors_before_walk = diag.count();
  if (!read.rules.empty()) {
    why = geodb::load_regions(*db, read.rules, map, stats);
    if (!why.empty()) {
      diag.error(value.mark,
                 value.label + ": " + detail::quoted(path.string()) + " is corrupt: " + why);
      return;
    }
    // A well-formed code that no network carries is a typo or a code that does not exist
    // (`QQ`, `US-ZZ`): it could never place a client.
    for (const auto& key : read.rules.keys_outside(stats.rule_keys_seen)) {
      const auto at = read.where.find(key);
      diag.error(at != read.where.end() ? at->second : value.mark,
                 std::string("unknown ") +
                     geodb::kGeoKeyKindSingular[static_cast<std::size_t>(key.first)] + " " +
                     detail::quoted(key.second) + ": no network of " +
                     detail::quoted(path.string()) + " (" + db->type() +
                     ") carries it, expected a code the database uses");
    }
    if (diag.count() != errors_before_walk) return;
  }
  geo::DatabaseInfo info{path.string(), db->type(), db->build_epoch(), stats.networks,
                         stats.trie_nodes};
  map.set_database_info(std::move(info));
  if (db->fields().location) {
    result.locations = std::shared_ptr<const geodb::MaxmindDatabase>(std::move(db));
    result.database_mark = value.mark;
  }
}

}  // namespace

void walk_locations(Diagnostics& diag, const geodb::MaxmindDatabase& database,
                    const YAML::Mark& mark, geo::GeoMap& map) {
  geodb::WalkStats stats;
  const std::string why = geodb::load_locations(database, map, stats);
  if (!why.empty()) {
    diag.error(mark, "'database': " + detail::quoted(database.path()) + " is corrupt: " + why);
  }
}

std::optional<geo::Coordinates> read_location(Diagnostics& diag, const Value& value) {
  const MapReader map(diag, value, {"lat", "lon"});
  if (!map.is_map()) return std::nullopt;
  const auto lat = map.require("lat");
  const auto lon = map.require("lon");
  if (!lat || !lon) return std::nullopt;
  const auto latitude = read_degrees(diag, *lat, 90);
  const auto longitude = read_degrees(diag, *lon, 180);
  if (!latitude || !longitude) return std::nullopt;
  return geo::Coordinates{*latitude, *longitude};
}

namespace {

// A geo map as it is read: the result and the database keys its regions ask for.
struct MapRead {
  GeoMapRead& result;
  RulesRead rules;
};

// Rows in the order they are read: regions before networks (so the region ids come from the
// regions list first), and the database last, by read_geo_map itself, once the rest is sound:
// walking a large one takes a while.
constexpr Key<MapRead> kGeoMapKeys[] = {
    {"name",
     [](Diagnostics& diag, const Value& v, MapRead& r) {
       if (auto text = read_label(diag, v)) r.result.name = *text;
     },
     true},
    {"regions",
     [](Diagnostics& diag, const Value& v, MapRead& r) {
       const auto regions = read_list(diag, v, true);
       if (!regions) return;
       for (const Value& region : *regions) {
         RegionRead read{r.result.map, r.rules};
         read_section(diag, region, kRegionKeys, read);
       }
     }},
    {"networks",
     [](Diagnostics& diag, const Value& v, MapRead& r) {
       const auto items = read_list(diag, v, true);
       if (!items) return;
       for (const Value& network : *items) read_network(diag, network, r.result.map);
     }},
    {"database", nullptr},
};

}  // namespace

std::vector<std::string_view> geo_map_key_names() {
  std::vector<std::string_view> names;
  for (const auto& section :
       {key_names(kGeoMapKeys), key_names(kRegionKeys), key_names(kNetworkKeys)}) {
    names.insert(names.end(), section.begin(), section.end());
  }
  return names;
}

GeoMapRead read_geo_map(Diagnostics& diag, const Value& item) {
  GeoMapRead result;
  const MapReader map(diag, item, key_names(kGeoMapKeys));
  if (!map.is_map()) return result;
  const std::size_t errors_before = diag.count();
  MapRead read{result, {}};
  read_keys(diag, map, kGeoMapKeys, read);
  const auto database = map.find("database");
  if (!database && !map.find("networks")) {
    diag.error(map.mark(), "a geo map needs 'networks', a 'database' or both");
  }
  if (!database) {
    for (const GeoKeyKind kind : kKinds) {
      const auto& first = read.rules.first[static_cast<std::size_t>(kind)];
      if (!first) continue;
      diag.error(*first, std::string("'") +
                             geodb::kGeoKeyKindNames[static_cast<std::size_t>(kind)] +
                             "' needs a 'database' in this geo map");
    }
  }
  if (database && diag.count() == errors_before) {
    read_database(diag, *database, read.rules, result);
  }
  result.complete = diag.count() == errors_before;
  if (result.complete) result.map.compile();
  return result;
}

}  // namespace gslbd::config::detail
