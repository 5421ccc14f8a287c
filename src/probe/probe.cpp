// SPDX-License-Identifier: Apache-2.0
#include "probe.hpp"

#include <utility>

namespace gslbd::probe {

Probe::Probe(uv_loop_t* loop, std::uint32_t timeout_ms, ProbeDone done)
    : loop_(loop), done_(std::move(done)), started_ns_(uv_hrtime()), timeout_ms_(timeout_ms) {
  uv_timer_init(loop_, &timer_);
  own_handle(reinterpret_cast<uv_handle_t*>(&timer_));
}

void Probe::own_handle(uv_handle_t* handle) noexcept {
  handle->data = this;
  ++open_handles_;
}

void Probe::close_handle(uv_handle_t* handle) noexcept {
  if (uv_is_closing(handle)) return;
  uv_close(handle, [](uv_handle_t* closed) {
    auto* self = static_cast<Probe*>(closed->data);
    if (--self->open_handles_ == 0) delete self;
  });
}

void Probe::arm_timeout() noexcept {
  uv_timer_start(
      &timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<Probe*>(timer->data);
        self->fail("timeout after " + std::to_string(self->timeout_ms_) + " ms");
      },
      timeout_ms_ == 0 ? 1 : timeout_ms_, 0);
}

std::uint32_t Probe::elapsed_us() const noexcept {
  const std::uint64_t us = (uv_hrtime() - started_ns_) / 1000;
  if (us == 0) return 1;  // 0 means "no RTT" in the health word
  return us > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(us);
}

void Probe::finish(ProbeResult result) noexcept {
  if (finished_) return;
  finished_ = true;
  if (result.ok && result.rtt_us == 0) result.rtt_us = elapsed_us();
  ProbeDone done = std::move(done_);
  shut_down();  // handles close later; `this` stays valid until then
  if (done) done(std::move(result));
}

void Probe::fail(std::string error) noexcept {
  ProbeResult result;
  result.error = std::move(error);
  finish(std::move(result));
}

void Probe::fail_soon(std::string error) noexcept {
  deferred_error_ = std::move(error);
  uv_timer_start(
      &timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<Probe*>(timer->data);
        self->fail(std::move(self->deferred_error_));
      },
      0, 0);
}

void Probe::cancel() noexcept {
  if (finished_) return;
  finished_ = true;
  done_ = nullptr;
  shut_down();
}

void Probe::shut_down() noexcept {
  release();
  close_handle(reinterpret_cast<uv_handle_t*>(&timer_));
}

}  // namespace gslbd::probe
