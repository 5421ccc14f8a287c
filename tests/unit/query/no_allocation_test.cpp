// SPDX-License-Identifier: Apache-2.0
// Proves the query path allocates nothing: operator new is replaced by the counting one of
// unit/pool/counting_new.cpp for this test binary, and a varied set of queries is answered
// after warm-up.
#include <doctest/doctest.h>

#include "../pool/counting_new.hpp"
#include "cookie_test_support.hpp"
#include "gslbd/dns/cookie.hpp"
#include "signed_zone.hpp"
#include "test_zone.hpp"

TEST_CASE("answer_query allocates nothing") {
  const auto snapshot = test::example_snapshot();
  test::QueryOptions edns;
  edns.edns = true;
  edns.nsid = true;
  test::QueryOptions chaos;
  chaos.qclass = 3;
  const std::vector<std::vector<std::uint8_t>> queries = {
      test::make_query("www.example.test.", 1),      test::make_query("WWW.example.test.", 1, edns),
      test::make_query("nope.example.test.", 1),     test::make_query("alias.example.test.", 1),
      test::make_query("x.wild.example.test.", 16),  test::make_query("www.sub.example.test.", 1),
      test::make_query("mail.example.test.", 15),    test::make_query("big.example.test.", 16),
      test::make_query("example.test.", 255),        test::make_query("id.server.", 16, chaos),
      test::make_query("www.example.org.", 1),       test::make_query("www.dn.example.test.", 1),
      test::make_query("alias.dn.example.test.", 1),
  };
  std::vector<std::uint8_t> out(65535);
  test::client_context(gslbd::query::Transport::udp).policy_state->prepare(*snapshot);
  const long before = test::allocation_count();
  std::size_t total = 0;
  for (int round = 0; round < 100; ++round) {
    for (const auto& q : queries) {
      for (auto transport : {gslbd::query::Transport::udp, gslbd::query::Transport::tcp}) {
        total += gslbd::query::answer_query(
            *snapshot, q.data(), q.size(), test::client_context(transport), out.data(), out.size());
      }
    }
  }
  CHECK(test::allocation_count() == before);
  CHECK(total > 0);
}

TEST_CASE("service answers (weighted and hash policies, ECS) allocate nothing") {
  auto s = test::service_snapshot();
  test::QueryOptions ecs;
  ecs.edns = true;
  ecs.options = {0, 8, 0, 7, 0, 1, 24, 0, 203, 0, 113};
  const std::vector<std::vector<std::uint8_t>> queries = {
      test::make_query("app.example.test.", 1), test::make_query("app.example.test.", 28),
      test::make_query("sticky.example.test.", 1, ecs), test::make_query("app.example.test.", 15)};
  std::vector<std::uint8_t> out(65535);
  const auto context = test::client_context(gslbd::query::Transport::udp);
  context.policy_state->prepare(*s.snapshot);
  const long before = test::allocation_count();
  std::size_t total = 0;
  for (int round = 0; round < 200; ++round) {
    for (const auto& q : queries) {
      total += gslbd::query::answer_query(*s.snapshot, q.data(), q.size(), context, out.data(),
                                          out.size());
    }
  }
  CHECK(test::allocation_count() == before);
  CHECK(total > 0);
}

