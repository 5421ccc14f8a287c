// SPDX-License-Identifier: Apache-2.0
#include "check_runner.hpp"

#include "gslbd/util/clock.hpp"

#include <algorithm>
#include <utility>

namespace gslbd::probe {

CheckRunner::CheckRunner(ProbeEnv& env, health::CheckSpec spec, const util::Address& target,
                         health::InitialState initial, OnResult on_result)
    : env_(env),
      spec_(std::move(spec)),
      target_(target),
      on_result_(std::move(on_result)),
      machine_(spec_.rise, spec_.fall, initial) {
  uv_timer_init(env_.loop, &timer_);
  timer_.data = this;
}

void CheckRunner::start() noexcept {
  if (started_ || state_ == State::closed) return;
  started_ = true;
  const std::uint64_t spread =
      std::min<std::uint64_t>(std::max<std::uint32_t>(spec_.interval_ms, 1), 1000);
  arm(env_.rng->below(spread));
}

void CheckRunner::arm(std::uint64_t delay_ms) noexcept {
  due_ns_ = util::monotonic_ns() + delay_ms * 1'000'000;
  uv_timer_start(
      &timer_, [](uv_timer_t* timer) { static_cast<CheckRunner*>(timer->data)->tick(); }, delay_ms,
      0);
}

void CheckRunner::tick() noexcept {
  const std::uint64_t interval = std::max<std::uint32_t>(spec_.interval_ms, 1);
  const std::uint64_t stretch = interval * spec_.jitter_percent / 100;
  tick_due_ns_ = due_ns_;
  arm(interval + (stretch > 0 ? env_.rng->below(stretch + 1) : 0));
  if (state_ != State::idle) {
    env_.counters->skipped_busy.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (env_.slots->acquire(this)) {
    on_slot();
  } else {
    state_ = State::waiting;
    env_.counters->waited_for_slot.fetch_add(1, std::memory_order_relaxed);
  }
}

void CheckRunner::on_slot() noexcept {
  state_ = State::running;
  env_.counters->started.fetch_add(1, std::memory_order_relaxed);
  env_.counters->in_flight.fetch_add(1, std::memory_order_relaxed);
  started_ns_ = util::monotonic_ns();
  if (env_.lag != nullptr) {
    env_.lag->record(started_ns_ > tick_due_ns_ ? started_ns_ - tick_due_ns_ : 0,
                     spec_.interval_ms);
  }
  probe_ =
      start_probe(env_, spec_, target_, [this](ProbeResult result) { on_done(std::move(result)); });
}

void CheckRunner::on_done(ProbeResult result) noexcept {
  probe_ = nullptr;
  state_ = State::idle;
  env_.counters->in_flight.fetch_sub(1, std::memory_order_relaxed);
  (result.ok ? env_.counters->succeeded : env_.counters->failed)
      .fetch_add(1, std::memory_order_relaxed);
  count_finished(result.ok);
  if (spec_.invert) invert(result);
  machine_.record(result.ok, result.agent_down);
  last_ok_ = result.ok;
  if (!result.ok) {
    try {
      last_error_ = result.error;
    } catch (...) {  // out of memory: keep the old text
    }
  }
  // The slot goes back after the result is handled, so a waiter starts from a settled state.
  if (on_result_) on_result_(*this, result);
  env_.slots->release();
}

void CheckRunner::invert(ProbeResult& result) noexcept {
  result.ok = !result.ok;
  try {
    // The probe's own error is why an inverted check passes; a passing probe needs words.
    result.error = result.ok ? std::string() : "passed, and the check is inverted (a pass is down)";
  } catch (...) {  // out of memory: the verdict stands, the text is lost
  }
}

void CheckRunner::count_finished(bool ok) noexcept {
  LoopCounters& c = *env_.counters;
  const auto type = static_cast<std::size_t>(spec_.type);
  if (type < kCheckTypes) c.by_type[type][ok ? 0 : 1].fetch_add(1, std::memory_order_relaxed);
  const std::uint64_t us = (util::monotonic_ns() - started_ns_) / 1000;
  std::size_t bucket = 0;
  while (bucket < kCheckDurationBuckets && us > kCheckDurationBucketsUs[bucket]) ++bucket;
  if (bucket < kCheckDurationBuckets) {
    c.duration_buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  }
  c.duration_count.fetch_add(1, std::memory_order_relaxed);
  c.duration_sum_us.fetch_add(us, std::memory_order_relaxed);
}

void CheckRunner::close() noexcept {
  if (state_ == State::closed) return;
  if (state_ == State::running) {
    probe_->cancel();
    probe_ = nullptr;
    env_.counters->in_flight.fetch_sub(1, std::memory_order_relaxed);
    env_.slots->release();
  } else if (state_ == State::waiting) {
    env_.slots->forget(this);
  }
  state_ = State::closed;
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_),
           [](uv_handle_t* handle) { delete static_cast<CheckRunner*>(handle->data); });
}

}  // namespace gslbd::probe
