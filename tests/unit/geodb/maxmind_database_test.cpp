// SPDX-License-Identifier: Apache-2.0
// MaxmindDatabase and RegionRules against real .mmdb files written at test time by MaxMind's
// own writer (tests/tools/write-mmdb): the walk into a trie, merging, the IPv4 subtree of an
// IPv6 database, the config's networks over the database, corrupt files, and a differential
// check of the walked trie against libmaxminddb's own lookup.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "../geo/geo_test_support.hpp"
#include "gslbd/geo/geo_map.hpp"
#include "gslbd/geodb/maxmind_database.hpp"

namespace fs = std::filesystem;
using gslbd::geo::GeoMap;
using gslbd::geo::GeoMatch;
using gslbd::geo::PrefixTrie;
using gslbd::geodb::GeoKeyKind;
using gslbd::geodb::MaxmindDatabase;
using gslbd::geodb::RecordKeys;
using gslbd::geodb::RegionRules;
using gslbd::geodb::WalkStats;

namespace {

// A scratch folder removed at the end of the test case.
struct Scratch {
  fs::path dir;
  Scratch() {
    char name[] = "/tmp/gslbd-geodb-XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    dir = name;
  }
  ~Scratch() { fs::remove_all(dir); }
};

// Writes SPEC (JSON) with MaxMind's writer and returns the database's path.
fs::path write_mmdb(const Scratch& scratch, const std::string& name, const std::string& spec) {
  const fs::path spec_path = scratch.dir / (name + ".json");
  const fs::path out = scratch.dir / (name + ".mmdb");
  std::ofstream(spec_path) << spec;
  const std::string command = std::string(GSLBD_TEST_DATA) + "/../tools/write-mmdb " +
                              spec_path.string() + " " + out.string();
  REQUIRE_MESSAGE(std::system(command.c_str()) == 0, command);
  return out;
}

using test::address;
using test::client;
using test::region;

void rule(RegionRules& rules, GeoMap& map, GeoKeyKind kind, const std::string& key,
          const std::string& name) {
  std::string why;
  const std::string canonical = RegionRules::canonical(kind, key, why);
  REQUIRE_MESSAGE(!canonical.empty(), why);
  REQUIRE(rules.add(kind, canonical, map.region_id(name)));
}

// Opens the database and walks it into the map's database layer.
std::unique_ptr<MaxmindDatabase> load(const fs::path& path, const RegionRules& rules, GeoMap& map,
                                      WalkStats& stats) {
  std::string error;
  auto db = MaxmindDatabase::open(path.string(), error);
  REQUIRE_MESSAGE(db, error);
  const std::string walked = gslbd::geodb::load_regions(*db, rules, map, stats);
  REQUIRE_MESSAGE(walked.empty(), walked);
  return db;
}

const char* const kCity = R"({"database_type": "GeoIP2-City", "ip_version": 6, "networks": [
  ["198.18.0.0/24", {"continent": {"code": "EU"}, "country": {"iso_code": "DE"},
                     "location": {"latitude": 50.11, "longitude": 8.68}}],
  ["198.18.1.0/24", {"continent": {"code": "NA"}, "country": {"iso_code": "US"},
                     "subdivisions": [{"iso_code": "NY"}]}],
  ["198.18.2.0/24", {"continent": {"code": "EU"}, "country": {"iso_code": "FR"}}],
  ["198.18.3.0/24", {"continent": {"code": "EU"}, "country": {"iso_code": "IT"}}],
  ["198.18.4.0/24", {"continent": {"code": "NA"}, "country": {"iso_code": "US"},
                     "subdivisions": [{"iso_code": "CA"}]}],
  ["198.19.0.0/16", {"registered_country": {"iso_code": "JP"}}],
  ["fd00:1::/32", {"continent": {"code": "EU"}, "country": {"iso_code": "FR"}}],
  ["fd00:2::/32", {"continent": {"code": "AS"}, "country": {"iso_code": "JP"}}]
]})";

}  // namespace

