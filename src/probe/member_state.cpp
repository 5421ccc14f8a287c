// SPDX-License-Identifier: Apache-2.0
#include "member_state.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gslbd::probe {

void absorb(MemberState& member, AddressProbes& probes, const health::CheckSpec& check,
            const ProbeResult& result, std::uint64_t now_ns) noexcept {
  if (result.load) probes.load.add(*result.load, now_ns);
  if (result.ok && result.rtt_us > 0) {
    const double sample = result.rtt_us;
    member.rtt_us =
        member.rtt_us == 0 ? sample : kRttAlpha * sample + (1 - kRttAlpha) * member.rtt_us;
  }
  if (result.agent_weight >= 0) {
    probes.agent_weight =
        static_cast<std::uint8_t>(result.agent_weight > 255 ? 255 : result.agent_weight);
  }
  if (result.agent_drain) {
    probes.agent_drain = true;
  } else if (result.agent_ready) {
    probes.agent_drain = false;
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
}

RiseFall resolution_machine(const MemberState& member) noexcept {
  std::uint32_t rise = 1;
  std::uint32_t fall = 1;
  for (const health::CheckSpec& spec : member.checks) {
    if (spec.type == health::CheckType::none) continue;
    rise = std::max(rise, spec.rise);
    fall = std::max(fall, spec.fall);
  }
  return RiseFall(rise, fall,
                  member.initial == health::InitialState::up ? health::InitialState::up
                                                             : health::InitialState::wait);
}

health::CheckVerdicts verdicts_of(const AddressProbes& probes) noexcept {
  health::CheckVerdicts v;
  for (std::size_t i = 0; i < probes.runners.size() && i < health::kMaxRuleChecks; ++i) {
    const RiseFall& machine = probes.runners[i]->machine();
    const auto bit = static_cast<std::uint16_t>(1u << i);
    if (machine.up()) v.passing = static_cast<std::uint16_t>(v.passing | bit);
    if (machine.known()) v.known = static_cast<std::uint16_t>(v.known | bit);
    ++v.count;
  }
  return v;
}

namespace {

std::size_t active_checks(const MemberState& member) noexcept {
  std::size_t n = 0;
  for (const health::CheckSpec& spec : member.checks) {
    if (spec.type != health::CheckType::none) ++n;
  }
  return std::min<std::size_t>(n, health::kMaxRuleChecks);
}

// Before a name resolves nothing is probed: every check is unknown, and passing as its initial
// state says (up: passing until `fall` failures, as for a member given by address).
health::CheckVerdicts unresolved_verdicts(const MemberState& member) noexcept {
  health::CheckVerdicts v;
  v.count = static_cast<std::uint8_t>(active_checks(member));
  if (member.initial == health::InitialState::up) {
    v.passing = static_cast<std::uint16_t>(v.count >= 16 ? 0xffffu : (1u << v.count) - 1u);
  }
  return v;
}

bool is_name(const MemberState& member) noexcept {
  return !member.target_name.empty();
}

}  // namespace

MemberVerdict member_verdict(const MemberState& member) noexcept {
  MemberVerdict v;
  const AddressProbes* first_up = nullptr;
  health::RuleOutcome first_up_outcome;
  bool all_known = true;
  for (const AddressProbes& probes : member.probes) {
    const health::RuleOutcome o = health::combine(member.rule, verdicts_of(probes));
    all_known = all_known && o.known;
    if (!o.up) continue;
    ++v.addresses_up;
    // A known pass decides before one that only has its initial state.
    if (first_up == nullptr || (o.known && !first_up_outcome.known)) {
      first_up = &probes;
      first_up_outcome = o;
    }
  }
  if (first_up != nullptr) {
    v.deciding = first_up;
    v.outcome = first_up_outcome;
  } else if (!member.probes.empty()) {
    v.deciding = &member.probes.front();
    v.outcome = health::combine(member.rule, verdicts_of(member.probes.front()));
    v.outcome.known = all_known;
  } else {
    v.outcome = health::combine(member.rule, unresolved_verdicts(member));
    v.outcome.known = v.outcome.known && !is_name(member);
  }
  // A host name that does not resolve leaves nothing to check: the member fails, whatever its
  // checks said about the addresses they probed before.
  if (is_name(member) && !member.resolution.up()) {
    v.unresolved = true;
    v.outcome.up = false;
    v.outcome.known = v.outcome.known || member.resolution.known();
  }
  return v;
}

namespace {

// Calls visit for each address whose balancer's word counts for the member: those whose checks
// pass, or all of them while none does.
template <typename Visit>
void visit_counted(const MemberState& member, Visit visit) noexcept {
  const auto passes = [&member](const AddressProbes& probes) {
    return health::combine(member.rule, verdicts_of(probes)).up;
  };
  const bool any_passes = std::any_of(member.probes.begin(), member.probes.end(), passes);
  for (const AddressProbes& probes : member.probes) {
    if (!any_passes || passes(probes)) visit(probes);
  }
}

template <typename T>
T add_saturated(T a, T b) noexcept {
  return b > std::numeric_limits<T>::max() - a ? std::numeric_limits<T>::max() : a + b;
}

}  // namespace

AgentWord agent_word(const MemberState& member) noexcept {
  std::uint32_t sum = 0;
  std::uint32_t counted = 0;
  bool all_drain = true;
  visit_counted(member, [&](const AddressProbes& probes) {
    sum += probes.agent_weight;
    ++counted;
    all_drain = all_drain && probes.agent_drain;
  });
  AgentWord word;
  if (counted == 0) return word;
  word.weight = static_cast<std::uint8_t>((sum + counted / 2) / counted);
  word.drain = all_drain;
  return word;
}

health::Load member_load(const MemberState& member) noexcept {
  // Through a stats socket every address's runner reads the same balancer: count it once.
  const bool one_source =
      std::any_of(member.checks.begin(), member.checks.end(), [](const health::CheckSpec& spec) {
        return spec.type == health::CheckType::haproxy && !spec.socket.empty();
      });
  health::Load total;
  visit_counted(member, [&total, one_source](const AddressProbes& probes) {
    const health::Load& site = probes.load.load();
    if (!site.known || (one_source && total.known)) return;
    total.known = true;
    total.sessions = add_saturated(total.sessions, site.sessions);
    total.session_limit = add_saturated(total.session_limit, site.session_limit);
    total.session_rate = add_saturated(total.session_rate, site.session_rate);
    total.queue = add_saturated(total.queue, site.queue);
    total.response_ms = std::max(total.response_ms, site.response_ms);
    total.total_ms = std::max(total.total_ms, site.total_ms);
    total.up_servers = add_saturated(total.up_servers, site.up_servers);
    total.bytes_in_per_s = add_saturated(total.bytes_in_per_s, site.bytes_in_per_s);
    total.bytes_out_per_s = add_saturated(total.bytes_out_per_s, site.bytes_out_per_s);
  });
  return total;
}

health::CheckVerdicts verdicts_of(const MemberState& member) noexcept {
  const MemberVerdict v = member_verdict(member);
  return v.deciding != nullptr ? verdicts_of(*v.deciding) : unresolved_verdicts(member);
}

namespace {

// Every address's checks together, by the member's rule, before any admin action.
health::RuleOutcome checks_verdict(const MemberState& member) noexcept {
  return member_verdict(member).outcome;
}

}  // namespace

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
  const AgentWord agent = agent_word(member);
  h.drained = member.admin_drain || agent.drain;
  h.agent_weight = agent.weight;
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

namespace {

std::vector<CheckStatus> check_statuses(const AddressProbes& probes) {
  std::vector<CheckStatus> out;
  out.reserve(probes.runners.size());
  for (const CheckRunner* runner : probes.runners) {
    out.push_back(CheckStatus{describe_check(runner->spec(), runner->target()),
                              runner->spec().invert, runner->machine().up(),
                              runner->machine().known()});
  }
  return out;
}

}  // namespace

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
  const MemberVerdict verdict = member_verdict(member);
  const health::RuleOutcome& checks = verdict.outcome;
  s.checks_up = checks.up;
  s.checks_known = checks.known;
  if (verdict.deciding != nullptr) s.checks = check_statuses(*verdict.deciding);
  s.healthy_when = verdict.unresolved ? "target " + member.target_name + " does not resolve: down"
                                      : health::outcome_text(member.rule, checks);
  s.last_probe_at = member.last_probe_at;
  s.target = member.target_name;
  for (const util::Address& address : member.resolved) {
    s.resolved.push_back(util::address_text(address));
  }
  if (is_name(member)) {
    if (verdict.deciding != nullptr) s.checks_probe = util::address_text(verdict.deciding->address);
    s.addresses.reserve(member.probes.size());
    for (const AddressProbes& probes : member.probes) {
      const health::RuleOutcome o = health::combine(member.rule, verdicts_of(probes));
      s.addresses.push_back(MemberStatus::AddressStatus{
          util::address_text(probes.address), o.up, o.known, health::outcome_text(member.rule, o),
          check_statuses(probes)});
    }
    s.resolve_failures = member.resolve_failures;
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

namespace {

// Why the name keeps the member down: its latest lookup's failure, or lookups that succeed
// again but not yet `rise` times in a row.
std::string resolution_reason(const MemberState& member) {
  if (!member.resolve_error.empty()) {
    return member.resolve_error + " (" + std::to_string(member.resolve_failures) +
           (member.resolve_failures == 1 ? " lookup failed" : " lookups failed in a row") + ")";
  }
  if (!member.resolution.known()) return "target " + member.target_name + " not resolved yet";
  return "target " + member.target_name +
         " resolves again: " + std::to_string(member.resolution.successes()) + " lookups of " +
         std::to_string(member.resolution.rise()) + " needed to come up";
}

// The failing checks at one address, each with its latest error.
void append_failing(const AddressProbes& probes, std::string& out) {
  for (const CheckRunner* runner : probes.runners) {
    if (runner->machine().up()) continue;
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
}

// How the member's checks pass at its deciding address: "check X (...) passes", "all 3 checks
// pass", "2 of 3 checks pass, any: up".
std::string passing_text(const MemberState& member, const AddressProbes& probes) {
  if (probes.runners.empty()) return "no checks";
  if (probes.runners.size() == 1 && member.rule.kind == health::RuleKind::all) {
    return describe_check(probes.runners[0]->spec(), probes.runners[0]->target()) + " passes";
  }
  if (member.rule.kind == health::RuleKind::all) {
    return "all " + std::to_string(probes.runners.size()) + " checks pass";
  }
  return health::outcome_text(member.rule, health::combine(member.rule, verdicts_of(probes)));
}

}  // namespace

std::string down_reason(const MemberState& member) {
  if (member.forced.has_value()) {
    return *member.forced ? std::string() : std::string("forced down by admin");
  }
  const MemberVerdict verdict = member_verdict(member);
  if (verdict.unresolved) return resolution_reason(member);
  std::string out;
  if (is_name(member)) {
    if (member.probes.empty()) return "target " + member.target_name + " not resolved yet";
    if (member.probes.size() > 1) {
      out = "no address of " + member.target_name + " passes its checks (" +
            std::to_string(member.probes.size()) + " probed)";
    }
  }
  for (const AddressProbes& probes : member.probes) {
    // With a rule other than all, the failing checks alone do not say why: the count does.
    if (member.rule.kind != health::RuleKind::all) {
      if (!out.empty()) out += "; ";
      if (is_name(member)) out += util::address_text(probes.address) + ": ";
      out += health::outcome_text(member.rule, health::combine(member.rule, verdicts_of(probes)));
    }
    append_failing(probes, out);
  }
  return out;
}

std::string up_reason(const MemberState& member) {
  if (member.forced.value_or(false)) return "forced up by admin";
  const MemberVerdict verdict = member_verdict(member);
  if (verdict.deciding == nullptr) {
    return active_checks(member) == 0 ? "no checks" : "initial_state up, no result yet";
  }
  std::string out = passing_text(member, *verdict.deciding);
  if (is_name(member)) {
    out += " (" + std::to_string(verdict.addresses_up) + " of " +
           std::to_string(member.probes.size()) + " addresses of " + member.target_name + " up)";
  }
  return out;
}

}  // namespace gslbd::probe
