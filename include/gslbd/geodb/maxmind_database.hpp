// SPDX-License-Identifier: Apache-2.0
// A MaxMind database (GeoIP2 / GeoLite2 Country, City or ASN, or any database of that layout),
// opened with libmaxminddb at load and walked once into a geo::PrefixTrie; never read per query.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gslbd/geo/geo_map.hpp"
#include "gslbd/geo/prefix_trie.hpp"
#include "gslbd/geodb/region_rules.hpp"
#include "gslbd/util/address.hpp"

namespace gslbd::geodb {

// The kinds of key a database's records carry, from its type (metadata database_type).
struct DatabaseFields {
  bool continent = false;
  bool country = false;
  bool subdivision = false;
  bool asn = false;
  bool location = false;
  bool has(GeoKeyKind kind) const noexcept;
};

// What a walk found and built.
struct WalkStats {
  std::uint64_t networks = 0;                 // data records reached, counting each network once
  std::uint64_t records = 0;                  // distinct data records classified
  std::size_t trie_nodes = 0;                 // nodes of the built layer, after merging
  std::size_t strided_slots = 0;              // slots of its strided form (0: it stayed binary)
  std::set<RegionRules::Key> rule_keys_seen;  // load_regions: the rules' keys some record carries
};

class MaxmindDatabase {
 public:
  // Opens and checks a database. On failure returns null and sets `error` to a reason (missing
  // or unreadable file, not a MaxMind database, a type whose fields are not known).
  static std::unique_ptr<MaxmindDatabase> open(const std::string& path, std::string& error);
  ~MaxmindDatabase();
  MaxmindDatabase(const MaxmindDatabase&) = delete;
  MaxmindDatabase& operator=(const MaxmindDatabase&) = delete;

  const std::string& path() const noexcept { return path_; }
  const std::string& type() const noexcept { return type_; }
  std::uint64_t build_epoch() const noexcept;
  const DatabaseFields& fields() const noexcept { return fields_; }

  // Walks every network of the database into `layer` (both families; an IPv6 database's IPv4
  // subtree becomes the IPv4 trie, its aliases of it are skipped), with the value `classify`
  // gives each data record (called once per distinct record). Adjacent networks of one value
  // merge. Returns an empty string, or the reason the search tree is corrupt (a loop, a tree
  // deeper than the address, a record pointing outside the file); `layer` is then unchanged.
  std::string walk(const std::function<std::int32_t(const RecordKeys&)>& classify,
                   geo::PrefixTrie& layer, WalkStats& stats) const;

  // The keys of the record for one address, as the walk sees them (nullopt: no record).
  std::optional<RecordKeys> lookup(const util::Address& address) const;

 private:
  MaxmindDatabase() = default;
  struct Handle;
  std::unique_ptr<Handle> handle_;
  std::string path_;
  std::string type_;
  DatabaseFields fields_;
};

// Walks the database's networks into the map's database layer, each placed in a region by the
// rules. Returns an empty string or why the database is corrupt (the map is then unchanged).
std::string load_regions(const MaxmindDatabase& db, const RegionRules& rules, geo::GeoMap& map,
                         WalkStats& stats);

// Walks the database's record coordinates (City databases) into the map's location layer; each
// distinct point becomes one entry of map.locations(). As load_regions otherwise.
std::string load_locations(const MaxmindDatabase& db, geo::GeoMap& map, WalkStats& stats);

}  // namespace gslbd::geodb
