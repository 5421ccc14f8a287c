// SPDX-License-Identifier: Apache-2.0
// What every check runner of one health loop shares: the loop, its PRNG, the drivers, the
// bound on probes in flight and the counters. Owned by the loop's Impl; loop thread only,
// except the counters (atomics, read by any thread).
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>

#include "gslbd/probe/curl_driver.hpp"
#include "gslbd/probe/health_loop.hpp"
#include "gslbd/util/rng.hpp"
#include "icmp_probe.hpp"
#include "probe_slots.hpp"
#include "schedule_lag.hpp"

namespace gslbd::probe {

struct LoopCounters {
  std::atomic<std::uint64_t> by_type[kCheckTypes][2] = {};
  std::atomic<std::uint64_t> duration_buckets[kCheckDurationBuckets] = {};
  std::atomic<std::uint64_t> duration_count{0};
  std::atomic<std::uint64_t> duration_sum_us{0};
  std::atomic<std::uint64_t> became_up{0};
  std::atomic<std::uint64_t> became_down{0};
  std::atomic<std::uint64_t> started{0};
  std::atomic<std::uint64_t> succeeded{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> skipped_busy{0};
  std::atomic<std::uint64_t> waited_for_slot{0};
  std::atomic<std::uint64_t> admin_dropped{0};
  std::atomic<std::uint32_t> in_flight{0};
};

struct ProbeEnv {
  uv_loop_t* loop = nullptr;
  util::Rng* rng = nullptr;
  CurlDriver* curl = nullptr;
  IcmpDriver* icmp = nullptr;
  ProbeSlots* slots = nullptr;
  LoopCounters* counters = nullptr;
  ScheduleLag* lag = nullptr;
};

// Starts one probe of `spec` (any type but none) against `target`.
Probe* start_probe(ProbeEnv& env, const health::CheckSpec& spec, const util::Address& target,
                   ProbeDone done);

}  // namespace gslbd::probe
