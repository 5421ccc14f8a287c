// SPDX-License-Identifier: Apache-2.0
// How a member's checks make its health (Route 53's calculated checks, F5's availability
// requirement): each check's verdict after its own rise/fall (and invert), combined by the
// member's `healthy_when` rule. The one rule for the health loop's verdict, its log lines,
// /status and /explain. Any thread; noexcept; pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gslbd::health {

// Checks per member that a verdict word can carry (the loader refuses more).
inline constexpr std::uint32_t kMaxRuleChecks = 16;

enum class RuleKind : std::uint8_t { all, any, at_least };

struct CheckRule {
  RuleKind kind = RuleKind::all;
  std::uint32_t at_least = 0;  // RuleKind::at_least only: 1..number of checks

  bool operator==(const CheckRule&) const = default;
};

// Each check's verdict after rise/fall, bit i for the member's i-th check (in config order).
struct CheckVerdicts {
  std::uint16_t passing = 0;  // the check's machine is up
  std::uint16_t known = 0;    // the check has a result
  std::uint8_t count = 0;     // checks, 0..kMaxRuleChecks

  bool operator==(const CheckVerdicts&) const = default;
};

// Layout: bits 0..15 passing, 16..31 known, 32..39 count.
inline std::uint64_t pack(const CheckVerdicts& v) noexcept {
  return std::uint64_t{v.passing} | (std::uint64_t{v.known} << 16) | (std::uint64_t{v.count} << 32);
}
inline CheckVerdicts unpack_verdicts(std::uint64_t word) noexcept {
  CheckVerdicts v;
  v.passing = static_cast<std::uint16_t>(word & 0xffff);
  v.known = static_cast<std::uint16_t>((word >> 16) & 0xffff);
  v.count = static_cast<std::uint8_t>((word >> 32) & 0xff);
  return v;
}

struct RuleOutcome {
  std::uint32_t checks = 0;   // how many checks the member has
  std::uint32_t passing = 0;  // of them, how many pass
  std::uint32_t needed = 0;   // passing checks the rule asks for (0 with no checks)
  bool up = true;             // passing >= needed; always with no checks
  bool known = true;          // every check has a result
};

// all: every check passes; any: at least one; at_least N: N of them. A member without checks
// is up whatever its rule (nothing to fail). An at_least larger than the checks (which the
// loader refuses) can never be met.
RuleOutcome combine(const CheckRule& rule, const CheckVerdicts& verdicts) noexcept;

// "all", "any", "at_least 2": the rule as the config spells it.
std::string rule_text(const CheckRule& rule);

// "2 of 3 checks pass, at_least 2: up": the count, the rule and its verdict.
std::string outcome_text(const CheckRule& rule, const RuleOutcome& outcome);

}  // namespace gslbd::health
