// SPDX-License-Identifier: Apache-2.0
// DNAME answers (RFC 6672 section 3.2: the DNAME, the synthesised CNAME with the DNAME's TTL,
// then what the new name holds; YXDOMAIN when the substitution is too long) and referral glue
// (RFC 9471: every in-domain glue record, or TC=1), decoded with ldns.
#include <doctest/doctest.h>

#include "test_zone.hpp"

namespace {

using gslbd::query::Transport;
using test::ask;
using test::bytes;
using test::make_query;
using test::section;
using test::wire;

// r.test: old DNAME new.r.test. (TTL 600), www.new A, alias CNAME www.old, long DNAME with a
// 200-octet target; wide delegated to 13 in-domain name servers with A and AAAA glue.
std::shared_ptr<const gslbd::runtime::Snapshot> dname_snapshot() {
  const std::string apex = wire("r.test.");
  gslbd::zone::ZoneBuilder builder(apex);
  auto add = [&](const std::string& name, std::uint16_t type, std::uint32_t ttl,
                 const std::vector<std::uint8_t>& rdata) {
    const std::string error = builder.add_record(wire(name, apex), type, ttl, rdata);
    if (!error.empty()) throw std::runtime_error(error);
  };
  builder.set_soa(3600, test::soa_rdata("r.test", 1, 300));
  builder.add_apex_ns(3600, bytes(wire("ns1.r.test.")));
  add("ns1", 1, 3600, test::a_rdata(192, 0, 2, 53));
  add("old", 39, 600, bytes(wire("new.r.test.")));
  add("www.new", 1, 300, test::a_rdata(192, 0, 2, 10));
  add("alias", 5, 120, bytes(wire("www.old.r.test.")));
  std::string target;
  for (int i = 0; i < 4; ++i) target += std::string(48, char('a' + i)) + ".";
  add("long", 39, 600, bytes(wire(target + "r.test.")));
  for (int i = 1; i <= 13; ++i) {
    const std::string ns = "ns" + std::to_string(i) + ".wide";
    add("wide", 2, 3600, bytes(wire(ns + ".r.test.")));
    add(ns, 1, 3600, test::a_rdata(192, 0, 2, static_cast<std::uint8_t>(i)));
    std::vector<std::uint8_t> v6{0x20, 0x01, 0x0d, 0xb8};
    v6.resize(15, 0);
    v6.push_back(static_cast<std::uint8_t>(i));
    add(ns, 28, 3600, v6);
  }
  std::vector<std::string> errors;
  auto zone = builder.build(errors);
  if (!zone) throw std::runtime_error("zone does not build: " + errors.front());
  auto config = std::make_shared<gslbd::runtime::Config>();
  config->server.identity = "test";
  std::vector<std::unique_ptr<gslbd::zone::Zone>> zones;
  zones.push_back(std::move(zone));
  config->zones = std::make_shared<gslbd::zone::ZoneSet>(std::move(zones));
  config->pools = std::make_shared<gslbd::pool::PoolSet>();
  return std::make_shared<gslbd::runtime::Snapshot>(gslbd::runtime::Snapshot{config, 1});
}

const gslbd::runtime::Snapshot& snapshot() {
  static const auto s = dname_snapshot();
  return *s;
}

}  // namespace

TEST_CASE("DNAME: the DNAME, the synthesised CNAME with its TTL, then the A") {
  for (auto transport : {Transport::udp, Transport::tcp}) {
    auto a = ask(snapshot(), make_query("www.old.r.test.", LDNS_RR_TYPE_A), transport);
    CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_NOERROR);
    CHECK(ldns_pkt_aa(a->pkt));
    CHECK(section(ldns_pkt_answer(a->pkt)) ==
          std::vector<std::string>{"old.r.test.\t600\tIN\tDNAME\tnew.r.test.",
                                   "www.old.r.test.\t600\tIN\tCNAME\twww.new.r.test.",
                                   "www.new.r.test.\t300\tIN\tA\t192.0.2.10"});
  }
}

TEST_CASE("DNAME: a CNAME into the DNAME's domain is followed through it") {
  auto a = ask(snapshot(), make_query("alias.r.test.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_NOERROR);
  CHECK(section(ldns_pkt_answer(a->pkt)) ==
        std::vector<std::string>{"alias.r.test.\t120\tIN\tCNAME\twww.old.r.test.",
                                 "old.r.test.\t600\tIN\tDNAME\tnew.r.test.",
                                 "www.old.r.test.\t600\tIN\tCNAME\twww.new.r.test.",
                                 "www.new.r.test.\t300\tIN\tA\t192.0.2.10"});
}

TEST_CASE("DNAME: a missing new name is NXDOMAIN after the DNAME and the CNAME") {
  auto a = ask(snapshot(), make_query("nope.old.r.test.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_NXDOMAIN);
  CHECK(ldns_pkt_ancount(a->pkt) == 2);
  CHECK(ldns_pkt_nscount(a->pkt) == 1);
}

TEST_CASE("DNAME: the owner itself is not rewritten") {
  auto dname = ask(snapshot(), make_query("old.r.test.", LDNS_RR_TYPE_DNAME));
  CHECK(section(ldns_pkt_answer(dname->pkt)) ==
        std::vector<std::string>{"old.r.test.\t600\tIN\tDNAME\tnew.r.test."});
  auto a = ask(snapshot(), make_query("old.r.test.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_NOERROR);
  CHECK(ldns_pkt_ancount(a->pkt) == 0);
}

TEST_CASE("DNAME: a substitution longer than 255 octets is YXDOMAIN with the DNAME") {
  const std::string prefix = std::string(40, 'p') + "." + std::string(20, 'q') + ".";
  auto a = ask(snapshot(), make_query(prefix + "long.r.test.", LDNS_RR_TYPE_A));
  CHECK(ldns_pkt_get_rcode(a->pkt) == LDNS_RCODE_YXDOMAIN);
  CHECK(ldns_pkt_aa(a->pkt));
  REQUIRE(ldns_pkt_ancount(a->pkt) == 1);
  CHECK(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(a->pkt), 0)) == LDNS_RR_TYPE_DNAME);
}

TEST_CASE("referral: in-domain glue that does not fit sets TC, with room it is all there") {
  auto plain = ask(snapshot(), make_query("host.wide.r.test.", LDNS_RR_TYPE_A));
  CHECK(plain->wire.size() <= 512);
  CHECK(ldns_pkt_nscount(plain->pkt) == 13);
  CHECK(ldns_pkt_arcount(plain->pkt) < 26);
  CHECK(ldns_pkt_tc(plain->pkt));
  test::QueryOptions edns;
  edns.edns = true;
  auto large = ask(snapshot(), make_query("host.wide.r.test.", LDNS_RR_TYPE_A, edns));
  CHECK_FALSE(ldns_pkt_tc(large->pkt));
  CHECK(ldns_pkt_nscount(large->pkt) == 13);
  CHECK(ldns_pkt_arcount(large->pkt) == 26);  // ldns keeps the OPT record apart
}
