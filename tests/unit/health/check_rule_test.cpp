// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "gslbd/health/check_rule.hpp"

using gslbd::health::CheckRule;
using gslbd::health::CheckVerdicts;
using gslbd::health::combine;
using gslbd::health::outcome_text;
using gslbd::health::RuleKind;

namespace {

CheckVerdicts verdicts(std::uint8_t count, std::uint16_t passing, std::uint16_t known = 0xffff) {
  CheckVerdicts v;
  v.count = count;
  v.passing = passing;
  v.known = known;
  return v;
}

CheckRule at_least(std::uint32_t n) {
  return CheckRule{RuleKind::at_least, n};
}

}  // namespace

TEST_CASE("check rule: all needs every check, as before") {
  CHECK(combine(CheckRule{}, verdicts(3, 0b111)).up);
  CHECK_FALSE(combine(CheckRule{}, verdicts(3, 0b011)).up);
  CHECK(combine(CheckRule{}, verdicts(3, 0b011)).needed == 3);
}

TEST_CASE("check rule: any needs one check") {
  const CheckRule any{RuleKind::any, 0};
  CHECK(combine(any, verdicts(3, 0b100)).up);
  CHECK_FALSE(combine(any, verdicts(3, 0)).up);
  CHECK(combine(any, verdicts(3, 0)).needed == 1);
}

TEST_CASE("check rule: at_least N counts the passing checks") {
  CHECK(combine(at_least(2), verdicts(3, 0b101)).up);
  CHECK_FALSE(combine(at_least(2), verdicts(3, 0b100)).up);
  CHECK(combine(at_least(3), verdicts(3, 0b111)).up);
  // More than the member has can never be met (the loader refuses it).
  CHECK_FALSE(combine(at_least(4), verdicts(3, 0b111)).up);
  // 0 would pass with nothing: taken as 1.
  CHECK_FALSE(combine(at_least(0), verdicts(2, 0)).up);
}

TEST_CASE("check rule: bits past the member's checks do not count") {
  const auto outcome = combine(CheckRule{RuleKind::any, 0}, verdicts(2, 0b1100));
  CHECK(outcome.passing == 0);
  CHECK_FALSE(outcome.up);
}

TEST_CASE("check rule: a member without checks is up and known under every rule") {
  for (const CheckRule& rule : {CheckRule{}, CheckRule{RuleKind::any, 0}, at_least(2)}) {
    const auto outcome = combine(rule, verdicts(0, 0, 0));
    CHECK(outcome.up);
    CHECK(outcome.known);
    CHECK(outcome.needed == 0);
  }
}

TEST_CASE("check rule: known only when every check has a result") {
  CHECK(combine(CheckRule{}, verdicts(2, 0b01, 0b11)).known);
  CHECK_FALSE(combine(CheckRule{RuleKind::any, 0}, verdicts(2, 0b01, 0b01)).known);
}

TEST_CASE("check rule: sixteen checks use every bit") {
  CHECK(combine(CheckRule{}, verdicts(16, 0xffff)).up);
  CHECK_FALSE(combine(CheckRule{}, verdicts(16, 0x7fff)).up);
  CHECK(combine(at_least(15), verdicts(16, 0x7fff)).up);
}

TEST_CASE("check rule: the outcome in words") {
  CHECK(outcome_text(at_least(2), combine(at_least(2), verdicts(3, 0b011))) ==
        "2 of 3 checks pass, at_least 2: up");
  CHECK(outcome_text(CheckRule{RuleKind::any, 0},
                     combine(CheckRule{RuleKind::any, 0}, verdicts(2, 0))) ==
        "0 of 2 checks pass, any: down");
  CHECK(outcome_text(CheckRule{}, combine(CheckRule{}, verdicts(1, 1))) ==
        "1 of 1 check passes, all: up");
  CHECK(outcome_text(CheckRule{}, combine(CheckRule{}, verdicts(0, 0))) == "no checks: up");
}

TEST_CASE("check rule: verdict words round-trip") {
  const CheckVerdicts v = verdicts(16, 0xa5a5, 0x5a5a);
  CHECK(gslbd::health::unpack_verdicts(gslbd::health::pack(v)) == v);
}
