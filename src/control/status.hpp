// SPDX-License-Identifier: Apache-2.0
// /status: the zones served with their serials, the health loop's schedule (probes asked for
// and started per second, how late they start), and every pool and member with its health as
// the workers read it, since when, why it is down now (only while down), the last check error
// with its time (history: it stays after the member is up again), RTT, agent weight and the
// answers that named it. JSON. Control thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "gslbd/control/control_server.hpp"
#include "gslbd/control/peer_poller.hpp"
#include "gslbd/probe/health_loop.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/stats/worker_stats.hpp"

namespace gslbd::control {

struct StatusInput {
  const runtime::Snapshot* snapshot = nullptr;  // null before the first publish
  std::vector<probe::MemberStatus> members;     // HealthLoop::status(), keyed "pool/member"
  probe::ProbeCounters probes;                  // HealthLoop::counters(), with has_probes
  bool has_probes = false;
  // Ages ("last error 3 minutes ago") count to this instant.
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::vector<const stats::WorkerStats*> workers;
  std::string version;
  std::chrono::system_clock::time_point started;
  bool serving = false;
  bool first_round_done = false;
  bool reload_in_progress = false;
  std::chrono::system_clock::time_point reload_since;  // when reload_in_progress
  PeersReport peers;
  std::vector<WatchedFile> watched_files;
  std::optional<XdpReport> xdp;                   // nullopt: not configured
  const OperatorState* operator_state = nullptr;  // null: not shown
};

std::string render_status(const StatusInput& input);

}  // namespace gslbd::control
