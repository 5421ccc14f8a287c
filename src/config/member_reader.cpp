// SPDX-License-Identifier: Apache-2.0
#include "member_reader.hpp"

#include <algorithm>

#include "geo_map_reader.hpp"
#include "gslbd/pool/selection.hpp"
#include "key_table.hpp"
#include "member_target.hpp"

namespace gslbd::config::detail {
namespace {

using health::CheckSpec;
using health::CheckType;

// A member while its keys are read: the rows fill member, and note what later rules need.
struct MemberRead {
  pool::Member member;
  CheckReader& checks;
  pool::PolicyKind policy;
  std::optional<YAML::Mark> rule_mark;  // the member's own healthy_when
  bool has_bandwidth = false;
};

void read_address(Diagnostics& diag, const Value& value, util::Address& out) {
  const auto text = read_string(diag, value);
  if (!text) return;
  const auto address = util::parse_address(*text);
  if (address && text->find('\0') == std::string::npos) {
    out = *address;
  } else {
    diag.error(value.mark, value.label + ": " + quoted(*text) + " is not an IPv4 or IPv6 address");
  }
}

bool is_bandwidth_number(std::string_view number) {
  return !number.empty() && number.size() <= 12 &&
         std::all_of(number.begin(), number.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; }) &&
         std::count(number.begin(), number.end(), '.') <= 1 && number.front() != '.' &&
         number.back() != '.';
}

// "1Gbit", "100Mbit", "2.5Gbit": a link capacity in bits per second (SI units, as links are
// sold), from 1 Mbit/s to 10 Tbit/s.
std::optional<std::uint64_t> read_bandwidth(Diagnostics& diag, const Value& value) {
  const auto text = read_string(diag, value);
  if (!text) return std::nullopt;
  struct Unit {
    std::string_view suffix;
    double factor;
  };
  static constexpr Unit kUnits[] = {{"kbit", 1e3}, {"Mbit", 1e6}, {"Gbit", 1e9}, {"Tbit", 1e12}};
  for (const Unit& unit : kUnits) {
    if (text->size() <= unit.suffix.size() || !text->ends_with(unit.suffix)) continue;
    const std::string number = text->substr(0, text->size() - unit.suffix.size());
    if (!is_bandwidth_number(number)) break;
    const double bps = std::stod(number) * unit.factor;
    if (bps < 1e6 || bps > 1e13) {
      diag.error(value.mark, value.label + ": " + quoted(*text) + " is outside 1Mbit..10Tbit");
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(bps);
  }
  diag.error(value.mark, value.label + ": " + quoted(*text) +
                             " is not a bandwidth; expected a number with kbit, Mbit, Gbit or "
                             "Tbit, e.g. 1Gbit");
  return std::nullopt;
}

// Rows are read in this order: check_address overrides what address (or target) set, and checks
// replace the pool's. A member needs address or target; read_member reads target first.
constexpr Key<MemberRead> kMemberKeys[] = {
    {"name",
     [](Diagnostics& diag, const Value& v, MemberRead& m) {
       if (auto name = read_label(diag, v)) m.member.name = *name;
     },
     true},
    {"target", nullptr},
    {"address",
     [](Diagnostics& diag, const Value& v, MemberRead& m) {
       read_address(diag, v, m.member.address);
       m.member.check_address = m.member.address;
     }},
    {"check_address", [](Diagnostics& diag, const Value& v,
                         MemberRead& m) { read_address(diag, v, m.member.check_address); }},
    {"weight",
     [](Diagnostics& diag, const Value& v, MemberRead& m) {
       read_in_range(diag, v, 0, pool::kMaxMemberWeight, m.member.weight);
     }},
    {"priority", [](Diagnostics& diag, const Value& v,
                    MemberRead& m) { read_in_range(diag, v, 0, 65535, m.member.priority); }},
    {"region",
     [](Diagnostics& diag, const Value& v, MemberRead& m) {
       if (auto text = read_label(diag, v)) m.member.region = *text;
     }},
    {"location",
     [](Diagnostics& diag, const Value& v, MemberRead& m) {
       if (auto at = read_location(diag, v)) {
         m.member.location = *at;
         m.member.has_location = true;
       }
     }},
    {"checks", [](Diagnostics& diag, const Value& v,
                  MemberRead& m) { m.member.checks = m.checks.read_checks(diag, v); }},
    {"slow_start",
     [](Diagnostics& diag, const Value& v, MemberRead& m) {
       if (auto ms = read_slow_start(diag, v)) m.member.slow_start_ms = *ms;
     }},
    {"healthy_when",
     [](Diagnostics& diag, const Value& v, MemberRead& m) {
       if (auto rule = read_check_rule(diag, v)) {
         m.member.healthy_when = *rule;
         m.rule_mark = v.mark;
       }
     }},
    {"bandwidth",
     [](Diagnostics& diag, const Value& v, MemberRead& m) {
       m.has_bandwidth = true;
       if (m.policy != pool::PolicyKind::bandwidth) {
         diag.error(v.key_mark,
                    "'bandwidth' applies only to policy bandwidth (or policy geo with "
                    "within_region: bandwidth)");
       } else if (auto bps = read_bandwidth(diag, v)) {
         m.member.bandwidth_bps = *bps;
       }
     }},
};

// The member's healthy_when (its own, else its pool's) must fit its checks. A member without
// checks is always up, whatever the rule: nothing to judge.
void check_rule(Diagnostics& diag, const YAML::Mark& mark, const MemberDefaults& defaults,
                const MemberRead& read) {
  const pool::Member& member = read.member;
  const health::CheckRule& rule = member.healthy_when;
  if (rule.kind != health::RuleKind::at_least || member.checks.empty() ||
      rule.at_least <= member.checks.size()) {
    return;
  }
  const bool own = read.rule_mark.has_value();
  diag.error(read.rule_mark.value_or(defaults.healthy_when_mark.value_or(mark)),
             "member '" + member.name + "': healthy_when at_least " +
                 std::to_string(rule.at_least) + (own ? "" : " (from its pool)") +
                 " is more than its " + std::to_string(member.checks.size()) +
                 (member.checks.size() == 1 ? " check" : " checks") + ", expected at most " +
                 std::to_string(member.checks.size()));
}

}  // namespace

std::vector<std::string_view> member_key_names() {
  return key_names(kMemberKeys);
}

std::optional<std::uint32_t> read_slow_start(Diagnostics& diag, const Value& value) {
  const auto ms = read_duration_ms(diag, value);
  if (!ms) return std::nullopt;
  if (*ms > 3'600'000) {
    diag.error(value.mark, value.label + ": at most 1h");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*ms);
}

std::optional<health::CheckRule> read_check_rule(Diagnostics& diag, const Value& value) {
  constexpr const char* kExpected = "expected all, any or {at_least: N}";
  health::CheckRule rule;
  if (value.node.IsScalar()) {
    const std::string& text = value.node.Scalar();
    if (text == "all") return rule;
    if (text == "any") {
      rule.kind = health::RuleKind::any;
      return rule;
    }
    diag.error(value.mark, value.label + ": unknown value " + quoted(text) + ", " + kExpected);
    return std::nullopt;
  }
  if (!value.node.IsMap()) {
    diag.error(value.mark, value.label + ": " + kExpected);
    return std::nullopt;
  }
  const MapReader map(diag, value, {"at_least"});
  if (!map.is_map()) return std::nullopt;
  const auto n = map.require("at_least");
  if (!n) return std::nullopt;
  const auto count = read_number(diag, *n, 1, health::kMaxRuleChecks);
  if (!count) return std::nullopt;
  rule.kind = health::RuleKind::at_least;
  rule.at_least = static_cast<std::uint32_t>(*count);
  return rule;
}

std::optional<pool::Member> read_member(Diagnostics& diag, const Value& value, CheckReader& checks,
                                        const MemberDefaults& defaults, pool::PolicyKind policy,
                                        bool resolver) {
  const MapReader map(diag, value, member_key_names());
  if (!map.is_map()) return std::nullopt;
  const std::size_t errors_before = diag.count();
  MemberRead read{{}, checks, policy, std::nullopt, false};
  pool::Member& member = read.member;
  member.checks = defaults.checks;
  member.slow_start_ms = defaults.slow_start_ms;
  member.healthy_when = defaults.healthy_when;
  member.initial_state = defaults.initial_state;
  if (read_member_target(diag, map, member, resolver)) {
    member.check_address = member.address;  // none: the checks probe what the name resolves to
  } else if (!map.find("address")) {
    diag.error(map.mark(), value.label +
                               ": missing 'address' (an IPv4 or IPv6 address) or 'target' (a "
                               "host name)");
  }
  read_keys(diag, map, kMemberKeys, read);
  // A none check adds nothing: keep the list to the checks that probe.
  std::erase_if(member.checks, [](const CheckSpec& c) { return c.type == CheckType::none; });
  // A member whose checks had errors has lost some: its rule cannot be judged against them.
  if (diag.count() == errors_before) check_rule(diag, map.mark(), defaults, read);
  if (!read.has_bandwidth && policy == pool::PolicyKind::bandwidth) {
    diag.error(map.mark(), "member '" + member.name +
                               "': policy bandwidth needs its link capacity, e.g. 'bandwidth: "
                               "1Gbit'");
  }
  // Its checks' errors are reported already.
  if (pool::reads_load(policy) && diag.count() == errors_before) {
    const auto haproxy =
        std::count_if(member.checks.begin(), member.checks.end(),
                      [](const CheckSpec& c) { return c.type == CheckType::haproxy; });
    if (haproxy != 1) {
      diag.error(map.mark(), "member '" + member.name + "': policy " +
                                 std::string(pool::policy_name(policy)) +
                                 " draws by the load its balancer reports, so the member needs "
                                 "exactly one check of type haproxy (it has " +
                                 std::to_string(haproxy) + ")");
    }
  }
  if (diag.count() != errors_before) return std::nullopt;
  return member;
}

}  // namespace gslbd::config::detail
