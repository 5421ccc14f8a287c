// SPDX-License-Identifier: Apache-2.0
// Zone::locate (where a name lives), Chain (the names a question visits: CNAME and DNAME
// links, their limits), and the builder's DNAME rules.
#include <doctest/doctest.h>

#include "gslbd/zone/chain.hpp"
#include "gslbd/zone/zone_builder.hpp"
#include "zone_test_support.hpp"

namespace {

using namespace gslbd;
using test::a_rdata;
using test::name_rdata;
using test::wire;
namespace type = dns::type;
using zone::Where;

void add(zone::ZoneBuilder& b, const std::string& name, std::uint16_t t,
         const std::vector<std::uint8_t>& rdata, std::uint32_t ttl = 300) {
  const std::string refusal = b.add_record(wire(name), t, ttl, rdata);
  REQUIRE_MESSAGE(refusal.empty(), name << ": " << refusal);
}

// r.test: old DNAME new.r.test. (TTL 600), www.new A, alias CNAME www.old, *.w TXT, host.w A,
// a.x.w A (x.w is an empty non-terminal), sub delegated with glue, a CNAME loop, a chain of ten
// CNAMEs, a CNAME out of the zone, and long DNAME whose substitutions can overflow.
std::unique_ptr<zone::Zone> example_zone() {
  auto b = test::valid_builder("r.test.");
  add(b, "old.r.test.", type::DNAME, name_rdata("new.r.test."), 600);
  add(b, "www.new.r.test.", type::A, a_rdata(10));
  add(b, "alias.r.test.", type::CNAME, name_rdata("WWW.old.r.test."));
  add(b, "*.w.r.test.", type::TXT, test::bytes({4, 'w', 'i', 'l', 'd'}));
  add(b, "host.w.r.test.", type::A, a_rdata(11));
  add(b, "a.x.w.r.test.", type::A, a_rdata(12));
  add(b, "sub.r.test.", type::NS, name_rdata("ns.sub.r.test."));
  add(b, "ns.sub.r.test.", type::A, a_rdata(53));
  add(b, "loop1.r.test.", type::CNAME, name_rdata("loop2.r.test."));
  add(b, "loop2.r.test.", type::CNAME, name_rdata("loop1.r.test."));
  for (int i = 0; i < 10; ++i) {
    add(b, "c" + std::to_string(i) + ".r.test.", type::CNAME,
        name_rdata("c" + std::to_string(i + 1) + ".r.test."));
  }
  add(b, "c10.r.test.", type::A, a_rdata(99));
  add(b, "out.r.test.", type::CNAME, name_rdata("www.example.org."));
  // A 200-octet target: with 60 more octets of prefix the substituted name exceeds 255.
  std::string target;
  for (int i = 0; i < 4; ++i) target += std::string(48, char('a' + i)) + ".";
  add(b, "long.r.test.", type::DNAME, name_rdata(target + "r.test."));
  std::vector<std::string> errors;
  auto z = b.build(errors);
  for (const auto& e : errors) MESSAGE(e);
  REQUIRE(z);
  return z;
}

std::string name_of(const zone::Zone& z, std::uint32_t node) {
  REQUIRE(node != zone::kNoNode);
  return dns::name_to_text(z.node(node).name());
}

zone::Location locate(const zone::Zone& z, const std::string& name, std::uint16_t t = type::A) {
  return z.locate(dns::lowercased(wire(name)), t);
}

// The hops of the chain for name and type, and how it ended.
struct Walk {
  std::vector<zone::Hop> hops;
  zone::ChainEnd end = zone::ChainEnd::answered;
  std::vector<std::string> owners;
};

Walk walk(const zone::Zone& z, const std::string& name, std::uint16_t t,
          std::unique_ptr<zone::Chain>& chain, std::string& asked) {
  asked = wire(name);
  const std::string lower = dns::lowercased(asked);
  static thread_local std::string kept;
  kept = lower;
  chain = std::make_unique<zone::Chain>(z, asked, kept, t);
  Walk out;
  zone::Hop hop;
  for (int guard = 0; guard < 20 && chain->next(hop); ++guard) {
    out.hops.push_back(hop);
    out.owners.push_back(dns::name_to_text(hop.owner));
  }
  out.end = chain->end();
  return out;
}

}  // namespace

TEST_CASE("locate: an existing name is exact, its own closest encloser") {
  const auto z = example_zone();
  const auto at = locate(*z, "WWW.new.r.test.");
  CHECK(at.where == Where::exact);
  CHECK(name_of(*z, at.node) == "www.new.r.test.");
  CHECK(at.encloser == at.node);
  CHECK(at.cut == zone::kNoNode);
  CHECK(locate(*z, "old.r.test.").where == Where::exact);  // a DNAME owner is itself
}

