// SPDX-License-Identifier: Apache-2.0
// /metrics: everything gslbd counts, in the Prometheus text format 0.0.4 with CoreDNS's naming
// habits and a gslbd_ prefix. Workers' counters are summed here, at scrape time (the query path
// never shares a counter). Control thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "control_counters.hpp"
#include "gslbd/control/control_server.hpp"
#include "gslbd/probe/health_loop.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/stats/worker_stats.hpp"

namespace gslbd::control {

struct MetricsInput {
  const runtime::Snapshot* snapshot = nullptr;  // null before the first publish
  std::vector<const stats::WorkerStats*> workers;
  probe::ProbeCounters probes;
  bool has_probes = false;
  ReloadStats reloads;
  const ControlCounters* control = nullptr;
  std::string version;
  std::optional<DnstapCounts> dnstap;        // present when dnstap is on
  PeersReport peers;                         // families only when peers are configured
  std::vector<probe::MemberStatus> members;  // HealthLoop::status(), for pools' votes
  bool process = true;                       // process_* families from /proc
  std::vector<WatchedFile> watched_files;
};

std::string render_metrics(const MetricsInput& input);

// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds (Linux /proc). Families that
// cannot be read are left out.
void render_process_metrics(class PromText& out);

}  // namespace gslbd::control
