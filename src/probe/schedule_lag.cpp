// SPDX-License-Identifier: Apache-2.0
#include "schedule_lag.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "gslbd/probe/health_loop.hpp"

namespace gslbd::probe {

bool is_late(std::uint64_t lag_us, std::uint32_t interval_ms) noexcept {
  const std::uint64_t bound_us = std::max<std::uint64_t>(
      std::uint64_t{interval_ms} * 10 * kLateIntervalPercent, std::uint64_t{kLateMinimumMs} * 1000);
  return lag_us > bound_us;
}

void ScheduleLag::record(std::uint64_t lag_ns, std::uint32_t interval_ms) noexcept {
  ++window_started_;
  window_max_ns_ = std::max(window_max_ns_, lag_ns);
  if (is_late(lag_ns / 1000, interval_ms)) {
    ++window_late_;
    late_total_.fetch_add(1, std::memory_order_relaxed);
  }
}

void ScheduleLag::roll(std::uint64_t now_ns, std::uint64_t tick_lag_ns) noexcept {
  const std::uint64_t max_ns = std::max(window_max_ns_, tick_lag_ns);
  lag_us_.store(max_ns / 1000, std::memory_order_relaxed);
  late_last_.store(window_late_, std::memory_order_relaxed);
  started_last_.store(window_started_, std::memory_order_relaxed);
  if (period_start_ns_ == 0) period_start_ns_ = now_ns;
  period_max_ns_ = std::max(period_max_ns_, max_ns);
  period_late_ += window_late_;
  period_started_ += window_started_;
  window_max_ns_ = 0;
  window_late_ = 0;
  window_started_ = 0;

  const bool may_log = !logged_ || now_ns - last_log_ns_ >= kLogEveryNs;
  if (period_late_ > 0 && may_log) {
    const double seconds = static_cast<double>(now_ns - period_start_ns_) / 1e9;
    spdlog::warn(
        "health: probes start behind schedule: {} of {} probes in the last {:.0f} s started "
        "late, up to {} ms after their due time; the checks ask for {:.0f} probes/s and the "
        "health thread cannot keep up (use longer intervals or fewer checks)",
        period_late_, period_started_, std::max(seconds, 1.0), period_max_ns_ / 1'000'000,
        planned());
    logged_ = true;
    last_log_ns_ = now_ns;
  } else if (period_late_ > 0 || now_ns - period_start_ns_ < kLogEveryNs) {
    return;  // keep counting until a line may be written, or until a quiet minute has passed
  }
  period_start_ns_ = now_ns;
  period_max_ns_ = 0;
  period_late_ = 0;
  period_started_ = 0;
}

}  // namespace gslbd::probe