TEST_CASE("locate: an empty non-terminal exists without data") {
  const auto z = example_zone();
  for (const char* name : {"new.r.test.", "x.w.r.test."}) {
    const auto at = locate(*z, name);
    CHECK(at.where == Where::empty_nonterminal);
    CHECK(name_of(*z, at.node) == name);
  }
}

TEST_CASE("locate: a missing name below a wildcard's parent is synthesised from it") {
  const auto z = example_zone();
  const auto at = locate(*z, "zz.w.r.test.");
  CHECK(at.where == Where::wildcard);
  CHECK(name_of(*z, at.node) == "*.w.r.test.");
  CHECK(name_of(*z, at.encloser) == "w.r.test.");
  // Deeper names use the same source when their closest encloser is w.
  CHECK(locate(*z, "a.b.w.r.test.").where == Where::wildcard);
  // RFC 4592 section 2.2.2: x.w exists, so names below it are not synthesised from *.w.
  const auto below_ent = locate(*z, "zz.x.w.r.test.");
  CHECK(below_ent.where == Where::nxdomain);
  CHECK(name_of(*z, below_ent.encloser) == "x.w.r.test.");
  CHECK(below_ent.node == zone::kNoNode);
}

TEST_CASE("locate: at and below a cut is a delegation, DS at the cut is the parent's") {
  const auto z = example_zone();
  for (const char* name : {"sub.r.test.", "ns.sub.r.test.", "a.b.sub.r.test."}) {
    const auto at = locate(*z, name);
    CHECK_MESSAGE(at.where == Where::delegation, name);
    CHECK(name_of(*z, at.node) == "sub.r.test.");
    CHECK(name_of(*z, at.cut) == "sub.r.test.");
  }
  CHECK(name_of(*z, locate(*z, "a.b.sub.r.test.").encloser) == "sub.r.test.");
  const auto ds = locate(*z, "sub.r.test.", type::DS);
  CHECK(ds.where == Where::exact);
  CHECK(name_of(*z, ds.cut) == "sub.r.test.");
  CHECK(locate(*z, "x.sub.r.test.", type::DS).where == Where::delegation);
}

TEST_CASE("locate: a name below a DNAME owner is rewritten by it") {
  const auto z = example_zone();
  const auto at = locate(*z, "www.old.r.test.");
  CHECK(at.where == Where::dname);
  CHECK(name_of(*z, at.node) == "old.r.test.");
  CHECK(name_of(*z, at.encloser) == "old.r.test.");
  CHECK(locate(*z, "a.b.old.r.test.").where == Where::dname);
}

TEST_CASE("locate: nothing else is NXDOMAIN with the apex or an ancestor as encloser") {
  const auto z = example_zone();
  const auto at = locate(*z, "nope.r.test.");
  CHECK(at.where == Where::nxdomain);
  CHECK(name_of(*z, at.encloser) == "r.test.");
  CHECK(name_of(*z, locate(*z, "x.host.w.r.test.").encloser) == "host.w.r.test.");
}

TEST_CASE("chain: a DNAME synthesises the CNAME and the chain follows it") {
  const auto z = example_zone();
  std::unique_ptr<zone::Chain> chain;
  std::string asked;
  const Walk w = walk(*z, "WWW.old.r.test.", type::A, chain, asked);
  REQUIRE(w.hops.size() == 2);
  const zone::Hop& first = w.hops[0];
  CHECK(first.link == zone::Link::dname);
  CHECK(first.alias->type == type::DNAME);
  CHECK(first.alias->ttl == 600);
  // The labels as asked, then the DNAME's target.
  CHECK(dns::name_to_text(first.target) == "WWW.new.r.test.");
  REQUIRE(first.cname_record.size() == 2 + first.target.size());
  CHECK(first.cname_record[1] == first.target.size());
  CHECK(w.hops[1].location.where == Where::exact);
  REQUIRE(w.hops[1].answer != nullptr);
  CHECK(w.hops[1].answer->type == type::A);
  CHECK(w.end == zone::ChainEnd::answered);
}

TEST_CASE("chain: a CNAME whose target is below a DNAME goes through it") {
  const auto z = example_zone();
  std::unique_ptr<zone::Chain> chain;
  std::string asked;
  const Walk w = walk(*z, "alias.r.test.", type::A, chain, asked);
  CHECK(w.owners ==
        std::vector<std::string>{"alias.r.test.", "WWW.old.r.test.", "WWW.new.r.test."});
  REQUIRE(w.hops.size() == 3);
  CHECK(w.hops[0].link == zone::Link::cname);
  CHECK(w.hops[1].link == zone::Link::dname);
  CHECK(w.hops[2].answer != nullptr);
}

