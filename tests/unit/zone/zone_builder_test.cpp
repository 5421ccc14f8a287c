// SPDX-License-Identifier: Apache-2.0
// ZoneBuilder: each refusal, whole-zone checks, ENTs, delegation links, additional targets.
#include "gslbd/zone/zone_builder.hpp"

#include <doctest/doctest.h>

#include "zone_test_support.hpp"

namespace {

// Zone views are spans; the expected values are written as vectors.
template <typename T>
std::vector<std::remove_const_t<T>> to_vector(std::span<T> items) {
  return {items.begin(), items.end()};
}

using namespace gslbd;
using test::a_rdata;
using test::aaaa_rdata;
using test::name_rdata;
using test::valid_builder;
using test::wire;
namespace type = dns::type;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::unique_ptr<zone::Zone> build_ok(zone::ZoneBuilder& builder) {
  std::vector<std::string> errors;
  auto zone = builder.build(errors);
  for (const auto& e : errors) MESSAGE(e);
  REQUIRE(errors.empty());
  REQUIRE(zone);
  return zone;
}

std::uint32_t index_of(const zone::Zone& z, const std::string& name) {
  return z.find(wire(name));
}

}  // namespace

TEST_CASE("builder: a record outside the zone is refused") {
  auto b = valid_builder("example.com.");
  CHECK(contains(b.add_record(wire("www.example.org."), type::A, 60, a_rdata(1)),
                 "name www.example.org. is outside the zone example.com."));
  // A label that merely ends in the apex text is not below it.
  CHECK(contains(b.add_record(wire("badexample.com."), type::A, 60, a_rdata(1)), "outside"));
  CHECK(b.add_record(wire("WWW.Example.COM."), type::A, 60, a_rdata(1)).empty());
}

TEST_CASE("builder: a duplicate record is refused, regardless of owner case") {
  auto b = valid_builder("example.com.");
  CHECK(b.add_record(wire("www.example.com."), type::A, 60, a_rdata(1)).empty());
  CHECK(b.add_record(wire("www.example.com."), type::A, 60, a_rdata(2)).empty());
  CHECK(b.add_record(wire("WWW.example.com."), type::A, 60, a_rdata(1)) ==
        "duplicate A record at www.example.com.");
  auto z = build_ok(b);
  CHECK(z->node(index_of(*z, "www.example.com.")).find(type::A)->count == 2);
}

TEST_CASE("builder: TTLs within an RRset must agree") {
  auto b = valid_builder("example.com.");
  CHECK(b.add_record(wire("www.example.com."), type::A, 60, a_rdata(1)).empty());
  CHECK(contains(b.add_record(wire("www.example.com."), type::A, 120, a_rdata(2)),
                 "TTL 120 differs from TTL 60 of the other A records at www.example.com."));
  // Another type at the same name may have its own TTL.
  CHECK(b.add_record(wire("www.example.com."), type::AAAA, 120, aaaa_rdata(1)).empty());
}

TEST_CASE("builder: CNAME rules (RFC 1034 section 3.6.2)") {
  auto b = valid_builder("example.com.");
  CHECK(b.add_record(wire("a.example.com."), type::A, 60, a_rdata(1)).empty());
  CHECK(contains(b.add_record(wire("a.example.com."), type::CNAME, 60, name_rdata("x.")),
                 "CNAME at a.example.com. beside other data"));
  CHECK(b.add_record(wire("c.example.com."), type::CNAME, 60, name_rdata("x.")).empty());
  CHECK(contains(b.add_record(wire("c.example.com."), type::TXT, 60, test::bytes({1, 'x'})),
                 "TXT at c.example.com. beside a CNAME"));
  CHECK(b.add_record(wire("c.example.com."), type::CNAME, 60, name_rdata("y.")) ==
        "a second CNAME at c.example.com.");
}

TEST_CASE("builder: SOA, apex NS and meta types through add_record are refused") {
  auto b = valid_builder("example.com.");
  CHECK(contains(
      b.add_record(wire("example.com."), type::SOA, 60, test::soa_rdata("example.com.", 1, 1)),
      "SOA records come from the zone's soa: section only"));
  CHECK(contains(b.add_record(wire("example.com."), type::NS, 60, name_rdata("ns9.example.com.")),
                 "NS records at the apex come from the zone's ns: list only"));
  for (std::uint16_t meta :
       {std::uint16_t{0}, type::OPT, std::uint16_t{128}, type::AXFR, type::ANY}) {
    CHECK_MESSAGE(contains(b.add_record(wire("m.example.com."), meta, 60, {}), "meta type"), meta);
  }
  CHECK(b.add_record(wire("m.example.com."), 127, 60, {}).empty());  // not meta
}

