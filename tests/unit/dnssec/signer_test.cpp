// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dnssec/signer.hpp"

#include <doctest/doctest.h>

#include <ctime>

#include "dnssec_test_support.hpp"
#include "gslbd/dnssec/compact_nsec.hpp"
#include "gslbd/dnssec/signature_cache.hpp"
#include "gslbd/dnssec/zone_keys.hpp"

namespace {

using gslbd::dnssec::Role;
using gslbd::test::wire_name;

gslbd::dnssec::Validity now_validity() {
  const auto now = static_cast<std::uint32_t>(std::time(nullptr));
  return {now - 3600, now + 86400};
}

std::size_t sign(const gslbd::dnssec::Key& key, const gslbd::dnssec::RRsetView& rrset,
                 std::uint8_t* out, gslbd::dnssec::Validity validity = now_validity()) {
  std::vector<std::uint8_t> data(gslbd::dnssec::signed_data_size(rrset, wire_name("signed.test.")));
  std::vector<std::uint32_t> order(rrset.count);
  return gslbd::dnssec::sign_rrset(key, wire_name("signed.test."), rrset, validity, {data, order},
                                   out);
}

}  // namespace

TEST_CASE("signatures of both algorithms verify with ldns, records in any order and case") {
  const std::string owner = wire_name("www.signed.test.");
  // Three A records given out of canonical order.
  const auto a = gslbd::test::stored({{192, 0, 2, 30}, {192, 0, 2, 1}, {10, 0, 0, 9}});
  // An MX whose target is written in upper case: signed over the lower-case form.
  std::vector<std::uint8_t> mx{0, 10};
  for (char c : std::string("\x04MAIL\x06SIGNED\x04TEST", 17))
    mx.push_back(static_cast<std::uint8_t>(c));
  mx.push_back(0);
  const auto mx_records = gslbd::test::stored({mx, {0, 5, 0}});
  for (const auto& [base, role] :
       {std::pair{gslbd::test::kZsk13, Role::zsk}, std::pair{gslbd::test::kCsk15, Role::csk}}) {
    const auto key = gslbd::test::load_key(base, role);
    std::uint8_t rrsig[gslbd::dnssec::kMaxRrsigRdata];
    const gslbd::dnssec::RRsetView set{owner, 1, 300, a, 3};
    const std::size_t length = sign(key, set, rrsig);
    REQUIRE(length > 18);
    CHECK(rrsig[2] == key.algorithm);
    CHECK(rrsig[3] == 3);  // labels
    CHECK(gslbd::test::verify(key, set, rrsig, length) == LDNS_STATUS_OK);

    const gslbd::dnssec::RRsetView mx_set{owner, 15, 300, mx_records, 2};
    const std::size_t mx_length = sign(key, mx_set, rrsig);
    REQUIRE(mx_length > 0);
    CHECK(gslbd::test::verify(key, mx_set, rrsig, mx_length) == LDNS_STATUS_OK);

    // A flipped bit in the data is caught: the verifier is not a rubber stamp.
    auto changed = a;
    changed[2] ^= 1;
    CHECK(gslbd::test::verify(key, {owner, 1, 300, changed, 3}, rrsig, length) != LDNS_STATUS_OK);
  }
}

TEST_CASE("labels leave out a leading wildcard label, and an expired signature fails") {
  CHECK(gslbd::dnssec::rrsig_labels(wire_name("*.wild.signed.test.")) == 3);
  CHECK(gslbd::dnssec::rrsig_labels(wire_name("x.wild.signed.test.")) == 4);
  CHECK(gslbd::dnssec::rrsig_labels(std::string(1, '\0')) == 0);
  const auto key = gslbd::test::load_key(gslbd::test::kZsk13, Role::zsk);
  const auto a = gslbd::test::stored({{192, 0, 2, 1}});
  const std::string owner = wire_name("www.signed.test.");
  const gslbd::dnssec::RRsetView set{owner, 1, 300, a, 1};
  std::uint8_t rrsig[gslbd::dnssec::kMaxRrsigRdata];
  const auto now = static_cast<std::uint32_t>(std::time(nullptr));
  const std::size_t length = sign(key, set, rrsig, {now - 7200, now - 3600});
  REQUIRE(length > 0);
  CHECK(gslbd::test::verify(key, set, rrsig, length) != LDNS_STATUS_OK);
}

TEST_CASE("buffers too small for the RRset are refused, not overrun") {
  const auto key = gslbd::test::load_key(gslbd::test::kZsk13, Role::zsk);
  const auto a = gslbd::test::stored({{192, 0, 2, 1}, {192, 0, 2, 2}});
  const std::string owner = wire_name("www.signed.test.");
  const gslbd::dnssec::RRsetView set{owner, 1, 300, a, 2};
  std::vector<std::uint8_t> data(gslbd::dnssec::signed_data_size(set, wire_name("signed.test.")) -
                                 1);
  std::vector<std::uint32_t> order(2);
  std::uint8_t rrsig[gslbd::dnssec::kMaxRrsigRdata];
  CHECK(gslbd::dnssec::sign_rrset(key, wire_name("signed.test."), set, now_validity(),
                                  {data, order}, rrsig) == 0);
  std::vector<std::uint32_t> short_order(1);
  data.resize(data.size() + 1);
  CHECK(gslbd::dnssec::sign_rrset(key, wire_name("signed.test."), set, now_validity(),
                                  {data, short_order}, rrsig) == 0);
}