TEST_CASE("region rules: the syntax of each kind of key") {
  std::string why;
  CHECK(RegionRules::canonical(GeoKeyKind::continent, "eu", why) == "EU");
  CHECK(RegionRules::canonical(GeoKeyKind::continent, "XX", why).empty());
  CHECK(why.find("continent") != std::string::npos);
  CHECK(RegionRules::canonical(GeoKeyKind::country, "de", why) == "DE");
  CHECK(RegionRules::canonical(GeoKeyKind::country, "DEU", why).empty());
  CHECK(RegionRules::canonical(GeoKeyKind::country, "D1", why).empty());
  CHECK(RegionRules::canonical(GeoKeyKind::subdivision, "us-ny", why) == "US-NY");
  CHECK(RegionRules::canonical(GeoKeyKind::subdivision, "GB-ENG", why) == "GB-ENG");
  CHECK(RegionRules::canonical(GeoKeyKind::subdivision, "US", why).empty());
  CHECK(RegionRules::canonical(GeoKeyKind::subdivision, "US-ABCD", why).empty());
  CHECK(RegionRules::canonical(GeoKeyKind::asn, "AS64500", why) == "AS64500");
  CHECK(RegionRules::canonical(GeoKeyKind::asn, "as4294967295", why) == "AS4294967295");
  CHECK(RegionRules::canonical(GeoKeyKind::asn, "AS4294967296", why).empty());
  CHECK(RegionRules::canonical(GeoKeyKind::asn, "AS0", why).empty());
  CHECK(RegionRules::canonical(GeoKeyKind::asn, "AS012", why).empty());
  CHECK(RegionRules::canonical(GeoKeyKind::asn, "64500", why).empty());

  RegionRules rules;
  CHECK(rules.add(GeoKeyKind::country, "DE", 0));
  CHECK(rules.add(GeoKeyKind::country, "DE", 0));
  CHECK_FALSE(rules.add(GeoKeyKind::country, "DE", 1));
}

TEST_CASE("region rules: an ASN decides before a subdivision, a country and a continent") {
  RegionRules rules;
  rules.add(GeoKeyKind::continent, "NA", 0);
  rules.add(GeoKeyKind::country, "US", 1);
  rules.add(GeoKeyKind::subdivision, "US-NY", 2);
  rules.add(GeoKeyKind::asn, "AS64500", 3);
  RecordKeys keys;
  keys.continent = "NA";
  CHECK(rules.region_of(keys) == 0);
  keys.country = "US";
  CHECK(rules.region_of(keys) == 1);
  keys.subdivisions[0] = "US-NY";
  keys.subdivision_count = 1;
  CHECK(rules.region_of(keys) == 2);
  keys.has_asn = true;
  keys.asn = 64500;
  CHECK(rules.region_of(keys) == 3);
  keys.asn = 64501;
  CHECK(rules.region_of(keys) == 2);
  keys.country = "CA";
  keys.continent = "EU";
  keys.subdivision_count = 0;
  CHECK(rules.region_of(keys) == -1);
}

