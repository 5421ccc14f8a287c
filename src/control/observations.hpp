// SPDX-License-Identifier: Apache-2.0
// GET /peer/observations: this instance's raw observations, as its peers fetch them to vote.
// Per pool the digest of its definition; per member the checks' own verdict after rise/fall
// (before admin forces and drains) and how long ago its last probe finished, all under the
// config generation in service. Ages rather than wall-clock times, so that peers' clocks need
// not agree. A versioned document ("format": 1) whose readers skip top-level keys they do not
// know, so later versions can add sections (operator actions) without breaking older readers.
// Control thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "admin.hpp"
#include "gslbd/probe/health_loop.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "peer_observations.hpp"

namespace gslbd::control {

struct ObservationsInput {
  const runtime::Snapshot* snapshot = nullptr;  // null before the first publish
  std::vector<probe::MemberStatus> members;     // HealthLoop::status(), keyed "pool/member"
  std::string instance;                         // server.identity
  const ActionSet* actions = nullptr;           // the operator actions in force here, if any
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// The JSON document.
std::string render_observations(const ObservationsInput& input);

// Who may read it: see peer_access (admin.hpp).

}  // namespace gslbd::control