TEST_CASE("builder: a second SOA is refused") {
  auto b = valid_builder("example.com.");
  CHECK(b.has_soa());
  CHECK(b.set_soa(3600, test::soa_rdata("example.com.", 8, 300)) ==
        "the zone has a second SOA record");
}

TEST_CASE("builder: rdata longer than 65535 octets is refused") {
  auto b = valid_builder("example.com.");
  const std::vector<std::uint8_t> huge(65536, 'x');
  CHECK(b.add_record(wire("big.example.com."), 65000, 60, huge) ==
        "record data longer than 65535 octets");
}

TEST_CASE("builder: services and records do not share a name") {
  auto b = valid_builder("example.com.");
  CHECK(b.add_service(wire("app.example.com."), "pool", 30).empty());
  CHECK(contains(b.add_record(wire("app.example.com."), type::A, 60, a_rdata(1)),
                 "name app.example.com. is a service and cannot also carry records"));
  CHECK(b.add_service(wire("APP.example.com."), "pool", 30) ==
        "service app.example.com. is defined twice");
  CHECK(b.add_record(wire("www.example.com."), type::A, 60, a_rdata(1)).empty());
  CHECK(contains(b.add_service(wire("www.example.com."), "pool", 30), "also has records"));
  CHECK(contains(b.add_service(wire("app.example.org."), "pool", 30), "outside the zone"));
  auto z = build_ok(b);
  REQUIRE(z->services().size() == 1);
  CHECK(z->services()[0].name == wire("app.example.com."));
  CHECK(z->services()[0].pool == "pool");
  CHECK(z->node(index_of(*z, "app.example.com.")).service == 0);
  CHECK_FALSE(z->node(index_of(*z, "app.example.com.")).empty_non_terminal());
}

TEST_CASE("builder: a zone needs an SOA and apex NS") {
  zone::ZoneBuilder b(wire("example.com."));
  std::vector<std::string> errors;
  CHECK(b.build(errors) == nullptr);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0] == "zone example.com. has no SOA record");
  CHECK(errors[1] == "zone example.com. has no apex NS");
}

TEST_CASE("builder: below a delegation only glue is allowed") {
  auto b = valid_builder("example.com.");
  CHECK(b.add_record(wire("sub.example.com."), type::NS, 60, name_rdata("ns.sub.example.com."))
            .empty());
  CHECK(b.add_record(wire("sub.example.com."), type::DS, 60, test::bytes({0, 1, 8, 2, 0xaa}))
            .empty());
  CHECK(b.add_record(wire("ns.sub.example.com."), type::A, 60, a_rdata(9)).empty());
  CHECK(b.add_record(wire("ns.sub.example.com."), type::AAAA, 60, aaaa_rdata(9)).empty());
  build_ok(b);  // NS and DS at the cut, A/AAAA glue below it

  auto bad = valid_builder("example.com.");
  bad.add_record(wire("sub.example.com."), type::NS, 60, name_rdata("ns.sub.example.com."));
  bad.add_record(wire("sub.example.com."), type::TXT, 60, test::bytes({1, 'x'}));
  bad.add_record(wire("www.sub.example.com."), type::MX, 60, test::mx_rdata(1, "m.example.com."));
  bad.add_record(wire("deeper.sub.example.com."), type::NS, 60, name_rdata("x."));
  bad.add_service(wire("app.sub.example.com."), "pool", 30);
  std::vector<std::string> errors;
  CHECK(bad.build(errors) == nullptr);
  CHECK(errors.size() == 4);
  auto has = [&](const std::string& part) {
    for (const auto& e : errors) {
      if (contains(e, part)) return true;
    }
    return false;
  };
  CHECK(has("TXT at sub.example.com. is below the delegation at sub.example.com."));
  CHECK(has("MX at www.sub.example.com. is below the delegation at sub.example.com."));
  CHECK(has("NS at deeper.sub.example.com. is below the delegation at sub.example.com."));
  CHECK(has("service app.sub.example.com. is below the delegation at sub.example.com."));
}

