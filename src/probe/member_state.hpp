// SPDX-License-Identifier: Apache-2.0
// What the health loop knows about one monitored member, and how its Health word is derived
// from its checks. Health loop thread only (the loop copies it into MemberStatus for others).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "check_runner.hpp"
#include "gslbd/health/health.hpp"
#include "gslbd/health/load.hpp"
#include "gslbd/probe/health_loop.hpp"
#include "gslbd/probe/vote.hpp"
#include "resolver_reply.hpp"
#include "rise_fall.hpp"

namespace gslbd::probe {

class NameLookup;

// A member given by host name is probed at this many addresses of each family at most (the
// lowest, resolver_reply.hpp): enough for any real pool of load balancers behind one name,
// while a name with hundreds of records cannot multiply the probe load without bound.
inline constexpr std::size_t kMaxProbedPerFamily = kMaxReplyAddresses;

// The checks of a member at one address: one runner per check that is not none, in config
// order. The runners are closed, not deleted.
struct AddressProbes {
  util::Address address;
  std::vector<CheckRunner*> runners;
  // What the agent at this address said last (an agent check's reply): its weight and whether
  // it asks to be drained. Kept per address, as each address of a name may be another
  // balancer; agent_word() combines them.
  std::uint8_t agent_weight = 100;
  bool agent_drain = false;
  health::LoadAverager load;  // from an haproxy check's polls of the balancer at this address
};

// Weight of the newest sample in the RTT average: 0.3 follows a change within a few probes
// while one slow probe moves the average by less than a third of its excess.
inline constexpr double kRttAlpha = 0.3;

struct MemberState {
  std::string key;
  std::string name;         // in its pool (the key when the plan gives none)
  std::string label;        // how logs name it: "member a of pool web (192.0.2.1)"
  std::int32_t pool = -1;   // index in the loop's pool watches, -1 = none
  std::uint8_t family = 0;  // of the VIP (0 = unknown): which answers it belongs to
  std::uint32_t slot = 0;
  std::size_t index = 0;  // in the current plan, for status
  util::Address target;
  health::InitialState initial = health::InitialState::wait;
  std::vector<health::CheckSpec> checks;  // as adopted, none included
  // Where the checks run: one entry, `target`, for a member given by address (or with a
  // check_address); for one given by host name, one per address of its latest resolution (at
  // most kMaxProbedPerFamily of each family, in the resolution's order), none before the first.
  std::vector<AddressProbes> probes;
  health::CheckRule rule;  // healthy_when over one address's verdicts

  double rtt_us = 0;           // EWMA over successful probes of every check; 0 = none yet
  std::optional<bool> forced;  // admin
  bool admin_drain = false;    // admin
  std::optional<std::uint32_t> weight_override;  // admin: replaces the configured weight

  health::Health published;  // the word last written to the table
  // Slow start: when the member last came back to serving after having served (monotonic ms,
  // 0 = never), as written to the table's ramp word; and whether it has served since the loop
  // took it over (a first time up is no recovery, so members up at start do not ramp).
  std::uint64_t ramp_since_ms = 0;
  bool has_served = false;
  // Its word has been known once since the loop took it over: its first round is done. Kept
  // apart from `published.known`, which a new address or an admin release can clear again.
  bool first_verdict_done = false;
  std::string last_error;
  std::string last_error_check;
  std::optional<std::chrono::system_clock::time_point> last_error_at;
  std::chrono::steady_clock::time_point since_steady;
  std::chrono::system_clock::time_point since;
  std::optional<std::chrono::system_clock::time_point> last_probe_at;

  MemberVotes votes;  // its pool's rule and what the peers said

