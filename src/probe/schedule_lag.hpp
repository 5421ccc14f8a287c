// SPDX-License-Identifier: Apache-2.0
// How far behind schedule the health loop starts its probes. Every probe start reports its lag
// (start time minus due time, which includes any wait for a max_in_flight slot); a one-second
// tick of the loop rolls the window into the exported gauges and, at most once a minute, logs
// that the loop cannot keep up. Loop thread only, except the atomics (read by any thread).
#pragma once

#include <atomic>
#include <cstdint>

namespace gslbd::probe {

class ScheduleLag {
 public:
  // How often the loop writes the "behind schedule" log line at most.
  static constexpr std::uint64_t kLogEveryNs = 60'000'000'000ull;

  // One probe started lag_ns after its due time.
  void record(std::uint64_t lag_ns, std::uint32_t interval_ms) noexcept;

  // The one-second tick: publishes the finished window; `tick_lag_ns` is the tick's own lag (a
  // loop stalled by work shows there even when checks are rare). Logs when it is time.
  void roll(std::uint64_t now_ns, std::uint64_t tick_lag_ns) noexcept;

  // The average probe rate the adopted plan asks for.
  void set_planned(double per_second) noexcept {
    planned_.store(per_second, std::memory_order_relaxed);
  }

  // Any thread.
  std::uint64_t late_total() const noexcept { return late_total_.load(std::memory_order_relaxed); }
  std::uint64_t lag_us() const noexcept { return lag_us_.load(std::memory_order_relaxed); }
  std::uint64_t late_last_second() const noexcept {
    return late_last_.load(std::memory_order_relaxed);
  }
  std::uint64_t started_last_second() const noexcept {
    return started_last_.load(std::memory_order_relaxed);
  }
  double planned() const noexcept { return planned_.load(std::memory_order_relaxed); }

 private:
  // The current second.
  std::uint64_t window_max_ns_ = 0;
  std::uint64_t window_late_ = 0;
  std::uint64_t window_started_ = 0;
  // Since the last log line (or the last quiet minute).
  std::uint64_t period_start_ns_ = 0;
  std::uint64_t period_max_ns_ = 0;
  std::uint64_t period_late_ = 0;
  std::uint64_t period_started_ = 0;
  std::uint64_t last_log_ns_ = 0;
  bool logged_ = false;

  std::atomic<std::uint64_t> late_total_{0};
  std::atomic<std::uint64_t> lag_us_{0};
  std::atomic<std::uint64_t> late_last_{0};
  std::atomic<std::uint64_t> started_last_{0};
  std::atomic<double> planned_{0};
};

}  // namespace gslbd::probe
