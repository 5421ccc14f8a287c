// SPDX-License-Identifier: Apache-2.0
// Geo maps with a MaxMind database in pool files: regions by continent, country, subdivision and
// ASN, the config's networks over the database, coordinates for the closest option, and every
// kind of bad input reported at its file:line:col. Databases are written at test time by
// MaxMind's own writer (tests/tools/write-mmdb).
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "../geo/geo_test_support.hpp"
#include "pool_test_support.hpp"

namespace fs = std::filesystem;
using gslbd::test::errors_text;
using gslbd::test::has_error;

namespace {

struct Scratch {
  fs::path dir;
  Scratch() {
    char name[] = "/tmp/gslbd-geoconfig-XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    dir = name;
  }
  ~Scratch() { fs::remove_all(dir); }
};

void write_mmdb(const Scratch& scratch, const std::string& name, const std::string& spec) {
  const fs::path spec_path = scratch.dir / (name + ".json");
  std::ofstream(spec_path) << spec;
  const std::string command = std::string(GSLBD_TEST_DATA) + "/../tools/write-mmdb " +
                              spec_path.string() + " " + (scratch.dir / name).string();
  REQUIRE_MESSAGE(std::system(command.c_str()) == 0, command);
}

struct Loaded {
  std::string path;
  gslbd::test::PoolLoad load;
};

Loaded load_text(const Scratch& scratch, const std::string& text) {
  Loaded out;
  out.path = (scratch.dir / "geo.pool.yaml").string();
  std::ofstream(out.path) << text;
  std::vector<gslbd::config::detail::PoolFileText> files = {{out.path, text}};
  out.load.set = gslbd::config::detail::load_pool_files(files, out.load.names, out.load.errors);
  return out;
}

const char* const kCity = R"({"database_type": "GeoIP2-City", "ip_version": 6, "networks": [
  ["198.18.0.0/24", {"continent": {"code": "EU"}, "country": {"iso_code": "DE"},
                     "location": {"latitude": 50.11, "longitude": 8.68}}],
  ["198.18.1.0/24", {"continent": {"code": "NA"}, "country": {"iso_code": "US"},
                     "subdivisions": [{"iso_code": "NY"}],
                     "location": {"latitude": 40.71, "longitude": -74.0}}],
  ["198.18.2.0/24", {"continent": {"code": "EU"}, "country": {"iso_code": "FR"}}],
  ["198.18.4.0/24", {"continent": {"code": "NA"}, "country": {"iso_code": "US"},
                     "subdivisions": [{"iso_code": "CA"}]}],
  ["fd00:2::/32", {"continent": {"code": "AS"}, "country": {"iso_code": "JP"}}]
]})";

const char* const kAsn = R"({"database_type": "GeoLite2-ASN", "ip_version": 6, "networks": [
  ["198.18.0.0/16", {"autonomous_system_number": 64500}]
]})";

}  // namespace

