// SPDX-License-Identifier: Apache-2.0
// The notify protocol against real AF_UNIX datagram sockets (path and abstract) and the
// watchdog environment parsing.
#include "sd_notify.hpp"

#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

using gslbd::app::SdNotifier;
using gslbd::app::SdReloadScope;
using gslbd::app::watchdog_interval;
using std::chrono::microseconds;

namespace {

// A datagram socket standing in for the service manager's.
class Listener {
 public:
  // name: '@...' for the abstract namespace, else a path that is created (and removed after).
  explicit Listener(std::string name) : name_(std::move(name)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name_.data(), name_.size());
    const bool abstract = name_[0] == '@';
    if (abstract) address.sun_path[0] = '\0';
    const auto length =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size() + (abstract ? 0 : 1));
    if (!abstract) ::unlink(name_.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), length) == 0);
  }
  ~Listener() {
    ::close(fd_);
    if (name_[0] != '@') ::unlink(name_.c_str());
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // The next datagram, or "<none>" after a second.
  std::string next() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 1000) != 1) return "<none>";
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    REQUIRE(n >= 0);
    return std::string(buffer, static_cast<std::size_t>(n));
  }

 private:
  std::string name_;
  int fd_ = -1;
};

std::string temp_socket_path() {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/gslbd-notify-" +
         std::to_string(::getpid()) + ".sock";
}

std::string mainpid() {
  return "MAINPID=" + std::to_string(::getpid());
}

}  // namespace

TEST_CASE("states reach a socket given by path") {
  Listener manager(temp_socket_path());
  const SdNotifier notify(temp_socket_path(), std::nullopt);
  CHECK(notify.enabled());
  notify.ready("serving 1 zone");
  CHECK(manager.next() == "READY=1\nSTATUS=serving 1 zone\n" + mainpid());
  notify.reloading();
  CHECK(manager.next().rfind("RELOADING=1\nMONOTONIC_USEC=", 0) == 0);
  notify.stopping();
  CHECK(manager.next() == "STOPPING=1");
  notify.ping_watchdog();
  CHECK(manager.next() == "WATCHDOG=1");
  notify.status("line one\nline two");
  CHECK(manager.next() == "STATUS=line one line two");
}

TEST_CASE("an '@' socket is in the abstract namespace") {
  const std::string name = "@gslbd-notify-test-" + std::to_string(::getpid());
  Listener manager(name);
  const SdNotifier notify(name, std::nullopt);
  std::string error;
  CHECK(notify.send("READY=1", error));
  CHECK(error.empty());
  CHECK(manager.next() == "READY=1");
}

TEST_CASE("a reload scope reports RELOADING=1 then READY=1") {
  Listener manager(temp_socket_path());
  const SdNotifier notify(temp_socket_path(), std::nullopt);
  {
    const SdReloadScope reloading(notify);
    CHECK(manager.next().rfind("RELOADING=1\n", 0) == 0);
  }
  CHECK(manager.next() == "READY=1\n" + mainpid());
}

TEST_CASE("without a socket every state is a quiet no-op") {
  const SdNotifier notify;
  CHECK_FALSE(notify.enabled());
  std::string error;
  CHECK(notify.send("READY=1", error));
  CHECK(error.empty());
  notify.ready("x");
  notify.ping_watchdog();
}

TEST_CASE("a socket that cannot be reached gives one line naming it") {
  std::string error;
  const SdNotifier missing("/nonexistent/gslbd/notify", std::nullopt);
  CHECK_FALSE(missing.send("READY=1", error));
  CHECK(error.find("/nonexistent/gslbd/notify") != std::string::npos);
  CHECK(error.find('\n') == std::string::npos);

  const SdNotifier relative("run/notify", std::nullopt);
  CHECK_FALSE(relative.send("READY=1", error));
  CHECK(error.find("neither an absolute path") != std::string::npos);

  const SdNotifier too_long("/" + std::string(200, 'x'), std::nullopt);
  CHECK_FALSE(too_long.send("READY=1", error));
  CHECK(error.find("longer than") != std::string::npos);
}

TEST_CASE("the watchdog interval is half of WATCHDOG_USEC, for this process only") {
  CHECK(watchdog_interval("10000000", nullptr, 42) == microseconds(5'000'000));
  CHECK(watchdog_interval("10000000", "", 42) == microseconds(5'000'000));
  CHECK(watchdog_interval("10000000", "42", 42) == microseconds(5'000'000));
  CHECK(watchdog_interval("1", nullptr, 42) == microseconds(1));
  CHECK_FALSE(watchdog_interval("10000000", "43", 42));
  CHECK_FALSE(watchdog_interval(nullptr, nullptr, 42));
  CHECK_FALSE(watchdog_interval("", nullptr, 42));
  CHECK_FALSE(watchdog_interval("0", nullptr, 42));
  CHECK_FALSE(watchdog_interval("10s", nullptr, 42));
  CHECK_FALSE(watchdog_interval("-5", nullptr, 42));
  CHECK_FALSE(watchdog_interval("10000000", "x", 42));
}

TEST_CASE("the watchdog interval in milliseconds for timers") {
  CHECK(SdNotifier("/run/x", microseconds(15'000'000)).watchdog_ms() == 15'000u);
  CHECK(SdNotifier("/run/x", microseconds(300)).watchdog_ms() == 1u);
  CHECK(SdNotifier("/run/x", std::nullopt).watchdog_ms() == 0u);
}
