// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dnssec/key.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "dnssec_test_support.hpp"
#include "gslbd/dnssec/zone_keys.hpp"

namespace {

using gslbd::dnssec::Role;
using gslbd::test::wire_name;

std::string refusal(const std::string& base, const std::string& zone = "signed.test.") {
  std::string why;
  const auto key = gslbd::keyfile::read_key(base, wire_name(zone), Role::csk, why);
  CHECK_FALSE(key.has_value());
  return why;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char name[] = "/tmp/gslbd-key-XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    path = name;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& file, const std::string& text) const {
    std::ofstream(path / file) << text;
    return (path / file).string();
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("ldns-keygen keys of both algorithms are read with their tags and flags") {
  const auto ksk = gslbd::test::load_key(gslbd::test::kKsk13, Role::ksk);
  CHECK(ksk.algorithm == 13);
  CHECK(ksk.tag == 26620);
  CHECK(ksk.flags == 257);
  const auto zsk = gslbd::test::load_key(gslbd::test::kZsk13, Role::zsk);
  CHECK(zsk.tag == 63210);
  CHECK(zsk.flags == 256);
  const auto csk = gslbd::test::load_key(gslbd::test::kCsk15, Role::csk);
  CHECK(csk.algorithm == 15);
  CHECK(csk.tag == 15228);
  CHECK(csk.dnskey_rdata.size() == 4 + 32);
}

TEST_CASE("an ECDSA private key written without its leading zero octet is read") {
  // ldns-keygen writes the scalar as a number; this key's starts with a zero octet.
  const auto key =
      gslbd::test::load_key(gslbd::test::kKeyDir + "Ksigned.test.+013+03476", Role::zsk);
  CHECK(key.tag == 3476);
}

TEST_CASE("a dnssec-keygen (v1.3) key with comments, a TTL and timing lines is read") {
  const auto key =
      gslbd::test::load_key(gslbd::test::kKeyDir + "bind/Ksigned.test.+013+63210", Role::zsk);
  CHECK(key.tag == 63210);
  CHECK(key.dnskey_rdata == gslbd::test::load_key(gslbd::test::kZsk13, Role::zsk).dnskey_rdata);
}

TEST_CASE("the DS matches the one ldns-keygen computes") {
  // ldns-key2ds output for the KSK: signed.test. IN DS 26620 13 2 <digest>.
  const auto ksk = gslbd::test::load_key(gslbd::test::kKsk13, Role::ksk);
  ldns_rr* dnskey = gslbd::test::to_ldns(wire_name("signed.test."), 48, 3600,
                                         ksk.dnskey_rdata.data(), ksk.dnskey_rdata.size());
  ldns_rr* ds = ldns_key_rr2ds(dnskey, LDNS_SHA256);
  REQUIRE(ds != nullptr);
  std::vector<std::uint8_t> expected;
  for (std::size_t i = 0; i < ldns_rr_rd_count(ds); ++i) {
    const ldns_rdf* field = ldns_rr_rdf(ds, i);
    expected.insert(expected.end(), ldns_rdf_data(field),
                    ldns_rdf_data(field) + ldns_rdf_size(field));
  }
  ldns_rr_free(ds);
  ldns_rr_free(dnskey);
  CHECK(gslbd::dnssec::ds_rdata(wire_name("SIGNED.test."), ksk.dnskey_rdata) == expected);
  CHECK(gslbd::dnssec::ds_text(expected).rfind("26620 13 2 ", 0) == 0);
  CHECK(gslbd::dnssec::key_tag(ksk.dnskey_rdata) == 26620);
}

TEST_CASE("bad key files are refused with the file, the line and the reason") {
  CHECK(refusal(gslbd::test::kKeyDir + "Knothere").find("cannot read") != std::string::npos);
  const std::string rsa = refusal(gslbd::test::kRsa);
  CHECK(rsa.find("algorithm 8 (RSASHA256) is not supported") != std::string::npos);
  CHECK(rsa.find(".key:1:") != std::string::npos);
  const std::string other = refusal(gslbd::test::kKsk13, "other.test.");
  CHECK(other.find("the key is for signed.test., not for the zone other.test.") !=
        std::string::npos);
  const std::string mismatch = refusal(gslbd::test::kKeyDir + "mismatch/Ksigned.test.+013+26620");
  CHECK(mismatch.find("does not belong to the public key") != std::string::npos);

  TempDir dir;
  const std::string key = slurp(gslbd::test::kZsk13 + ".key");
  dir.write("Knokey.key", "; only a comment\n");
  CHECK(refusal((dir.path / "Knokey").string()).find("no DNSKEY record") != std::string::npos);
  dir.write("Ka.key", "signed.test. IN A 192.0.2.1\n");
  CHECK(refusal((dir.path / "Ka").string()).find(".key:1: the record is not a DNSKEY") !=
        std::string::npos);
  dir.write("Kbroken.key", "\n\nsigned.test. IN DNSKEY 256 3 13 !!notbase64\n");
  CHECK(refusal((dir.path / "Kbroken").string()).find("Kbroken.key:3: not a DNS record") !=
        std::string::npos);
  dir.write("Knopriv.key", key);
  CHECK(refusal((dir.path / "Knopriv").string()).find("Knopriv.private") != std::string::npos);
  dir.write("Kbadpriv.key", key);
  dir.write("Kbadpriv.private", "Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\n");
  CHECK(refusal((dir.path / "Kbadpriv").string()).find("not a private key file") !=
        std::string::npos);
  dir.write("Kalg.key", key);
  dir.write("Kalg.private", slurp(gslbd::test::kCsk15 + ".private"));
  CHECK(refusal((dir.path / "Kalg").string()).find("Kalg.private:2: algorithm 15 differs") !=
        std::string::npos);
}

TEST_CASE("a key set needs a key for the data and one for the DNSKEY set") {
  using gslbd::dnssec::ZoneKeys;
  const auto ksk = gslbd::test::load_key(gslbd::test::kKsk13, Role::ksk);
  const auto zsk = gslbd::test::load_key(gslbd::test::kZsk13, Role::zsk);
  auto publish = zsk;
  publish.role = Role::publish;
  const std::string apex = wire_name("signed.test.");
  CHECK(ZoneKeys(apex, {ksk, zsk}, {}).check().empty());
  CHECK(ZoneKeys(apex, {ksk}, {}).check().find("no key signs the zone's data") !=
        std::string::npos);
  CHECK(ZoneKeys(apex, {zsk}, {}).check().find("no key signs the DNSKEY set") != std::string::npos);
  CHECK(ZoneKeys(apex, {ksk, publish}, {}).check().find("no key signs the zone's data") !=
        std::string::npos);
  CHECK(ZoneKeys(apex, {ksk, zsk, zsk}, {}).check().find("same key tag") != std::string::npos);
  CHECK(ZoneKeys::signs(ksk, 48));
  CHECK_FALSE(ZoneKeys::signs(ksk, 1));
  CHECK(ZoneKeys::signs(zsk, 1));
  CHECK_FALSE(ZoneKeys::signs(publish, 1));
}
