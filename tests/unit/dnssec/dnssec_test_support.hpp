// SPDX-License-Identifier: Apache-2.0
// Helpers for the dnssec tests: the checked-in test keys of signed.test., and ldns as an
// independent verifier of the signatures gslbd makes.
#pragma once

#include <doctest/doctest.h>
#include <ldns/ldns.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gslbd/dns/name.hpp"
#include "gslbd/dnssec/key.hpp"
#include "gslbd/dnssec/signer.hpp"
#include "gslbd/keyfile/key_file.hpp"

namespace gslbd::test {

inline const std::string kKeyDir = std::string(GSLBD_TEST_DATA) + "/dnssec/";
inline const std::string kKsk13 = kKeyDir + "Ksigned.test.+013+26620";
inline const std::string kZsk13 = kKeyDir + "Ksigned.test.+013+63210";
inline const std::string kCsk15 = kKeyDir + "Ksigned.test.+015+15228";
inline const std::string kRsa = kKeyDir + "Ksigned.test.+008+11440";

inline std::string wire_name(const std::string& text) {
  auto name = dns::name_from_text(text, std::string(1, '\0'), nullptr);
  REQUIRE(name.has_value());
  return dns::lowercased(*name);
}

inline dnssec::Key load_key(const std::string& base, dnssec::Role role) {
  std::string why;
  auto key = keyfile::read_key(base, wire_name("signed.test."), role, why);
  REQUIRE_MESSAGE(key.has_value(), why);
  return *key;
}

// Stored-form records (rdlength, rdata) from a list of rdata.
inline std::vector<std::uint8_t> stored(const std::vector<std::vector<std::uint8_t>>& rdatas) {
  std::vector<std::uint8_t> out;
  for (const auto& r : rdatas) {
    out.push_back(static_cast<std::uint8_t>(r.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(r.size() & 0xff));
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

// A whole RR in wire form for ldns: owner, type, class IN, ttl, rdlength, rdata.
inline ldns_rr* to_ldns(const std::string& owner, std::uint16_t type, std::uint32_t ttl,
                        const std::uint8_t* rdata, std::size_t length) {
  std::vector<std::uint8_t> wire(owner.begin(), owner.end());
  wire.push_back(static_cast<std::uint8_t>(type >> 8));
  wire.push_back(static_cast<std::uint8_t>(type));
  wire.push_back(0);
  wire.push_back(1);
  for (int shift = 24; shift >= 0; shift -= 8)
    wire.push_back(static_cast<std::uint8_t>(ttl >> shift));
  wire.push_back(static_cast<std::uint8_t>(length >> 8));
  wire.push_back(static_cast<std::uint8_t>(length));
  wire.insert(wire.end(), rdata, rdata + length);
  ldns_rr* rr = nullptr;
  std::size_t pos = 0;
  REQUIRE(ldns_wire2rr(&rr, wire.data(), wire.size(), &pos, LDNS_SECTION_ANSWER) == LDNS_STATUS_OK);
  return rr;
}

// Verifies one RRSIG rdata over the RRset with ldns, at the current time. Returns ldns's
// status (LDNS_STATUS_OK when the signature is good).
inline ldns_status verify(const dnssec::Key& key, const dnssec::RRsetView& rrset,
                          const std::uint8_t* rrsig, std::size_t rrsig_length) {
  const std::string owner(rrset.owner);
  ldns_rr_list* set = ldns_rr_list_new();
  std::size_t at = 0;
  for (std::uint16_t i = 0; i < rrset.count; ++i) {
    const std::size_t length = (std::size_t{rrset.records[at]} << 8) | rrset.records[at + 1];
    ldns_rr_list_push_rr(
        set, to_ldns(owner, rrset.type, rrset.ttl, rrset.records.data() + at + 2, length));
    at += 2 + length;
  }
  ldns_rr* sig = to_ldns(owner, 46, rrset.ttl, rrsig, rrsig_length);
  ldns_rr* dnskey = to_ldns(wire_name("signed.test."), 48, 3600, key.dnskey_rdata.data(),
                            key.dnskey_rdata.size());
  ldns_rr_list* keys = ldns_rr_list_new();
  ldns_rr_list_push_rr(keys, dnskey);
  const ldns_status status = ldns_verify_rrsig_keylist(set, sig, keys, nullptr);
  ldns_rr_list_deep_free(set);
  ldns_rr_list_deep_free(keys);
  ldns_rr_free(sig);
  return status;
}

}  // namespace gslbd::test
