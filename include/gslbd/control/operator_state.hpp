// SPDX-License-Identifier: Apache-2.0
// The operator's actions (drain, force, weight) as this instance keeps them: the newest record
// per (pool, member, kind) from this instance's admin endpoint and from its peers, applied to
// the health loop by message (it stays the only writer of health state), with their expiry
// timers, and written to the state file (server.state_directory) so that they survive a
// restart or a crash. The file is read once at start: a missing or unreadable one is logged
// and ignored, records for members the config no longer has and expired ones are dropped.
// Thread: the control thread owns it and does its file writes (small, one per change, never
// on the query path nor on the health loop).
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gslbd/probe/health_loop.hpp"
#include "gslbd/runtime/snapshot.hpp"

namespace gslbd::control {

struct OperatorAction;
class ActionSet;
enum class ActionKind : std::uint8_t;

// The state file's name in the state directory, and the most of it that is read.
inline constexpr const char* kStateFileName = "operator-state.json";
inline constexpr std::size_t kMaxStateFileBytes = 4u << 20;

struct OperatorStateReport {
  std::string file;          // empty: actions are not persisted
  std::string load_error;    // why the file was ignored at start (empty: read, or none)
  std::size_t loaded = 0;    // records taken from it at start
  std::size_t dropped = 0;   // records dropped at start (expired, or no such member)
  std::uint64_t writes = 0;  // successful writes since start
  std::uint64_t write_failures = 0;
  std::string last_write_error;    // empty after a successful write
  std::uint64_t peer_adopted = 0;  // records taken from peers
  std::uint64_t peer_refused = 0;  // records from peers that were not taken (bad, unknown)
};

// What became of a peer's records (polled or pushed) in merge_from_peer.
struct MergeCounts {
  std::size_t taken = 0;    // newer than the record kept here: kept, applied and written
  std::size_t older = 0;    // not newer than the record kept here: ignored
  std::size_t refused = 0;  // no such member here, stamped too far ahead, or no room
};

class OperatorState {
 public:
  enum class Outcome : std::uint8_t { ok, queue_full, too_many };

  // state_directory empty: nothing is written or read. publisher and health may be null
  // (nothing is then known to exist or applied).
  OperatorState(uv_loop_t* loop, const runtime::SnapshotPublisher* publisher,
                probe::HealthLoop* health, std::string state_directory);
  ~OperatorState();
  OperatorState(const OperatorState&) = delete;
  OperatorState& operator=(const OperatorState&) = delete;

  // Reads the state file and applies what it holds (once, after the first config is in service).
  void load();
  // An action taken here: stamped with this instance's identity, the time and the next
  // sequence number, applied, written. expires_in_ms 0: no expiry.
  Outcome take(ActionKind kind, const std::string& pool, const std::string& member,
               std::int64_t value, std::uint64_t expires_in_ms);
  // A peer's records, polled or pushed: each newer than what is kept here (for a member this
  // config has) is applied; one write for all. The one place where the newest-wins rule decides
  // what a peer's record does here. Records taken here are never handed to on_taken: what came
  // from a peer is not sent on, so pushes cannot loop between instances.
  MergeCounts merge_from_peer(const std::string& peer, const std::vector<OperatorAction>& actions);
  // Called with each action take() stamped, once it is kept (applied or not): the peer poller
  // pushes it to every peer. Empty: nobody is told.
  void on_taken(std::function<void(const OperatorAction&)> callback);
  // After a reload: records for members that no longer exist are dropped (and logged).
  void config_changed();
  // Closes the expiry timers (the loop finishes closing them).
  void stop() noexcept;

  const ActionSet& actions() const noexcept;
  OperatorStateReport report() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gslbd::control
