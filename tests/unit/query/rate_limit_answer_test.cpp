// SPDX-License-Identifier: Apache-2.0
// Response rate limiting on the query path with a fixed clock: what is limited, how it is
// keyed, what slips, and what is exempt.
#include <doctest/doctest.h>

#include <string>

#include "cookie_test_support.hpp"
#include "gslbd/dns/cookie.hpp"

using gslbd::query::PolicyState;
using gslbd::query::Transport;
using gslbd::stats::RrlAction;
using test::ask_with;
using test::make_query;
using test::with_server;

namespace {

constexpr std::uint32_t kNow = 1'700'000'000;

// Rate 2 per second, window 5 s, slip 2.
std::shared_ptr<const gslbd::runtime::Snapshot> limited(
    std::uint64_t generation,
    const std::function<void(gslbd::runtime::RateLimitConfig&)>& change = {}) {
  return with_server(generation, [&](gslbd::runtime::ServerConfig& server) {
    auto& limit = server.rate_limit;
    limit.enabled = true;
    limit.responses_per_second = limit.nodata_per_second = limit.nxdomains_per_second =
        limit.referrals_per_second = limit.errors_per_second = 2;
    limit.window_s = 5;
    limit.slip = 2;
    limit.table_size = 1024;
    if (change) change(limit);
  });
}

// One letter per response: A = answered in full, S = slipped (TC=1), B = BADCOOKIE, D = dropped.
std::string pattern(const gslbd::runtime::Snapshot& s, PolicyState& state,
                    const std::vector<std::uint8_t>& query, int count,
                    const char* source = "198.51.100.7", Transport transport = Transport::udp) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    const auto reply = ask_with(s, state, query, source, transport);
    if (reply.wire.empty()) {
      out += 'D';
      CHECK(reply.record.rrl == RrlAction::dropped);
    } else if (reply.rcode == gslbd::dns::rcode::BADCOOKIE) {
      out += 'B';
    } else if (reply.tc) {
      out += 'S';
      CHECK(reply.ancount == 0);
      CHECK(reply.qdcount == 1);
      CHECK(reply.record.rrl == RrlAction::slipped);
    } else {
      out += 'A';
    }
  }
  return out;
}

}  // namespace

TEST_CASE("off by default: nothing is limited") {
  const auto s = with_server(30, [](auto&) {});
  CHECK_FALSE(s->config->server.rate_limit.enabled);
  PolicyState state(1);
  state.prepare(*s);
  CHECK(pattern(*s, state, make_query("www.example.test.", 1), 20) == std::string(20, 'A'));
  CHECK(state.rate_table().capacity() == 0);
}

TEST_CASE("past the rate responses slip and drop, the next second earns the rate back") {
  const auto s = limited(31);
  PolicyState state(1);
  state.fix_time(kNow);
  state.prepare(*s);
  const auto q = make_query("www.example.test.", 1);
  CHECK(pattern(*s, state, q, 6) == "AASDSD");
  // A different qname is a different key; a different type too.
  CHECK(pattern(*s, state, make_query("mail.example.test.", 15), 3) == "AAS");
  CHECK(pattern(*s, state, make_query("www.example.test.", 28), 2) == "AA");  // nodata key
  state.fix_time(kNow + 1);  // 1 s earns 2 credits against a balance of -4: still limited
  state.prepare(*s);
  CHECK(pattern(*s, state, q, 1) != "A");
  state.fix_time(kNow + 4);  // earned back, but never more than one second's worth
  state.prepare(*s);
  CHECK(pattern(*s, state, q, 3) == "AAS");
}

TEST_CASE("keys are per client network (/24 and /56 by default)") {
  const auto s = limited(32);
  PolicyState state(1);
  state.fix_time(kNow);
  state.prepare(*s);
  const auto q = make_query("www.example.test.", 1);
  CHECK(pattern(*s, state, q, 2, "198.51.100.7") == "AA");
  CHECK(pattern(*s, state, q, 1, "198.51.100.200") == "S");  // same /24
  CHECK(pattern(*s, state, q, 2, "198.51.101.7") == "AA");   // another /24
  CHECK(pattern(*s, state, q, 2, "2001:db8:0:1::1") == "AA");
  CHECK(pattern(*s, state, q, 1, "2001:db8:0:ff::2") == "S");   // same /56
  CHECK(pattern(*s, state, q, 1, "2001:db8:0:100::1") == "A");  // another /56
}

