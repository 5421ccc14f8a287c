// SPDX-License-Identifier: Apache-2.0
// Files that reload themselves: the geo databases a config reads (always) and the config's own
// files (with server.watch_files) are polled with stat(); a change, once the file has stopped
// changing for one poll, asks for the normal reload, which reads everything off the control
// thread and keeps the running config when anything is wrong. Each file's last load and result
// are kept for /status and /metrics.
//
// Polling rather than inotify: operators and tools replace a database by renaming a new file
// over it, which an inotify watch on the old inode does not see, and a poll of a handful of
// files once a second costs nothing.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gslbd/control/control_server.hpp"
#include "gslbd/runtime/config.hpp"

namespace gslbd::app {

// Control thread only (construct, init, watch, note, files and stop on the loop's thread).
class FileWatcher {
 public:
  // Called once a change has settled; `path` is the first changed file.
  using Changed = std::function<void(const std::string& path)>;

  FileWatcher(Changed changed, std::chrono::milliseconds interval);
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Before the loop runs; returns a libuv error code. The loop closes the handle.
  int init(uv_loop_t* loop);
  void start();
  void stop() noexcept;

  // The files of the config now in service (its geo databases; its own files when it says
  // server.watch_files). Files that stay keep their history; their state on disk now is the
  // one loaded.
  void watch(const runtime::Config& config);

  // A load finished: on success every watched file was loaded; on failure, a file named by an
  // error failed (the others keep their last result).
  void note(const control::ReloadOutcome& outcome, std::chrono::system_clock::time_point now);

  std::vector<control::WatchedFile> files() const;

 private:
  struct Stamp {
    bool exists = false;
    std::int64_t mtime_ns = 0;
    std::int64_t size = 0;
    std::uint64_t inode = 0;
    bool operator==(const Stamp&) const = default;
  };
  struct Entry {
    control::WatchedFile state;
    Stamp loaded;    // as it was when the config in service was read (or last seen changing)
    Stamp settling;  // a change seen at the last poll, waiting for one quiet poll
    bool changing = false;
  };
  static Stamp stamp(const std::string& path);
  void poll();

  Changed changed_;
  std::chrono::milliseconds interval_;
  uv_timer_t timer_{};
  std::vector<Entry> entries_;
};

}  // namespace gslbd::app
