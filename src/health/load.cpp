// SPDX-License-Identifier: Apache-2.0
#include "gslbd/health/load.hpp"

#include <cmath>

namespace gslbd::health {
namespace {

std::uint32_t clamp32(double value) noexcept {
  if (!(value > 0)) return 0;
  return value >= 4294967295.0 ? 0xffffffffu : static_cast<std::uint32_t>(std::llround(value));
}

std::uint32_t clamp32(std::uint64_t value) noexcept {
  return value > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(value);
}

std::uint64_t clamp64(double value) noexcept {
  if (!(value > 0)) return 0;
  return value >= 9.2e18 ? std::uint64_t{9'200'000'000'000'000'000u}
                         : static_cast<std::uint64_t>(std::llround(value));
}

// The first value starts the average; later ones move it by kLoadSmoothing of the difference.
double smooth(double average, double sample, bool first) noexcept {
  return first ? sample : average + kLoadSmoothing * (sample - average);
}

}  // namespace

void LoadAverager::add(const LoadSample& sample, std::uint64_t now_ns) noexcept {
  const bool first = !load_.known;
  sessions_ = smooth(sessions_, static_cast<double>(sample.sessions), first);
  response_ms_ = smooth(response_ms_, static_cast<double>(sample.response_ms), first);
  total_ms_ = smooth(total_ms_, static_cast<double>(sample.total_ms), first);
  if (previous_ && now_ns > previous_ns_ && sample.bytes_in >= previous_->bytes_in &&
      sample.bytes_out >= previous_->bytes_out) {
    const double seconds = static_cast<double>(now_ns - previous_ns_) / 1e9;
    const double in = static_cast<double>(sample.bytes_in - previous_->bytes_in) / seconds;
    const double out = static_cast<double>(sample.bytes_out - previous_->bytes_out) / seconds;
    bytes_in_ = smooth(bytes_in_, in, !rates_known_);
    bytes_out_ = smooth(bytes_out_, out, !rates_known_);
    rates_known_ = true;
  }
  previous_ = sample;
  previous_ns_ = now_ns;

  load_.known = true;
  load_.sessions = clamp32(sessions_);
  load_.session_limit = clamp32(sample.session_limit);
  load_.session_rate = clamp32(sample.session_rate);
  load_.queue = clamp32(sample.queue);
  load_.response_ms = clamp32(response_ms_);
  load_.total_ms = clamp32(total_ms_);
  load_.up_servers = sample.up_servers;
  load_.bytes_in_per_s = clamp64(bytes_in_);
  load_.bytes_out_per_s = clamp64(bytes_out_);
}

}  // namespace gslbd::health
