// Proves the query path allocates nothing: operator new is replaced by a counting one for this
// test binary, and a varied set of queries is answered after warm-up.
#include <doctest/doctest.h>

// The replacement operator new/delete below pair malloc and free on purpose; GCC cannot see
// that both sides are replaced and warns where it inlines them.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <atomic>
#include <cstdlib>
#include <new>

#include "test_zone.hpp"

namespace {
std::atomic<long> allocations{0};
}

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

TEST_CASE("answer_query allocates nothing") {
  const auto snapshot = test::example_snapshot();
  test::QueryOptions edns;
  edns.edns = true;
  edns.nsid = true;
  test::QueryOptions chaos;
  chaos.qclass = 3;
  const std::vector<std::vector<std::uint8_t>> queries = {
      test::make_query("www.example.test.", 1),     test::make_query("WWW.example.test.", 1, edns),
      test::make_query("nope.example.test.", 1),    test::make_query("alias.example.test.", 1),
      test::make_query("x.wild.example.test.", 16), test::make_query("www.sub.example.test.", 1),
      test::make_query("mail.example.test.", 15),   test::make_query("big.example.test.", 16),
      test::make_query("example.test.", 255),       test::make_query("id.server.", 16, chaos),
      test::make_query("www.example.org.", 1),
  };
  std::vector<std::uint8_t> out(65535);
  test::client_context(gslbd::query::Transport::udp).policy_state->prepare(*snapshot);
  const long before = allocations.load();
  std::size_t total = 0;
  for (int round = 0; round < 100; ++round) {
    for (const auto& q : queries) {
      for (auto transport : {gslbd::query::Transport::udp, gslbd::query::Transport::tcp}) {
        total += gslbd::query::answer_query(
            *snapshot, q.data(), q.size(), test::client_context(transport), out.data(), out.size());
      }
    }
  }
  CHECK(allocations.load() == before);
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
  const long before = allocations.load();
  std::size_t total = 0;
  for (int round = 0; round < 200; ++round) {
    for (const auto& q : queries) {
      total += gslbd::query::answer_query(*s.snapshot, q.data(), q.size(), context, out.data(),
                                          out.size());
    }
  }
  CHECK(allocations.load() == before);
  CHECK(total > 0);
}
