// SPDX-License-Identifier: Apache-2.0
// Answers from a signed zone to DO=1 queries, every signature verified by ldns against the
// zone's own DNSKEY set: static data (signed at load), compact denial (RFC 9824), wildcard
// answers under the expanded name, services, referrals with DS or its proof of absence.
#include <doctest/doctest.h>

#include <algorithm>

#include "signed_zone.hpp"

namespace {

using test::ask;
using test::dnssec_ok;
using test::make_query;

ldns_rr_list* dnskeys(const gslbd::runtime::Snapshot& snapshot) {
  const auto answer = ask(snapshot, make_query("signed.test.", 48, dnssec_ok()));
  REQUIRE(answer->pkt);
  return ldns_pkt_rr_list_by_type(answer->pkt, LDNS_RR_TYPE_DNSKEY, LDNS_SECTION_ANSWER);
}

// Verifies every RRSIG of the section over the records it covers; returns how many.
int verified(const test::Answer& answer, ldns_pkt_section which, ldns_rr_list* keys) {
  ldns_rr_list* section = which == LDNS_SECTION_ANSWER       ? ldns_pkt_answer(answer.pkt)
                          : which == LDNS_SECTION_ADDITIONAL ? ldns_pkt_additional(answer.pkt)
                                                             : ldns_pkt_authority(answer.pkt);
  int count = 0;
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(section); ++i) {
    ldns_rr* sig = ldns_rr_list_rr(section, i);
    if (ldns_rr_get_type(sig) != LDNS_RR_TYPE_RRSIG) continue;
    const auto covered =
        static_cast<ldns_rr_type>(ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sig)));
    ldns_rr_list* set = ldns_rr_list_new();
    for (std::size_t j = 0; j < ldns_rr_list_rr_count(section); ++j) {
      ldns_rr* rr = ldns_rr_list_rr(section, j);
      if (ldns_rr_get_type(rr) == covered &&
          ldns_dname_compare(ldns_rr_owner(rr), ldns_rr_owner(sig)) == 0) {
        ldns_rr_list_push_rr(set, ldns_rr_clone(rr));
      }
    }
    const ldns_status status = ldns_verify_rrsig_keylist(set, sig, keys, nullptr);
    CHECK_MESSAGE(status == LDNS_STATUS_OK, "RRSIG over " << ldns_rr_type2str(covered) << ": "
                                                          << ldns_get_errorstr_by_id(status));
    ldns_rr_list_deep_free(set);
    ++count;
  }
  return count;
}

std::vector<std::string> types_in(const test::Answer& answer, ldns_pkt_section which) {
  ldns_rr_list* section = which == LDNS_SECTION_ANSWER       ? ldns_pkt_answer(answer.pkt)
                          : which == LDNS_SECTION_ADDITIONAL ? ldns_pkt_additional(answer.pkt)
                                                             : ldns_pkt_authority(answer.pkt);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(section); ++i) {
    char* text = ldns_rr_type2str(ldns_rr_get_type(ldns_rr_list_rr(section, i)));
    out.emplace_back(text);
    free(text);
  }
  return out;
}

std::string nsec_text(const test::Answer& answer) {
  ldns_rr_list* nsec =
      ldns_pkt_rr_list_by_type(answer.pkt, LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY);
  REQUIRE(nsec);
  REQUIRE(ldns_rr_list_rr_count(nsec) == 1);
  const std::string text = test::rr_text(ldns_rr_list_rr(nsec, 0));
  ldns_rr_list_deep_free(nsec);
  return text;
}

}  // namespace

TEST_CASE("static answers carry the signatures made at load, and only for DO=1") {
  const auto s = test::signed_snapshot();
  ldns_rr_list* keys = dnskeys(*s.snapshot);
  REQUIRE(keys);
  CHECK(ldns_rr_list_rr_count(keys) == 2);
  for (const auto& question :
       std::vector<std::pair<std::string, std::uint16_t>>{{"www.signed.test.", 1},
                                                          {"WWW.Signed.TEST.", 1},
                                                          {"mail.signed.test.", 15},
                                                          {"signed.test.", 48},
                                                          {"signed.test.", 6},
                                                          {"signed.test.", 59},
                                                          {"signed.test.", 60},
                                                          {"signed.test.", 2}}) {
    const std::string& name = question.first;
    const std::uint16_t type = question.second;
    INFO(name << " " << type);
    const auto answer = ask(*s.snapshot, make_query(name, type, dnssec_ok()));
    CHECK(ldns_pkt_get_rcode(answer->pkt) == LDNS_RCODE_NOERROR);
    CHECK(verified(*answer, LDNS_SECTION_ANSWER, keys) == 1);
    CHECK_FALSE(ldns_pkt_ad(answer->pkt));  // an authoritative server does not set AD
  }
  test::QueryOptions plain;
  plain.edns = true;
  const auto unsigned_answer = ask(*s.snapshot, make_query("www.signed.test.", 1, plain));
  CHECK(types_in(*unsigned_answer, LDNS_SECTION_ANSWER) == std::vector<std::string>{"A", "A"});
  ldns_rr_list_deep_free(keys);
}

