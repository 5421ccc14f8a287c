// The health loop: one thread with its own libuv loop that runs every member's checks, applies
// the rise/fall machine, and is the ONLY writer of the health table of the config generation
// in service. Other threads talk to it by message (adopt a new plan, admin actions).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gslbd/health/check_spec.hpp"
#include "gslbd/health/health_table.hpp"
#include "gslbd/util/address.hpp"

namespace gslbd::probe {

// One member to monitor. Its health word is up when ALL its checks are up; a member with no
// checks (or only type none) is always up.
struct MonitoredMember {
  std::string key;         // stable across reloads: "pool/member/address/check-hash"
  std::uint32_t slot = 0;  // in the plan's health table
  util::Address target;    // check_address if given, else the VIP
  std::vector<health::CheckSpec> checks;
  health::InitialState initial = health::InitialState::wait;
};

struct MonitorPlan {
  std::shared_ptr<health::HealthTable> table;
  std::vector<MonitoredMember> members;
};

// Result of one finished probe; also what /status will show (issue 4).
struct ProbeResult {
  bool ok = false;
  std::uint32_t rtt_us = 0;
  std::int32_t agent_weight = -1;  // percent from an agent reply, -1 = none
  bool agent_drain = false;        // agent said drain/maint
  bool agent_down = false;         // agent said down/fail/stopped
  std::string error;               // why it failed, for logs and /status
};

class HealthLoop {
 public:
  explicit HealthLoop(std::uint32_t max_in_flight = 1024);
  ~HealthLoop();
  HealthLoop(const HealthLoop&) = delete;
  HealthLoop& operator=(const HealthLoop&) = delete;

  void start();
  void stop() noexcept;

  // Any thread: the loop takes over `plan` (asynchronously). Members whose key it already
  // monitors keep their state (rise/fall counters, RTT, agent weight), which it writes into the
  // new table at once; new members start from their initial state; the others are dropped.
  void adopt(MonitorPlan plan);

  // Any thread: blocks until the loop has adopted every plan handed over so far (tests, reload).
  void wait_adopted();

  // Any thread: true once every member of the current plan has completed its first round.
  bool first_round_done() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gslbd::probe
