// SPDX-License-Identifier: Apache-2.0
// The haproxy check end to end through the health loop: `show stat` over TCP and over a UNIX
// socket, answered with recorded HAProxy 2.6 output, and every way the reply can go wrong.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "loop_helpers.hpp"
#include "loopback_server.hpp"

using namespace gslbd::probe::test;
using gslbd::health::CheckType;
using gslbd::health::InitialState;
using gslbd::probe::HealthLoop;
using gslbd::probe::MemberStatus;

namespace {

std::string recorded(const char* name) {
  std::ifstream in(std::string(GSLBD_TEST_DATA) + "/haproxy/" + name);
  std::stringstream text;
  text << in.rdbuf();
  REQUIRE(!text.str().empty());
  return text.str();
}

gslbd::health::CheckSpec haproxy_check(std::uint16_t port) {
  auto spec = fast_check(CheckType::haproxy, port);
  spec.name = "stats";
  spec.frontend = "fe_web";
  spec.backends = {"be_app", "be_static"};
  spec.interval_ms = 100;
  spec.timeout_ms = 80;
  return spec;
}

// One UNIX stream socket answering each connection's first line with a fixed reply.
class UnixStatsServer {
 public:
  UnixStatsServer(std::string path, std::string reply) : path_(std::move(path)) {
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path_.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    thread_ = std::thread([this, reply = std::move(reply)] {
      while (!stopping_) {
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        std::string got;
        char buf[256];
        while (got.find('\n') == std::string::npos) {
          const ssize_t n = ::read(client, buf, sizeof(buf));
          if (n <= 0) break;
          got.append(buf, static_cast<std::size_t>(n));
        }
        {
          std::lock_guard lock(mu_);
          requests_.push_back(got);
        }
        std::size_t sent = 0;
        while (sent < reply.size()) {
          const ssize_t n = ::write(client, reply.data() + sent, reply.size() - sent);
          if (n <= 0) break;
          sent += static_cast<std::size_t>(n);
        }
        ::close(client);
      }
    });
  }
  ~UnixStatsServer() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    ::unlink(path_.c_str());
  }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<std::string> requests_;
};

std::string socket_path(const char* tag) {
  return "/tmp/gslbd-unit-haproxy-" + std::to_string(::getpid()) + "-" + tag + ".sock";
}

}  // namespace

TEST_CASE("haproxy over TCP: up with its load figures, from `show stat`") {
  std::mutex mu;
  std::string reply = recorded("show_stat_up.csv");
  LoopbackServer server([&](const std::string& got) -> std::optional<std::string> {
    if (got.find('\n') == std::string::npos) return std::nullopt;
    std::lock_guard lock(mu);
    return reply;
  });
  server.start();
  auto p = plan(1, {member("lb", 0, {haproxy_check(server.port())}, InitialState::wait)});
  auto table = p.table;
  HealthLoop loop(64, 7);
  loop.start();
  loop.adopt(std::move(p));
  REQUIRE(wait_until([&] { return table->read(0).up && table->read_load(0).known; }));
  CHECK(server.last_request() == "show stat\n");
  const auto load = table->read_load(0);
  CHECK(load.session_limit == 500);  // fe_web's slim in the recording
  CHECK(load.up_servers == 2);       // app1 and st1; app2 is DOWN

  // Every server of be_static goes down while HAProxy stays up: the member goes down, with
  // the reason naming the backend.
  {
    std::lock_guard lock(mu);
    std::string changed;
    std::istringstream lines(reply);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("be_static,st1,", 0) == 0) {
        const auto at = line.find(",UP,");
        REQUIRE(at != std::string::npos);
        line.replace(at, 4, ",DOWN,");
      }
      changed += line + "\n";
    }
    reply = changed;
  }
  // A poll that times out on the busy machine also takes the member down: wait for this reason.
  const std::string reason = "backend 'be_static' has 0 of 1 servers up, needs 1";
  REQUIRE(wait_status(loop, 0, [&](const MemberStatus& s) {
    return !s.up && s.down_reason.find(reason) != std::string::npos;
  }));
  const auto status = loop.status()[0];
  CHECK(status.down_reason.find("haproxy to 127.0.0.1:") != std::string::npos);
  CHECK(table->read_load(0).up_servers == 1);  // figures still follow the polls
  loop.stop();
}

TEST_CASE("haproxy over a UNIX socket, a missing socket is a failed check with the reason") {
  const std::string path = socket_path("up");
  auto spec = haproxy_check(0);
  spec.socket = path;
  auto p = plan(1, {member("lb", 0, {spec}, InitialState::wait)});
  auto table = p.table;
  HealthLoop loop(64, 8);
  loop.start();
  {
    UnixStatsServer server(path, recorded("show_stat_up.csv"));
    loop.adopt(std::move(p));
    REQUIRE(wait_until([&] { return table->read(0).up; }));
    CHECK(server.requests().front() == "show stat\n");
  }
  // The server and its socket are gone. A poll in flight as the server closed can fail on its
  // read first; the polls after it cannot connect.
  REQUIRE(wait_status(loop, 0, [&path](const MemberStatus& s) {
    return !s.up && s.last_error.find("connect to socket " + path) != std::string::npos;
  }));
  const auto status = loop.status()[0];
  CHECK(status.down_reason.find("haproxy at socket " + path) != std::string::npos);
  loop.stop();
}

