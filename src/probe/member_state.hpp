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
#include "gslbd/probe/health_loop.hpp"

namespace gslbd::probe {

// Weight of the newest sample in the RTT average: 0.3 follows a change within a few probes
// while one slow probe moves the average by less than a third of its excess.
inline constexpr double kRttAlpha = 0.3;

struct MemberState {
  std::string key;
  std::uint32_t slot = 0;
  std::size_t index = 0;  // in the current plan, for status
  util::Address target;
  health::InitialState initial = health::InitialState::wait;
  std::vector<health::CheckSpec> checks;  // as adopted, none included
  std::vector<CheckRunner*> runners;      // one per check that is not none; closed, not deleted

  double rtt_us = 0;  // EWMA over successful probes of every check; 0 = none yet
  std::uint8_t agent_weight = 100;
  bool agent_drain = false;
  std::optional<bool> forced;  // admin
  bool admin_drain = false;    // admin

  health::Health published;  // the word last written to the table
  std::string last_error;
  std::chrono::steady_clock::time_point since_steady;
  std::chrono::system_clock::time_point since;
};

// Folds one probe result into the member's RTT average, agent state and last error.
void absorb(MemberState& member, const ProbeResult& result) noexcept;

// The member's word: up when forced up, or when every check's machine is up (always, with no
// checks); known when every check has a result; drained by the admin or by the agent.
health::Health derive(const MemberState& member) noexcept;

MemberStatus status_of(const MemberState& member);

}  // namespace gslbd::probe
