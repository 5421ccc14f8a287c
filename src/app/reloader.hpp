// SPDX-License-Identifier: Apache-2.0
// Config reloads off the control thread: the new config is read and validated on a thread of
// its own (a large import takes seconds) while the control endpoint keeps answering; the
// result is handed back to the control loop (uv_async) and put in service there.
#pragma once

#include <uv.h>

#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "gslbd/config/load.hpp"
#include "gslbd/control/control_server.hpp"
#include "sd_notify.hpp"

namespace gslbd::app {

// One load at a time. A reload asked for while one runs is coalesced: the callers that asked
// during the load share ONE further load, started when the running one is done, so every
// caller gets the outcome of a load that began after it asked (a file edited just before the
// request is seen) and a burst of requests costs two loads at most.
//
// Thread contract: everything but the load runs on the control thread (the loop's thread);
// `load` runs on the reload thread and touches nothing the control thread uses.
class Reloader {
 public:
  using Load = std::function<config::LoadResult()>;
  using Apply = std::function<control::ReloadOutcome(config::LoadResult)>;

  Reloader(Load load, Apply apply, const SdNotifier& notify);
  ~Reloader();
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // Before the loop runs; returns a libuv error code (0 = ready). The loop closes the handle.
  int init(uv_loop_t* loop);

  // Starts a load, or books the caller on the one that follows the load in progress. `done`
  // (may be empty) gets the outcome on the control thread; it is not called after stop().
  void request(control::ReloadDone done);

  // Counts (one per load) and the load in progress, for /metrics and /status.
  const control::ReloadStats& stats() const noexcept { return stats_; }
  void set_last_success(std::chrono::system_clock::time_point when) noexcept {
    stats_.last_success = when;
  }

  // Waits for a load in progress (its result is dropped) and forgets the callers.
  void stop() noexcept;

 private:
  void start_load();
  void on_loaded();
  void finish(const control::ReloadOutcome& outcome);

  Load load_;
  Apply apply_;
  const SdNotifier& notify_;
  uv_async_t loaded_{};
  bool ready_ = false;
  bool stopped_ = false;
  std::thread thread_;
  config::LoadResult result_;                 // written by the reload thread, read after joining it
  std::vector<control::ReloadDone> waiting_;  // callers of the load in progress
  std::vector<control::ReloadDone> next_;     // callers of the load that follows it
  bool again_ = false;                        // a load follows the one in progress
  control::ReloadStats stats_;
};

}  // namespace gslbd::app
