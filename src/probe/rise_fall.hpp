// SPDX-License-Identifier: Apache-2.0
// The anti-flap machine of one (member, check): rise consecutive successes to come up, fall
// consecutive failures to go down. Pure and single-threaded (owned by the health loop).
#pragma once

#include <cstdint>

#include "gslbd/health/check_spec.hpp"

namespace gslbd::probe {

class RiseFall {
 public:
  // rise and fall of 0 are taken as 1. Initial states: up -> up, down -> down, wait -> down
  // until the first result, which then decides at once (a waiting member is neither trusted nor
  // distrusted, so it needs no run of `rise` successes); known stays false until a result.
  RiseFall(std::uint32_t rise, std::uint32_t fall, health::InitialState initial) noexcept;

  // Records one probe result; `immediate` makes a failure take the check down at once (an
  // agent saying "down"). Returns true when up() changed.
  bool record(bool success, bool immediate = false) noexcept;

  bool up() const noexcept { return up_; }
  bool known() const noexcept { return known_; }
  std::uint32_t successes() const noexcept { return successes_; }
  std::uint32_t failures() const noexcept { return failures_; }
  std::uint32_t rise() const noexcept { return rise_; }
  std::uint32_t fall() const noexcept { return fall_; }

 private:
  std::uint32_t rise_;
  std::uint32_t fall_;
  std::uint32_t successes_ = 0;  // consecutive, saturating at rise_
  std::uint32_t failures_ = 0;   // consecutive, saturating at fall_
  bool up_;
  bool known_ = false;
  bool waiting_;
};

}  // namespace gslbd::probe