TEST_CASE("compact denial: NOERROR with an NSEC at the name (NXNAME), NXDOMAIN for CO=1") {
  const auto s = test::signed_snapshot();
  ldns_rr_list* keys = dnskeys(*s.snapshot);
  auto answer = ask(*s.snapshot, make_query("nope.signed.test.", 1, dnssec_ok()));
  CHECK(ldns_pkt_get_rcode(answer->pkt) == LDNS_RCODE_NOERROR);
  CHECK(types_in(*answer, LDNS_SECTION_AUTHORITY) ==
        std::vector<std::string>{"SOA", "RRSIG", "NSEC", "RRSIG"});
  CHECK(verified(*answer, LDNS_SECTION_AUTHORITY, keys) == 2);
  CHECK(nsec_text(*answer).find("nope.signed.test.\t300\tIN\tNSEC\t\\000.nope.signed.test. "
                                "RRSIG NSEC TYPE128") != std::string::npos);

  answer = ask(*s.snapshot, make_query("nope.signed.test.", 1, dnssec_ok(0x4000)));
  CHECK(ldns_pkt_get_rcode(answer->pkt) == LDNS_RCODE_NXDOMAIN);
  CHECK(verified(*answer, LDNS_SECTION_AUTHORITY, keys) == 2);

  // Without DO the zone answers as an unsigned one would.
  test::QueryOptions plain;
  plain.edns = true;
  answer = ask(*s.snapshot, make_query("nope.signed.test.", 1, plain));
  CHECK(ldns_pkt_get_rcode(answer->pkt) == LDNS_RCODE_NXDOMAIN);
  CHECK(types_in(*answer, LDNS_SECTION_AUTHORITY) == std::vector<std::string>{"SOA"});

  // NODATA: the name's NSEC lists its types; an empty non-terminal lists none.
  answer = ask(*s.snapshot, make_query("www.signed.test.", 28, dnssec_ok()));
  CHECK(verified(*answer, LDNS_SECTION_AUTHORITY, keys) == 2);
  CHECK(nsec_text(*answer).find("\\000.www.signed.test. A RRSIG NSEC") != std::string::npos);
  answer = ask(*s.snapshot, make_query("ent.signed.test.", 1, dnssec_ok()));
  CHECK(nsec_text(*answer).find("\\000.ent.signed.test. RRSIG NSEC") != std::string::npos);
  // The apex lists its key sets too.
  answer = ask(*s.snapshot, make_query("signed.test.", 16, dnssec_ok()));
  CHECK(nsec_text(*answer).find("NS SOA RRSIG NSEC DNSKEY CDS CDNSKEY") != std::string::npos);
  // An explicit NXNAME question is FORMERR (RFC 9824 section 3.5).
  answer = ask(*s.snapshot, make_query("www.signed.test.", 128, dnssec_ok()));
  CHECK(ldns_pkt_get_rcode(answer->pkt) == LDNS_RCODE_FORMERR);
  ldns_rr_list_deep_free(keys);
}

TEST_CASE("wildcard answers are signed as the expanded name") {
  const auto s = test::signed_snapshot();
  ldns_rr_list* keys = dnskeys(*s.snapshot);
  const auto answer = ask(*s.snapshot, make_query("x.Wild.signed.test.", 1, dnssec_ok()));
  CHECK(verified(*answer, LDNS_SECTION_ANSWER, keys) == 1);
  ldns_rr_list* sigs =
      ldns_pkt_rr_list_by_type(answer->pkt, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER);
  REQUIRE(sigs);
  CHECK(ldns_rdf2native_int8(ldns_rr_rrsig_labels(ldns_rr_list_rr(sigs, 0))) == 4);
  ldns_rr_list_deep_free(sigs);
  ldns_rr_list_deep_free(keys);
}

