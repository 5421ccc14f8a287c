// SPDX-License-Identifier: Apache-2.0
#include "file_watcher.hpp"

#include <sys/stat.h>

#include <algorithm>

namespace gslbd::app {

FileWatcher::FileWatcher(Changed changed, std::chrono::milliseconds interval)
    : changed_(std::move(changed)), interval_(interval) {}

int FileWatcher::init(uv_loop_t* loop) {
  timer_.data = this;
  return uv_timer_init(loop, &timer_);
}

void FileWatcher::start() {
  const auto ms = static_cast<std::uint64_t>(interval_.count());
  uv_timer_start(
      &timer_, [](uv_timer_t* t) { static_cast<FileWatcher*>(t->data)->poll(); }, ms, ms);
}

void FileWatcher::stop() noexcept {
  uv_timer_stop(&timer_);
}

FileWatcher::Stamp FileWatcher::stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {true, std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec,
          static_cast<std::int64_t>(st.st_size), static_cast<std::uint64_t>(st.st_ino)};
}

void FileWatcher::watch(const runtime::Config& config) {
  std::vector<std::pair<std::string, std::string>> wanted;
  if (config.pools) {
    for (const geo::GeoMap& map : config.pools->geo_maps) {
      if (!map.database_info().path.empty())
        wanted.emplace_back(map.database_info().path, "database");
    }
  }
  if (config.server.watch_files) {
    for (const std::string& file : config.source_files) wanted.emplace_back(file, "config");
  }
  std::vector<Entry> next;
  for (const auto& want : wanted) {
    const std::string& path = want.first;
    const bool seen =
        std::any_of(next.begin(), next.end(), [&](const Entry& e) { return e.state.path == path; });
    if (seen) continue;
    const auto old = std::find_if(entries_.begin(), entries_.end(),
                                  [&](const Entry& e) { return e.state.path == path; });
    Entry entry;
    if (old != entries_.end()) entry.state = old->state;
    entry.state.path = path;
    entry.state.kind = want.second;
    // Stamped after the load: a change made during the load is missed only if it landed before
    // the file was read, and then the load saw it.
    entry.loaded = stamp(path);
    next.push_back(std::move(entry));
  }
  entries_ = std::move(next);
}

void FileWatcher::note(const control::ReloadOutcome& outcome,
                       std::chrono::system_clock::time_point now) {
  for (Entry& entry : entries_) {
    control::WatchedFile& state = entry.state;
    if (outcome.ok) {
      state.loaded = true;
      state.last_load = now;
      state.last_ok = true;
      state.last_error.clear();
      ++state.loads_ok;
      continue;
    }
    const auto error =
        std::find_if(outcome.errors.begin(), outcome.errors.end(),
                     [&](const std::string& e) { return e.find(state.path) != std::string::npos; });
    if (error == outcome.errors.end()) continue;
    state.loaded = true;
    state.last_load = now;
    state.last_ok = false;
    state.last_error = *error;
    ++state.loads_failed;
  }
}

std::vector<control::WatchedFile> FileWatcher::files() const {
  std::vector<control::WatchedFile> out;
  out.reserve(entries_.size());
  for (const Entry& entry : entries_) out.push_back(entry.state);
  return out;
}

void FileWatcher::poll() {
  std::string first;
  for (Entry& entry : entries_) {
    const Stamp now = stamp(entry.state.path);
    if (now == entry.loaded) {
      entry.changing = false;  // changed back, or never changed
      continue;
    }
    if (!entry.changing || !(now == entry.settling)) {
      // Still being written (or just replaced): wait for a poll that sees it unchanged.
      entry.changing = true;
      entry.settling = now;
      continue;
    }
    // Settled. It counts as seen, so a bad file is not reloaded again until it changes.
    entry.loaded = now;
    entry.changing = false;
    if (first.empty()) first = entry.state.path;
  }
  if (!first.empty()) changed_(first);
}

}  // namespace gslbd::app
