// SPDX-License-Identifier: Apache-2.0
// MaxmindDatabase: libmaxminddb opens and checks the file; the walk reads its search tree node
// by node (MMDB_read_node) and builds the geo::PrefixTrie bottom-up, as gdnsd loads its GeoIP maps.
#include "gslbd/geodb/maxmind_database.hpp"

#include <maxminddb.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <cctype>
#include <cstring>
#include <map>
#include <unordered_map>
#include <vector>

namespace gslbd::geodb {

struct MaxmindDatabase::Handle {
  MMDB_s mmdb{};
  bool open = false;
  ~Handle() {
    if (open) MMDB_close(&mmdb);
  }
};

namespace {

bool contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

std::string upper(const char* text, std::size_t len) {
  std::string out(text, len);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A string value at path, or "" when the record has none.
std::string string_at(MMDB_entry_s entry, const char* const* path) {
  MMDB_entry_data_s data{};
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
      data.type != MMDB_DATA_TYPE_UTF8_STRING) {
    return {};
  }
  return upper(data.utf8_string, data.data_size);
}

RecordKeys read_keys(MMDB_entry_s entry) {
  RecordKeys keys;
  static const char* const continent[] = {"continent", "code", nullptr};
  static const char* const country[] = {"country", "iso_code", nullptr};
  // Networks with no physical country (anycast, satellite) carry only the registered one.
  static const char* const registered[] = {"registered_country", "iso_code", nullptr};
  keys.continent = string_at(entry, continent);
  keys.country = string_at(entry, country);
  if (keys.country.empty()) keys.country = string_at(entry, registered);
  if (!keys.country.empty()) {
    for (std::size_t i = 0; i < RecordKeys::kMaxSubdivisions; ++i) {
      const std::string position = std::to_string(i);
      const char* const path[] = {"subdivisions", position.c_str(), "iso_code", nullptr};
      const std::string code = string_at(entry, path);
      if (code.empty()) break;
      keys.subdivisions[keys.subdivision_count++] = keys.country + "-" + code;
    }
  }
  MMDB_entry_data_s data{};
  static const char* const asn[] = {"autonomous_system_number", nullptr};
  if (MMDB_aget_value(&entry, &data, asn) == MMDB_SUCCESS && data.has_data) {
    if (data.type == MMDB_DATA_TYPE_UINT32) {
      keys.has_asn = true;
      keys.asn = data.uint32;
    } else if (data.type == MMDB_DATA_TYPE_UINT16) {
      keys.has_asn = true;
      keys.asn = data.uint16;
    } else if (data.type == MMDB_DATA_TYPE_UINT64 && data.uint64 <= 0xffffffffull) {
      keys.has_asn = true;
      keys.asn = static_cast<std::uint32_t>(data.uint64);
    }
  }
  static const char* const latitude[] = {"location", "latitude", nullptr};
  static const char* const longitude[] = {"location", "longitude", nullptr};
  MMDB_entry_data_s lat{};
  MMDB_entry_data_s lon{};
  if (MMDB_aget_value(&entry, &lat, latitude) == MMDB_SUCCESS && lat.has_data &&
      lat.type == MMDB_DATA_TYPE_DOUBLE &&
      MMDB_aget_value(&entry, &lon, longitude) == MMDB_SUCCESS && lon.has_data &&
      lon.type == MMDB_DATA_TYPE_DOUBLE && lat.double_value >= -90 && lat.double_value <= 90 &&
      lon.double_value >= -180 && lon.double_value <= 180) {
    keys.has_location = true;
    keys.latitude = lat.double_value;
    keys.longitude = lon.double_value;
  }
  return keys;
}

// One family's walk of the search tree. Subtrees are remembered by node number: a node reached
// twice (an alias, or a file shaped as a graph rather than a tree) is built once, so a hostile
// file cannot make the walk exponential.
class Walker {
 public:
  Walker(const MMDB_s& mmdb, const std::function<std::int32_t(const RecordKeys&)>& classify,
         std::unordered_map<std::uint32_t, std::int32_t>& values, geo::PrefixTrie& trie,
         std::uint8_t family, WalkStats& stats)
      : mmdb_(mmdb),
        classify_(classify),
        values_(values),
        trie_(trie),
        family_(family),
        width_(family == 4 ? 32u : 128u),
        stats_(stats),
        memo_(mmdb.metadata.node_count),
        state_(mmdb.metadata.node_count, kUnvisited) {}

  // Nodes equal to `skip` stand for no network (an IPv6 walk's aliases of the IPv4 subtree).
  void skip(std::uint32_t node) noexcept { skip_ = node; }