TEST_CASE("maxmind database: a City database walked into regions, merged, with IPv4 mapped") {
  Scratch scratch;
  const fs::path path = write_mmdb(scratch, "city", kCity);
  GeoMap map;
  RegionRules rules;
  rule(rules, map, GeoKeyKind::continent, "EU", "eu");
  rule(rules, map, GeoKeyKind::subdivision, "US-NY", "us-east");
  rule(rules, map, GeoKeyKind::country, "US", "us");
  rule(rules, map, GeoKeyKind::country, "JP", "asia");
  WalkStats stats;
  const auto db = load(path, rules, map, stats);
  CHECK(db->type() == "GeoIP2-City");
  CHECK(db->fields().subdivision);
  CHECK(db->fields().location);
  CHECK_FALSE(db->fields().asn);
  // The writer stores equal data once: FR/EU serves 198.18.2.0/24 and fd00:1::/32.
  CHECK(stats.records == 7);

  GeoMatch m = map.lookup(client("198.18.0.7"));
  CHECK(region(map, m) == "eu");
  CHECK(m.from_database);
  CHECK(m.prefix == 24);
  // 198.18.1.0/24 (us-east) is next to it: the bits up to the /24 decided.
  CHECK(m.scope == 24);
  // FR and IT are two records of one region and adjacent: one /23 after merging.
  m = map.lookup(client("198.18.2.9"));
  CHECK(region(map, m) == "eu");
  CHECK(m.prefix == 23);
  CHECK(m.scope == 23);
  CHECK(region(map, map.lookup(client("198.18.1.1"))) == "us-east");
  CHECK(region(map, map.lookup(client("198.18.4.1"))) == "us");
  // Only a registered country: still placed by it.
  m = map.lookup(client("198.19.200.1"));
  CHECK(region(map, m) == "asia");
  CHECK(m.prefix == 16);
  m = map.lookup(client("203.0.113.1"));
  CHECK(m.region == -1);
  CHECK_FALSE(m.from_database);

  // IPv4-mapped IPv6: the IPv4 answer, with the prefix and scope counted in IPv6 bits.
  m = map.lookup(client("::ffff:198.18.0.7"));
  CHECK(region(map, m) == "eu");
  CHECK(m.prefix == 96 + 24);
  CHECK(m.scope == 96 + 24);
  // An ECS client that reveals only a /112 of a mapped address sees networks up to /16.
  m = map.lookup(client("::ffff:198.19.0.0", 112));
  CHECK(region(map, m) == "asia");
  CHECK(m.scope == 112);

  CHECK(region(map, map.lookup(client("fd00:1::1"))) == "eu");
  m = map.lookup(client("fd00:2:abcd::1"));
  CHECK(region(map, m) == "asia");
  CHECK(m.prefix == 32);
  // The aliases of the IPv4 subtree are not walked a second time as IPv6 networks.
  CHECK(map.lookup(client("2002:c612:0007::1")).region == -1);
}

TEST_CASE("maxmind database: the config's own networks override the database") {
  Scratch scratch;
  const fs::path path = write_mmdb(scratch, "city", kCity);
  GeoMap map;
  REQUIRE(map.add(address("198.18.0.128"), 25, "lab"));
  REQUIRE(map.add(address("198.18.0.0"), 16, "wide"));
  RegionRules rules;
  rule(rules, map, GeoKeyKind::continent, "EU", "eu");
  WalkStats stats;
  const auto db = load(path, rules, map, stats);

  GeoMatch m = map.lookup(client("198.18.0.200"));
  CHECK(region(map, m) == "lab");
  CHECK_FALSE(m.from_database);
  // The config's /16 covers the database's /24s: it wins even though it is shorter.
  m = map.lookup(client("198.18.0.7"));
  CHECK(region(map, m) == "wide");
  CHECK(m.prefix == 16);
  // Outside the config's networks the database decides; the bits that kept the client out of
  // them count in the scope.
  m = map.lookup(client("fd00:1::1"));
  CHECK(region(map, m) == "eu");
  CHECK(m.from_database);
}

TEST_CASE("maxmind database: Country and ASN databases say which fields they carry") {
  Scratch scratch;
  std::string error;
  auto country =
      MaxmindDatabase::open(write_mmdb(scratch, "country",
                                       R"({"database_type": "GeoLite2-Country", "networks": [
                   ["198.18.0.0/24", {"country": {"iso_code": "DE"}}]]})")
                                .string(),
                            error);
  REQUIRE_MESSAGE(country, error);
  CHECK(country->fields().country);
  CHECK_FALSE(country->fields().subdivision);
  CHECK_FALSE(country->fields().asn);

  auto asn = MaxmindDatabase::open(
      write_mmdb(scratch, "asn",
                 R"({"database_type": "GeoLite2-ASN", "ip_version": 4, "networks": [
                   ["198.18.0.0/15", {"autonomous_system_number": 64500}],
                   ["198.18.7.0/24", {"autonomous_system_number": 64501}]]})")
          .string(),
      error);
  REQUIRE_MESSAGE(asn, error);
  CHECK(asn->fields().asn);
  CHECK_FALSE(asn->fields().country);
  GeoMap map;
  RegionRules rules;
  rule(rules, map, GeoKeyKind::asn, "AS64500", "transit");
  PrefixTrie layer;
  WalkStats stats;
  REQUIRE(asn->walk([&rules](const RecordKeys& k) { return rules.region_of(k); }, layer, stats)
              .empty());
  map.set_database(std::move(layer));
  CHECK(region(map, map.lookup(client("198.19.1.1"))) == "transit");
  CHECK(map.lookup(client("198.18.7.1")).region == -1);
  // An IPv4 database has no IPv6 networks.
  CHECK(map.lookup(client("fd00::1")).region == -1);

  auto other = MaxmindDatabase::open(write_mmdb(scratch, "other",
                                                R"({"database_type": "Acme-Weather", "networks": [
                   ["198.18.0.0/24", {"country": {"iso_code": "DE"}}]]})")
                                         .string(),
                                     error);
  CHECK_FALSE(other);
  CHECK(error.find("Acme-Weather") != std::string::npos);
}

