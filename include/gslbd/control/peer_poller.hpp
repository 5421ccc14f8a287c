// SPDX-License-Identifier: Apache-2.0
// Fetches every peer's GET /peer/observations at peers.interval, on the control thread's libuv
// loop (libcurl multi, no blocking call): at most one request per peer in flight, each bounded
// by peers.timeout and peers.max_reply_bytes. A reply that is refused, oversized or malformed
// is logged (when a peer's trouble starts or changes, not on every poll) and counted, and that
// peer's observations stop counting. The peer list and settings are read from the config in
// service at every poll, so a reload changes them. After every poll round and every reply, what
// every peer said goes to the health loop as one PeerVotes message (see probe/vote.hpp), which
// applies each pool's consensus rule. It also pushes the operator actions taken on this
// instance to every peer as they are taken (see push()); the polls stay the catch-up path.
// Control thread only.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gslbd/control/operator_state.hpp"
#include "gslbd/probe/health_loop.hpp"
#include "gslbd/runtime/snapshot.hpp"

namespace gslbd::control {

// This instance's pushes of its operator actions to one peer (POST /peer/actions).
struct PushReport {
  std::uint64_t sent = 0;          // requests started
  std::uint64_t succeeded = 0;     // HTTP 200: the peer read every record (applied or older)
  std::uint64_t failed = 0;        // no reply in time, connection refused, HTTP other than 200
  std::uint64_t unauthorized = 0;  // HTTP 401: the peer refused this instance's token
  std::uint64_t records = 0;       // records in the requests started
  std::uint64_t dropped = 0;       // records not queued: the queue for the peer was full
  std::string last_result;         // "ok: 1 applied, 0 older, 0 refused", "HTTP 401", ...
  std::optional<std::chrono::system_clock::time_point> last_at;  // when the last push ended
  bool last_ok = false;
};

// One peer as /status and /metrics show it.
struct PeerReport {
  std::string name;
  std::string url;
  // Its last good reply is younger than peers.stale_after (a reply that could not be read or
  // a refused token ends that at once; a poll without reply does not).
  bool fresh = false;
  std::optional<std::chrono::system_clock::time_point> last_success;
  std::string last_error;  // why the last poll failed; empty when it succeeded
  std::string instance;    // the identity the peer gave in its last good reply
  std::uint64_t generation = 0;
  // Pools both define, with different definitions (digests): the peer does not vote for them.
  std::vector<std::string> differing_pools;
  std::uint64_t polls = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;        // no reply in time, connection refused, HTTP error
  std::uint64_t unauthorized = 0;  // HTTP 401: the peer refused this instance's token
  std::uint64_t malformed = 0;     // a reply that is not a valid observations document
  std::uint64_t oversized = 0;     // a reply longer than peers.max_reply_bytes
  std::uint64_t bytes = 0;         // reply bodies received
  PushReport push;
};

struct PeersReport {
  bool configured = false;
  // Peers are configured and none has fresh observations: this instance answers from its own
  // view only.
  bool own_view_only = false;
  std::vector<PeerReport> peers;
};

class PeerPoller {
 public:
  // health: where the votes go (null: nowhere; the poller then only reports). actions: where
  // the peers' operator actions go (null: they are not read).
  PeerPoller(uv_loop_t* loop, const runtime::SnapshotPublisher& publisher,
             probe::HealthLoop* health = nullptr, OperatorState* actions = nullptr);
  ~PeerPoller();
  PeerPoller(const PeerPoller&) = delete;
  PeerPoller& operator=(const PeerPoller&) = delete;

  // Starts polling (the first poll at once). Returns false with a reason.
  bool start(std::string& error);
  // Cancels every request in flight and closes every handle (the loop then finishes closing).
  void stop() noexcept;

  // Sends an action taken on this instance to every peer of the config in service, besides the
  // polls: at most one push per peer in flight, the records taken meanwhile queued (bounded,
  // newest per pool/member/kind), a full queue counted as dropped. Nothing waits for it.
  void push(const OperatorAction& action) noexcept;

  PeersReport report() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gslbd::control
