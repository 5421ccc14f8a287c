// SPDX-License-Identifier: Apache-2.0
// The control endpoint: a small HTTP/1.1 server on the control thread's libuv loop, loopback by
// default. Read-only views (/metrics, /status, /healthz, /readyz, /explain) and admin actions
// (drain, undrain, force, weight, reload) that need a bearer token unless the operator turned that
// off for a loopback listener; the peers' observations and pushed operator actions
// (/peer/observations, /peer/actions), which always need the fleet's or the admin token. Requests a
// web page could make (a foreign Host, an Origin on a POST) are refused. Bounded: connection count
// in all and per source, request size, idle time and a whole-request deadline.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gslbd/control/operator_state.hpp"
#include "gslbd/control/peer_poller.hpp"
#include "gslbd/probe/health_loop.hpp"
#include "gslbd/runtime/server_config.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/stats/worker_stats.hpp"

namespace gslbd::control {

struct ReloadOutcome {
  bool ok = false;
  std::uint64_t generation = 0;     // in service after the attempt
  std::vector<std::string> errors;  // "file:line:col: message" when !ok
};

// The dnstap writer's totals, when dnstap is on.
struct DnstapCounts {
  std::uint64_t written = 0;
  std::uint64_t dropped = 0;
};

// Called on the control thread with the outcome of a reload.
using ReloadDone = std::function<void(const ReloadOutcome&)>;

// Reloads as the daemon counts them (one count per config load, whoever asked for it) and the
// one in progress; the endpoint only reads them (/metrics, /status).
struct ReloadStats {
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  bool last_ok = true;
  // The last config put in service (the initial load counts until a reload succeeds).
  std::chrono::system_clock::time_point last_success;
  bool in_progress = false;
  std::chrono::system_clock::time_point in_progress_since;  // when in_progress

  void note(const ReloadOutcome& outcome, std::chrono::system_clock::time_point now) noexcept {
    if (outcome.ok) {
      ++succeeded;
      last_success = now;
    } else {
      ++failed;
    }
    last_ok = outcome.ok;
  }
};

// A file the daemon watches (a geo map's database, and with server.watch_files the config's
// own files), and how its last load went.
struct WatchedFile {
  std::string path;
  std::string kind;     // "database" or "config"
  bool loaded = false;  // a load has included it (false: not yet)
  std::chrono::system_clock::time_point last_load;
  bool last_ok = true;
  std::string last_error;  // the first error of the last failed load that names this file
  std::uint64_t loads_ok = 0;
  std::uint64_t loads_failed = 0;
};

// Everything the endpoint reads or acts on. All callbacks run on the control thread.
// The AF_XDP fast path as /status shows it: active, or why queries go to the sockets instead.
struct XdpReport {
  bool active = false;
  std::string detail;  // "native mode on veth0 queue 0", or the reason it is not active
};

struct ControlContext {
  const runtime::SnapshotPublisher* publisher = nullptr;
  probe::HealthLoop* health = nullptr;
  // Where admin actions are kept, applied and written (null: the server keeps its own, in
  // memory only).
  OperatorState* operator_state = nullptr;
  std::function<std::vector<const stats::WorkerStats*>()> worker_stats;
  // Asks for a reload; `done` gets its outcome later (the config loads off the control thread)
  // or at once. POST /admin/reload answers its caller from `done`.
  std::function<void(ReloadDone done)> reload;
  std::function<ReloadStats()> reload_stats;
  std::function<bool()> serving;                        // workers started and a config published
  std::function<std::optional<DnstapCounts>()> dnstap;  // empty, or nullopt: dnstap is off
  std::function<PeersReport()> peers;                   // empty: no poller
  std::function<std::vector<WatchedFile>()> watched_files;  // empty: none
  std::function<std::optional<XdpReport>()> xdp;            // nullopt: xdp is not configured
  std::string version;
  std::chrono::system_clock::time_point started;
};

// Thread contract: construct, start(), stop(), update() and destroy on the
// thread that runs `loop` (or before that loop runs); every callback of the context is called
// there. After stop() the loop still runs close callbacks; they touch only memory they own, so
// the server may be destroyed before the loop has finished closing.
class ControlServer {
 public:
  ControlServer(uv_loop_t* loop, runtime::ControlConfig settings, ControlContext context);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds and listens; returns false with a reason (address in use, bad address).
  bool start(std::string& error);
  // Closes the listener and every connection (the loop then finishes closing them).
  void stop() noexcept;

  // Replaces the settings that may change on reload (token, admin_without_token, limits).
  // The listen address changes only on restart (a different one here is ignored); enabled and
  // warnings are the daemon's to act on.
  void update(const runtime::ControlConfig& settings);

  // The port bound by start() (the kernel's choice when settings.listen.port was 0), else 0.
  std::uint16_t port() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gslbd::control