TEST_CASE("geo map config: a City database, its regions, keys and the networks over it") {
  Scratch scratch;
  write_mmdb(scratch, "city.mmdb", kCity);
  const Loaded loaded = load_text(scratch, R"(version: 1
geo_maps:
  - name: world
    database: city.mmdb
    regions:
      - {name: europe, continents: [eu], location: {lat: 50, lon: 10}}
      - {name: france, countries: [FR]}
      - {name: new-york, subdivisions: [us-ny]}
      - {name: america, continents: [NA]}
    networks:
      - {network: 198.18.2.128/25, region: america}
      - {network: 198.18.4.0/24, location: {lat: 37.77, lon: -122.42}}
pools:
  - name: web
    policy: geo
    geo: {map: world, default: [europe], closest: {tolerance_km: 50}}
    members:
      - {name: fra, address: 192.0.2.1, region: europe}
      - {name: nyc, address: 192.0.2.2, region: america, location: {lat: 40.7, lon: -74}}
)");
  INFO(errors_text(loaded.load.errors));
  REQUIRE(loaded.load.errors.empty());
  REQUIRE(loaded.load.set != nullptr);
  const auto& map = loaded.load.set->geo_maps.at(0);
  CHECK(map.database_info().type == "GeoIP2-City");
  CHECK(map.database_info().path == (scratch.dir / "city.mmdb").string());
  const auto region_of = [&map](const char* address) {
    const auto match = map.lookup(test::client(address));
    return match.region < 0 ? std::string("-") : map.regions()[std::size_t(match.region)];
  };
  CHECK(region_of("198.18.0.1") == "europe");
  CHECK(region_of("198.18.1.1") == "new-york");
  CHECK(region_of("198.18.2.1") == "france");
  CHECK(region_of("198.18.2.200") == "america");  // the config's network wins
  CHECK(region_of("198.18.4.1") == "america");
  CHECK(region_of("fd00:2::1") == "-");  // AS: no rule
  CHECK(region_of("::ffff:198.18.0.9") == "europe");

  const auto key_of = [&map](const char* address) {
    const auto match = map.lookup(test::client(address));
    if (match.key < 0) return std::string("-");
    const auto& key = map.database_keys()[std::size_t(match.key)];
    return key.kind + " " + key.key;
  };
  CHECK(key_of("198.18.0.1") == "continent EU");
  CHECK(key_of("198.18.1.1") == "subdivision US-NY");
  CHECK(key_of("198.18.2.1") == "country FR");
  CHECK(key_of("198.18.2.200") == "-");
  CHECK(map.lookup(test::client("198.18.1.1")).prefix == 24);

  // Locations: the database's City records, and the config's network over them.
  const auto located = map.locate(test::client("198.18.1.7"));
  REQUIRE(located.location >= 0);
  CHECK(map.locations()[std::size_t(located.location)].latitude == doctest::Approx(40.71));
  const auto sf = map.locate(test::client("198.18.4.7"));
  REQUIRE(sf.location >= 0);
  CHECK(map.locations()[std::size_t(sf.location)].longitude == doctest::Approx(-122.42));
  CHECK(map.locate(test::client("198.18.2.7")).location < 0);

  const auto& pool = loaded.load.set->pools.at(0);
  CHECK(pool.geo.closest);
  CHECK(pool.geo.closest_tolerance_km == 50);
  CHECK(pool.geo.closest_tolerance_percent == 20);
  // fra has no location of its own: it stands where its region does.
  REQUIRE(pool.members[0].has_location);
  CHECK(pool.members[0].location.latitude == 50);
  CHECK(pool.members[1].location.longitude == -74);
}

TEST_CASE("geo map config: an ASN database") {
  Scratch scratch;
  write_mmdb(scratch, "asn.mmdb", kAsn);
  const Loaded loaded = load_text(scratch, R"(version: 1
geo_maps:
  - name: by-asn
    database: asn.mmdb
    regions:
      - {name: transit, asns: [AS64500]}
pools:
  - name: web
    policy: geo
    geo: {map: by-asn, regions: {transit: [transit]}}
    members:
      - {name: a, address: 192.0.2.1, region: transit}
)");
  INFO(errors_text(loaded.load.errors));
  REQUIRE(loaded.load.errors.empty());
  const auto& map = loaded.load.set->geo_maps.at(0);
  const auto match = map.lookup(test::client("198.18.77.1"));
  REQUIRE(match.region >= 0);
  CHECK(map.regions()[std::size_t(match.region)] == "transit");
  CHECK(map.database_keys()[std::size_t(match.key)].key == "AS64500");
  CHECK(match.prefix == 16);
}

