// SPDX-License-Identifier: Apache-2.0
// The dnssec: section of a zone file: keys read and their records published at the apex, the
// static data signed at load, and every error at the position of what caused it.
#include <doctest/doctest.h>

#include "config_test_support.hpp"
#include "gslbd/config/load.hpp"
#include "gslbd/dnssec/zone_keys.hpp"
#include "gslbd/zone/zone.hpp"
#include "gslbd/zone/zone_set.hpp"
#include "gslbd/zone/zone_signing.hpp"

namespace {

// Zone files are read as if they stood beside the test keys, which they name relatively.
const std::string kPath = std::string(GSLBD_TEST_DATA) + "/dnssec/signed.test.zone.yaml";

std::string zone_text(const std::string& dnssec) {
  return "version: 1\n"
         "zone: signed.test\n"
         "soa: {mname: ns1, rname: hostmaster, serial: 1}\n"
         "ns: [ns1]\n"
         "records:\n"
         "  - {name: ns1, type: A, data: [192.0.2.1]}\n"
         "  - {name: www, type: A, data: [192.0.2.80]}\n"
         "  - {name: sub, type: NS, data: [ns.sub]}\n"
         "  - {name: ns.sub, type: A, data: [192.0.2.53]}\n"
         "  - {name: sub, type: DS, data: ['1 13 2 "
         "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF']}\n" +
         dnssec;
}

const char* kKskZsk =
    "dnssec:\n"
    "  keys:\n"
    "    - {file: Ksigned.test.+013+26620, role: ksk}\n"
    "    - {file: Ksigned.test.+013+63210.key, role: zsk}\n";

gslbd::test::ZoneLoad load(const std::string& text) {
  gslbd::test::ZoneLoad out;
  out.zone = gslbd::config::load_zone_text(kPath, text, {}, out.errors);
  return out;
}

const gslbd::zone::Node& node(const gslbd::zone::Zone& zone, const char* text) {
  const std::uint32_t at = zone.find(gslbd::test::wire(text));
  REQUIRE(at != gslbd::zone::kNoNode);
  return zone.node(at);
}

void check_error(const gslbd::test::ZoneLoad& loaded, int line, int column,
                 const std::string& phrase) {
  INFO(gslbd::test::errors_text(loaded.errors));
  CHECK(loaded.zone == nullptr);
  CHECK(gslbd::test::has_error(loaded.errors, kPath, line, column, phrase));
}

}  // namespace

TEST_CASE("a signed zone publishes its keys and carries signatures beside its RRsets") {
  const auto loaded = load(zone_text(kKskZsk));
  INFO(gslbd::test::errors_text(loaded.errors));
  REQUIRE(loaded.zone);
  const gslbd::zone::Zone& zone = *loaded.zone;
  REQUIRE(zone.keys() != nullptr);
  CHECK(zone.keys()->keys().size() == 2);
  const auto& apex = zone.apex_node();
  REQUIRE(apex.find(48));
  CHECK(apex.find(48)->count == 2);  // DNSKEY: both keys
  REQUIRE(apex.find(59));
  CHECK(apex.find(59)->count == 1);  // CDS: the KSK only
  REQUIRE(apex.find(60));
  CHECK(apex.find(60)->count == 1);  // CDNSKEY
  CHECK(zone.signatures(*apex.find(48)).count == 1);
  CHECK(zone.signatures(zone.soa()).count == 1);
  // The DNSKEY set is signed by the KSK (tag 26620), the rest by the ZSK (tag 63210).
  const auto key_sig = zone.signatures(*apex.find(48)).records;
  CHECK(((key_sig[2 + 16] << 8) | key_sig[2 + 17]) == 26620);
  const auto www_sig = zone.signatures(*node(zone, "www.signed.test.").find(1)).records;
  CHECK(((www_sig[2 + 16] << 8) | www_sig[2 + 17]) == 63210);
  // The parent side of the delegation: NS and glue unsigned, DS signed.
  CHECK(zone.signatures(*node(zone, "sub.signed.test.").find(2)).count == 0);
  CHECK(zone.signatures(*node(zone, "sub.signed.test.").find(43)).count == 1);
  CHECK(zone.signatures(*node(zone, "ns.sub.signed.test.").find(1)).count == 0);
  const auto ds = zone.keys()->ds_lines();
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].rfind("signed.test. IN DS 26620 13 2 ", 0) == 0);
}

TEST_CASE("an unsigned zone has no keys and no signatures") {
  const auto loaded = load(zone_text(""));
  REQUIRE(loaded.zone);
  CHECK(loaded.zone->keys() == nullptr);
  CHECK(loaded.zone->signatures(loaded.zone->soa()).count == 0);
  CHECK(loaded.zone->apex_node().find(48) == nullptr);
}

TEST_CASE("cds: false leaves CDS and CDNSKEY out") {
  const auto loaded = load(zone_text(std::string(kKskZsk) + "  cds: false\n"));
  REQUIRE(loaded.zone);
  CHECK(loaded.zone->apex_node().find(59) == nullptr);
  CHECK(loaded.zone->apex_node().find(60) == nullptr);
}

TEST_CASE("bad keys are errors at the key entry, with the key file's reason") {
  // The records end on line 10; dnssec: is line 11, keys: 12, the first entry line 13.
  check_error(load(zone_text("dnssec:\n  keys:\n    - {file: Kmissing, role: csk}\n")), 13, 7,
              "key: cannot read");
  check_error(load(zone_text("dnssec:\n  keys:\n    - {file: Ksigned.test.+008+11440, role: "
                             "csk}\n")),
              13, 7, "algorithm 8 (RSASHA256) is not supported");
  check_error(load(zone_text("dnssec:\n  keys:\n    - {file: mismatch/Ksigned.test.+013+26620, "
                             "role: csk}\n")),
              13, 7, "does not belong to the public key");
  check_error(load(zone_text("dnssec:\n  keys:\n    - {file: Ksigned.test.+013+26620, role: "
                             "kskk}\n")),
              13, 45, "'role': 'kskk' is not a key role");
  check_error(load(zone_text("dnssec:\n  keys:\n    - {file: Ksigned.test.+013+63210, role: "
                             "zsk}\n")),
              11, 1, "no key signs the DNSKEY set");
  check_error(load(zone_text(std::string(kKskZsk) + "  validity: 1h\n")), 15, 13,
              "'validity': 3600 s is too short");
  check_error(load(zone_text("dnssec:\n  keyz: []\n")), 12, 3, "unknown key 'keyz'");
}

TEST_CASE("signatures are due for refresh when the earliest signed zone is half way") {
  auto loaded = load(zone_text(std::string(kKskZsk) + "  validity: 2d\n"));
  REQUIRE(loaded.zone);
  const std::uint32_t signed_at = gslbd::zone::signed_at(*loaded.zone);
  CHECK(signed_at > 0);
  auto plain = load(zone_text(""));
  REQUIRE(plain.zone);
  std::vector<std::unique_ptr<gslbd::zone::Zone>> zones;
  zones.push_back(std::move(plain.zone));
  CHECK(gslbd::zone::refresh_time(gslbd::zone::ZoneSet(std::move(zones))) == 0);
  std::vector<std::unique_ptr<gslbd::zone::Zone>> signed_zones;
  signed_zones.push_back(std::move(loaded.zone));
  CHECK(gslbd::zone::refresh_time(gslbd::zone::ZoneSet(std::move(signed_zones))) ==
        signed_at + 86400);
}