  std::optional<geo::PrefixTrie::Subtree> node(std::uint32_t number, unsigned depth) {
    if (number == skip_) return geo::PrefixTrie::uniform(geo::PrefixTrie::kNone);
    if (number >= mmdb_.metadata.node_count) return fail("a record points past the search tree");
    if (state_[number] == kDone) return memo_[number];
    if (state_[number] == kOpen) return fail("the search tree loops");
    if (depth >= width_) return fail("the search tree is deeper than an address");
    state_[number] = kOpen;
    MMDB_search_node_s read{};
    if (const int status = MMDB_read_node(&mmdb_, number, &read); status != MMDB_SUCCESS) {
      return fail(MMDB_strerror(status));
    }
    const auto zero =
        record(read.left_record, read.left_record_type, read.left_record_entry, depth + 1);
    if (!zero) return std::nullopt;
    const auto one =
        record(read.right_record, read.right_record_type, read.right_record_entry, depth + 1);
    if (!one) return std::nullopt;
    memo_[number] = trie_.join(family_, *zero, *one);
    state_[number] = kDone;
    return memo_[number];
  }

  std::optional<geo::PrefixTrie::Subtree> record(std::uint64_t value, std::uint8_t type,
                                                 MMDB_entry_s entry, unsigned depth) {
    switch (type) {
      case MMDB_RECORD_TYPE_SEARCH_NODE:
        return node(static_cast<std::uint32_t>(value), depth);
      case MMDB_RECORD_TYPE_EMPTY:
        return geo::PrefixTrie::uniform(geo::PrefixTrie::kNone);
      case MMDB_RECORD_TYPE_DATA: {
        ++stats_.networks;
        const auto [it, fresh] = values_.try_emplace(entry.offset, geo::PrefixTrie::kNone);
        if (fresh) {
          ++stats_.records;
          it->second = classify_(read_keys(entry));
        }
        return geo::PrefixTrie::uniform(it->second);
      }
      default:
        return fail("a record of unknown type");
    }
  }

  const std::string& error() const noexcept { return error_; }

 private:
  static constexpr std::uint8_t kUnvisited = 0;
  static constexpr std::uint8_t kOpen = 1;
  static constexpr std::uint8_t kDone = 2;

  std::nullopt_t fail(const std::string& why) {
    if (error_.empty()) error_ = why;
    return std::nullopt;
  }

  const MMDB_s& mmdb_;
  const std::function<std::int32_t(const RecordKeys&)>& classify_;
  std::unordered_map<std::uint32_t, std::int32_t>& values_;
  geo::PrefixTrie& trie_;
  std::uint8_t family_;
  unsigned width_;
  WalkStats& stats_;
  std::vector<geo::PrefixTrie::Subtree> memo_;
  std::vector<std::uint8_t> state_;
  std::uint32_t skip_ = UINT32_MAX;
  std::string error_;
};

}  // namespace

bool DatabaseFields::has(GeoKeyKind kind) const noexcept {
  switch (kind) {
    case GeoKeyKind::continent:
      return continent;
    case GeoKeyKind::country:
      return country;
    case GeoKeyKind::subdivision:
      return subdivision;
    case GeoKeyKind::asn:
      return asn;
  }
  return false;
}

std::unique_ptr<MaxmindDatabase> MaxmindDatabase::open(const std::string& path,
                                                       std::string& error) {
  std::unique_ptr<MaxmindDatabase> db(new MaxmindDatabase());
  db->handle_ = std::make_unique<Handle>();
  db->path_ = path;
  const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db->handle_->mmdb);
  if (status != MMDB_SUCCESS) {
    const int why = errno;
    error = status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR
                ? std::string(MMDB_strerror(status)) + ": " + std::strerror(why)
                : std::string("not a MaxMind database: ") + MMDB_strerror(status);
    return nullptr;
  }
  db->handle_->open = true;
  const MMDB_s& mmdb = db->handle_->mmdb;
  db->type_ = mmdb.metadata.database_type ? mmdb.metadata.database_type : "";
  if (mmdb.metadata.ip_version != 4 && mmdb.metadata.ip_version != 6) {
    error = "the database's ip_version is " + std::to_string(mmdb.metadata.ip_version) +
            ", expected 4 or 6";
    return nullptr;
  }
  DatabaseFields& f = db->fields_;
  const std::string& type = db->type_;
  if (contains(type, "ASN") || contains(type, "ISP")) f.asn = true;
  if (contains(type, "City") || contains(type, "Enterprise")) {
    f.continent = f.country = f.subdivision = f.location = true;
  } else if (contains(type, "Country")) {
    f.continent = f.country = true;
  }
  if (!f.asn && !f.country) {
    error = "database type '" + type +
            "' is not one whose fields are known: expected a GeoIP2 or GeoLite2 Country, City "
            "or ASN database (or one of that layout)";
    return nullptr;
  }
  return db;
}

MaxmindDatabase::~MaxmindDatabase() = default;

std::uint64_t MaxmindDatabase::build_epoch() const noexcept {
  return handle_->mmdb.metadata.build_epoch;
}