TEST_CASE(
    "service answers are signed for each set the policy chooses, before and after a "
    "health change") {
  auto s = test::signed_snapshot();
  ldns_rr_list* keys = dnskeys(*s.snapshot);
  for (int i = 0; i < 10; ++i) {
    const auto answer = ask(*s.snapshot, make_query("app.signed.test.", 1, dnssec_ok()));
    CHECK(verified(*answer, LDNS_SECTION_ANSWER, keys) == 1);
  }
  gslbd::health::Health down;
  down.known = true;
  down.up = false;
  s.health->write(0, down);
  const auto answer = ask(*s.snapshot, make_query("app.signed.test.", 1, dnssec_ok()));
  CHECK(types_in(*answer, LDNS_SECTION_ANSWER) == std::vector<std::string>{"A", "RRSIG"});
  CHECK(verified(*answer, LDNS_SECTION_ANSWER, keys) == 1);
  const auto sticky = ask(*s.snapshot, make_query("sticky.signed.test.", 1, dnssec_ok()));
  CHECK(verified(*sticky, LDNS_SECTION_ANSWER, keys) == 1);
  // NODATA for a type the service has no answer for: the NSEC leaves that type out.
  const auto mx = ask(*s.snapshot, make_query("app.signed.test.", 15, dnssec_ok()));
  CHECK(nsec_text(*mx).find("A AAAA RRSIG NSEC") != std::string::npos);
  ldns_rr_list_deep_free(keys);
}

TEST_CASE("referrals carry the signed DS, or the NSEC proving there is none") {
  const auto s = test::signed_snapshot();
  ldns_rr_list* keys = dnskeys(*s.snapshot);
  auto answer = ask(*s.snapshot, make_query("www.secure.signed.test.", 1, dnssec_ok()));
  CHECK(types_in(*answer, LDNS_SECTION_AUTHORITY) == std::vector<std::string>{"NS", "DS", "RRSIG"});
  CHECK(verified(*answer, LDNS_SECTION_AUTHORITY, keys) == 1);
  answer = ask(*s.snapshot, make_query("www.insecure.signed.test.", 1, dnssec_ok()));
  CHECK(types_in(*answer, LDNS_SECTION_AUTHORITY) ==
        std::vector<std::string>{"NS", "NSEC", "RRSIG"});
  CHECK(verified(*answer, LDNS_SECTION_AUTHORITY, keys) == 1);
  CHECK(nsec_text(*answer).find("\\000.insecure.signed.test. NS RRSIG NSEC") != std::string::npos);
  // DS questions at the cut are the parent's: signed DS, or NODATA with the cut's NSEC.
  answer = ask(*s.snapshot, make_query("secure.signed.test.", 43, dnssec_ok()));
  CHECK(verified(*answer, LDNS_SECTION_ANSWER, keys) == 1);
  answer = ask(*s.snapshot, make_query("insecure.signed.test.", 43, dnssec_ok()));
  CHECK(ldns_pkt_get_rcode(answer->pkt) == LDNS_RCODE_NOERROR);
  CHECK(nsec_text(*answer).find("NS RRSIG NSEC") != std::string::npos);
  ldns_rr_list_deep_free(keys);
}

TEST_CASE("a signed answer too large for the client's UDP size is truncated, whole over TCP") {
  const auto s = test::signed_snapshot();
  auto o = dnssec_ok();
  o.udp_size = 512;
  const auto udp = ask(*s.snapshot, make_query("signed.test.", 48, o));
  const auto tcp =
      ask(*s.snapshot, make_query("signed.test.", 48, o), gslbd::query::Transport::tcp);
  CHECK(tcp->wire.size() > 0);
  if (tcp->wire.size() > 512) {
    CHECK(ldns_pkt_tc(udp->pkt));
  }
  CHECK_FALSE(ldns_pkt_tc(tcp->pkt));
  CHECK(types_in(*tcp, LDNS_SECTION_ANSWER) ==
        std::vector<std::string>{"DNSKEY", "DNSKEY", "RRSIG"});
}

TEST_CASE("in-zone additional data carries its signatures, glue does not (RFC 4035 3.1.1)") {
  const auto s = test::signed_snapshot();
  ldns_rr_list* keys = dnskeys(*s.snapshot);
  auto answer = ask(*s.snapshot, make_query("signed.test.", 2, dnssec_ok()));
  CHECK(types_in(*answer, LDNS_SECTION_ADDITIONAL) == std::vector<std::string>{"A", "RRSIG"});
  CHECK(verified(*answer, LDNS_SECTION_ADDITIONAL, keys) == 1);
  // Without DO=1, no signatures anywhere.
  test::QueryOptions plain;
  plain.edns = true;
  answer = ask(*s.snapshot, make_query("signed.test.", 2, plain));
  CHECK(types_in(*answer, LDNS_SECTION_ADDITIONAL) == std::vector<std::string>{"A"});
  // A referral's glue is the child's data: never signed.
  answer = ask(*s.snapshot, make_query("www.secure.signed.test.", 1, dnssec_ok()));
  CHECK(types_in(*answer, LDNS_SECTION_ADDITIONAL) == std::vector<std::string>{"A"});
  ldns_rr_list_deep_free(keys);
}

