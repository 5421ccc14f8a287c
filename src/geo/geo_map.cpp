// SPDX-License-Identifier: Apache-2.0
// GeoMap: the config's networks over the database layer, longest-prefix lookup.
#include "gslbd/geo/geo_map.hpp"

#include <algorithm>
#include <cmath>

namespace gslbd::geo {

namespace {

constexpr std::uint8_t kMappedPrefix = 96;

// ::ffff:0:0/96 (RFC 4291 section 2.5.5.2).
bool ipv4_mapped(const util::Client& client) noexcept {
  if (client.address.family != 6 || client.prefix < kMappedPrefix) return false;
  for (std::size_t i = 0; i < 10; ++i) {
    if (client.address.bytes[i] != 0) return false;
  }
  return client.address.bytes[10] == 0xff && client.address.bytes[11] == 0xff;
}

}  // namespace

bool GeoMap::add(const util::Address& network, unsigned prefix, const std::string& region) {
  const std::int32_t known = region_index(region);
  const std::int32_t id = known >= 0 ? known : static_cast<std::int32_t>(regions_.size());
  if (!networks_.insert(network, prefix, id)) return false;
  if (known < 0) regions_.push_back(region);
  return true;
}

namespace {

struct Layered {
  PrefixTrie::Match match;
  bool from_database = false;
};

// The config's networks first; a client in none of them is looked up in the database layer.
Layered overlay(const PrefixTrie& own, const PrefixTrie& database,
                const util::Client& client) noexcept {
  Layered result;
  result.match = own.lookup(client);
  if (result.match.value != PrefixTrie::kNone) return result;
  const PrefixTrie::Match layer = database.lookup(client);
  // Both decided: the bits that kept the client out of the config's networks, and those that
  // placed it in the layer.
  const std::uint8_t scope = std::max(result.match.scope, layer.scope);
  result.match = layer;
  result.match.scope = scope;
  result.from_database = layer.value != PrefixTrie::kNone;
  return result;
}

// overlay() for the client, an IPv4-mapped IPv6 client looked up as its IPv4 address with the
// prefix and scope counted in IPv6 bits.
Layered overlay_unmapped(const PrefixTrie& own, const PrefixTrie& database,
                         const util::Client& client) noexcept {
  if (!ipv4_mapped(client)) return overlay(own, database, client);
  util::Client v4;
  v4.address.family = 4;
  std::copy(client.address.bytes.begin() + 12, client.address.bytes.begin() + 16,
            v4.address.bytes.begin());
  v4.prefix = static_cast<std::uint8_t>(client.prefix - kMappedPrefix);
  v4.from_ecs = client.from_ecs;
  Layered result = overlay(own, database, v4);
  result.match.scope = static_cast<std::uint8_t>(result.match.scope + kMappedPrefix);
  if (result.match.value != PrefixTrie::kNone) {
    result.match.prefix = static_cast<std::uint8_t>(result.match.prefix + kMappedPrefix);
  }
  return result;
}

// A GeoMatch or LocationMatch from what the layers found; `value` names its region or location.
template <class Match, std::int32_t Match::*value>
Match as_match(const Layered& found) noexcept {
  Match result;
  result.*value = found.match.value;
  result.prefix = found.match.prefix;
  result.scope = found.match.scope;
  result.from_database = found.from_database;
  return result;
}

}  // namespace

GeoMatch GeoMap::lookup(const util::Client& client) const noexcept {
  GeoMatch match =
      as_match<GeoMatch, &GeoMatch::region>(overlay_unmapped(networks_, database_, client));
  if (match.from_database && !database_keys_.empty()) {
    // The layer's values index database_keys_ (see set_database).
    const auto key = static_cast<std::size_t>(match.region);
    match.key = key < database_keys_.size() ? match.region : -1;
    match.region = key < database_keys_.size() ? database_keys_[key].region : -1;
  }
  return match;
}

void GeoMap::set_region_location(std::int32_t region, const Coordinates& where) {
  if (region < 0) return;
  const auto index = static_cast<std::size_t>(region);
  if (region_points_.size() <= index) region_points_.resize(index + 1);
  region_points_[index] = RegionPoint{true, where};
}

const Coordinates* GeoMap::region_location(std::int32_t region) const noexcept {
  const auto index = static_cast<std::size_t>(region);
  if (region < 0 || index >= region_points_.size() || !region_points_[index].set) return nullptr;
  return &region_points_[index].at;
}

bool GeoMap::add_location(const util::Address& network, unsigned prefix, const Coordinates& where) {
  const auto known = std::find(locations_.begin(), locations_.end(), where);
  const auto id = static_cast<std::int32_t>(known - locations_.begin());
  if (!network_locations_.insert(network, prefix, id)) return false;
  if (known == locations_.end()) locations_.push_back(where);
  return true;
}

void GeoMap::compile() {
  networks_.compile();
  network_locations_.compile();
}

std::int32_t GeoMap::append_location(const Coordinates& where) {
  locations_.push_back(where);
  return static_cast<std::int32_t>(locations_.size() - 1);
}

LocationMatch GeoMap::locate(const util::Client& client) const noexcept {
  return as_match<LocationMatch, &LocationMatch::location>(
      overlay_unmapped(network_locations_, database_locations_, client));
}

double great_circle_km(const Coordinates& a, const Coordinates& b) noexcept {
  constexpr double kEarthRadiusKm = 6371.0088;  // mean radius (IUGG)
  constexpr double kRadians = 3.14159265358979323846 / 180.0;
  const double lat1 = a.latitude * kRadians;
  const double lat2 = b.latitude * kRadians;
  const double dlat = lat2 - lat1;
  const double dlon = (b.longitude - a.longitude) * kRadians;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1) * std::cos(lat2) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::sqrt(std::min(1.0, h)));
}

std::int32_t GeoMap::region_index(const std::string& name) const noexcept {
  for (std::size_t i = 0; i < regions_.size(); ++i) {
    if (regions_[i] == name) return static_cast<std::int32_t>(i);
  }
  return -1;
}

std::int32_t GeoMap::region_id(const std::string& name) {
  const std::int32_t known = region_index(name);
  if (known >= 0) return known;
  regions_.push_back(name);
  return static_cast<std::int32_t>(regions_.size() - 1);
}

}  // namespace gslbd::geo
