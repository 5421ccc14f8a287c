// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "test_zone.hpp"

using gslbd::query::Transport;
using test::ask;
using test::make_query;
using test::section;

namespace {

const auto& snapshot() {
  static const auto s = test::example_snapshot();
  return *s;
}

}  // namespace

TEST_CASE("positive answer: AA, RD copied, RA clear, ID echoed, RRset in answer") {
  auto a = ask(snapshot(), make_query("www.example.test.", LDNS_RR_TYPE_A));
  REQUIRE(a->pkt);
  CHECK(ldns_pkt_id(a->pkt) == 0x1234);
  CHECK(ldns_pkt_qr(a->pkt));
  CHECK(ldns_pkt_aa(a->pkt));
  CHECK(ldns_pkt_rd(a->pkt));
  CHECK_FALSE(ldns_pkt_ra(a->pkt));
  CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_NOERROR);
  CHECK(section(ldns_pkt_answer(a->pkt)) ==
        std::vector<std::string>{"www.example.test.\t60\tIN\tA\t192.0.2.1",
                                 "www.example.test.\t60\tIN\tA\t192.0.2.2"});
  CHECK(ldns_pkt_nscount(a->pkt) == 0);
}

TEST_CASE("question echoed with the client's case, matching ignores case") {
  auto a = ask(snapshot(), make_query("WwW.ExAmPlE.TeSt.", LDNS_RR_TYPE_A));
  REQUIRE(a->pkt);
  // The question is copied byte for byte and answers point at it.
  CHECK(std::string(a->wire.begin() + 12, a->wire.begin() + 30) == test::wire("WwW.ExAmPlE.TeSt."));
  CHECK(ldns_pkt_ancount(a->pkt) == 2);
  CHECK(a->wire[30 + 4] == 0xC0);  // first answer owner is a pointer...
  CHECK(a->wire[30 + 5] == 12);    // ...to the question name
}