TEST_CASE("NXDOMAIN is keyed by zone, referrals by delegation, errors by client") {
  const auto s = limited(33);
  PolicyState state(1);
  state.fix_time(kNow);
  state.prepare(*s);
  std::string nx;
  for (const char* name : {"n1.example.test.", "n2.example.test.", "n3.example.test."}) {
    nx += pattern(*s, state, make_query(name, 1), 1);
  }
  CHECK(nx == "AAS");
  std::string referrals;
  for (const char* name : {"x.sub.example.test.", "y.sub.example.test.", "sub.example.test."}) {
    referrals += pattern(*s, state, make_query(name, 1), 1);
  }
  CHECK(referrals == "AAS");
  std::string errors;
  for (const char* name : {"www.example.org.", "www.example.net.", "x.invalid."}) {
    errors += pattern(*s, state, make_query(name, 1), 1);  // REFUSED
  }
  CHECK(errors == "AAS");
}

TEST_CASE("TCP, exempt networks and slip 0 / 1") {
  const auto q = make_query("www.example.test.", 1);
  {
    const auto s = limited(34);
    PolicyState state(1);
    state.fix_time(kNow);
    state.prepare(*s);
    CHECK(pattern(*s, state, q, 6, "198.51.100.7", Transport::tcp) == "AAAAAA");
  }
  {
    const auto s = limited(35, [](auto& limit) {
      limit.exempt.push_back({*gslbd::util::parse_address("198.51.100.0"), 24});
    });
    PolicyState state(1);
    state.fix_time(kNow);
    state.prepare(*s);
    CHECK(pattern(*s, state, q, 6, "198.51.100.7") == "AAAAAA");
    CHECK(pattern(*s, state, q, 4, "198.51.101.7") == "AASD");
  }
  {
    const auto s = limited(36, [](auto& limit) { limit.slip = 0; });
    PolicyState state(1);
    state.fix_time(kNow);
    state.prepare(*s);
    CHECK(pattern(*s, state, q, 5) == "AADDD");
  }
  {
    const auto s = limited(37, [](auto& limit) { limit.slip = 1; });
    PolicyState state(1);
    state.fix_time(kNow);
    state.prepare(*s);
    CHECK(pattern(*s, state, q, 5) == "AASSS");
  }
}

TEST_CASE("log_only answers everything and counts what would have been limited") {
  const auto s = limited(38, [](auto& limit) { limit.log_only = true; });
  PolicyState state(1);
  state.fix_time(kNow);
  state.prepare(*s);
  const auto q = make_query("www.example.test.", 1);
  int would = 0;
  int started = 0;
  for (int i = 0; i < 6; ++i) {
    const auto reply = ask_with(*s, state, q);
    CHECK(reply.ancount == 2);
    would += reply.record.rrl == RrlAction::would_limit;
    started += reply.record.rrl_started;
  }
  CHECK(would == 4);
  CHECK(started == 1);
}

TEST_CASE("a valid server cookie is exempt, a client cookie alone slips as BADCOOKIE") {
  const auto s = limited(39);
  PolicyState state(1);
  state.fix_time(kNow);
  state.prepare(*s);
  const std::vector<std::uint8_t> client = {9, 9, 9, 9, 9, 9, 9, 9};
  const auto limited_reply = [&] {
    std::string out;
    for (int i = 0; i < 4; ++i) {
      const auto reply = ask_with(*s, state, test::cookie_query("www.example.test.", 1, client));
      if (reply.wire.empty()) {
        out += 'D';
        continue;
      }
      out += reply.rcode == gslbd::dns::rcode::BADCOOKIE ? 'B' : 'A';
      CHECK(reply.cookie);
      if (reply.rcode == gslbd::dns::rcode::BADCOOKIE) {
        CHECK(reply.ancount == 0);
        CHECK_FALSE(reply.tc);
      }
    }
    return out;
  };
  CHECK(limited_reply() == "AABD");

  // The client retries with the server cookie it was given: exempt from the limit.
  const auto address = *gslbd::util::parse_address("198.51.100.7");
  std::vector<std::uint8_t> full(client);
  full.resize(24);
  gslbd::dns::make_server_cookie(s->config->server.cookies.secret, client.data(),
                                 address.bytes.data(), 4, kNow, full.data() + 8);
  CHECK(pattern(*s, state, test::cookie_query("www.example.test.", 1, full), 10) ==
        std::string(10, 'A'));
}

TEST_CASE("a reload that keeps the table's size keeps its accounting, one that resizes resets") {
  const auto s1 = limited(40);
  PolicyState state(1);
  state.fix_time(kNow);
  state.prepare(*s1);
  const auto q = make_query("www.example.test.", 1);
  CHECK(pattern(*s1, state, q, 3) == "AAS");
  const auto s2 = limited(41);
  state.prepare(*s2);
  CHECK(pattern(*s2, state, q, 1) == "D");
  const auto s3 = limited(42, [](auto& limit) { limit.table_size = 4096; });
  state.prepare(*s3);
  CHECK(state.rate_table().capacity() == 4096);
  CHECK(pattern(*s3, state, q, 1) == "A");
}
