// SPDX-License-Identifier: Apache-2.0
// GeoMap: the config's networks over the database layer, longest-prefix lookup.
#include "gslbd/geo/geo_map.hpp"

#include <algorithm>

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

GeoMatch GeoMap::match(const util::Client& client) const noexcept {
  GeoMatch result;
  const PrefixTrie::Match own = networks_.lookup(client);
  if (own.value != PrefixTrie::kNone) {
    result.region = own.value;
    result.prefix = own.prefix;
    result.scope = own.scope;
    return result;
  }
  const PrefixTrie::Match layer = database_.lookup(client);
  result.region = layer.value;
  result.prefix = layer.prefix;
  result.from_database = layer.value != PrefixTrie::kNone;
  // Both decided: the bits that kept the client out of the config's networks, and those that
  // placed it in the layer.
  result.scope = std::max(own.scope, layer.scope);
  return result;
}

GeoMatch GeoMap::lookup(const util::Client& client) const noexcept {
  if (!ipv4_mapped(client)) return match(client);
  util::Client v4;
  v4.address.family = 4;
  std::copy(client.address.bytes.begin() + 12, client.address.bytes.begin() + 16,
            v4.address.bytes.begin());
  v4.prefix = static_cast<std::uint8_t>(client.prefix - kMappedPrefix);
  v4.from_ecs = client.from_ecs;
  GeoMatch result = match(v4);
  result.scope = static_cast<std::uint8_t>(result.scope + kMappedPrefix);
  if (result.region >= 0) result.prefix = static_cast<std::uint8_t>(result.prefix + kMappedPrefix);
  return result;
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
