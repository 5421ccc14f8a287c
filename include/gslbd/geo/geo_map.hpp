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
  // The database key that placed the network in its region: index into
  // GeoMap::database_keys(), -1 when none is recorded (a config network, or no match).
  std::int32_t key = -1;
};

// Which key of a database record decided a region: "asn", "subdivision", "country" or
// "continent", and its value ("AS64500", "US-NY", "DE", "EU").
struct DatabaseKey {
  std::int32_t region = -1;
  std::string kind;
  std::string key;
};

// The database a map's layers were walked from, for explanations and status.
struct DatabaseInfo {
  std::string path;  // as resolved at load
  std::string type;  // metadata database_type, e.g. "GeoIP2-City"
  std::uint64_t build_epoch = 0;
  std::uint64_t networks = 0;  // networks walked
  std::size_t trie_nodes = 0;  // region layer nodes after merging
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
  void set_database(PrefixTrie layer) {
    database_ = std::move(layer);
    database_keys_.clear();
  }
  // As set_database, with the layer's values indexing `keys` (each key names its region), so
  // that a match can say which key decided.
  void set_database(PrefixTrie layer, std::vector<DatabaseKey> keys) {
    database_ = std::move(layer);
    database_keys_ = std::move(keys);
  }
  const std::vector<DatabaseKey>& database_keys() const noexcept { return database_keys_; }
  void set_database_info(DatabaseInfo info) { database_info_ = std::move(info); }
  // Empty path: the map has no database.
  const DatabaseInfo& database_info() const noexcept { return database_info_; }
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

  // A region's own point (`location:` of a region), used for clients placed in the region but
  // not located otherwise, and for members of the region without coordinates of their own.
  void set_region_location(std::int32_t region, const Coordinates& where);
  const Coordinates* region_location(std::int32_t region) const noexcept;

  // Builds the strided form of the config's own networks and locations (PrefixTrie::compile)
  // once they are all added, so that lookups take a step per nibble or octet instead of one
  // per bit; a trie that would grow too large stays binary. An add after it drops the form.
  void compile();

  const std::vector<std::string>& regions() const noexcept { return regions_; }
  std::int32_t region_index(const std::string& name) const noexcept;
  // The index of a region, added to regions() when new.
  std::int32_t region_id(const std::string& name);

 private:
  PrefixTrie networks_;
  PrefixTrie database_;
  std::vector<DatabaseKey> database_keys_;
  DatabaseInfo database_info_;
  std::vector<std::string> regions_;
  struct RegionPoint {
    bool set = false;
    Coordinates at;
  };
  std::vector<RegionPoint> region_points_;
  PrefixTrie network_locations_;
  PrefixTrie database_locations_;
  std::vector<Coordinates> locations_;
};

}  // namespace gslbd::geo
