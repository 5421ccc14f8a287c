// SPDX-License-Identifier: Apache-2.0
// The systemd notify protocol (sd_notify(3)) written out: one datagram per state change to
// $NOTIFY_SOCKET, and the watchdog interval from $WATCHDOG_USEC / $WATCHDOG_PID.
//
// Written here rather than taken from libsystemd: the protocol is a single sendto() of
// newline-separated KEY=VALUE lines, and gslbd must also run where systemd is absent.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gslbd::app {

// The watchdog ping interval for a process with pid `self`: half of WATCHDOG_USEC (what
// sd_watchdog_enabled(3) recommends), or nullopt when the watchdog is off, malformed, or meant
// for another process (WATCHDOG_PID set to a different pid).
std::optional<std::chrono::microseconds> watchdog_interval(const char* watchdog_usec,
                                                           const char* watchdog_pid, pid_t self);

// Sends states to the service manager. Disabled (every call a no-op) when no socket was given.
// Thread affinity: the control thread only (it keeps the "last send failed" flag unguarded).
class SdNotifier {
 public:
  SdNotifier() = default;
  // socket: a filesystem path, or '@name' for the abstract namespace (as systemd writes it).
  SdNotifier(std::string socket, std::optional<std::chrono::microseconds> watchdog);

  // Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID of this process.
  static SdNotifier from_environment();

  bool enabled() const { return !socket_.empty(); }
  // The interval to ping at; nullopt when the watchdog is off.
  std::optional<std::chrono::microseconds> watchdog() const { return watchdog_; }
  // The same in whole milliseconds (at least 1, for timers); 0 when the watchdog is off.
  std::uint64_t watchdog_ms() const;

  // Sends `state` as one datagram. True when sent or disabled; false with `error` set (one
  // line naming the socket) when it could not be sent.
  bool send(std::string_view state, std::string& error) const;

  // The protocol's states. A failed send is logged at warn once, until a send succeeds again
  // (the watchdog would otherwise repeat the same warning every few seconds).
  void ready(std::string_view status) const;  // READY=1, STATUS=... (unless empty), MAINPID=...
  void reloading() const;                     // RELOADING=1, MONOTONIC_USEC=...
  void stopping() const;                      // STOPPING=1
  void status(std::string_view status) const;
  void ping_watchdog() const;  // WATCHDOG=1

 private:
  void send_logged(std::string_view state) const;

  std::string socket_;
  std::optional<std::chrono::microseconds> watchdog_;
  mutable bool failing_ = false;
};

// Tells the manager a reload is in progress for as long as it lives: RELOADING=1 when made,
// READY=1 when destroyed, so every return path of a reload reports the end of it.
class SdReloadScope {
 public:
  explicit SdReloadScope(const SdNotifier& notifier) : notifier_(notifier) {
    notifier_.reloading();
  }
  ~SdReloadScope() { notifier_.ready({}); }
  SdReloadScope(const SdReloadScope&) = delete;
  SdReloadScope& operator=(const SdReloadScope&) = delete;

 private:
  const SdNotifier& notifier_;
};

}  // namespace gslbd::app