TEST_CASE("additional signatures that do not fit are left out without TC, the RRset may stay") {
  const auto s = test::signed_snapshot();
  ldns_rr_list* keys = dnskeys(*s.snapshot);
  auto o = dnssec_ok();
  const auto tcp =
      ask(*s.snapshot, make_query("mx4.signed.test.", 15, o), gslbd::query::Transport::tcp);
  CHECK(types_in(*tcp, LDNS_SECTION_ADDITIONAL) ==
        std::vector<std::string>{"A", "RRSIG", "A", "RRSIG", "A", "RRSIG", "A", "RRSIG"});
  CHECK(verified(*tcp, LDNS_SECTION_ADDITIONAL, keys) == 4);
  REQUIRE(tcp->wire.size() > 512);
  o.udp_size = 512;
  const auto udp = ask(*s.snapshot, make_query("mx4.signed.test.", 15, o));
  CHECK_FALSE(ldns_pkt_tc(udp->pkt));
  CHECK(verified(*udp, LDNS_SECTION_ANSWER, keys) == 1);
  const auto additional = types_in(*udp, LDNS_SECTION_ADDITIONAL);
  INFO(udp->wire.size());
  // Whole pairs, then the address whose signature did not fit (kept, RFC 4035 section 3.1.1),
  // then nothing.
  const auto sigs = std::count(additional.begin(), additional.end(), "RRSIG");
  const auto addresses = std::count(additional.begin(), additional.end(), "A");
  CHECK(sigs >= 1);
  CHECK(sigs < 4);
  CHECK(addresses == sigs + 1);
  CHECK(verified(*udp, LDNS_SECTION_ADDITIONAL, keys) == sigs);
  ldns_rr_list_deep_free(keys);
}

TEST_CASE("the signature cache is sized from the signed zones' services at each reload") {
  CHECK(gslbd::query::signature_cache_slots(*test::service_snapshot().snapshot->config) == 0);
  auto s = test::signed_snapshot();
  CHECK(gslbd::query::signature_cache_slots(*s.snapshot->config) ==
        gslbd::query::kMinSignatureSlots);

  // Pool app with 64 IPv4 members answering two at a time: 2016 sets, four slots each.
  const auto with_members = [&](std::size_t members, std::uint32_t max_records,
                                std::uint64_t generation) {
    auto pools = std::make_shared<gslbd::pool::PoolSet>(*s.snapshot->config->pools);
    auto& app = *std::find_if(pools->pools.begin(), pools->pools.end(),
                              [](const gslbd::pool::Pool& p) { return p.name == "app"; });
    const gslbd::pool::Member first = app.members.front();
    app.members.assign(members, first);
    app.max_records = max_records;
    auto config = std::make_shared<gslbd::runtime::Config>(*s.snapshot->config);
    config->pools = pools;
    return std::make_shared<gslbd::runtime::Snapshot>(gslbd::runtime::Snapshot{config, generation});
  };
  const auto big = with_members(64, 2, 12);
  const std::size_t slots = gslbd::query::signature_cache_slots(*big->config);
  CHECK(slots >= 2016 * 4);
  CHECK(slots < 2 * 2016 * 4 + 2 * gslbd::query::kMinSignatureSlots);
  CHECK((slots & (slots - 1)) == 0);
  // 300 members, four at a time: more sets than any cache holds; the ceiling bounds the memory.
  CHECK(gslbd::query::signature_cache_slots(*with_members(300, 4, 13)->config) ==
        gslbd::query::kMaxSignatureSlots);

  // A worker's cache follows the size, and its counts carry over the new table.
  gslbd::query::PolicyState state(5);
  gslbd::query::QueryContext context;
  context.source = *gslbd::util::parse_address("198.51.100.7");
  context.policy_state = &state;
  std::vector<std::uint8_t> out(65535);
  state.prepare(*s.snapshot);
  REQUIRE(state.signature_cache() != nullptr);
  CHECK(state.signature_cache()->slots() == gslbd::query::kMinSignatureSlots);
  const auto q = make_query("app.signed.test.", 1, dnssec_ok());
  for (int i = 0; i < 3; ++i)
    gslbd::query::answer_query(*s.snapshot, q.data(), q.size(), context, out.data(), out.size());
  const auto before = state.signature_counters();
  CHECK(before.misses >= 1);
  CHECK(before.hits + before.misses == 3);
  state.prepare(*big);
  CHECK(state.signature_cache()->slots() == slots);
  CHECK(state.signature_counters().hits == before.hits);
  CHECK(state.signature_counters().misses == before.misses);
  // Back to the unsigned config: the table is given back, the counts stay.
  state.prepare(gslbd::runtime::Snapshot{test::service_snapshot().snapshot->config, 14});
  CHECK(state.signature_cache() == nullptr);
  CHECK(state.signature_counters().misses == before.misses);
}
