// SPDX-License-Identifier: Apache-2.0
// The stub resolver's query and reply checks as a pure unit: the query's form, and replies
// that are believed (addresses, CNAME chains in any order, compression, NODATA, NXDOMAIN,
// failures, TC) and those that are ignored (another ID or question, not a reply, garbage,
// pointer loops, cut messages).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "probe/resolver_reply.hpp"

namespace {

using gslbd::probe::build_resolver_query;
using gslbd::probe::kTypeA;
using gslbd::probe::kTypeAAAA;
using gslbd::probe::parse_resolver_reply;
using gslbd::probe::Reply;
using gslbd::probe::ReplyStatus;

std::string wire(const std::string& dotted) {
  std::string out;
  std::size_t start = 0;
  while (start < dotted.size()) {
    const std::size_t dot = dotted.find('.', start);
    out += static_cast<char>(dot - start);
    out += dotted.substr(start, dot - start);
    start = dot + 1;
  }
  out += '\0';
  return out;
}

const std::string kName = wire("app.cloud.test.");

struct Message {
  std::vector<std::uint8_t> bytes;

  void u16(unsigned v) {
    bytes.push_back(static_cast<std::uint8_t>(v >> 8));
    bytes.push_back(static_cast<std::uint8_t>(v & 0xff));
  }
  void u32(std::uint32_t v) {
    u16(v >> 16);
    u16(v & 0xffff);
  }
  void raw(const std::string& s) { bytes.insert(bytes.end(), s.begin(), s.end()); }
  void rr(const std::string& owner, unsigned type, std::uint32_t ttl,
          const std::vector<std::uint8_t>& rdata) {
    raw(owner);
    u16(type);
    u16(1);
    u32(ttl);
    u16(static_cast<unsigned>(rdata.size()));
    bytes.insert(bytes.end(), rdata.begin(), rdata.end());
  }
};

// A reply header and question: flags 0x8180 (QR, RD, RA) with rcode, then the answers.
Message reply_to(std::uint16_t id, const std::string& name, unsigned type, unsigned answers,
                 unsigned rcode = 0, unsigned flags = 0x8180) {
  Message m;
  m.u16(id);
  m.u16(flags | rcode);
  m.u16(1);
  m.u16(answers);
  m.u16(0);
  m.u16(0);
  m.raw(name);
  m.u16(type);
  m.u16(1);
  return m;
}

std::vector<std::uint8_t> v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return {a, b, c, d};
}

Reply parse(const Message& m, std::uint16_t id = 0x1234, unsigned type = kTypeA) {
  return parse_resolver_reply(m.bytes, id, kName, static_cast<std::uint16_t>(type));
}

}  // namespace

TEST_CASE("the query: header with RD, the question, and an OPT offering 1232 octets") {
  std::uint8_t out[gslbd::probe::kMaxResolverQuery];
  const std::size_t size = build_resolver_query(kName, kTypeAAAA, 0xbeef, out);
  REQUIRE(size == 12 + kName.size() + 4 + 11);
  CHECK(out[0] == 0xbe);
  CHECK(out[1] == 0xef);
  CHECK(out[2] == 0x01);  // RD only
  CHECK(out[5] == 1);     // one question
  CHECK(out[11] == 1);    // one additional: the OPT
  CHECK(std::string(reinterpret_cast<const char*>(out + 12), kName.size()) == kName);
  CHECK(out[12 + kName.size() + 1] == 28);
  const std::uint8_t* opt = out + 12 + kName.size() + 4;
  CHECK(opt[2] == 41);
  CHECK(((opt[3] << 8) | opt[4]) == 1232);
  // A malformed name, or no room, gives no query.
  CHECK(build_resolver_query(std::string("\x05"
                                         "ab",
                                         3),
                             kTypeA, 1, out) == 0);
  std::uint8_t small[20];
  CHECK(build_resolver_query(kName, kTypeA, 1, small) == 0);
}

TEST_CASE("addresses of the name asked, smallest TTL, case-insensitive question") {
  Message m = reply_to(0x1234, wire("APP.Cloud.test."), kTypeA, 2);
  m.rr(kName, kTypeA, 60, v4(127, 0, 0, 3));
  m.rr(std::string("\xc0\x0c", 2), kTypeA, 20, v4(127, 0, 0, 4));  // owner compressed
  const Reply r = parse(m);
  CHECK(r.status == ReplyStatus::addresses);
  REQUIRE(r.count == 2);
  CHECK(r.address[0][3] == 3);
  CHECK(r.address[1][3] == 4);
  CHECK(r.ttl == 20);
}

TEST_CASE("a CNAME chain is followed in any order, and records of other owners are ignored") {
  Message m = reply_to(0x1234, kName, kTypeA, 4);
  const std::size_t question = 12;
  m.rr(wire("edge.cdn.test."), kTypeA, 30, v4(192, 0, 2, 7));
  m.rr(wire("unrelated.test."), kTypeA, 30, v4(192, 0, 2, 66));
  // app.cloud.test. CNAME edge.cdn.test. (owner by pointer to the question)
  const std::string edge = wire("edge.cdn.test.");
  m.rr(std::string("\xc0", 1) + static_cast<char>(question), 5, 10,
       std::vector<std::uint8_t>(edge.begin(), edge.end()));
  m.rr(wire("other.test."), 5, 1, std::vector<std::uint8_t>(edge.begin(), edge.end()));
  const Reply r = parse(m);
  CHECK(r.status == ReplyStatus::addresses);
  REQUIRE(r.count == 1);
  CHECK(r.address[0][3] == 7);
  CHECK(r.ttl == 10);
}