  // A member given by host name (target_name not empty): its latest resolution. Resolving is
  // judged like a check: `resolution` counts the lookups that succeed and fail with the
  // member's rise and fall (resolution_machine), and the member is down while it is down.
  std::string target_name;  // text
  std::string target_wire;
  std::vector<util::Address> resolved;  // the latest successful resolution, as the resolver gave it
  RiseFall resolution{1, 1, health::InitialState::wait};
  std::string resolve_error;           // the latest lookup's failure; empty once one succeeds
  std::uint32_t resolve_failures = 0;  // lookups failed in a row
  std::optional<std::chrono::system_clock::time_point> resolved_at;
  NameLookup* lookup = nullptr;         // in flight; owned by itself
  uv_timer_t* resolve_timer = nullptr;  // the next resolution; closed and freed by the loop
};

// Folds one probe result of `check` at `probes`' address into the member's RTT average and last
// error, and the agent's word and the load figures into that address's. `now_ns` (monotonic)
// times the byte rates.
void absorb(MemberState& member, AddressProbes& probes, const health::CheckSpec& check,
            const ProbeResult& result, std::uint64_t now_ns) noexcept;

// The agents' word for the member: over the addresses whose checks pass (all of them when none
// does), the mean of their weights, and drained only when every one of them asks for it (a
// resolver still sends clients to each address of a name, so one draining balancer cannot
// take the name out of answers while another serves). With one address, that address's word.
struct AgentWord {
  std::uint8_t weight = 100;
  bool drain = false;
};
AgentWord agent_word(const MemberState& member) noexcept;

// The member's load from its balancers' statistics, over the same addresses as agent_word():
// the sites' sessions, limits, rates, queues and UP servers added up, the slowest response
// times (a check through a stats socket reads one balancer whatever the address: its figures
// count once). With one address, that address's load.
health::Load member_load(const MemberState& member) noexcept;

// "check web-tcp (tcp to 127.0.0.1:8080)": which check, of what type, against what.
std::string describe_check(const health::CheckSpec& spec, const util::Address& target);

// Why the member is down now: an admin force, or each failing check with its latest error.
// Empty while it is up.
std::string down_reason(const MemberState& member);

// Why the member is up now: "check X (...) passes", "3 of 3 checks pass, all: up", "forced up
// by admin".
std::string up_reason(const MemberState& member);

// The rise/fall machine that judges a member's lookups: the largest rise and fall of its checks
// (1 without checks, where a lookup is the only test), starting up with initial_state up and
// waiting for the first lookup otherwise (a member not up at start comes up through its
// checks, which need the addresses first).
RiseFall resolution_machine(const MemberState& member) noexcept;

// Each runner's verdict at one address after rise/fall (bit i for runners[i]).
health::CheckVerdicts verdicts_of(const AddressProbes& probes) noexcept;

// How a member's checks decide, before admin actions and votes. A member is up when its checks
// meet its rule at one of its addresses at least (a member given by address has one); a member
// given by host name is also down while its name does not resolve (`resolution` down).
struct MemberVerdict {
  // The rule's outcome at the deciding address; up and known are the member's.
  health::RuleOutcome outcome;
  // The first address that passes (known before unknown), else the first; null before a name
  // is resolved.
  const AddressProbes* deciding = nullptr;
  std::size_t addresses_up = 0;
  bool unresolved = false;  // a name whose lookups fail (or none has succeeded yet)
};
MemberVerdict member_verdict(const MemberState& member) noexcept;

// The verdicts of the deciding address (the table's verdict word, for /explain); before a name
// is resolved, every check unknown.
health::CheckVerdicts verdicts_of(const MemberState& member) noexcept;

// The member's word: up when forced up, or when its checks' verdicts meet its rule (always,
// with no checks) and its pool's consensus rule agrees with the peers' votes (vote.hpp); known
// when every check has a result (or peers vote); drained by the admin or by the agent.
health::Health derive(const MemberState& member) noexcept;

MemberStatus status_of(const MemberState& member);

// The tally of the member's votes: its own checks' verdict (by its rule) and its peers' states.
VoteTally member_tally(const MemberState& member) noexcept;

// After the member's word went from `before` to `now`: starts its slow-start ramp at now_ms when
// it serves again after having served (a return from down or from a drain). Returns true when
// a ramp started (the caller writes ramp_since_ms to the table).
bool note_serving(MemberState& member, const health::Health& before, const health::Health& now,
                  std::uint64_t now_ms) noexcept;

}  // namespace gslbd::probe