TEST_CASE("builder: empty non-terminals are created up to the apex") {
  auto b = valid_builder("example.com.");
  b.add_record(wire("a.b.c.example.com."), type::A, 60, a_rdata(1));
  b.add_record(wire("x.c.example.com."), type::A, 60, a_rdata(2));
  auto z = build_ok(b);
  CHECK(z->node_count() == 5);  // apex, a.b.c, x.c, b.c, c
  for (const char* ent : {"b.c.example.com.", "c.example.com."}) {
    const std::uint32_t i = index_of(*z, ent);
    REQUIRE_MESSAGE(i != zone::kNoNode, ent);
    CHECK(z->node(i).empty_non_terminal());
    CHECK(z->node(i).name() == wire(ent));
  }
  CHECK_FALSE(z->node(index_of(*z, "a.b.c.example.com.")).empty_non_terminal());
  CHECK(index_of(*z, "d.c.example.com.") == zone::kNoNode);
}

TEST_CASE("builder: delegation cut links point at the highest cut") {
  auto b = valid_builder("example.com.");
  b.add_record(wire("sub.example.com."), type::NS, 60, name_rdata("ns.other."));
  b.add_record(wire("a.b.sub.example.com."), type::A, 60, a_rdata(1));  // glue-like, deep
  b.add_record(wire("www.example.com."), type::A, 60, a_rdata(2));
  auto z = build_ok(b);
  const std::uint32_t sub = index_of(*z, "sub.example.com.");
  REQUIRE(sub != zone::kNoNode);
  CHECK(z->node(sub).is_delegation_point());
  CHECK(z->node(sub).cut == sub);
  CHECK(z->node(index_of(*z, "b.sub.example.com.")).cut == sub);  // an ENT below the cut
  CHECK(z->node(index_of(*z, "a.b.sub.example.com.")).cut == sub);
  CHECK(z->node(index_of(*z, "www.example.com.")).cut == zone::kNoNode);
  CHECK(z->apex_node().cut == zone::kNoNode);
}

TEST_CASE("builder: additional-section targets of NS, MX and SRV") {
  auto b = valid_builder("example.com.");
  b.add_record(wire("ns1.example.com."), type::A, 60, a_rdata(53));
  b.add_record(wire("mail.example.com."), type::AAAA, 60, aaaa_rdata(25));
  b.add_record(wire("example.com."), type::MX, 60, test::mx_rdata(10, "MAIL.example.com."));
  b.add_record(wire("example.com."), type::MX, 60, test::mx_rdata(20, "mail.example.com."));
  b.add_record(wire("example.com."), type::MX, 60, test::mx_rdata(30, "mx.example.org."));
  b.add_record(wire("_sip._udp.example.com."), type::SRV, 60,
               test::srv_rdata(5060, "sip.example.com."));
  b.add_record(wire("sip.example.com."), type::A, 60, a_rdata(60));
  // Delegation: its NS target is glue (usable); an MX pointing below the cut is not.
  b.add_record(wire("sub.example.com."), type::NS, 60, name_rdata("ns.sub.example.com."));
  b.add_record(wire("ns.sub.example.com."), type::A, 60, a_rdata(99));
  b.add_record(wire("mx2.example.com."), type::MX, 60, test::mx_rdata(1, "ns.sub.example.com."));
  // A CNAME target is not an additional-section target.
  b.add_record(wire("alias.example.com."), type::CNAME, 60, name_rdata("sip.example.com."));
  auto z = build_ok(b);

  const auto* apex_ns = z->apex_node().find(type::NS);
  REQUIRE(apex_ns);
  CHECK(to_vector(apex_ns->additional_nodes()) ==
        std::vector<std::uint32_t>{index_of(*z, "ns1.example.com.")});
  const auto* mx = z->apex_node().find(type::MX);
  REQUIRE(mx);
  CHECK(mx->count == 3);
  CHECK(to_vector(mx->additional_nodes()) ==
        std::vector<std::uint32_t>{index_of(*z, "mail.example.com.")});
  const auto* srv = z->node(index_of(*z, "_sip._udp.example.com.")).find(type::SRV);
  REQUIRE(srv);
  CHECK(to_vector(srv->additional_nodes()) ==
        std::vector<std::uint32_t>{index_of(*z, "sip.example.com.")});
  const auto* sub_ns = z->node(index_of(*z, "sub.example.com.")).find(type::NS);
  REQUIRE(sub_ns);
  CHECK(to_vector(sub_ns->additional_nodes()) ==
        std::vector<std::uint32_t>{index_of(*z, "ns.sub.example.com.")});
  CHECK(z->node(index_of(*z, "mx2.example.com.")).find(type::MX)->additional_nodes().empty());
  CHECK(z->node(index_of(*z, "alias.example.com.")).find(type::CNAME)->additional_nodes().empty());
}

