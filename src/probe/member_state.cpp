// SPDX-License-Identifier: Apache-2.0
#include "member_state.hpp"

#include <cmath>

namespace gslbd::probe {

bool absorb(MemberState& member, const health::CheckSpec& check, const ProbeResult& result,
            std::uint64_t now_ns) noexcept {
  bool load_changed = false;
  if (result.load) {
    const health::Load before = member.load.load();
    member.load.add(*result.load, now_ns);
    load_changed = !(member.load.load() == before);
  }
  if (result.ok && result.rtt_us > 0) {
    const double sample = result.rtt_us;
    member.rtt_us =
        member.rtt_us == 0 ? sample : kRttAlpha * sample + (1 - kRttAlpha) * member.rtt_us;
  }
  if (result.agent_weight >= 0) {
    member.agent_weight =
        static_cast<std::uint8_t>(result.agent_weight > 255 ? 255 : result.agent_weight);
  }
  if (result.agent_drain) {
    member.agent_drain = true;
  } else if (result.agent_ready) {
    member.agent_drain = false;
  }
  member.last_probe_at = std::chrono::system_clock::now();
  if (!result.ok) {
    try {
      member.last_error = result.error;
      member.last_error_check = check.name;
      member.last_error_at = std::chrono::system_clock::now();
    } catch (...) {  // out of memory: keep the old text
    }
  }
  return load_changed;
}

namespace {

// Every check's rise/fall machine together, by the member's rule, before any admin action.
health::RuleOutcome checks_verdict(const MemberState& member) noexcept {
  health::RuleOutcome outcome = health::combine(member.rule, verdicts_of(member));
  // A host name that does not resolve leaves nothing to check: the member fails, whatever its
  // checks said about the address they probed before.
  if (!member.resolve_error.empty()) {
    outcome.up = false;
    outcome.known = true;
  }
  return outcome;
}

}  // namespace

health::CheckVerdicts verdicts_of(const MemberState& member) noexcept {
  health::CheckVerdicts v;
  for (std::size_t i = 0; i < member.runners.size() && i < health::kMaxRuleChecks; ++i) {
    const RiseFall& machine = member.runners[i]->machine();
    const auto bit = static_cast<std::uint16_t>(1u << i);
    if (machine.up()) v.passing = static_cast<std::uint16_t>(v.passing | bit);
    if (machine.known()) v.known = static_cast<std::uint16_t>(v.known | bit);
    ++v.count;
  }
  return v;
}

VoteTally member_tally(const MemberState& member) noexcept {
  const health::RuleOutcome checks = checks_verdict(member);
  return tally(member.votes.rule, checks.known, checks.up, member.votes.states);
}

health::Health derive(const MemberState& member) noexcept {
  const VoteTally voted = member_tally(member);
  const bool all_up = voted.up;
  const bool all_known = voted.known;
  health::Health h;
  h.forced = member.forced.has_value();
  h.up = member.forced.value_or(all_up);
  h.known = h.forced || all_known;
  h.drained = member.admin_drain || member.agent_drain;
  h.agent_weight = member.agent_weight;
  const double rtt = std::round(member.rtt_us);
  h.rtt_us = rtt >= 4294967295.0 ? 0xffffffffu : static_cast<std::uint32_t>(rtt);
  if (member.rtt_us > 0 && h.rtt_us == 0) h.rtt_us = 1;
  return h;
}

bool note_serving(MemberState& member, const health::Health& before, const health::Health& now,
                  std::uint64_t now_ms) noexcept {
  if (!health::serving(now)) return false;
  const bool recovered = member.has_served && !health::serving(before);
  member.has_served = true;
  if (!recovered) return false;
  member.ramp_since_ms = now_ms == 0 ? 1 : now_ms;  // 0 means "no ramp"
  return true;
}

MemberStatus status_of(const MemberState& member) {
  MemberStatus s;
  s.key = member.key;
  s.up = member.published.up;
  s.known = member.published.known;
  s.drained = member.published.drained;
  s.forced = member.published.forced;
  s.weight_override = member.weight_override;
  s.since_steady = member.since_steady;
  s.since = member.since;
  s.last_error = member.last_error;
  s.last_error_check = member.last_error_check;
  s.last_error_at = member.last_error_at;
  if (!member.published.up) s.down_reason = down_reason(member);
  s.rtt_us = member.published.rtt_us;
  s.agent_weight = member.published.agent_weight;
  const health::RuleOutcome checks = checks_verdict(member);
  s.checks_up = checks.up;
  s.checks_known = checks.known;
  s.checks.reserve(member.runners.size());
  for (const CheckRunner* runner : member.runners) {
    s.checks.push_back(CheckStatus{describe_check(runner->spec(), runner->target()),
                                   runner->spec().invert, runner->machine().up(),
                                   runner->machine().known()});
  }
  s.healthy_when = health::outcome_text(member.rule, checks);
  s.last_probe_at = member.last_probe_at;
  s.target = member.target_name;
  for (const util::Address& address : member.resolved) {
    s.resolved.push_back(util::address_text(address));
  }
  s.resolve_error = member.resolve_error;
  s.resolved_at = member.resolved_at;
  return s;
}

}  // namespace gslbd::probe