TEST_CASE("compact NSEC: successor next name and the type bitmap (RFC 9824)") {
  const std::string owner = wire_name("nope.signed.test.");
  std::uint8_t out[2 + gslbd::dnssec::kMaxNsecRdata];
  const std::uint16_t nxname[] = {gslbd::dnssec::rrtype::NXNAME};
  const std::size_t length =
      gslbd::dnssec::compact_nsec(owner, wire_name("signed.test."), nxname, out);
  REQUIRE(length > 2);
  ldns_rr* rr = gslbd::test::to_ldns(owner, 47, 60, out + 2, length - 2);
  char* text = ldns_rr2str(rr);
  CHECK(std::string(text).find("\\000.nope.signed.test. RRSIG NSEC TYPE128") != std::string::npos);
  free(text);
  ldns_rr_free(rr);

  const std::uint16_t node[] = {1, 28};
  const std::size_t nodata =
      gslbd::dnssec::compact_nsec(owner, wire_name("signed.test."), node, out);
  rr = gslbd::test::to_ldns(owner, 47, 60, out + 2, nodata - 2);
  text = ldns_rr2str(rr);
  CHECK(std::string(text).find("A AAAA RRSIG NSEC") != std::string::npos);
  free(text);
  ldns_rr_free(rr);
  const std::uint16_t unsorted[] = {28, 1};
  CHECK(gslbd::dnssec::compact_nsec(owner, wire_name("signed.test."), unsorted, out) == 0);
}

TEST_CASE("the signature cache signs a miss once, then hits without signing") {
  const auto zsk = gslbd::test::load_key(gslbd::test::kZsk13, Role::zsk);
  const auto ksk = gslbd::test::load_key(gslbd::test::kKsk13, Role::ksk);
  const gslbd::dnssec::ZoneKeys keys(wire_name("signed.test."), {ksk, zsk}, {});
  gslbd::dnssec::SignatureCache cache(8);
  const auto now = static_cast<std::uint32_t>(std::time(nullptr));
  const auto a = gslbd::test::stored({{192, 0, 2, 1}});
  const auto b = gslbd::test::stored({{192, 0, 2, 2}});
  const std::string owner = wire_name("svc.signed.test.");
  const gslbd::dnssec::RRsetView first{owner, 1, 30, a, 1};
  const gslbd::dnssec::RRsetView second{owner, 1, 30, b, 1};

  auto got = cache.get(keys, first, now);
  REQUIRE(got.count == 1);  // the ZSK only: the KSK signs the key sets
  CHECK(cache.counters().misses == 1);
  const std::size_t length = (std::size_t{got.records[0]} << 8) | got.records[1];
  CHECK(gslbd::test::verify(zsk, first, got.records.data() + 2, length) == LDNS_STATUS_OK);
  const auto* where = got.records.data();
  got = cache.get(keys, first, now + 10);
  CHECK(cache.counters().hits == 1);
  CHECK(got.records.data() == where);
  got = cache.get(keys, second, now);
  CHECK(cache.counters().misses == 2);
  CHECK(gslbd::test::verify(zsk, second, got.records.data() + 2,
                            (std::size_t{got.records[0]} << 8) | got.records[1]) == LDNS_STATUS_OK);
  // Another TTL is another RRset.
  cache.get(keys, {owner, 1, 31, a, 1}, now);
  CHECK(cache.counters().misses == 3);
  // Half the validity later the entry is signed afresh.
  cache.get(keys, first, now + keys.times().validity / 2 + 1);
  CHECK(cache.counters().misses == 4);
  // Keys of another load never see this load's signatures.
  const gslbd::dnssec::ZoneKeys reloaded(wire_name("signed.test."), {ksk, zsk}, {});
  cache.get(reloaded, second, now);
  CHECK(cache.counters().misses == 5);
}

TEST_CASE("the cache holds a bounded number of entries and keeps the recently used way") {
  const auto csk = gslbd::test::load_key(gslbd::test::kCsk15, Role::csk);
  const gslbd::dnssec::ZoneKeys keys(wire_name("signed.test."), {csk}, {});
  gslbd::dnssec::SignatureCache cache(4);
  CHECK(cache.slots() == 4);
  const auto now = static_cast<std::uint32_t>(std::time(nullptr));
  const std::string owner = wire_name("svc.signed.test.");
  std::vector<std::vector<std::uint8_t>> sets;
  for (int i = 0; i < 32; ++i)
    sets.push_back(gslbd::test::stored({{192, 0, 2, static_cast<std::uint8_t>(i)}}));
  for (const auto& set : sets) cache.get(keys, {owner, 1, 30, set, 1}, now);
  CHECK(cache.counters().misses == 32);
  // At most 4 of the 32 can still be there.
  const auto before = cache.counters().hits;
  for (const auto& set : sets) cache.get(keys, {owner, 1, 30, set, 1}, now);
  CHECK(cache.counters().hits - before <= 4);
}
