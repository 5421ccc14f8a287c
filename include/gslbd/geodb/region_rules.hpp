// SPDX-License-Identifier: Apache-2.0
// Which region a MaxMind database record belongs to: rules keyed by continent, country,
// subdivision and autonomous system, as a geo map's `regions:` lists them.
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace gslbd::geodb {

enum class GeoKeyKind : std::uint8_t { continent, country, subdivision, asn };
inline constexpr std::size_t kGeoKeyKinds = 4;
// The plural names, as a region's lists are keyed in the config.
inline constexpr std::array<const char*, kGeoKeyKinds> kGeoKeyKindNames = {
    "continents", "countries", "subdivisions", "asns"};
// The singular names, as explanations say which key decided.
inline constexpr std::array<const char*, kGeoKeyKinds> kGeoKeyKindSingular = {
    "continent", "country", "subdivision", "asn"};

// What a database record says about its network, as far as the rules can use it. Codes are
// upper case; a subdivision is "<country>-<code>" (ISO 3166-2, "US-NY").
struct RecordKeys {
  static constexpr std::size_t kMaxSubdivisions = 4;
  std::string continent;
  std::string country;
  std::array<std::string, kMaxSubdivisions> subdivisions;
  std::size_t subdivision_count = 0;
  bool has_asn = false;
  std::uint32_t asn = 0;
  bool has_location = false;
  double latitude = 0;
  double longitude = 0;
};

class RegionRules {
 public:
  // The canonical form of a key written in the config ("eu" -> "EU", "AS64500" -> "AS64500"),
  // or an empty string with `why` set when it is not a valid key of that kind.
  static std::string canonical(GeoKeyKind kind, std::string_view text, std::string& why);

  // Maps a key (canonical form) to a region. Returns false when the key already maps to
  // another region; the same region again is accepted.
  bool add(GeoKeyKind kind, const std::string& key, std::int32_t region);
  bool uses(GeoKeyKind kind) const noexcept;
  bool empty() const noexcept;

  // The region of a record: its autonomous system decides first, then its most specific
  // subdivision, then its country, then its continent; -1 when no rule names any of them.
  std::int32_t region_of(const RecordKeys& keys) const;

  // As region_of, with the key that decided (kind, canonical key); region -1 when none did.
  struct Decision {
    std::int32_t region = -1;
    GeoKeyKind kind = GeoKeyKind::continent;
    std::string key;
  };
  Decision decide(const RecordKeys& keys) const;

  // A rule's key: its kind and canonical code.
  using Key = std::pair<GeoKeyKind, std::string>;
  // Adds to `seen` every key of these rules that the record carries, whether it decides or not.
  void collect_keys(const RecordKeys& keys, std::set<Key>& seen) const;
  // The keys of these rules that are not in `seen`, ordered by kind and code.
  std::vector<Key> keys_outside(const std::set<Key>& seen) const;

 private:
  std::array<std::unordered_map<std::string, std::int32_t>, kGeoKeyKinds> keys_;
};

}  // namespace gslbd::geodb
