// SPDX-License-Identifier: Apache-2.0
// The running server: control loop on the main thread (signals, putting reloaded configs in
// service, snapshot collection), the reload thread that loads them, and the workers. The
// control thread is the only publisher of snapshots.
#pragma once

#include <uv.h>

#include <memory>
#include <vector>

#include "file_watcher.hpp"
#include "gslbd/control/control_server.hpp"
#include "gslbd/dnstap/writer.hpp"
#include "gslbd/probe/health_loop.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/server/shard.hpp"
#include "gslbd/server/xdp_service.hpp"
#include "options.hpp"
#include "reloader.hpp"
#include "sd_notify.hpp"

namespace gslbd::app {

class Daemon {
 public:
  Daemon(Options options, std::shared_ptr<const runtime::Config> config);
  ~Daemon();

  // Binds, starts the workers and runs until SIGTERM or SIGINT. Returns the exit code: 0 after
  // a requested stop, 1 when start-up failed (after one critical log line saying why and
  // stopping whatever had started).
  int run();

 private:
  // Every start-up step in order; false (or an exception) with `error` set stops start-up.
  bool start(std::string& error);
  void start_signals();
  // Control thread: puts a loaded config in service (or reports why not), for reloader_.
  control::ReloadOutcome apply_reload(config::LoadResult result);
  // Stops whatever is running; safe at any point of start-up (every handle it touches was
  // initialised by the constructor).
  void shutdown();
  bool start_control(std::string& error);
  static std::string state_directory(const runtime::ServerConfig& server);
  // Hands the config's members to the health loop (which seeds the new health table with the
  // state of members that stay) and only then publishes it to the workers.
  void put_in_service(std::shared_ptr<const runtime::Config> config);
  // Control thread, from refresh_timer_: reloads when a signed zone's signatures have lived
  // half their validity, so that they are made afresh off the query path long before they
  // expire.
  void refresh_signatures();
  // Opens the AF_XDP fast path when configured, before privileges are dropped; a failure
  // leaves the sockets to answer alone and says so in the log and in /status, unless
  // xdp.required is true: then it returns false with error set, and gslbd does not start.
  bool open_xdp(std::string& error);

  Options options_;
  std::shared_ptr<const runtime::Config> config_;  // the one in service (control thread only)
  runtime::SnapshotPublisher publisher_;
  probe::HealthLoop health_loop_;
  std::unique_ptr<dnstap::Writer> dnstap_;              // null when off; outlives the workers' taps
  std::vector<std::unique_ptr<server::Shard>> shards_;  // one per server.workers
  std::unique_ptr<server::XdpService> xdp_;             // null when off or when it could not start
  std::optional<control::XdpReport> xdp_report_;        // nullopt: xdp is not configured
  uv_loop_t loop_{};
  bool loop_ready_ = false;
  int init_error_ = 0;  // the first libuv error of the constructor, reported by run()
  uv_signal_t sighup_{};
  uv_signal_t sigterm_{};
  uv_signal_t sigint_{};
  uv_timer_t collect_timer_{};
  SdNotifier notify_ = SdNotifier::from_environment();
  uv_timer_t watchdog_timer_{};      // pings the manager's watchdog while the control loop runs
  uv_timer_t refresh_timer_{};       // checks the age of DNSSEC signatures
  std::uint32_t refresh_asked_ = 0;  // unix time of the last reload asked for by it
  Reloader reloader_;
  FileWatcher watcher_;  // geo databases, and the config's files with server.watch_files
  // The operator's actions, kept and written by the control thread; null when the control
  // endpoint is disabled (no action can be taken then).
  std::unique_ptr<control::OperatorState> operator_state_;
  std::unique_ptr<control::ControlServer> control_;  // null when disabled
  // Polls the peers named by the config in service (none: it idles); null when the control
  // endpoint is disabled, since peers need it to fetch this instance's observations.
  std::unique_ptr<control::PeerPoller> peers_;
  std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
};

// Applies a log level name to spdlog; false if the name is unknown.
bool apply_log_level(const std::string& level);

}  // namespace gslbd::app
