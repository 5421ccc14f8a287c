// SPDX-License-Identifier: Apache-2.0
// One probe in flight, the base of every check type. Lives on the health loop's thread only.
// Lifetime: a probe deletes itself once its libuv handles are closed. It delivers its result
// exactly once through `done`, always from a later loop callback (never from inside start), or
// never if cancel() came first; after done or cancel the owner must forget the pointer.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>

#include "gslbd/probe/health_loop.hpp"

namespace gslbd::probe {

using ProbeDone = std::function<void(ProbeResult)>;

class Probe {
 public:
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  // No result will be delivered; resources are released (memory once handles are closed).
  void cancel() noexcept;

 protected:
  Probe(uv_loop_t* loop, std::uint32_t timeout_ms, ProbeDone done);
  virtual ~Probe() = default;

  // Arms the timeout (which fails the probe with "timeout after N ms").
  void arm_timeout() noexcept;
  // Delivers the result once, then releases. An ok result without an RTT gets the time since
  // the probe was created.
  void finish(ProbeResult result) noexcept;
  void fail(std::string error) noexcept;
  // Fails from the next loop iteration: for errors found while starting.
  void fail_soon(std::string error) noexcept;

  // Releases the type's own resources; called once, after which only close callbacks run.
  virtual void release() noexcept {}
  // Registers a handle of the subclass; the probe is deleted when every one is closed.
  void own_handle(uv_handle_t* handle) noexcept;
  void close_handle(uv_handle_t* handle) noexcept;

  std::uint32_t elapsed_us() const noexcept;

  uv_loop_t* loop_;

 private:
  void shut_down() noexcept;

  uv_timer_t timer_;
  ProbeDone done_;
  std::string deferred_error_;
  std::uint64_t started_ns_;
  std::uint32_t timeout_ms_;
  int open_handles_ = 0;
  bool finished_ = false;
};

}  // namespace gslbd::probe
