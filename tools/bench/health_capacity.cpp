// SPDX-License-Identifier: Apache-2.0
// Health-check capacity: how many TCP, HTTP or HAProxy-statistics targets one health loop
// keeps on a 1 s interval on loopback, and the CPU it uses. A program to run by hand
// (tools/bench-health, tools/bench-haproxy-stats), not a test.
//   gslbd-bench-health tcp|http TARGETS [SECONDS]
//   gslbd-bench-health haproxy TARGETS SECONDS REPLY_FILE
// The targets are served by a child process on 64 loopback ports (so that the kernel's
// ephemeral ports and TIME_WAIT entries are spread over 64 destinations). For haproxy each
// target answers `show stat` with REPLY_FILE, recorded HAProxy output.
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "gslbd/probe/health_loop.hpp"

namespace {

using namespace gslbd;

constexpr int kPorts = 64;

int listen_loopback(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), len) != 0 || ::listen(fd, 4096) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) != 0) {
    std::perror("listen");
    std::exit(1);
  }
  port = ntohs(address.sin_port);
  return fd;
}

enum class Kind { tcp, http, haproxy };

// One `show stat` exchange on a blocking socket: the command line, then the whole reply.
void answer_stats(int client, const std::string& reply) {
  timeval wait{1, 0};
  ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  char buffer[256];
  std::size_t got = 0;
  while (got < sizeof buffer) {
    const ssize_t n = ::recv(client, buffer + got, sizeof buffer - got, 0);
    if (n <= 0) return;
    got += static_cast<std::size_t>(n);
    if (std::memchr(buffer, '\n', got) != nullptr) break;
  }
  for (std::size_t sent = 0; sent < reply.size();) {
    const ssize_t n = ::send(client, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

// Child process: accept, answer (HTTP, HAProxy statistics) or just close (TCP), forever until
// killed.
[[noreturn]] void serve(const std::vector<int>& fds, Kind kind, const std::string& stats) {
  const bool http = kind == Kind::http;
  auto worker = [&](std::size_t first) {
    for (std::size_t i = first;; i = (i + 2) % fds.size()) {
      // Statistics replies are written whole with blocking sends; the others never block.
      const int client =
          ::accept4(fds[i], nullptr, nullptr, kind == Kind::haproxy ? 0 : SOCK_NONBLOCK);
      if (client < 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
      if (kind == Kind::haproxy) answer_stats(client, stats);
      if (http) {
        char buffer[2048];
        for (int tries = 0; tries < 1000; ++tries) {  // the request arrives right after connect
          const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
          if (n > 0 && std::strstr(buffer, "\r\n\r\n") != nullptr) break;
          if (n == 0) break;
          std::this_thread::sleep_for(std::chrono::microseconds(50));
        }
        static const char kReply[] =
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        ::send(client, kReply, sizeof kReply - 1, MSG_NOSIGNAL);
      }
      ::close(client);
    }
  };
  for (int fd : fds) {
    const int flags = 1;
    ::ioctl(fd, FIONBIO, &flags);
  }
  std::thread other([&] { worker(1); });
  worker(0);
  std::exit(0);
}

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string type = argc > 1 ? argv[1] : "";
  if (argc < 3 || (type != "tcp" && type != "http" && type != "haproxy") ||
      (type == "haproxy" && argc < 5)) {
    std::fprintf(stderr,
                 "usage: %s tcp|http TARGETS [SECONDS]\n"
                 "       %s haproxy TARGETS SECONDS REPLY_FILE\n",
                 argv[0], argv[0]);
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);  // not one line per target coming up
  const Kind kind = type == "tcp" ? Kind::tcp : type == "http" ? Kind::http : Kind::haproxy;
  std::string stats;
  if (kind == Kind::haproxy) {
    std::ifstream in(argv[4], std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    stats = text.str();
    if (stats.empty()) {
      std::fprintf(stderr, "cannot read %s\n", argv[4]);
      return 2;
    }
  }
  const int targets = std::atoi(argv[2]);
  const int seconds = argc > 3 ? std::atoi(argv[3]) : 10;
  if (targets <= 0 || targets > 100000 || seconds <= 0 || seconds > 600) {
    std::fprintf(stderr, "TARGETS 1..100000, SECONDS 1..600\n");
    return 2;
  }
  std::vector<int> fds;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < kPorts; ++i) {
    std::uint16_t port = 0;
    fds.push_back(listen_loopback(port));
    ports.push_back(port);
  }
  const pid_t child = ::fork();
  if (child == 0) serve(fds, kind, stats);
  for (int fd : fds) ::close(fd);

  probe::MonitorPlan plan;
  plan.table =
      std::make_shared<health::HealthTable>(static_cast<std::size_t>(targets), health::Health{});
  for (int i = 0; i < targets; ++i) {
    probe::MonitoredMember member;
    member.key = "target-" + std::to_string(i);
    member.slot = static_cast<std::uint32_t>(i);
    member.target = *util::parse_address("127.0.0.1");
    health::CheckSpec check;
    check.type = kind == Kind::tcp    ? health::CheckType::tcp
                 : kind == Kind::http ? health::CheckType::http
                                      : health::CheckType::haproxy;
    if (kind == Kind::haproxy) {
      // The recording's frontend and backends (tests/data/haproxy, tools/bench-haproxy-stats).
      check.frontend = "fe_web";
      check.backends = {"be_app", "be_static"};
    }
    check.port = ports[static_cast<std::size_t>(i % kPorts)];
    check.interval_ms = 1000;
    check.timeout_ms = 900;
    check.rise = 1;
    check.fall = 1;
    member.checks = {check};
    member.initial = health::InitialState::down;
    plan.members.push_back(std::move(member));
  }
  const auto table = plan.table;
  probe::HealthLoop loop(4096, 1);
  loop.start();
  loop.adopt(std::move(plan));
  loop.wait_adopted();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // past the first-run spread

  const double cpu_before = cpu_seconds();
  const auto counters_before = loop.counters();
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = cpu_seconds() - cpu_before;
  const auto counters = loop.counters();
  int up = 0;
  for (int i = 0; i < targets; ++i) up += table->read(static_cast<std::size_t>(i)).up ? 1 : 0;
  loop.stop();
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);

  const double probes = static_cast<double>(counters.succeeded + counters.failed -
                                            counters_before.succeeded - counters_before.failed);
  const double failed = static_cast<double>(counters.failed - counters_before.failed);
  std::printf(
      "type=%s%s targets=%d seconds=%.1f probes/s=%.0f (on schedule: %.0f) failed=%.0f "
      "skipped_busy=%llu up=%d/%d health-thread CPU=%.1f%% of one core\n",
      type.c_str(),
      kind == Kind::haproxy ? (" reply=" + std::to_string(stats.size()) + "B").c_str() : "",
      targets, elapsed, probes / elapsed,
      targets / 1.05,  // a 1 s interval stretched by 0..10% jitter averages 1.05 s
      failed, static_cast<unsigned long long>(counters.skipped_busy - counters_before.skipped_busy),
      up, targets, 100.0 * cpu / elapsed);
  return 0;
}
