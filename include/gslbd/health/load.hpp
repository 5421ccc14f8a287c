// SPDX-License-Identifier: Apache-2.0
// A member's load as its balancer reports it (HAProxy's statistics): the figures the
// load-based policies draw by, and /status, /explain and /metrics show.
#pragma once

#include <cstdint>
#include <optional>

namespace gslbd::health {

// Sessions, response time and byte rates are averaged over polls (each poll weighs half, see
// kLoadSmoothing) so that one poll's swing does not swing the answers; the session limit,
// session rate, queue and UP server count are the latest poll's.
struct Load {
  bool known = false;                 // at least one poll has succeeded
  std::uint32_t sessions = 0;         // current sessions on the member's frontend (scur)
  std::uint32_t session_limit = 0;    // the frontend's session limit (slim); 0 = none reported
  std::uint32_t session_rate = 0;     // new sessions per second on the frontend
  std::uint32_t queue = 0;            // requests queued in the member's backends
  std::uint32_t response_ms = 0;      // the slowest backend's average response time (rtime)
  std::uint32_t total_ms = 0;         // the slowest backend's average total session time (ttime)
  std::uint32_t up_servers = 0;       // servers taking traffic, over the member's backends
  std::uint64_t bytes_in_per_s = 0;   // from the frontend's byte counters, between polls
  std::uint64_t bytes_out_per_s = 0;  // 0 until two polls have been made

  bool operator==(const Load&) const = default;
};

// Weight of the newest poll in the averaged figures. A policy that draws by the average and
// a load that follows the answers form a loop: with the full new value each poll (1.0) the
// shares overshoot and alternate between sites; weighing the newest poll by one half makes
// them approach the balance from one side (see tests/unit/pool/load_settling_test.cpp).
inline constexpr double kLoadSmoothing = 0.5;

// What one poll of a balancer's statistics read: the counters as reported (byte counters are
// cumulative; LoadAverager turns them into rates between polls).
struct LoadSample {
  std::uint64_t sessions = 0;       // the frontend's current sessions
  std::uint64_t session_limit = 0;  // the frontend's limit (0: none reported)
  std::uint64_t session_rate = 0;   // the frontend's new sessions per second
  std::uint64_t bytes_in = 0;       // the frontend's cumulative counters
  std::uint64_t bytes_out = 0;
  std::uint64_t queue = 0;        // queued requests over the backends
  std::uint64_t response_ms = 0;  // the slowest backend's average response time
  std::uint64_t total_ms = 0;     // the slowest backend's average total time
  std::uint32_t up_servers = 0;   // over the backends
};

// Turns a member's polls into its Load: averages (kLoadSmoothing) and byte rates between
// consecutive polls. Owned by the one thread that polls (the health loop).
class LoadAverager {
 public:
  // `now_ns`: a monotonic time of the poll. Byte counters that went back (HAProxy restarted,
  // or the other node of a redundant pair answers now) start a new pair of polls for the rate.
  void add(const LoadSample& sample, std::uint64_t now_ns) noexcept;
  const Load& load() const noexcept { return load_; }

 private:
  Load load_;
  double sessions_ = 0;
  double response_ms_ = 0;
  double total_ms_ = 0;
  double bytes_in_ = 0;
  double bytes_out_ = 0;
  bool rates_known_ = false;
  std::optional<LoadSample> previous_;
  std::uint64_t previous_ns_ = 0;
};

}  // namespace gslbd::health
