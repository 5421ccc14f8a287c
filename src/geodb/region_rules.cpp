// SPDX-License-Identifier: Apache-2.0
// RegionRules: the key syntax of each kind and the order in which a record's keys decide.
#include "gslbd/geodb/region_rules.hpp"

#include <algorithm>
#include <cctype>

namespace gslbd::geodb {

namespace {

constexpr std::array<std::string_view, 7> kContinents = {"AF", "AN", "AS", "EU", "NA", "OC", "SA"};

bool upper_letters(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool upper_alnum(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

std::size_t index(GeoKeyKind kind) noexcept {
  return static_cast<std::size_t>(kind);
}

}  // namespace

std::string RegionRules::canonical(GeoKeyKind kind, std::string_view text, std::string& why) {
  std::string key(text);
  for (char& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  switch (kind) {
    case GeoKeyKind::continent:
      if (std::find(kContinents.begin(), kContinents.end(), key) != kContinents.end()) return key;
      why = "expected a continent code: AF, AN, AS, EU, NA, OC or SA";
      return {};
    case GeoKeyKind::country:
      if (key.size() == 2 && upper_letters(key)) return key;
      why = "expected a two-letter ISO 3166-1 country code such as DE";
      return {};
    case GeoKeyKind::subdivision:
      if (key.size() >= 4 && key.size() <= 6 && key[2] == '-' && upper_letters(key.substr(0, 2)) &&
          upper_alnum(key.substr(3))) {
        return key;
      }
      why =
          "expected an ISO 3166-2 subdivision code such as US-NY (country, '-', 1 to 3 "
          "letters or digits)";
      return {};
    case GeoKeyKind::asn: {
      const std::string_view digits = key.size() > 2 && key.compare(0, 2, "AS") == 0
                                          ? std::string_view(key).substr(2)
                                          : std::string_view();
      std::uint64_t number = 0;
      bool ok = !digits.empty() && digits.size() <= 10 && digits[0] != '0';
      for (char c : digits) {
        if (c < '0' || c > '9') ok = false;
        number = number * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (ok && number <= 0xffffffffull) return "AS" + std::to_string(number);
      why = "expected an autonomous system number such as AS64500 (AS1 to AS4294967295)";
      return {};
    }
  }
  why = "unknown kind of key";
  return {};
}

bool RegionRules::add(GeoKeyKind kind, const std::string& key, std::int32_t region) {
  const auto [it, inserted] = keys_[index(kind)].try_emplace(key, region);
  return inserted || it->second == region;
}

bool RegionRules::uses(GeoKeyKind kind) const noexcept {
  return !keys_[index(kind)].empty();
}

bool RegionRules::empty() const noexcept {
  return std::all_of(keys_.begin(), keys_.end(), [](const auto& keys) { return keys.empty(); });
}

void RegionRules::collect_keys(const RecordKeys& keys, std::set<Key>& seen) const {
  const auto note = [&](GeoKeyKind kind, const std::string& key) {
    const auto& table = keys_[index(kind)];
    if (!key.empty() && table.find(key) != table.end()) seen.emplace(kind, key);
  };
  if (keys.has_asn && !keys_[index(GeoKeyKind::asn)].empty()) {
    note(GeoKeyKind::asn, "AS" + std::to_string(keys.asn));
  }
  for (std::size_t i = 0; i < keys.subdivision_count; ++i) {
    note(GeoKeyKind::subdivision, keys.subdivisions[i]);
  }
  note(GeoKeyKind::country, keys.country);
  note(GeoKeyKind::continent, keys.continent);
}

std::vector<RegionRules::Key> RegionRules::keys_outside(const std::set<Key>& seen) const {
  std::vector<Key> outside;
  for (std::size_t kind = 0; kind < kGeoKeyKinds; ++kind) {
    for (const auto& [key, region] : keys_[kind]) {
      Key k{static_cast<GeoKeyKind>(kind), key};
      if (seen.find(k) == seen.end()) outside.push_back(std::move(k));
    }
  }
  std::sort(outside.begin(), outside.end());
  return outside;
}

std::int32_t RegionRules::region_of(const RecordKeys& keys) const {
  return decide(keys).region;
}

RegionRules::Decision RegionRules::decide(const RecordKeys& keys) const {
  const auto find = [this](GeoKeyKind kind, const std::string& key) -> std::int32_t {
    const auto& table = keys_[index(kind)];
    if (key.empty() || table.empty()) return -1;
    const auto it = table.find(key);
    return it == table.end() ? -1 : it->second;
  };
  if (keys.has_asn) {
    std::string asn = "AS" + std::to_string(keys.asn);
    if (const auto r = find(GeoKeyKind::asn, asn); r >= 0) {
      return {r, GeoKeyKind::asn, std::move(asn)};
    }
  }
  // MaxMind lists a network's subdivisions from the largest to the smallest.
  for (std::size_t i = keys.subdivision_count; i-- > 0;) {
    if (const auto r = find(GeoKeyKind::subdivision, keys.subdivisions[i]); r >= 0) {
      return {r, GeoKeyKind::subdivision, keys.subdivisions[i]};
    }
  }
  if (const auto r = find(GeoKeyKind::country, keys.country); r >= 0) {
    return {r, GeoKeyKind::country, keys.country};
  }
  if (const auto r = find(GeoKeyKind::continent, keys.continent); r >= 0) {
    return {r, GeoKeyKind::continent, keys.continent};
  }
  return {};
}

}  // namespace gslbd::geodb