std::string MaxmindDatabase::walk(const std::function<std::int32_t(const RecordKeys&)>& classify,
                                  geo::PrefixTrie& layer, WalkStats& stats) const {
  const MMDB_s& mmdb = handle_->mmdb;
  geo::PrefixTrie built;
  WalkStats found;
  std::unordered_map<std::uint32_t, std::int32_t> values;

  // An IPv6 database holds IPv4 at ::/96; find that subtree's node by following 96 zero bits.
  // A record on the way that is not a node covers all of IPv4 with one value.
  Walker v4_walker(mmdb, classify, values, built, 4, found);
  std::optional<geo::PrefixTrie::Subtree> v4;
  std::uint32_t v4_node = 0;
  bool v4_is_node = true;
  if (mmdb.metadata.ip_version == 6) {
    for (unsigned depth = 0; depth < 96 && v4_is_node; ++depth) {
      if (v4_node >= mmdb.metadata.node_count) return "a record points past the search tree";
      MMDB_search_node_s read{};
      if (const int status = MMDB_read_node(&mmdb, v4_node, &read); status != MMDB_SUCCESS) {
        return MMDB_strerror(status);
      }
      if (read.left_record_type == MMDB_RECORD_TYPE_SEARCH_NODE) {
        v4_node = static_cast<std::uint32_t>(read.left_record);
      } else {
        v4_is_node = false;
        v4 = v4_walker.record(read.left_record, read.left_record_type, read.left_record_entry, 0);
      }
    }
  }
  if (v4_is_node) v4 = v4_walker.node(v4_node, 0);
  if (!v4) return v4_walker.error();
  built.set_root(4, *v4);
  if (mmdb.metadata.ip_version == 6) {
    Walker walker(mmdb, classify, values, built, 6, found);
    if (v4_is_node) walker.skip(v4_node);
    const auto v6 = walker.node(0, 0);
    if (!v6) return walker.error();
    built.set_root(6, *v6);
  }
  // A graph-shaped file that would expand too far stays a (slower) binary trie.
  built.compile();
  found.trie_nodes = built.nodes();
  found.strided_slots = built.slots();
  layer = std::move(built);
  stats = found;
  return {};
}

std::optional<RecordKeys> MaxmindDatabase::lookup(const util::Address& address) const {
  sockaddr_storage storage{};
  if (address.family == 4) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    std::memcpy(&in->sin_addr, address.bytes.data(), 4);
  } else if (address.family == 6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    std::memcpy(&in6->sin6_addr, address.bytes.data(), 16);
  } else {
    return std::nullopt;
  }
  int error = 0;
  MMDB_lookup_result_s result =
      MMDB_lookup_sockaddr(&handle_->mmdb, reinterpret_cast<const sockaddr*>(&storage), &error);
  if (error != MMDB_SUCCESS || !result.found_entry) return std::nullopt;
  return read_keys(result.entry);
}

std::string load_regions(const MaxmindDatabase& db, const RegionRules& rules, geo::GeoMap& map,
                         WalkStats& stats) {
  geo::PrefixTrie layer;
  // Each distinct deciding key gets one value, so that a match can say which key placed the
  // client; adjacent networks merge when the same key decided them.
  std::map<std::pair<GeoKeyKind, std::string>, std::int32_t> ids;
  std::vector<geo::DatabaseKey> keys;
  std::set<RegionRules::Key> seen;
  std::string error = db.walk(
      [&](const RecordKeys& record) -> std::int32_t {
        rules.collect_keys(record, seen);
        RegionRules::Decision decision = rules.decide(record);
        if (decision.region < 0) return geo::PrefixTrie::kNone;
        const auto [it, fresh] =
            ids.try_emplace({decision.kind, decision.key}, static_cast<std::int32_t>(keys.size()));
        if (fresh) {
          keys.push_back({decision.region,
                          kGeoKeyKindSingular[static_cast<std::size_t>(decision.kind)],
                          std::move(decision.key)});
        }
        return it->second;
      },
      layer, stats);
  if (error.empty()) map.set_database(std::move(layer), std::move(keys));
  stats.rule_keys_seen = std::move(seen);
  return error;
}

std::string load_locations(const MaxmindDatabase& db, geo::GeoMap& map, WalkStats& stats) {
  geo::PrefixTrie layer;
  // Records of one point (every network of a city) share one location, so that adjacent
  // networks of one city merge.
  std::map<std::pair<double, double>, std::int32_t> ids;
  std::vector<geo::Coordinates> points;
  // Ids count on from the map's own locations (the config's networks with coordinates).
  const auto base = static_cast<std::int32_t>(map.locations().size());
  std::string error = db.walk(
      [&](const RecordKeys& keys) -> std::int32_t {
        if (!keys.has_location) return geo::PrefixTrie::kNone;
        const auto [it, fresh] = ids.try_emplace({keys.latitude, keys.longitude},
                                                 base + static_cast<std::int32_t>(points.size()));
        if (fresh) points.push_back({keys.latitude, keys.longitude});
        return it->second;
      },
      layer, stats);
  if (!error.empty()) return error;
  for (const geo::Coordinates& point : points) map.append_location(point);
  map.set_database_locations(std::move(layer));
  return {};
}

}  // namespace gslbd::geodb