TEST_CASE("maxmind database: missing, foreign and truncated files are refused with a reason") {
  Scratch scratch;
  std::string error;
  CHECK_FALSE(MaxmindDatabase::open((scratch.dir / "missing.mmdb").string(), error));
  CHECK(error.find("No such file") != std::string::npos);

  const fs::path text = scratch.dir / "text.mmdb";
  std::ofstream(text) << "version: 1\nzones: []\n";
  error.clear();
  CHECK_FALSE(MaxmindDatabase::open(text.string(), error));
  CHECK(error.find("not a MaxMind database") != std::string::npos);

  const fs::path good = write_mmdb(scratch, "city", kCity);
  std::ifstream in(good, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Cut anywhere: open refuses it, or the walk reports a corrupt tree; never a crash.
  for (std::size_t cut = 0; cut < bytes.size(); cut += 7) {
    const fs::path part = scratch.dir / "cut.mmdb";
    std::ofstream(part, std::ios::binary | std::ios::trunc)
        .write(bytes.data(), static_cast<long>(cut));
    error.clear();
    auto db = MaxmindDatabase::open(part.string(), error);
    if (!db) {
      CHECK(!error.empty());
      continue;
    }
    PrefixTrie layer;
    WalkStats stats;
    (void)db->walk([](const RecordKeys&) { return 0; }, layer, stats);
  }
}

TEST_CASE("maxmind database: the walked trie agrees with libmaxminddb on 10,000 addresses") {
  Scratch scratch;
  std::mt19937_64 rng(20261206);
  const char* const countries[] = {"DE", "FR", "US", "JP", "BR", "ZA", "AU", "IN"};
  const char* const continents[] = {"EU", "EU", "NA", "AS", "SA", "AF", "OC", "AS"};
  std::ostringstream spec;
  spec << R"({"database_type": "GeoIP2-City", "ip_version": 6, "networks": [)";
  for (int i = 0; i < 1500; ++i) {
    const bool v4 = i % 3 != 0;
    std::ostringstream net;
    if (v4) {
      const auto a = static_cast<std::uint32_t>(rng());
      const unsigned prefix = 8 + static_cast<unsigned>(rng() % 25);
      const std::uint32_t masked = prefix == 32 ? a : a & ~(0xffffffffu >> prefix);
      net << (masked >> 24) << '.' << ((masked >> 16) & 255) << '.' << ((masked >> 8) & 255) << '.'
          << (masked & 255) << '/' << prefix;
    } else {
      // Inside fd00::/8, /16 to /64.
      const unsigned prefix = 16 + static_cast<unsigned>(rng() % 49);
      std::uint64_t high = (0xfdull << 56) | (rng() & 0x00ffffffffffffffull);
      if (prefix < 64) high &= ~(~0ull >> prefix);
      net << std::hex << (high >> 48) << ':' << ((high >> 32) & 0xffff) << ':'
          << ((high >> 16) & 0xffff) << ':' << (high & 0xffff) << "::/" << std::dec << prefix;
    }
    const std::size_t c = rng() % 8;
    spec << (i ? "," : "") << "[\"" << net.str() << R"(", {"continent": {"code": ")"
         << continents[c] << R"("}, "country": {"iso_code": ")" << countries[c] << R"("}}])";
  }
  spec << "]}";
  const fs::path path = write_mmdb(scratch, "random", spec.str());

  GeoMap map;
  RegionRules rules;
  rule(rules, map, GeoKeyKind::country, "DE", "de");
  rule(rules, map, GeoKeyKind::country, "US", "us");
  rule(rules, map, GeoKeyKind::continent, "AS", "asia");
  rule(rules, map, GeoKeyKind::continent, "EU", "europe");
  WalkStats stats;
  const auto db = load(path, rules, map, stats);
  INFO("networks " << stats.networks << ", trie nodes " << stats.trie_nodes);

  int agreed = 0;
  for (int i = 0; i < 10000; ++i) {
    gslbd::util::Address a;
    if (i % 2 == 0) {
      a.family = 4;
      const auto bits = static_cast<std::uint32_t>(rng());
      for (int b = 0; b < 4; ++b)
        a.bytes[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(bits >> (24 - 8 * b));
    } else {
      a.family = 6;
      a.bytes[0] = 0xfd;
      for (std::size_t b = 1; b < 16; ++b) a.bytes[b] = static_cast<std::uint8_t>(rng());
    }
    const auto keys = db->lookup(a);
    const std::int32_t expected = keys ? rules.region_of(*keys) : -1;
    gslbd::util::Client c;
    c.address = a;
    c.prefix = a.family == 4 ? 32 : 128;
    const GeoMatch m = map.lookup(c);
    if (m.region == expected) {
      ++agreed;
    } else {
      FAIL_CHECK("address " << gslbd::util::address_text(a) << ": trie " << m.region
                            << ", libmaxminddb " << expected);
    }
    // The scope never exceeds what the client revealed, and the prefix never the scope.
    CHECK(m.prefix <= m.scope);
  }
  CHECK(agreed == 10000);
}