TEST_CASE("negative and failed replies") {
  CHECK(parse(reply_to(0x1234, kName, kTypeA, 0)).status == ReplyStatus::nodata);
  CHECK(parse(reply_to(0x1234, kName, kTypeA, 0, 3)).status == ReplyStatus::nxdomain);
  const Reply servfail = parse(reply_to(0x1234, kName, kTypeA, 0, 2));
  CHECK(servfail.status == ReplyStatus::failed);
  CHECK(servfail.rcode == 2);
  CHECK(parse(reply_to(0x1234, kName, kTypeA, 0, 0, 0x8380)).status == ReplyStatus::truncated);
  // AAAA records answer an A question with nothing.
  Message wrong_type = reply_to(0x1234, kName, kTypeA, 1);
  wrong_type.rr(kName, kTypeAAAA, 5, std::vector<std::uint8_t>(16, 1));
  CHECK(parse(wrong_type).status == ReplyStatus::nodata);
}

TEST_CASE("what is not the reply to this query is ignored") {
  Message good = reply_to(0x1234, kName, kTypeA, 1);
  good.rr(kName, kTypeA, 5, v4(127, 0, 0, 3));
  CHECK(parse(good).status == ReplyStatus::addresses);
  CHECK(parse(good, 0x1235).status == ReplyStatus::not_ours);             // another ID
  CHECK(parse(good, 0x1234, kTypeAAAA).status == ReplyStatus::not_ours);  // another type
  CHECK(parse_resolver_reply(good.bytes, 0x1234, wire("app.cloud.tesT."), kTypeA).status ==
        ReplyStatus::addresses);
  CHECK(parse_resolver_reply(good.bytes, 0x1234, wire("app.cloud.tests."), kTypeA).status ==
        ReplyStatus::not_ours);
  Message query = good;
  query.bytes[2] &= 0x7f;  // QR clear: a query, not a reply
  CHECK(parse(query).status == ReplyStatus::not_ours);
  CHECK(parse_resolver_reply({good.bytes.data(), 5}, 0x1234, kName, kTypeA).status ==
        ReplyStatus::not_ours);
}

TEST_CASE("garbage that claims to be the reply is malformed, never believed") {
  Message cut = reply_to(0x1234, kName, kTypeA, 1);
  cut.rr(kName, kTypeA, 5, v4(127, 0, 0, 3));
  cut.bytes.resize(cut.bytes.size() - 2);
  CHECK(parse(cut).status == ReplyStatus::malformed);

  Message loop = reply_to(0x1234, kName, kTypeA, 1);
  const auto at = static_cast<char>(loop.bytes.size());
  loop.rr(std::string("\xc0", 1) + at, kTypeA, 5, v4(127, 0, 0, 3));  // points at itself
  CHECK(parse(loop).status == ReplyStatus::malformed);

  Message long_a = reply_to(0x1234, kName, kTypeA, 1);
  long_a.rr(kName, kTypeA, 5, {127, 0, 0, 3, 9});
  CHECK(parse(long_a).status == ReplyStatus::malformed);

  Message forward = reply_to(0x1234, kName, kTypeA, 1);
  forward.rr(std::string("\xc0\x7f", 2), kTypeA, 5, v4(127, 0, 0, 3));  // points forward
  CHECK(parse(forward).status == ReplyStatus::malformed);
}

TEST_CASE("at most kMaxReplyAddresses addresses are taken, and a TTL with the top bit is 0") {
  Message m = reply_to(0x1234, kName, kTypeA, 40);
  for (std::uint8_t i = 0; i < 40; ++i) m.rr(kName, kTypeA, 0x80000000u, v4(10, 0, 0, i));
  const Reply r = parse(m);
  CHECK(r.status == ReplyStatus::addresses);
  CHECK(r.count == gslbd::probe::kMaxReplyAddresses);
  CHECK(r.records == 40);
  CHECK(r.ttl == 0);
}

TEST_CASE("the lowest distinct addresses are taken, ascending, whatever the records' order") {
  // 40 records in a rotated order with one repeated: the same 8 lowest come out.
  for (int rotation : {0, 13, 39}) {
    Message m = reply_to(0x1234, kName, kTypeA, 41);
    for (std::uint8_t i = 0; i < 40; ++i) {
      m.rr(kName, kTypeA, 60, v4(10, 0, 0, static_cast<std::uint8_t>(200 - (i + rotation) % 40)));
    }
    m.rr(kName, kTypeA, 60, v4(10, 0, 0, 165));
    const Reply r = parse(m);
    REQUIRE(r.count == gslbd::probe::kMaxReplyAddresses);
    CHECK(r.records == 41);
    for (std::uint8_t i = 0; i < r.count; ++i) {
      CHECK(r.address[i][3] == 161 + i);
      CHECK(r.address[i][0] == 10);
    }
  }
}
