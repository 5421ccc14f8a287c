// SPDX-License-Identifier: Apache-2.0
#include "reloader.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

namespace gslbd::app {

Reloader::Reloader(Load load, Apply apply, const SdNotifier& notify)
    : load_(std::move(load)), apply_(std::move(apply)), notify_(notify) {}

Reloader::~Reloader() {
  stop();
}

int Reloader::init(uv_loop_t* loop) {
  const int rc = uv_async_init(
      loop, &loaded_, [](uv_async_t* async) { static_cast<Reloader*>(async->data)->on_loaded(); });
  loaded_.data = this;
  ready_ = rc == 0;
  return rc;
}

void Reloader::request(control::ReloadDone done) {
  if (stopped_) return;
  if (stats_.in_progress) {
    if (!again_) spdlog::info("reload: one is in progress; another load follows it");
    again_ = true;
    if (done) next_.push_back(std::move(done));
    return;
  }
  if (done) waiting_.push_back(std::move(done));
  start_load();
}

void Reloader::start_load() {
  stats_.in_progress = true;
  stats_.in_progress_since = std::chrono::system_clock::now();
  notify_.reloading();
  if (!ready_) {
    control::ReloadOutcome outcome;
    outcome.errors.push_back("reload: no event loop to report to");
    finish(outcome);
    return;
  }
  try {
    thread_ = std::thread([this] {
      try {
        result_ = load_();
      } catch (const std::exception& e) {
        result_ = config::LoadResult{};
        result_.errors.push_back(util::SourceError{"reload", 0, 0, e.what()});
      }
      uv_async_send(&loaded_);
    });
  } catch (const std::exception& e) {
    control::ReloadOutcome outcome;
    outcome.errors.push_back(std::string("reload: cannot start a thread to load on: ") + e.what());
    spdlog::error("{}", outcome.errors.back());
    finish(outcome);
  }
}

void Reloader::on_loaded() {
  if (!thread_.joinable()) return;  // a stray wakeup: uv_async_send coalesces, never duplicates
  thread_.join();
  if (stopped_) return;
  control::ReloadOutcome outcome;
  try {
    outcome = apply_(std::move(result_));
  } catch (const std::exception& e) {
    outcome = control::ReloadOutcome{};
    outcome.errors.push_back(std::string("reload: ") + e.what());
    spdlog::error("{}", outcome.errors.back());
  }
  result_ = config::LoadResult{};
  finish(outcome);
}

void Reloader::finish(const control::ReloadOutcome& outcome) {
  stats_.note(outcome, std::chrono::system_clock::now());
  stats_.in_progress = false;
  notify_.ready({});
  std::vector<control::ReloadDone> callers;
  callers.swap(waiting_);
  for (const control::ReloadDone& done : callers) done(outcome);
  if (again_ && !stopped_) {
    again_ = false;
    waiting_.swap(next_);
    start_load();
  }
}

void Reloader::stop() noexcept {
  stopped_ = true;
  waiting_.clear();
  next_.clear();
  again_ = false;
  if (thread_.joinable()) {
    spdlog::info("waiting for the config load in progress");
    thread_.join();
  }
}

}  // namespace gslbd::app
