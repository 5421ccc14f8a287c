// SPDX-License-Identifier: Apache-2.0
#include "rise_fall.hpp"

namespace gslbd::probe {

RiseFall::RiseFall(std::uint32_t rise, std::uint32_t fall, health::InitialState initial) noexcept
    : rise_(rise == 0 ? 1 : rise),
      fall_(fall == 0 ? 1 : fall),
      up_(initial == health::InitialState::up),
      waiting_(initial == health::InitialState::wait) {}

bool RiseFall::record(bool success, bool immediate) noexcept {
  const bool was_up = up_;
  known_ = true;
  if (success) {
    failures_ = 0;
    if (successes_ < rise_) ++successes_;
    if (waiting_ || successes_ >= rise_) up_ = true;
  } else {
    successes_ = 0;
    if (failures_ < fall_) ++failures_;
    if (waiting_ || immediate || failures_ >= fall_) up_ = false;
  }
  waiting_ = false;
  return up_ != was_up;
}

}  // namespace gslbd::probe
