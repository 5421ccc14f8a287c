// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <set>

#include "test_zone.hpp"

using test::ask;
using test::make_query;
using test::section;

namespace {

std::vector<std::string> addresses(const ldns_pkt* pkt) {
  std::vector<std::string> out;
  const ldns_rr_list* answer = ldns_pkt_answer(pkt);
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
    char* text = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(answer, i), 0));
    out.emplace_back(text);
    free(text);
  }
  return out;
}

gslbd::health::Health down() {
  gslbd::health::Health h;
  h.known = true;
  return h;
}

// The scope byte of the ECS option echoed in a reply (the option is the last in OPT).
int echoed_scope(const ldns_pkt* pkt) {
  const ldns_rdf* data = ldns_pkt_edns_data(pkt);
  if (!data || ldns_rdf_size(data) < 8) return -1;
  return ldns_rdf_data(data)[7];
}

test::QueryOptions with_subnet(std::uint8_t a, std::uint8_t b, std::uint8_t c) {
  test::QueryOptions o;
  o.edns = true;
  o.options = {0, 8, 0, 7, 0, 1, 24, 0, a, b, c};
  return o;
}

}  // namespace

TEST_CASE("a service answers A from its v4 members and AAAA from its v6 members, with AA") {
  auto s = test::service_snapshot();
  auto a = ask(*s.snapshot, make_query("app.example.test.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_aa(a->pkt));
  CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_NOERROR);
  const auto v4 = addresses(a->pkt);
  CHECK(std::set<std::string>(v4.begin(), v4.end()) ==
        std::set<std::string>{"192.0.2.1", "192.0.2.2"});
  CHECK(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(a->pkt), 0)) == 30);
  auto aaaa = ask(*s.snapshot, make_query("app.example.test.", LDNS_RR_TYPE_AAAA));
  CHECK(addresses(aaaa->pkt) == std::vector<std::string>{"2001:db8::1"});
  auto mx = ask(*s.snapshot, make_query("app.example.test.", LDNS_RR_TYPE_MX));
  CHECK(ldns_pkt_ancount(mx->pkt) == 0);
  CHECK(ldns_pkt_nscount(mx->pkt) == 1);  // NODATA with SOA
}

TEST_CASE("a down member leaves the answers, which then carry the degraded TTL") {
  auto s = test::service_snapshot();
  s.health->write(0, down());
  for (int i = 0; i < 20; ++i) {
    auto a = ask(*s.snapshot, make_query("app.example.test.", LDNS_RR_TYPE_A));
    CHECK(addresses(a->pkt) == std::vector<std::string>{"192.0.2.2"});
    CHECK(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(a->pkt), 0)) == 5);
  }
}

TEST_CASE("all-down actions: serve_all answers, nodata is NODATA, servfail is SERVFAIL") {
  using gslbd::pool::AllDownAction;
  auto serve_all = test::service_snapshot(AllDownAction::serve_all);
  serve_all.health->write(0, down());
  serve_all.health->write(1, down());
  auto all = ask(*serve_all.snapshot, make_query("app.example.test.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_ancount(all->pkt) == 2);

  auto nodata = test::service_snapshot(AllDownAction::nodata);
  nodata.health->write(0, down());
  nodata.health->write(1, down());
  auto n = ask(*nodata.snapshot, make_query("app.example.test.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_get_rcode(n->pkt) == LDNS_RCODE_NOERROR);
  CHECK(ldns_pkt_ancount(n->pkt) == 0);
  CHECK(ldns_pkt_nscount(n->pkt) == 1);

  auto servfail = test::service_snapshot(AllDownAction::servfail);
  servfail.health->write(0, down());
  servfail.health->write(1, down());
  auto f = ask(*servfail.snapshot, make_query("app.example.test.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_get_rcode(f->pkt) == LDNS_RCODE_SERVFAIL);
  CHECK(ldns_pkt_ancount(f->pkt) == 0);
}

TEST_CASE("hash: the same client subnet gets the same member, the ECS scope is the prefix") {
  auto s = test::service_snapshot();
  std::set<std::string> seen;
  for (std::uint8_t c = 0; c < 40; ++c) {
    auto first = ask(*s.snapshot,
                     make_query("sticky.example.test.", LDNS_RR_TYPE_A, with_subnet(198, 51, c)));
    auto again = ask(*s.snapshot,
                     make_query("sticky.example.test.", LDNS_RR_TYPE_A, with_subnet(198, 51, c)));
    REQUIRE(ldns_pkt_ancount(first->pkt) == 1);
    CHECK(addresses(first->pkt) == addresses(again->pkt));
    CHECK(echoed_scope(first->pkt) == 24);
    seen.insert(addresses(first->pkt).front());
  }
  CHECK(seen.size() == 3);  // 40 subnets spread over all three members
}

TEST_CASE("static names and client-independent policies echo ECS with scope 0") {
  auto s = test::service_snapshot();
  auto a =
      ask(*s.snapshot, make_query("app.example.test.", LDNS_RR_TYPE_A, with_subnet(198, 51, 100)));
  CHECK(echoed_scope(a->pkt) == 0);
  auto soa =
      ask(*s.snapshot, make_query("example.test.", LDNS_RR_TYPE_SOA, with_subnet(198, 51, 100)));
  CHECK(echoed_scope(soa->pkt) == 0);
}

TEST_CASE("without ECS the source address is the client for hash") {
  auto s = test::service_snapshot();
  // test::ask's client is 198.51.100.7: the same as an ECS query for 198.51.100.0/24.
  auto by_source = ask(*s.snapshot, make_query("sticky.example.test.", LDNS_RR_TYPE_A));
  auto by_subnet = ask(
      *s.snapshot, make_query("sticky.example.test.", LDNS_RR_TYPE_A, with_subnet(198, 51, 100)));
  CHECK(addresses(by_source->pkt) == addresses(by_subnet->pkt));
  CHECK_FALSE(ldns_pkt_edns(by_source->pkt));
}