TEST_CASE("haproxy: garbage, truncated, huge and slow replies fail with a reason") {
  struct Case {
    const char* what;
    std::string reply;  // empty: never answer
    const char* reason;
    std::uint32_t timeout_ms = 80;
  };
  const std::string good = recorded("show_stat_up.csv");
  const std::vector<Case> cases = {
      {"garbage", "Unknown command, but maybe one of the following ones is a better match:\n",
       "stats from 127.0.0.1:"},
      {"truncated before the backends", good.substr(0, good.find("be_app,app1")),
       "backend 'be_app' is not in the stats"},
      // Time enough to read 4 MiB on two busy cores under ASan: the size ends it, not the clock.
      {"huge", std::string(5 * 1024 * 1024, 'x'), "stats reply larger than 4 MiB", 3000},
      {"slow", "", "timeout after 80 ms"},
  };
  for (const Case& c : cases) {
    const std::string what = c.what;
    CAPTURE(what);
    const std::string reply = c.reply;
    LoopbackServer server([reply](const std::string& got) -> std::optional<std::string> {
      if (reply.empty() || got.find('\n') == std::string::npos) return std::nullopt;
      return reply;
    });
    server.start();
    auto spec = haproxy_check(server.port());
    spec.timeout_ms = c.timeout_ms;
    spec.interval_ms = c.timeout_ms + 20;
    auto p = plan(1, {member("lb", 0, {spec}, InitialState::up)});
    HealthLoop loop(64, 9);
    loop.start();
    loop.adopt(std::move(p));
    // Adopted up; fall (2) failed polls take it down. A poll that times out on the busy
    // machine fails too: wait for this case's reason.
    REQUIRE(wait_until([&] {
      const auto all = loop.status();
      return !all.empty() && all[0].known && !all[0].up &&
             all[0].last_error.find(c.reason) != std::string::npos;
    }));
    const auto status = loop.status()[0];
    CAPTURE(status.last_error);
    CHECK(status.last_error.find(c.reason) != std::string::npos);
    loop.stop();
    server.stop();
  }
}

TEST_CASE("haproxy over the HTTP stats page: the CSV export, the request's headers, every error") {
  std::mutex mu;
  int status = 200;
  std::string body = recorded("show_stat_up.csv");
  LoopbackServer server(http_responder([&] {
    std::lock_guard lock(mu);
    return std::pair<int, std::string>{status, body};
  }));
  server.start();
  auto spec = haproxy_check(server.port());
  spec.stats_page = "/stats";
  spec.host = "lb.example";
  spec.headers = {{"Authorization", "Basic c3RhdHM6c2VjcmV0"}};
  auto p = plan(1, {member("lb", 0, {spec}, InitialState::wait)});
  auto table = p.table;
  HealthLoop loop(64, 10);
  loop.start();
  loop.adopt(std::move(p));
  REQUIRE(wait_until([&] { return table->read(0).up && table->read_load(0).known; }));
  const std::string request = server.last_request();
  // ";csv" appended to the `stats uri`; a GET whatever the template's http fields say.
  CHECK(request.rfind("GET /stats;csv HTTP/1.1\r\n", 0) == 0);
  CHECK(request.find("\r\nHost: lb.example\r\n") != std::string::npos);
  CHECK(request.find("\r\nAuthorization: Basic c3RhdHM6c2VjcmV0\r\n") != std::string::npos);
  CHECK(table->read_load(0).session_limit == 500);
  CHECK(table->read_load(0).up_servers == 2);

  struct Case {
    const char* what;
    int status;
    std::string body;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"refused credentials", 401, "<html>401 Unauthorized</html>", "HTTP status 401"},
      {"the HTML page, not the CSV", 200, "<html><body>Statistics Report</body></html>",
       "stats from stats page http://127.0.0.1:"},
      {"no healthy server behind it", 200,
       [&] {
         std::string down = recorded("show_stat_up.csv");
         const auto at = down.find("be_static,st1,");
         REQUIRE(at != std::string::npos);
         const auto up = down.find(",UP,", at);
         down.replace(up, 4, ",DOWN,");
         return down;
       }(),
       "backend 'be_static' has 0 of 1 servers up, needs 1"},
  };
  for (const Case& c : cases) {
    const std::string what = c.what;
    CAPTURE(what);
    {
      std::lock_guard lock(mu);
      status = c.status;
      body = c.body;
    }
    const std::string reason = c.reason;
    REQUIRE(wait_status(loop, 0, [&](const MemberStatus& s) {
      return !s.up && s.last_error.find(reason) != std::string::npos;
    }));
    {
      std::lock_guard lock(mu);
      status = 200;
      body = recorded("show_stat_up.csv");
    }
    REQUIRE(wait_status(loop, 0, [](const MemberStatus& s) { return s.up; }));
  }
  loop.stop();
  server.stop();
}

TEST_CASE("haproxy over the HTTP stats page: a page over 4 MiB is refused whole, not cut") {
  LoopbackServer server(http_responder([] {
    return std::pair<int, std::string>{200, std::string(5 * 1024 * 1024, 'x')};
  }));
  server.start();
  auto spec = haproxy_check(server.port());
  spec.stats_page = "/stats;csv;norefresh";
  // Time enough to read 5 MiB on two busy cores under ASan: the size ends it, not the clock.
  spec.timeout_ms = 1000;
  spec.interval_ms = 1100;
  spec.fall = 1;
  auto p = plan(1, {member("lb", 0, {spec}, InitialState::up)});
  HealthLoop loop(64, 11);
  loop.start();
  loop.adopt(std::move(p));
  REQUIRE(wait_status(loop, 0, [](const MemberStatus& s) {
    return s.known && !s.up &&
           s.last_error.find("stats page larger than 4 MiB") != std::string::npos;
  }));
  CHECK(server.last_request().rfind("GET /stats;csv;norefresh HTTP/1.1\r\n", 0) == 0);
  loop.stop();
  server.stop();
}