TEST_CASE("maxmind database: a City database's coordinates locate clients") {
  Scratch scratch;
  const fs::path path = write_mmdb(scratch, "city", kCity);
  std::string error;
  const auto db = MaxmindDatabase::open(path.string(), error);
  REQUIRE_MESSAGE(db, error);
  GeoMap map;
  // The config's own network with coordinates comes first and overrides the database.
  REQUIRE(map.add_location(address("198.18.0.128"), 25, {48.86, 2.35}));
  WalkStats stats;
  REQUIRE(gslbd::geodb::load_locations(*db, map, stats).empty());
  REQUIRE(map.locations().size() == 2);

  gslbd::geo::LocationMatch m = map.locate(client("198.18.0.7"));
  REQUIRE(m.location >= 0);
  CHECK(map.locations()[static_cast<std::size_t>(m.location)] ==
        gslbd::geo::Coordinates{50.11, 8.68});
  CHECK(m.from_database);
  CHECK(m.prefix == 24);
  m = map.locate(client("198.18.0.200"));
  REQUIRE(m.location >= 0);
  CHECK(map.locations()[static_cast<std::size_t>(m.location)] ==
        gslbd::geo::Coordinates{48.86, 2.35});
  CHECK_FALSE(m.from_database);
  // No coordinates in the record: not located.
  CHECK(map.locate(client("198.18.1.1")).location == -1);
  CHECK(map.locate(client("::ffff:198.18.0.7")).location >= 0);

  // Frankfurt to Paris and to New York, against published great-circle figures.
  const gslbd::geo::Coordinates frankfurt{50.11, 8.68};
  CHECK(gslbd::geo::great_circle_km(frankfurt, {48.86, 2.35}) ==
        doctest::Approx(479).epsilon(0.01));
  CHECK(gslbd::geo::great_circle_km(frankfurt, {40.71, -74.01}) ==
        doctest::Approx(6205).epsilon(0.01));
  CHECK(gslbd::geo::great_circle_km(frankfurt, frankfurt) == 0);
  // Antipodes: half the circumference, no NaN from rounding.
  CHECK(gslbd::geo::great_circle_km({0, 0}, {0, 180}) == doctest::Approx(20015).epsilon(0.001));
}