TEST_CASE("builder: RRsets are sorted by type and hold rdlength-prefixed rdata") {
  auto b = valid_builder("example.com.");
  b.add_record(wire("www.example.com."), type::TXT, 60, test::bytes({2, 'h', 'i'}));
  b.add_record(wire("www.example.com."), type::A, 60, a_rdata(1));
  b.add_record(wire("www.example.com."), type::AAAA, 60, aaaa_rdata(1));
  auto z = build_ok(b);
  const zone::Node& www = z->node(index_of(*z, "www.example.com."));
  REQUIRE(www.rrsets().size() == 3);
  CHECK(www.rrsets()[0].type == type::A);
  CHECK(www.rrsets()[1].type == type::TXT);
  CHECK(www.rrsets()[2].type == type::AAAA);
  CHECK(to_vector(www.rrsets()[1].records()) == std::vector<std::uint8_t>{0, 3, 2, 'h', 'i'});
}

TEST_CASE("zone: serial and negative TTL = min(SOA TTL, SOA minimum)") {
  {
    auto b = valid_builder("example.com.");  // SOA TTL 3600, minimum 300
    auto z = build_ok(b);
    CHECK(z->serial() == 7);
    CHECK(z->negative_ttl() == 300);
    CHECK(z->soa().ttl == 3600);
  }
  {
    zone::ZoneBuilder b(wire("example.com."));
    b.set_soa(120, test::soa_rdata("example.com.", 99, 86400));
    b.add_apex_ns(3600, name_rdata("ns1.example.com."));
    auto z = build_ok(b);
    CHECK(z->serial() == 99);
    CHECK(z->negative_ttl() == 120);
  }
}

TEST_CASE("zone: find is exact on lowercase wire names") {
  zone::ZoneBuilder b(wire("Example.COM."));
  b.set_soa(3600, test::soa_rdata("example.com.", 1, 60));
  b.add_apex_ns(3600, name_rdata("ns1.example.com."));
  b.add_record(wire("WWW.example.com."), type::A, 60, a_rdata(1));
  auto z = build_ok(b);
  CHECK(z->apex() == wire("example.com."));
  CHECK(z->find(wire("example.com.")) == 0);
  const std::uint32_t www = z->find(wire("www.example.com."));
  REQUIRE(www != zone::kNoNode);
  CHECK(z->node(www).name() == wire("www.example.com."));
  CHECK(z->find(wire("ww.example.com.")) == zone::kNoNode);
  CHECK(z->find(wire("a.www.example.com.")) == zone::kNoNode);
  CHECK(z->find(wire("com.")) == zone::kNoNode);
  CHECK(z->find("") == zone::kNoNode);
}

namespace {

// A TXT RRset at big.example.com. whose smallest answer (header, question, records with the
// owner compressed, empty OPT) is exactly `size` octets: 244 records of 256 octets of rdata,
// and one more to make up the rest.
std::unique_ptr<zone::Zone> build_txt_set_of_answer_size(std::size_t size,
                                                         std::vector<std::string>& errors) {
  zone::ZoneBuilder builder = valid_builder("example.com.");
  const std::string owner = wire("big.example.com.");  // 17 octets
  constexpr std::size_t kFixed = 12 + 17 + 4 + 11;     // header, question, OPT
  constexpr std::size_t kPerRecord = 12;               // pointer, type, class, TTL, rdlength
  std::size_t used = kFixed;
  for (int i = 0; i < 244; ++i) {
    std::vector<std::uint8_t> rdata(256, 'x');
    rdata[0] = 255;
    rdata[1] = static_cast<std::uint8_t>(i);  // distinct records
    rdata[2] = static_cast<std::uint8_t>(i >> 8);
    REQUIRE(builder.add_record(owner, type::TXT, 60, rdata).empty());
    used += kPerRecord + rdata.size();
  }
  REQUIRE(size > used + kPerRecord + 1);
  std::vector<std::uint8_t> last(size - used - kPerRecord, 'y');
  last[0] = static_cast<std::uint8_t>(last.size() - 1);
  REQUIRE(builder.add_record(owner, type::TXT, 60, last).empty());
  return builder.build(errors);
}

}  // namespace

TEST_CASE("builder: an RRset must fit a DNS message in its smallest answer") {
  std::vector<std::string> errors;
  CHECK(build_txt_set_of_answer_size(65535, errors));
  CHECK(errors.empty());
  CHECK_FALSE(build_txt_set_of_answer_size(65536, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "TXT RRset at big.example.com. needs 65536 octets in the smallest answer, more than the "
        "65535 of a DNS message, so it could never be served; split it over several names");
}
