// SPDX-License-Identifier: Apache-2.0
// Expiry of operator forces: one libuv timer per forced member on the control thread's loop.
// When a timer fires it hands the member back to its checks (HealthLoop::force(key, nullopt));
// a later force of the same member replaces (or cancels) the pending expiry. Bounded.
// Control thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

namespace gslbd::control {

class ForceTimers {
 public:
  static constexpr std::size_t kMaxTimers = 4096;

  explicit ForceTimers(uv_loop_t* loop) : loop_(loop) {}
  ~ForceTimers() { close_all(); }
  ForceTimers(const ForceTimers&) = delete;
  ForceTimers& operator=(const ForceTimers&) = delete;

  // Runs on_expire after delay_ms unless cancelled or replaced. False when the bound is reached
  // or libuv refuses the timer.
  bool arm(const std::string& key, std::uint64_t delay_ms, std::function<void()> on_expire);
  void cancel(const std::string& key) noexcept;
  // Closes every pending timer (their expiries are dropped); the loop finishes closing them.
  void close_all() noexcept;
  std::size_t size() const noexcept { return timers_.size(); }

 private:
  struct Timer;
  static void on_fire(uv_timer_t* handle);
  static void close_timer(uv_timer_t* handle) noexcept;

  uv_loop_t* loop_;
  std::unordered_map<std::string, Timer*> timers_;
};

}  // namespace gslbd::control
