// SPDX-License-Identifier: Apache-2.0
// Pools of host names: every type is answered with one CNAME to the member the policy picks,
// whatever max_records; a target inside the zone is followed in the same answer through the
// zone's one chain walk; in a signed zone the CNAME is signed per query and verifies.
#include <doctest/doctest.h>

#include <set>

#include "signed_zone.hpp"

namespace {

using test::ask;
using test::dnssec_ok;
using test::make_query;

gslbd::pool::Member name_member(const std::string& name, const std::string& target) {
  gslbd::pool::Member member;
  member.name = name;
  member.target = target;
  const std::string w = test::wire(target);
  member.target_record = {static_cast<std::uint8_t>(w.size() >> 8),
                          static_cast<std::uint8_t>(w.size() & 0xff)};
  member.target_record.insert(member.target_record.end(), w.begin(), w.end());
  member.address.family = gslbd::pool::kNameFamily;
  return member;
}

// signed.test with its "sticky" pool turned into a pool of host names: www.signed.test.
// (static A, signed at load) and out.example. (outside the zone), max_records 4.
test::ServiceSnapshot by_name_snapshot() {
  test::ServiceSnapshot s = test::signed_snapshot();
  auto config = std::make_shared<gslbd::runtime::Config>(*s.snapshot->config);
  auto pools = std::make_shared<gslbd::pool::PoolSet>(*config->pools);
  gslbd::pool::Pool& names = pools->pools[1];
  names.policy = gslbd::pool::PolicyKind::weighted;
  names.by_name = true;
  names.max_records = 4;
  const std::uint32_t first = names.members[0].health_slot;
  names.members = {name_member("in", "www.signed.test."), name_member("out", "out.example.")};
  names.members[0].health_slot = first;
  names.members[1].health_slot = first + 1;
  config->pools = pools;
  return {std::make_shared<gslbd::runtime::Snapshot>(gslbd::runtime::Snapshot{config, 12}),
          s.health};
}

std::vector<std::string> answer_texts(const test::Answer& answer) {
  return test::section(ldns_pkt_answer(answer.pkt));
}

}  // namespace

TEST_CASE("a pool of host names answers A, AAAA and other types with one CNAME") {
  const auto s = by_name_snapshot();
  std::set<std::string> seen;
  for (const int type : {1, 28, 16}) {
    for (int i = 0; i < 24; ++i) {
      const auto answer =
          ask(*s.snapshot, make_query("sticky.signed.test.", static_cast<std::uint16_t>(type)));
      REQUIRE(answer->pkt);
      CHECK(ldns_pkt_get_rcode(answer->pkt) == LDNS_RCODE_NOERROR);
      ldns_rr_list* cnames =
          ldns_pkt_rr_list_by_type(answer->pkt, LDNS_RR_TYPE_CNAME, LDNS_SECTION_ANSWER);
      REQUIRE(cnames);
      REQUIRE(ldns_rr_list_rr_count(cnames) == 1);
      const std::string cname = test::rr_text(ldns_rr_list_rr(cnames, 0));
      ldns_rr_list_deep_free(cnames);
      seen.insert(cname);
      const std::vector<std::string> texts = answer_texts(*answer);
      if (cname.find("www.signed.test.") != std::string::npos && type == 1) {
        // Followed inside the zone: the target's own A set in the same answer.
        CHECK(texts.size() == 3);  // the CNAME, and www's two A records
        CHECK(texts.back().find("www.signed.test.") == 0);
      } else if (cname.find("out.example.") != std::string::npos) {
        CHECK(texts.size() == 1);  // outside the zone: the resolver follows it
      }
    }
  }
  CHECK(seen.size() == 2);
}

TEST_CASE("the CNAME of a pool of host names is signed, and the in-zone target's set too") {
  const auto s = by_name_snapshot();
  const auto keys_answer = ask(*s.snapshot, make_query("signed.test.", 48, dnssec_ok()));
  ldns_rr_list* keys =
      ldns_pkt_rr_list_by_type(keys_answer->pkt, LDNS_RR_TYPE_DNSKEY, LDNS_SECTION_ANSWER);
  REQUIRE(keys);
  int in_zone = 0;
  for (int i = 0; i < 24; ++i) {
    const auto answer = ask(*s.snapshot, make_query("sticky.signed.test.", 1, dnssec_ok()));
    REQUIRE(answer->pkt);
    ldns_rr_list* all = ldns_pkt_answer(answer->pkt);
    int verified = 0;
    for (std::size_t k = 0; k < ldns_rr_list_rr_count(all); ++k) {
      ldns_rr* sig = ldns_rr_list_rr(all, k);
      if (ldns_rr_get_type(sig) != LDNS_RR_TYPE_RRSIG) continue;
      const auto covered =
          static_cast<ldns_rr_type>(ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sig)));
      ldns_rr_list* set = ldns_rr_list_new();
      for (std::size_t j = 0; j < ldns_rr_list_rr_count(all); ++j) {
        ldns_rr* rr = ldns_rr_list_rr(all, j);
        if (ldns_rr_get_type(rr) == covered &&
            ldns_dname_compare(ldns_rr_owner(rr), ldns_rr_owner(sig)) == 0) {
          ldns_rr_list_push_rr(set, ldns_rr_clone(rr));
        }
      }
      const ldns_status status = ldns_verify_rrsig_keylist(set, sig, keys, nullptr);
      CHECK_MESSAGE(status == LDNS_STATUS_OK, ldns_get_errorstr_by_id(status));
      ldns_rr_list_deep_free(set);
      ++verified;
    }
    const std::vector<std::string> texts = answer_texts(*answer);
    const bool followed = texts.front().find("www.signed.test.") != std::string::npos;
    in_zone += followed ? 1 : 0;
    // CNAME + its RRSIG, and for the in-zone target its A set + the RRSIG made at load.
    CHECK(verified == (followed ? 2 : 1));
  }
  CHECK(in_zone > 0);
  CHECK(in_zone < 24);
  ldns_rr_list_deep_free(keys);
}

TEST_CASE("a pool of host names with none serving answers as its all_down says") {
  const auto s = by_name_snapshot();
  gslbd::health::Health down;
  down.known = true;
  down.up = false;
  const auto& names = s.snapshot->config->pools->pools[1];
  for (const auto& m : names.members) s.health->write(m.health_slot, down);
  // serve_all (the default): still exactly one CNAME.
  const auto answer = ask(*s.snapshot, make_query("sticky.signed.test.", 28));
  ldns_rr_list* cnames =
      ldns_pkt_rr_list_by_type(answer->pkt, LDNS_RR_TYPE_CNAME, LDNS_SECTION_ANSWER);
  REQUIRE(cnames);
  CHECK(ldns_rr_list_rr_count(cnames) == 1);
  ldns_rr_list_deep_free(cnames);
}