TEST_CASE("cookies and rate limiting (limit, slip, drop, BADCOOKIE) allocate nothing") {
  const auto s = test::with_server(99, [](gslbd::runtime::ServerConfig& server) {
    server.rate_limit.enabled = true;
    server.rate_limit.responses_per_second = 3;
    server.rate_limit.nxdomains_per_second = 3;
    server.rate_limit.errors_per_second = 3;
    server.rate_limit.exempt.push_back({*gslbd::util::parse_address("192.0.2.0"), 24});
    server.rate_limit.table_size = 1024;
  });
  const std::vector<std::uint8_t> client = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<std::uint8_t> valid(client);
  valid.resize(24);
  const auto source = *gslbd::util::parse_address("198.51.100.7");
  gslbd::query::PolicyState state(3);
  state.prepare(*s);
  gslbd::dns::make_server_cookie(s->config->server.cookies.secret, client.data(),
                                 source.bytes.data(), 4, state.now_s(), valid.data() + 8);
  std::vector<std::uint8_t> forged(valid);
  forged[20] ^= 1;
  const std::vector<std::vector<std::uint8_t>> queries = {
      test::cookie_query("www.example.test.", 1, client),
      test::cookie_query("www.example.test.", 1, valid),
      test::cookie_query("www.example.test.", 1, forged),
      test::cookie_query("www.example.test.", 1, std::vector<std::uint8_t>(9, 1)),  // FORMERR
      test::cookie_only_query(client),
      test::cookie_only_query(forged),
      test::make_query("www.example.test.", 1),
      test::make_query("nope.example.test.", 1),
      test::make_query("www.example.org.", 1),
  };
  std::vector<std::uint8_t> out(65535);
  gslbd::stats::QueryRecord record;
  gslbd::query::QueryContext context;
  context.policy_state = &state;
  context.record = &record;
  const long before = test::allocation_count();
  std::size_t total = 0;
  std::size_t dropped = 0;
  std::size_t slipped = 0;
  for (int round = 0; round < 50; ++round) {
    for (const auto& q : queries) {
      for (const char* from : {"198.51.100.7", "192.0.2.9", "2001:db8::1"}) {
        context.source = *gslbd::util::parse_address(from);
        record = {};
        total +=
            gslbd::query::answer_query(*s, q.data(), q.size(), context, out.data(), out.size());
        dropped += record.rrl == gslbd::stats::RrlAction::dropped;
        slipped += record.rrl == gslbd::stats::RrlAction::slipped;
      }
    }
  }
  CHECK(test::allocation_count() == before);
  CHECK(total > 0);
  CHECK(dropped > 0);
  CHECK(slipped > 0);
}

TEST_CASE("signed answers with DO=1 allocate nothing once their signatures are cached") {
  auto s = test::signed_snapshot();
  const auto o = test::dnssec_ok();
  const std::vector<std::vector<std::uint8_t>> queries = {
      test::make_query("www.signed.test.", 1, o),
      test::make_query("signed.test.", 48, o),
      test::make_query("nope.signed.test.", 1, o),
      test::make_query("www.signed.test.", 28, o),
      test::make_query("x.wild.signed.test.", 1, o),
      test::make_query("ent.signed.test.", 1, o),
      test::make_query("www.secure.signed.test.", 1, o),
      test::make_query("www.insecure.signed.test.", 1, o),
      test::make_query("app.signed.test.", 1, o),
      test::make_query("app.signed.test.", 28, o),
      test::make_query("sticky.signed.test.", 1, o),
      test::make_query("signed.test.", 2, o),
      test::make_query("mx4.signed.test.", 15, o),
  };
  std::vector<std::uint8_t> out(65535);
  const auto context = test::client_context(gslbd::query::Transport::udp);
  context.policy_state->prepare(*s.snapshot);
  REQUIRE(context.policy_state->signature_cache() != nullptr);
  // Warm-up: the first answers sign what exists only per query into the worker's cache (a
  // miss signs with OpenSSL, which allocates with malloc inside; ours allocate nothing).
  for (int round = 0; round < 20; ++round) {
    for (const auto& q : queries) {
      gslbd::query::answer_query(*s.snapshot, q.data(), q.size(), context, out.data(), out.size());
    }
  }
  const auto misses = context.policy_state->signature_cache()->counters().misses;
  const long before = test::allocation_count();
  std::size_t total = 0;
  for (int round = 0; round < 200; ++round) {
    for (const auto& q : queries) {
      for (auto transport : {gslbd::query::Transport::udp, gslbd::query::Transport::tcp}) {
        auto c = context;
        c.transport = transport;
        total +=
            gslbd::query::answer_query(*s.snapshot, q.data(), q.size(), c, out.data(), out.size());
      }
    }
  }
  CHECK(test::allocation_count() == before);
  CHECK(total > 0);
  // Every per-query signature came from the cache.
  CHECK(context.policy_state->signature_cache()->counters().misses == misses);
  CHECK(context.policy_state->signature_cache()->counters().hits > 0);
}
