// SPDX-License-Identifier: Apache-2.0
// The scheduler of one (member, check): a timer that fires every interval stretched by a random
// 0..jitter_percent, at most one probe in flight (a tick that finds the previous probe still
// running or waiting for a slot is skipped and counted), the global in-flight bound, and the
// check's rise/fall machine. Health loop thread only.
// Lifetime: created and owned by its member; close() cancels what is in flight and frees the
// runner once its timer handle is closed.
#pragma once

#include <uv.h>

#include <functional>
#include <string>

#include "gslbd/health/check_spec.hpp"
#include "gslbd/util/address.hpp"
#include "probe.hpp"
#include "probe_env.hpp"
#include "rise_fall.hpp"

namespace gslbd::probe {

class CheckRunner final : public SlotWaiter {
 public:
  // Called after every finished probe, once the rise/fall machine has recorded it.
  using OnResult = std::function<void(CheckRunner&, const ProbeResult&)>;

  CheckRunner(ProbeEnv& env, health::CheckSpec spec, const util::Address& target,
              health::InitialState initial, OnResult on_result);
  CheckRunner(const CheckRunner&) = delete;
  CheckRunner& operator=(const CheckRunner&) = delete;

  // First probe after a random delay in [0, min(interval, 1 s)), so that many targets adopted
  // together spread out instead of firing at once.
  void start() noexcept;
  void close() noexcept;

  const health::CheckSpec& spec() const noexcept { return spec_; }
  const RiseFall& machine() const noexcept { return machine_; }
  bool busy() const noexcept { return state_ != State::idle; }
  const util::Address& target() const noexcept { return target_; }
  bool started() const noexcept { return started_; }
  // The latest result of this check: whether it passed, and the error of its latest failure.
  bool last_ok() const noexcept { return last_ok_; }
  const std::string& last_error() const noexcept { return last_error_; }

 private:
  enum class State { idle, waiting, running, closed };
  ~CheckRunner() = default;
  void arm(std::uint64_t delay_ms) noexcept;
  void tick() noexcept;
  void on_slot() noexcept override;
  void on_done(ProbeResult result) noexcept;
  // spec.invert: the verdict reversed, with an error text that says why it fails.
  static void invert(ProbeResult& result) noexcept;

  ProbeEnv& env_;
  void count_finished(bool ok) noexcept;

  health::CheckSpec spec_;
  std::uint64_t started_ns_ = 0;   // monotonic start of the probe in flight
  std::uint64_t due_ns_ = 0;       // when the armed timer is due (monotonic)
  std::uint64_t tick_due_ns_ = 0;  // when the latest tick was due: lag = start - this
  std::string last_error_;
  bool last_ok_ = false;
  util::Address target_;
  OnResult on_result_;
  RiseFall machine_;
  uv_timer_t timer_;
  Probe* probe_ = nullptr;
  State state_ = State::idle;
  bool started_ = false;
};

}  // namespace gslbd::probe