TEST_CASE("geo map config: bad databases, codes and coordinates are file:line:col errors") {
  Scratch scratch;
  write_mmdb(scratch, "city.mmdb", kCity);
  write_mmdb(scratch, "asn.mmdb", kAsn);
  std::ofstream(scratch.dir / "text.mmdb") << "not a database\n";
  const Loaded loaded = load_text(scratch, R"(version: 1
geo_maps:
  - name: missing
    database: nowhere.mmdb
    regions: [{name: eu, continents: [EU]}]
  - name: text
    database: text.mmdb
    regions: [{name: eu, continents: [EU]}]
  - name: no-asn
    database: city.mmdb
    regions: [{name: eu, asns: [AS64500]}]
  - name: no-country
    database: asn.mmdb
    regions: [{name: eu, countries: [DE]}]
  - name: codes
    regions: [{name: eu, continents: [XX], countries: [DEU], subdivisions: [NY], asns: [64500]}]
    networks: [{network: 10.0.0.0/8, location: {lat: 91, lon: 0}}]
  - name: nothing
pools:
  - name: web
    policy: geo
    geo: {map: codes}
    members:
      - {name: a, address: 192.0.2.1, location: {lat: 0, lon: -180.5}}
)");
  const auto& errors = loaded.load.errors;
  INFO(errors_text(errors));
  CHECK(loaded.load.set == nullptr);
  const std::string& file = loaded.path;
  CHECK(has_error(errors, file, 4, 15, "nowhere.mmdb"));
  CHECK(has_error(errors, file, 7, 15, "expected a MaxMind database"));
  CHECK(has_error(errors, file, 11, 26, "'asns': the database"));
  CHECK(has_error(errors, file, 11, 26, "(GeoIP2-City) has no asns"));
  CHECK(has_error(errors, file, 14, 26, "(GeoLite2-ASN) has no countries"));
  CHECK(has_error(errors, file, 16, 39, "unknown code 'XX'"));
  CHECK(has_error(errors, file, 16, 56, "unknown code 'DEU'"));
  CHECK(has_error(errors, file, 16, 77, "unknown code 'NY'"));
  CHECK(has_error(errors, file, 16, 89, "unknown code '64500'"));
  CHECK(has_error(errors, file, 16, 26, "'continents' needs a 'database'"));
  CHECK(has_error(errors, file, 16, 82, "'asns' needs a 'database'"));
  CHECK(has_error(errors, file, 17, 54, "'lat': 91 is out of range, expected -90 to 90 degrees"));
  CHECK(has_error(errors, file, 18, 5, "needs 'networks', a 'database' or both"));
  CHECK(has_error(errors, file, 24, 63, "-180.5 is out of range, expected -180 to 180"));
  CHECK(errors.size() == 15);
}

TEST_CASE("geo map config: a well-formed code that no network of the database carries") {
  Scratch scratch;
  write_mmdb(scratch, "city.mmdb", kCity);
  write_mmdb(scratch, "asn.mmdb", kAsn);
  const Loaded loaded = load_text(scratch, R"(version: 1
geo_maps:
  - name: city
    database: city.mmdb
    regions:
      - {name: eu, continents: [EU, AN], countries: [DE, QQ], subdivisions: [US-NY, US-ZZ]}
  - name: asn
    database: asn.mmdb
    regions: [{name: transit, asns: [AS64500, AS64511]}]
)");
  const auto& errors = loaded.load.errors;
  INFO(errors_text(errors));
  CHECK(loaded.load.set == nullptr);
  const std::string& file = loaded.path;
  // Known codes the fixture has no network for are refused as surely as codes that exist
  // nowhere: either way the rule could never place a client.
  CHECK(has_error(errors, file, 6, 37, "unknown continent 'AN': no network of"));
  CHECK(has_error(errors, file, 6, 58, "unknown country 'QQ': no network of"));
  CHECK(has_error(errors, file, 6, 85, "unknown subdivision 'US-ZZ'"));
  CHECK(has_error(errors, file, 6, 85, "(GeoIP2-City) carries it"));
  CHECK(has_error(errors, file, 9, 47, "unknown asn 'AS64511'"));
  CHECK(errors.size() == 4);
}

TEST_CASE("geo map config: a database's coordinates are walked only for a closest pool") {
  Scratch scratch;
  write_mmdb(scratch, "city.mmdb", kCity);
  const auto text = [](const char* closest) {
    return std::string(R"(version: 1
geo_maps:
  - name: world
    database: city.mmdb
    regions: [{name: europe, continents: [EU]}]
pools:
  - name: web
    policy: geo
    geo: {map: world)") +
           closest + R"(}
    members: [{name: a, address: 192.0.2.1, region: europe}]
)";
  };
  const Loaded without = load_text(scratch, text(""));
  REQUIRE(without.load.errors.empty());
  const auto& plain = without.load.set->geo_maps.at(0);
  CHECK(plain.locations().empty());
  CHECK(plain.locate(test::client("198.18.0.1")).location < 0);
  CHECK(plain.lookup(test::client("198.18.0.1")).region >= 0);

  const Loaded with = load_text(scratch, text(", closest: {}"));
  INFO(errors_text(with.load.errors));
  REQUIRE(with.load.errors.empty());
  const auto& located = with.load.set->geo_maps.at(0);
  CHECK(located.locations().size() == 2);
  CHECK(located.locate(test::client("198.18.0.1")).location >= 0);
}
