// SPDX-License-Identifier: Apache-2.0
// The systemd notify protocol: datagrams to $NOTIFY_SOCKET, watchdog interval from the env.
#include "sd_notify.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "gslbd/util/fd.hpp"

namespace gslbd::app {
namespace {

template <typename T>
std::optional<T> parse_unsigned(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  const std::string_view view(text);
  T value{};
  const auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (ec != std::errc() || end != view.data() + view.size()) return std::nullopt;
  return value;
}

// STATUS= is one line of the datagram: a newline in the text would start a bogus assignment.
std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

std::optional<std::chrono::microseconds> watchdog_interval(const char* watchdog_usec,
                                                           const char* watchdog_pid, pid_t self) {
  const auto usec = parse_unsigned<std::uint64_t>(watchdog_usec);
  if (!usec || *usec == 0) return std::nullopt;
  if (watchdog_pid != nullptr && *watchdog_pid != '\0') {
    const auto pid = parse_unsigned<std::uint64_t>(watchdog_pid);
    if (!pid || *pid != static_cast<std::uint64_t>(self)) return std::nullopt;
  }
  // Half the deadline, so one late ping does not get the service killed.
  const auto half = *usec / 2;
  return std::chrono::microseconds(half == 0 ? 1 : static_cast<std::int64_t>(half));
}

SdNotifier::SdNotifier(std::string socket, std::optional<std::chrono::microseconds> watchdog)
    : socket_(std::move(socket)), watchdog_(watchdog) {}

SdNotifier SdNotifier::from_environment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  return SdNotifier(
      socket != nullptr ? socket : "",
      watchdog_interval(std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"), ::getpid()));
}

std::uint64_t SdNotifier::watchdog_ms() const {
  if (!watchdog_) return 0;
  const auto ms = static_cast<std::uint64_t>(watchdog_->count()) / 1000;
  return ms == 0 ? 1 : ms;
}

bool SdNotifier::send(std::string_view state, std::string& error) const {
  if (!enabled()) return true;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const bool abstract = socket_.front() == '@';
  if (socket_.front() != '/' && !abstract) {
    error = "NOTIFY_SOCKET '" + socket_ + "' is neither an absolute path nor '@abstract'";
    return false;
  }
  if (socket_.size() > sizeof(address.sun_path) - (abstract ? 0 : 1)) {
    error = "NOTIFY_SOCKET '" + socket_ + "' is longer than a unix socket path may be";
    return false;
  }
  std::memcpy(address.sun_path, socket_.data(), socket_.size());
  // The abstract namespace is spelled with a leading NUL, and its name is exactly as long as
  // the address length says (no terminating NUL is part of it).
  if (abstract) address.sun_path[0] = '\0';
  const auto length =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size() + (abstract ? 0 : 1));

  const util::Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    error = std::string("notify socket: ") + std::strerror(errno);
    return false;
  }
  const ssize_t sent = ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&address), length);
  if (sent < 0) {
    error = "notify " + socket_ + ": " + std::strerror(errno);
    return false;
  }
  if (static_cast<std::size_t>(sent) != state.size()) {
    error = "notify " + socket_ + ": short send";
    return false;
  }
  return true;
}

void SdNotifier::send_logged(std::string_view state) const {
  std::string error;
  if (send(state, error)) {
    failing_ = false;
    return;
  }
  if (!failing_) spdlog::warn("{} (further notify failures are not logged until one works)", error);
  failing_ = true;
}

void SdNotifier::ready(std::string_view status) const {
  std::string state = "READY=1\n";
  if (!status.empty()) state += "STATUS=" + one_line(status) + "\n";
  // MAINPID lets the manager follow us even if it started a wrapper; for the main process
  // itself it is a harmless confirmation.
  state += "MAINPID=" + std::to_string(::getpid());
  send_logged(state);
}

void SdNotifier::reloading() const {
  // MONOTONIC_USEC is what newer managers use to match RELOADING=1 with the READY=1 after it;
  // systemd 252 ignores it.
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
                    static_cast<std::uint64_t>(now.tv_nsec) / 1'000u;
  send_logged("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void SdNotifier::stopping() const {
  send_logged("STOPPING=1");
}

void SdNotifier::status(std::string_view status) const {
  send_logged("STATUS=" + one_line(status));
}

void SdNotifier::ping_watchdog() const {
  send_logged("WATCHDOG=1");
}

}  // namespace gslbd::app
