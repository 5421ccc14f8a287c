// SPDX-License-Identifier: Apache-2.0
// Helpers for the health loop tests: plans on loopback, bounded waits on the table.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gslbd/probe/health_loop.hpp"

namespace gslbd::probe::test {

// Generous: the suite also runs under ASan on two shared cores.
inline constexpr std::chrono::milliseconds kDeadline{8000};

inline health::CheckSpec fast_check(health::CheckType type, std::uint16_t port) {
  health::CheckSpec spec;
  spec.name = "test";
  spec.type = type;
  spec.port = port;
  spec.interval_ms = 100;
  spec.timeout_ms = 80;
  spec.rise = 2;
  spec.fall = 2;
  spec.jitter_percent = 10;
  return spec;
}

inline MonitoredMember member(std::string key, std::uint32_t slot,
                              std::vector<health::CheckSpec> checks,
                              health::InitialState initial = health::InitialState::down,
                              const char* address = "127.0.0.1") {
  MonitoredMember m;
  m.key = std::move(key);
  m.slot = slot;
  m.target = *util::parse_address(address);
  m.checks = std::move(checks);
  m.initial = initial;
  return m;
}

inline MonitorPlan plan(std::size_t slots, std::vector<MonitoredMember> members) {
  MonitorPlan p;
  p.table = std::make_shared<health::HealthTable>(slots, health::Health{});
  p.members = std::move(members);
  return p;
}

// Polls until `done` holds or the deadline passes; returns whether it held.
inline bool wait_until(const std::function<bool()>& done,
                       std::chrono::milliseconds deadline = kDeadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// The health loop writes a member's word into the table, then its status copy: a test that
// saw the word change waits for the status too.
inline bool wait_status(const HealthLoop& loop, std::size_t index,
                        const std::function<bool(const MemberStatus&)>& done) {
  return wait_until([&] {
    const auto all = loop.status();
    return index < all.size() && done(all[index]);
  });
}

inline long long ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

}  // namespace gslbd::probe::test
