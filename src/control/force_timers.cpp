// SPDX-License-Identifier: Apache-2.0
#include "force_timers.hpp"

namespace gslbd::control {

// Heap-allocated so that it outlives the ForceTimers if the loop closes it later; freed in the
// close callback, which touches nothing else.
struct ForceTimers::Timer {
  uv_timer_t handle;
  ForceTimers* owner = nullptr;  // null once closing
  std::string key;
  std::function<void()> on_expire;
};

void ForceTimers::close_timer(uv_timer_t* handle) noexcept {
  uv_timer_stop(handle);
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* h) { delete static_cast<Timer*>(h->data); });
}

bool ForceTimers::arm(const std::string& key, std::uint64_t delay_ms,
                      std::function<void()> on_expire) {
  cancel(key);
  if (timers_.size() >= kMaxTimers) return false;
  auto* timer = new Timer;
  timer->owner = this;
  timer->key = key;
  timer->on_expire = std::move(on_expire);
  timer->handle.data = timer;
  if (uv_timer_init(loop_, &timer->handle) != 0) {
    delete timer;
    return false;
  }
  if (uv_timer_start(&timer->handle, on_fire, delay_ms, 0) != 0) {
    timer->owner = nullptr;
    close_timer(&timer->handle);
    return false;
  }
  timers_.emplace(key, timer);
  return true;
}

void ForceTimers::on_fire(uv_timer_t* handle) {
  auto* timer = static_cast<Timer*>(handle->data);
  if (timer->owner != nullptr) {
    timer->owner->timers_.erase(timer->key);
    timer->owner = nullptr;
    if (timer->on_expire) timer->on_expire();
  }
  close_timer(handle);
}

void ForceTimers::cancel(const std::string& key) noexcept {
  const auto it = timers_.find(key);
  if (it == timers_.end()) return;
  it->second->owner = nullptr;
  close_timer(&it->second->handle);
  timers_.erase(it);
}

void ForceTimers::close_all() noexcept {
  for (auto& [key, timer] : timers_) {
    timer->owner = nullptr;
    close_timer(&timer->handle);
  }
  timers_.clear();
}

}  // namespace gslbd::control