TEST_CASE("chain: a question for the CNAME itself ends at the synthesised CNAME") {
  const auto z = example_zone();
  std::unique_ptr<zone::Chain> chain;
  std::string asked;
  const Walk w = walk(*z, "www.old.r.test.", type::CNAME, chain, asked);
  REQUIRE(w.hops.size() == 1);
  CHECK(w.hops[0].target.empty());
  CHECK_FALSE(w.hops[0].cname_record.empty());
  CHECK(w.end == zone::ChainEnd::answered);
}

TEST_CASE("chain: a substitution longer than 255 octets ends it as too long") {
  const auto z = example_zone();
  std::unique_ptr<zone::Chain> chain;
  std::string asked;
  const std::string prefix = std::string(40, 'p') + "." + std::string(20, 'q') + ".";
  const Walk w = walk(*z, prefix + "long.r.test.", type::A, chain, asked);
  REQUIRE(w.hops.size() == 1);
  CHECK(w.hops[0].link == zone::Link::dname);
  CHECK(w.hops[0].cname_record.empty());
  CHECK(w.end == zone::ChainEnd::too_long);
  // A shorter prefix fits: 200 + 2 + 8 (r.test.) + "x." is well within 255.
  const Walk fits = walk(*z, "x.long.r.test.", type::A, chain, asked);
  CHECK(fits.hops.size() == 2);
  CHECK(fits.end == zone::ChainEnd::answered);
  CHECK(fits.hops[1].location.where == Where::nxdomain);
}

TEST_CASE("chain: loops, long chains and names outside the zone end it") {
  const auto z = example_zone();
  std::unique_ptr<zone::Chain> chain;
  std::string asked;
  const Walk loop = walk(*z, "loop1.r.test.", type::A, chain, asked);
  CHECK(loop.hops.size() == 2);
  CHECK(loop.end == zone::ChainEnd::loop);
  const Walk longest = walk(*z, "c0.r.test.", type::A, chain, asked);
  CHECK(longest.hops.size() == zone::Chain::kMaxHops + 1);
  CHECK(longest.end == zone::ChainEnd::hop_limit);
  const Walk shorter = walk(*z, "c3.r.test.", type::A, chain, asked);
  CHECK(shorter.hops.size() == 8);
  CHECK(shorter.end == zone::ChainEnd::answered);
  CHECK(shorter.hops.back().answer != nullptr);
  const Walk out = walk(*z, "out.r.test.", type::A, chain, asked);
  CHECK(out.hops.size() == 1);
  CHECK(out.end == zone::ChainEnd::left_zone);
}

TEST_CASE("builder: data below a DNAME is refused with the offending record's source") {
  for (const bool dname_first : {true, false}) {
    CAPTURE(dname_first);
    auto b = test::valid_builder("r.test.");
    auto dname = [&] {
      CHECK(b.add_record(wire("old.r.test."), type::DNAME, 300, name_rdata("new.r.test."), 1)
                .empty());
    };
    if (dname_first) dname();
    CHECK(b.add_record(wire("www.old.r.test."), type::A, 300, a_rdata(1), 7).empty());
    CHECK(b.add_record(wire("*.old.r.test."), type::TXT, 300, test::bytes({1, 'x'}), 8).empty());
    CHECK(b.add_record(wire("fine.r.test."), type::A, 300, a_rdata(2), 9).empty());
    CHECK(b.add_service(zone::Service{wire("svc.a.old.r.test."), "p", 30, 30, 0}, 10).empty());
    if (!dname_first) dname();
    std::vector<zone::BuildError> errors;
    CHECK(b.build(errors) == nullptr);
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].reason ==
          "A at www.old.r.test. is below the DNAME at old.r.test., where no data may be "
          "(RFC 6672 section 2.4)");
    CHECK(errors[0].source == 7);
    CHECK(errors[1].source == 8);
    CHECK(errors[2].reason.rfind("service svc.a.old.r.test. is below the DNAME", 0) == 0);
    CHECK(errors[2].source == 10);
  }
}

TEST_CASE("builder: one DNAME per owner, a DNAME at the apex is allowed") {
  auto b = test::valid_builder("r.test.");
  CHECK(b.add_record(wire("old.r.test."), type::DNAME, 300, name_rdata("a.test.")).empty());
  CHECK(b.add_record(wire("old.r.test."), type::DNAME, 300, name_rdata("b.test.")) ==
        "a second DNAME at old.r.test. (RFC 6672 section 2.4)");
  auto apex = test::valid_builder("s.test.");
  CHECK(apex.add_record(wire("s.test."), type::DNAME, 300, name_rdata("t.test.")).empty());
  std::vector<std::string> errors;
  CHECK(apex.build(errors) != nullptr);
}
