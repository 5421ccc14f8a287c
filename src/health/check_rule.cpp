// SPDX-License-Identifier: Apache-2.0
#include "gslbd/health/check_rule.hpp"

#include <bit>

namespace gslbd::health {

RuleOutcome combine(const CheckRule& rule, const CheckVerdicts& verdicts) noexcept {
  RuleOutcome out;
  const std::uint32_t count =
      verdicts.count > kMaxRuleChecks ? kMaxRuleChecks : std::uint32_t{verdicts.count};
  const std::uint32_t mask = count >= 16 ? 0xffffu : (1u << count) - 1u;
  out.checks = count;
  out.passing = static_cast<std::uint32_t>(std::popcount(verdicts.passing & mask));
  out.known = (verdicts.known & mask) == mask;
  if (count == 0) return out;  // up, known, needs nothing
  switch (rule.kind) {
    case RuleKind::all:
      out.needed = count;
      break;
    case RuleKind::any:
      out.needed = 1;
      break;
    case RuleKind::at_least:
      // 0 is refused by the loader; taken as 1 so that a member never passes with none.
      out.needed = rule.at_least == 0 ? 1 : rule.at_least;
      break;
  }
  out.up = out.passing >= out.needed;
  return out;
}

std::string rule_text(const CheckRule& rule) {
  switch (rule.kind) {
    case RuleKind::all:
      return "all";
    case RuleKind::any:
      return "any";
    case RuleKind::at_least:
      return "at_least " + std::to_string(rule.at_least);
  }
  return "unknown";
}

std::string outcome_text(const CheckRule& rule, const RuleOutcome& outcome) {
  if (outcome.checks == 0) return "no checks: up";
  return std::to_string(outcome.passing) + " of " + std::to_string(outcome.checks) +
         (outcome.checks == 1 ? " check passes" : " checks pass") + ", " + rule_text(rule) + ": " +
         (outcome.up ? "up" : "down");
}

}  // namespace gslbd::health