TEST_CASE("NXDOMAIN and NODATA carry the SOA with TTL min(SOA TTL, minimum)") {
  auto nx = ask(snapshot(), make_query("nope.example.test.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_get_rcode(nx->pkt) == LDNS_RCODE_NXDOMAIN);
  CHECK(ldns_pkt_aa(nx->pkt));
  REQUIRE(ldns_pkt_nscount(nx->pkt) == 1);
  const ldns_rr* soa = ldns_rr_list_rr(ldns_pkt_authority(nx->pkt), 0);
  CHECK(ldns_rr_get_type(soa) == LDNS_RR_TYPE_SOA);
  CHECK(ldns_rr_ttl(soa) == 300);

  auto nodata = ask(snapshot(), make_query("www.example.test.", LDNS_RR_TYPE_AAAA));
  CHECK(ldns_pkt_get_rcode(nodata->pkt) == LDNS_RCODE_NOERROR);
  CHECK(ldns_pkt_ancount(nodata->pkt) == 0);
  CHECK(ldns_pkt_nscount(nodata->pkt) == 1);
}

TEST_CASE("empty non-terminal is NODATA, not NXDOMAIN") {
  for (const char* name : {"a.b.example.test.", "b.example.test."}) {
    auto a = ask(snapshot(), make_query(name, LDNS_RR_TYPE_A));
    CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_NOERROR);
    CHECK(ldns_pkt_ancount(a->pkt) == 0);
    CHECK(ldns_pkt_nscount(a->pkt) == 1);
  }
}

TEST_CASE("CNAME chased within the zone, stopped outside it, looped once") {
  auto a = ask(snapshot(), make_query("alias.example.test.", LDNS_RR_TYPE_A));
  CHECK(section(ldns_pkt_answer(a->pkt)) ==
        std::vector<std::string>{"alias.example.test.\t120\tIN\tCNAME\twww.example.test.",
                                 "www.example.test.\t60\tIN\tA\t192.0.2.1",
                                 "www.example.test.\t60\tIN\tA\t192.0.2.2"});
  auto out = ask(snapshot(), make_query("outside.example.test.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_ancount(out->pkt) == 1);
  CHECK(ldns_pkt_get_rcode(out->pkt) == LDNS_RCODE_NOERROR);
  auto loop = ask(snapshot(), make_query("loop.example.test.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_ancount(loop->pkt) == 1);
  auto dangling = ask(snapshot(), make_query("dangling.example.test.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_get_rcode(dangling->pkt) == LDNS_RCODE_NXDOMAIN);
  CHECK(ldns_pkt_ancount(dangling->pkt) == 1);
  CHECK(ldns_pkt_nscount(dangling->pkt) == 1);
  auto itself = ask(snapshot(), make_query("alias.example.test.", LDNS_RR_TYPE_CNAME));
  CHECK(ldns_pkt_ancount(itself->pkt) == 1);
}

TEST_CASE("wildcards per RFC 4592") {
  auto a = ask(snapshot(), make_query("x.y.wild.example.test.", LDNS_RR_TYPE_TXT));
  CHECK(section(ldns_pkt_answer(a->pkt)) ==
        std::vector<std::string>{"x.y.wild.example.test.\t30\tIN\tTXT\t\"wildcard\""});
  auto existing = ask(snapshot(), make_query("host.wild.example.test.", LDNS_RR_TYPE_TXT));
  CHECK(ldns_pkt_ancount(existing->pkt) == 0);
  CHECK(ldns_pkt_get_rcode(existing->pkt) == LDNS_RCODE_NOERROR);
  auto parent = ask(snapshot(), make_query("wild.example.test.", LDNS_RR_TYPE_TXT));
  CHECK(ldns_pkt_ancount(parent->pkt) == 0);
  auto no_type = ask(snapshot(), make_query("z.wild.example.test.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_get_rcode(no_type->pkt) == LDNS_RCODE_NOERROR);
  CHECK(ldns_pkt_ancount(no_type->pkt) == 0);
}

TEST_CASE("delegation: referral without AA, NS in authority, glue in additional") {
  for (const char* name : {"sub.example.test.", "www.sub.example.test.", "ns.sub.example.test."}) {
    auto a = ask(snapshot(), make_query(name, LDNS_RR_TYPE_A));
    CAPTURE(name);
    CHECK_FALSE(ldns_pkt_aa(a->pkt));
    CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_NOERROR);
    CHECK(ldns_pkt_ancount(a->pkt) == 0);
    CHECK(section(ldns_pkt_authority(a->pkt)) ==
          std::vector<std::string>{"sub.example.test.\t86400\tIN\tNS\tns.sub.example.test."});
    CHECK(section(ldns_pkt_additional(a->pkt)) ==
          std::vector<std::string>{"ns.sub.example.test.\t86400\tIN\tA\t192.0.2.99"});
  }
  auto ds = ask(snapshot(), make_query("sub.example.test.", LDNS_RR_TYPE_DS));
  CHECK(ldns_pkt_aa(ds->pkt));
  CHECK(ldns_pkt_ancount(ds->pkt) == 0);
  CHECK(ldns_pkt_nscount(ds->pkt) == 1);
}

TEST_CASE("additional A for in-zone NS and MX targets") {
  auto ns = ask(snapshot(), make_query("example.test.", LDNS_RR_TYPE_NS));
  CHECK(section(ldns_pkt_additional(ns->pkt)) ==
        std::vector<std::string>{"ns1.example.test.\t3600\tIN\tA\t192.0.2.53"});
  auto mx = ask(snapshot(), make_query("mail.example.test.", LDNS_RR_TYPE_MX));
  CHECK(section(ldns_pkt_additional(mx->pkt)) ==
        std::vector<std::string>{"mx1.example.test.\t300\tIN\tA\t192.0.2.25"});
}

TEST_CASE("REFUSED without AA outside our zones, AXFR refused, other classes refused") {
  auto a = ask(snapshot(), make_query("www.example.org.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_REFUSED);
  CHECK_FALSE(ldns_pkt_aa(a->pkt));
  auto axfr = ask(snapshot(), make_query("example.test.", LDNS_RR_TYPE_AXFR), Transport::tcp);
  CHECK(ldns_pkt_get_rcode(axfr->pkt) == LDNS_RCODE_REFUSED);
  test::QueryOptions hs;
  hs.qclass = 4;
  auto other = ask(snapshot(), make_query("www.example.test.", LDNS_RR_TYPE_A, hs));
  CHECK(ldns_pkt_get_rcode(other->pkt) == LDNS_RCODE_REFUSED);
}

TEST_CASE("ANY answers one RRset (RFC 8482)") {
  auto a = ask(snapshot(), make_query("example.test.", LDNS_RR_TYPE_ANY));
  CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_NOERROR);
  REQUIRE(ldns_pkt_ancount(a->pkt) >= 1);
  const ldns_rr_list* answer = ldns_pkt_answer(a->pkt);
  const ldns_rr_type first = ldns_rr_get_type(ldns_rr_list_rr(answer, 0));
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
    CHECK(ldns_rr_get_type(ldns_rr_list_rr(answer, i)) == first);
  }
}

TEST_CASE("EDNS: OPT echoed with our size, NSID, BADVERS") {
  test::QueryOptions o;
  o.edns = true;
  o.nsid = true;
  auto a = ask(snapshot(), make_query("www.example.test.", LDNS_RR_TYPE_A, o));
  REQUIRE(a->pkt);
  CHECK(ldns_pkt_edns(a->pkt));
  CHECK(ldns_pkt_edns_udp_size(a->pkt) == 1232);
  const ldns_rdf* data = ldns_pkt_edns_data(a->pkt);
  REQUIRE(data);
  const std::string options(reinterpret_cast<const char*>(ldns_rdf_data(data)),
                            ldns_rdf_size(data));
  CHECK(options == std::string("\x00\x03\x00\x0dtest-instance", 17));

  o.version = 1;
  o.nsid = false;
  auto bad = ask(snapshot(), make_query("www.example.test.", LDNS_RR_TYPE_A, o));
  CHECK(ldns_pkt_edns_extended_rcode(bad->pkt) == 1);  // BADVERS = 16 = 1 << 4 | 0
  CHECK(ldns_pkt_get_rcode(bad->pkt) == 0);
  CHECK(ldns_pkt_ancount(bad->pkt) == 0);

  auto plain = ask(snapshot(), make_query("www.example.test.", LDNS_RR_TYPE_A));
  CHECK_FALSE(ldns_pkt_edns(plain->pkt));
}

TEST_CASE("truncation: whole RRsets or none, TC set, TCP carries everything") {
  auto udp = ask(snapshot(), make_query("big.example.test.", LDNS_RR_TYPE_TXT));
  CHECK(ldns_pkt_tc(udp->pkt));
  CHECK(ldns_pkt_ancount(udp->pkt) == 0);
  CHECK(udp->wire.size() <= 512);
  test::QueryOptions o;
  o.edns = true;
  o.udp_size = 4096;
  auto edns = ask(snapshot(), make_query("big.example.test.", LDNS_RR_TYPE_TXT, o));
  CHECK(ldns_pkt_tc(edns->pkt));  // the server caps at 1232
  CHECK(edns->wire.size() <= 1232);
  CHECK(ldns_pkt_edns(edns->pkt));
  auto tcp = ask(snapshot(), make_query("big.example.test.", LDNS_RR_TYPE_TXT), Transport::tcp);
  CHECK_FALSE(ldns_pkt_tc(tcp->pkt));
  CHECK(ldns_pkt_ancount(tcp->pkt) == 10);
  auto large = test::example_snapshot(4096);
  auto fits = ask(*large, make_query("big.example.test.", LDNS_RR_TYPE_TXT, o));
  CHECK_FALSE(ldns_pkt_tc(fits->pkt));
  CHECK(ldns_pkt_ancount(fits->pkt) == 10);
}

TEST_CASE("CHAOS id.server and hostname.bind give the identity") {
  test::QueryOptions ch;
  ch.qclass = 3;
  for (const char* name : {"id.server.", "hostname.bind.", "ID.SERVER."}) {
    auto a = ask(snapshot(), make_query(name, LDNS_RR_TYPE_TXT, ch));
    CAPTURE(name);
    REQUIRE(ldns_pkt_ancount(a->pkt) == 1);
    CHECK(test::rr_text(ldns_rr_list_rr(ldns_pkt_answer(a->pkt), 0)).find("\"test-instance\"") !=
          std::string::npos);
  }
  auto other = ask(snapshot(), make_query("version.bind.", LDNS_RR_TYPE_TXT, ch));
  CHECK(ldns_pkt_get_rcode(other->pkt) == LDNS_RCODE_REFUSED);
}

TEST_CASE("malformed and unusual requests") {
  const auto good = make_query("www.example.test.", LDNS_RR_TYPE_A);
  SUBCASE("shorter than a header: silence") {
    auto a = ask(snapshot(), std::vector<std::uint8_t>(good.begin(), good.begin() + 11));
    CHECK(a->wire.empty());
  }
  SUBCASE("QR set: silence") {
    auto q = good;
    q[2] = static_cast<std::uint8_t>(q[2] | 0x80);
    CHECK(ask(snapshot(), q)->wire.empty());
  }
  SUBCASE("QDCOUNT 0 and 2: FORMERR") {
    for (int count : {0, 2}) {
      auto q = good;
      q[5] = static_cast<std::uint8_t>(count);
      auto a = ask(snapshot(), q);
      REQUIRE(a->pkt);
      CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_FORMERR);
    }
  }
  SUBCASE("question cut short: FORMERR") {
    auto a = ask(snapshot(), std::vector<std::uint8_t>(good.begin(), good.end() - 2));
    CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_FORMERR);
  }
  SUBCASE("opcode STATUS: NOTIMP") {
    test::QueryOptions o;
    o.flags = 2 << 11;
    auto a = ask(snapshot(), make_query("www.example.test.", LDNS_RR_TYPE_A, o));
    CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_NOTIMPL);
  }
  SUBCASE("two OPT records: FORMERR") {
    test::QueryOptions o;
    o.edns = true;
    auto q = make_query("www.example.test.", LDNS_RR_TYPE_A, o);
    q.insert(q.end(), {0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0});
    q[11] = 2;
    auto a = ask(snapshot(), q);
    CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_FORMERR);
  }
}

TEST_CASE("EDNS Client Subnet: echoed with scope 0 for static names, malformed ones FORMERR") {
  test::QueryOptions o;
  o.edns = true;
  // family 1, source /24, scope 0, 3 address octets
  o.options = {0, 8, 0, 7, 0, 1, 24, 0, 198, 51, 100};
  auto a = ask(snapshot(), make_query("www.example.test.", LDNS_RR_TYPE_A, o));
  const ldns_rdf* data = ldns_pkt_edns_data(a->pkt);
  REQUIRE(data);
  CHECK(std::string(reinterpret_cast<const char*>(ldns_rdf_data(data)), ldns_rdf_size(data)) ==
        std::string("\x00\x08\x00\x07\x00\x01\x18\x00\xc6\x33\x64", 11));

  // RFC 7871 section 7.1.2: an invalid option is answered FORMERR, without OPT or answers.
  const std::vector<std::vector<std::uint8_t>> invalid = {
      {0, 8, 0, 7, 0, 1, 20, 0, 198, 51, 100},     // bits set past the /20
      {0, 8, 0, 7, 0, 3, 24, 0, 198, 51, 100},     // unknown family
      {0, 8, 0, 7, 0, 1, 33, 0, 198, 51, 100},     // prefix longer than the family
      {0, 8, 0, 7, 0, 1, 24, 8, 198, 51, 100},     // a scope in a query
      {0, 8, 0, 8, 0, 1, 24, 0, 198, 51, 100, 0},  // more address octets than the prefix
      {0, 8, 0, 6, 0, 1, 24, 0, 198, 51},          // fewer
      {0, 8, 0, 3, 0, 1, 24},                      // shorter than the fixed part
  };
  for (const auto& option : invalid) {
    o.options = option;
    auto bad = ask(snapshot(), make_query("www.example.test.", LDNS_RR_TYPE_A, o));
    CHECK(ldns_pkt_get_rcode(bad->pkt) == LDNS_RCODE_FORMERR);
    CHECK(ldns_pkt_ancount(bad->pkt) == 0);
    CHECK(ldns_pkt_edns(bad->pkt) == false);
  }
}
