// SPDX-License-Identifier: Apache-2.0
// Rate limiting accounting with a fixed clock: rates, the window, slip, classes, replacement.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "gslbd/rrl/rate_table.hpp"

using gslbd::rrl::Category;
using gslbd::rrl::Limits;
using gslbd::rrl::RateTable;
using gslbd::rrl::Verdict;

namespace {

RateTable table(std::uint32_t rate, std::uint32_t window, std::uint32_t slip,
                std::size_t entries = 1024) {
  RateTable t;
  const std::uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  t.set_hash_key(key);
  t.resize(entries);
  Limits limits;
  for (auto& r : limits.rate) r = rate;
  limits.window_s = window;
  limits.slip = slip;
  t.set_limits(limits);
  return t;
}

Verdict send(RateTable& t, const std::string& key, std::uint32_t now,
             Category category = Category::answer) {
  return t.account(category, reinterpret_cast<const std::uint8_t*>(key.data()), key.size(), now)
      .verdict;
}

}  // namespace

TEST_CASE("within the rate every response passes, past it they are limited") {
  RateTable t = table(5, 15, 0);
  for (int i = 0; i < 5; ++i) CHECK(send(t, "a", 1000) == Verdict::pass);
  CHECK(send(t, "a", 1000) == Verdict::drop);
  CHECK(send(t, "b", 1000) == Verdict::pass);  // another key has its own balance
  // A second later, `rate` more credits: five pass after the one debt... the balance was -1.
  int passed = 0;
  for (int i = 0; i < 10; ++i) passed += send(t, "a", 1001) == Verdict::pass;
  CHECK(passed == 4);
}

TEST_CASE("the first limited response reports the start once") {
  RateTable t = table(1, 15, 0);
  const std::uint8_t k[] = {'x'};
  CHECK_FALSE(t.account(Category::answer, k, 1, 50).started);
  CHECK(t.account(Category::answer, k, 1, 50).started);
  CHECK_FALSE(t.account(Category::answer, k, 1, 50).started);
}

TEST_CASE("a flood must stay quiet for the window before it is answered again") {
  RateTable t = table(2, 5, 0);
  for (int i = 0; i < 1000; ++i) send(t, "f", 100);  // balance sinks to -window*rate = -10
  // Each quiet second earns 2; from -10 after the debit it takes 5 seconds of silence.
  CHECK(send(t, "f", 104) == Verdict::drop);  // -10 + 8 - 1 < 0
  CHECK(send(t, "f", 110) == Verdict::pass);  // idle longer than the window: starts over
}

TEST_CASE("slip: 1 slips every limited response, 2 every other, 0 none") {
  for (std::uint32_t slip : {0u, 1u, 2u, 3u}) {
    CAPTURE(slip);
    RateTable t = table(1, 15, slip);
    CHECK(send(t, "s", 7) == Verdict::pass);
    std::string verdicts;
    for (int i = 0; i < 6; ++i) verdicts += send(t, "s", 7) == Verdict::slip ? 'S' : 'D';
    if (slip == 0) CHECK(verdicts == "DDDDDD");
    if (slip == 1) CHECK(verdicts == "SSSSSS");
    if (slip == 2) CHECK(verdicts == "SDSDSD");
    if (slip == 3) CHECK(verdicts == "SDDSDD");
  }
}

TEST_CASE("a class with rate 0 is not limited, and classes have their own rates") {
  RateTable t = table(1, 15, 0);
  Limits limits = t.limits();
  limits.rate[static_cast<std::size_t>(Category::nxdomain)] = 0;
  limits.rate[static_cast<std::size_t>(Category::error)] = 3;
  t.set_limits(limits);
  for (int i = 0; i < 100; ++i) CHECK(send(t, "n", 9, Category::nxdomain) == Verdict::pass);
  int passed = 0;
  for (int i = 0; i < 10; ++i) passed += send(t, "e", 9, Category::error) == Verdict::pass;
  CHECK(passed == 3);
}

TEST_CASE("time that goes back counts as none") {
  RateTable t = table(1, 15, 0);
  CHECK(send(t, "t", 500) == Verdict::pass);
  CHECK(send(t, "t", 400) == Verdict::drop);
  CHECK(send(t, "t", 501) == Verdict::drop);  // one credit repays the debt of the previous drop
  CHECK(send(t, "t", 503) == Verdict::pass);
}

TEST_CASE("a full table replaces the entry idle for longest, and keeps its size") {
  RateTable t = table(1, 15, 0, 4);  // one bucket of four
  CHECK(t.capacity() == 4);
  CHECK(send(t, "old", 10) == Verdict::pass);
  for (const char* key : {"k1", "k2", "k3"}) CHECK(send(t, key, 20) == Verdict::pass);
  // A fifth key evicts "old" (idle longest); the busy keys keep their (spent) balances.
  CHECK(send(t, "k4", 20) == Verdict::pass);
  CHECK(send(t, "k1", 20) == Verdict::drop);
  CHECK(send(t, "old", 20) == Verdict::pass);  // forgotten, so new again
}

TEST_CASE("an empty table limits nothing") {
  RateTable t;
  for (int i = 0; i < 100; ++i) CHECK(send(t, "z", 1) == Verdict::pass);
  CHECK(RateTable::size_for(1000) == 1024);
  CHECK(RateTable::size_for(1) == 4);
}
