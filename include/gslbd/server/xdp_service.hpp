// SPDX-License-Identifier: Apache-2.0
// The AF_XDP fast path (the xdp: section): gslbd's XDP program on each configured interface
// and one serving thread per configured receive queue. Opened on the control thread before
// privileges are dropped; the threads then need no privilege at all. Stopping (or the end of
// the process, a crash included) detaches the programs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gslbd/runtime/server_config.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/stats/worker_stats.hpp"

namespace gslbd::dnstap {
class Writer;
}  // namespace gslbd::dnstap

namespace gslbd::server {

class XdpProgram;
class XdpWorker;

class XdpService {
 public:
  // Attaches the program to every interface and opens every queue's socket. On any failure
  // returns null with `error` set to one line saying what failed and why (missing privileges,
  // a missing interface, a program already there, a kernel without AF_XDP); whatever was
  // attached by then is detached again.
  static std::unique_ptr<XdpService> open(const runtime::XdpConfig& config,
                                          const runtime::SnapshotPublisher& publisher,
                                          std::string& error);
  ~XdpService();
  XdpService(const XdpService&) = delete;
  XdpService& operator=(const XdpService&) = delete;

  // Starts the threads; dnstap (may be null) gets a tap for each and must outlive the service.
  void start(dnstap::Writer* dnstap);
  // Stops and joins the threads, then detaches the programs. The counters stay readable.
  void stop();

  // "native mode on veth0 queue 0": for the log and /status.
  const std::string& description() const noexcept { return description_; }
  std::vector<const stats::WorkerStats*> stats() const;

 private:
  XdpService();

  std::vector<std::unique_ptr<XdpProgram>> programs_;
  std::vector<std::unique_ptr<XdpWorker>> workers_;
  std::string description_;
};

}  // namespace gslbd::server
