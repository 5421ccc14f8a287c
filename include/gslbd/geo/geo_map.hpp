// SPDX-License-Identifier: Apache-2.0
// Client network -> region, by longest prefix match over the networks written in the config
// and, beneath them, the networks of a MaxMind database walked at load. Built once at load;
// lookups walk compact binary tries without allocation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gslbd/geo/prefix_trie.hpp"
#include "gslbd/util/address.hpp"

namespace gslbd::geo {

struct GeoMatch {
  std::int32_t region = -1;  // index into GeoMap::regions(), -1 = no network matched
  std::uint8_t prefix = 0;   // length of the matched network (0 when none matched)
  // Leading client bits that decided this result: every client sharing them gets the same
  // match. This is the ECS scope an answer derived from the match justifies. It is >= prefix:
  // when a more specific network sits under the matched one (10/8 with 10.1/16 inside), a
  // 10.2.3.4 client matches the /8, but only clients in 10.2.0.0/15 (where it parts from
  // 10.1/16: scope 15) are sure to match it too, not all of 10/8. A client matching nothing
  // still gets the bits that kept it out of every network, so its answer (default order) is
  // not cached for networks that are in a region.
  std::uint8_t scope = 0;
  // The network came from the database layer, not from the config's own networks.
  bool from_database = false;
};

// A point on the earth, in degrees (latitude -90..90, longitude -180..180).
struct Coordinates {
  double latitude = 0;
  double longitude = 0;
  bool operator==(const Coordinates&) const = default;
};

// Great-circle distance in kilometres (haversine, mean earth radius).
double great_circle_km(const Coordinates& a, const Coordinates& b) noexcept;

// Where a client is, for the nearest-site choice: as GeoMatch, with a location instead of a
// region.
struct LocationMatch {
  std::int32_t location = -1;  // index into GeoMap::locations(), -1 = not located
  std::uint8_t prefix = 0;
  std::uint8_t scope = 0;
  bool from_database = false;
};

class GeoMap {
 public:
  // Adds a network of the config's own; a network given twice with different regions is
  // refused (returns false), as are a family other than 4/6 and a prefix longer than the
  // family's width. Host bits past the prefix are ignored. The same network given twice with
  // the same region is accepted.
  bool add(const util::Address& network, unsigned prefix, const std::string& region);

  // The database layer: a trie whose values are region indices of this map (region_id). The
  // config's own networks override it: a client in any of them never reaches the layer.
  void set_database(PrefixTrie layer) { database_ = std::move(layer); }
  const PrefixTrie& database() const noexcept { return database_; }

  // Longest-prefix match of the first `client.prefix` bits of the client's address. Only
  // networks no longer than client.prefix can match: the bits an ECS client did not reveal are
  // zero, and matching them against a more specific network would be arbitrary (a /16 client
  // must not land in whichever /24 happens to be x.y.0.0/24). So scope <= client.prefix too.
  // An IPv4-mapped IPv6 client (::ffff:0:0/96) is looked up as its IPv4 address. Address family
  // 0, or a family with no networks, yields region -1.
  GeoMatch lookup(const util::Client& client) const noexcept;

  // Locations, looked up as regions are: a network of the config's own with coordinates
  // overrides the database's locations. Coordinates are not checked here (the loader does).
  bool add_location(const util::Address& network, unsigned prefix, const Coordinates& where);
  void set_database_locations(PrefixTrie layer) { database_locations_ = std::move(layer); }
  // Appends a point to locations() and returns its index, without looking for an equal one (the
  // database walk gives each distinct point one entry itself).
  std::int32_t append_location(const Coordinates& where);
  LocationMatch locate(const util::Client& client) const noexcept;
  const std::vector<Coordinates>& locations() const noexcept { return locations_; }

  const std::vector<std::string>& regions() const noexcept { return regions_; }
  std::int32_t region_index(const std::string& name) const noexcept;
  // The index of a region, added to regions() when new.
  std::int32_t region_id(const std::string& name);

 private:
  PrefixTrie networks_;
  PrefixTrie database_;
  std::vector<std::string> regions_;
  PrefixTrie network_locations_;
  PrefixTrie database_locations_;
  std::vector<Coordinates> locations_;
};

}  // namespace gslbd::geo