namespace gslbd::probe {

std::string describe_check(const health::CheckSpec& spec, const util::Address& target) {
  // Inline checks have no name of their own: their type and target say enough.
  const std::string name = spec.name.empty() ? std::string() : spec.name + " ";
  if (spec.type == health::CheckType::haproxy && !spec.socket.empty()) {
    return "check " + name + "(haproxy at socket " + spec.socket + ")";
  }
  std::string where = util::address_text(target);
  std::uint16_t port = spec.port;
  if (port == 0 && spec.type == health::CheckType::http) port = 80;
  if (port == 0 && spec.type == health::CheckType::https) port = 443;
  if (port != 0) {
    where = (target.family == 6 ? "[" + where + "]" : where) + ":" + std::to_string(port);
  }
  if (spec.type == health::CheckType::haproxy && !spec.stats_page.empty()) {
    return "check " + name + "(haproxy stats page " + spec.stats_page + " at " + where + ")";
  }
  return "check " + name + "(" + std::string(health::check_type_name(spec.type)) + " to " + where +
         (spec.invert ? ", inverted)" : ")");
}

std::string down_reason(const MemberState& member) {
  if (member.forced.has_value()) {
    return *member.forced ? std::string() : std::string("forced down by admin");
  }
  std::string out = member.resolve_error;
  // With a rule other than all, the failing checks alone do not say why: the count does.
  if (member.rule.kind != health::RuleKind::all && out.empty()) {
    out = health::outcome_text(member.rule, checks_verdict(member));
  }
  for (const CheckRunner* runner : member.runners) {
    if (runner->machine().up() || !member.resolve_error.empty()) continue;
    if (!out.empty()) out += "; ";
    out += describe_check(runner->spec(), runner->target());
    if (!runner->machine().known()) {
      out += ": no result yet";
    } else if (runner->last_ok()) {
      // Passing again, not yet `rise` times in a row.
      out += ": passed " + std::to_string(runner->machine().successes()) + " of " +
             std::to_string(runner->spec().rise) + " times needed to come up";
    } else {
      out += " failed: " + runner->last_error();
    }
  }
  return out;
}

std::string up_reason(const MemberState& member) {
  if (member.forced.value_or(false)) return "forced up by admin";
  if (member.runners.empty()) return "no checks";
  if (member.runners.size() == 1 && member.rule.kind == health::RuleKind::all) {
    return describe_check(member.runners[0]->spec(), member.runners[0]->target()) + " passes";
  }
  if (member.rule.kind == health::RuleKind::all) {
    return "all " + std::to_string(member.runners.size()) + " checks pass";
  }
  return health::outcome_text(member.rule, checks_verdict(member));
}

}  // namespace gslbd::probe
