// SPDX-License-Identifier: Apache-2.0
// Helpers for the control endpoint tests: a config built by hand (zone, services, pools), a
// ControlServer on a libuv loop of the test's own thread, and a blocking HTTP client on
// 127.0.0.1 (kernel-chosen ports).
#pragma once

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "gslbd/control/control_server.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/probe/health_loop.hpp"
#include "gslbd/probe/monitor_plan.hpp"
#include "gslbd/runtime/config.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/zone/zone_builder.hpp"

namespace gslbd::control::test {

inline std::string wire(const std::string& text) {
  std::string error;
  auto name = dns::name_from_text(text, std::string(1, '\0'), &error);
  if (!name) throw std::runtime_error("bad test name " + text + ": " + error);
  return *name;
}

inline std::vector<std::uint8_t> bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

inline std::vector<std::uint8_t> soa_rdata(std::uint32_t serial) {
  std::vector<std::uint8_t> out = bytes(wire("ns1.example.test."));
  const auto rname = bytes(wire("hostmaster.example.test."));
  out.insert(out.end(), rname.begin(), rname.end());
  for (std::uint32_t v : {serial, 3600u, 900u, 604800u, 300u}) {
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<std::uint8_t>(v >> shift));
  }
  return out;
}

inline pool::Member member(const std::string& name, const std::string& address,
                           std::uint32_t weight = 100) {
  pool::Member m;
  m.name = name;
  m.address = *util::parse_address(address);
  m.check_address = m.address;
  m.weight = weight;
  return m;
}

inline zone::Service service(const std::string& owner, const std::string& pool, std::int32_t index,
                             std::uint32_t ttl, std::uint32_t degraded) {
  zone::Service s;
  s.name = wire(owner);
  s.pool = pool;
  s.pool_index = index;
  s.ttl = ttl;
  s.degraded_ttl = degraded;
  return s;
}

// example.test (serial 2026010101): www A (static, TTL 60), alias CNAME www, dn DNAME to the
// apex, sub delegated;
// services app -> pool "app" (weighted, a b v4 + v6 v6, max 2, ttl 30 / degraded 5, falls
// back to "spare"), sticky -> "sticky" (hash /24, s1 s2 s3, max 1, ttl 60), spare -> "spare"
// (weighted, x, ttl 10). Members have no checks: the health loop keeps them up.
inline std::shared_ptr<const runtime::Config> make_config(std::uint32_t serial = 2026010101) {
  zone::ZoneBuilder builder(wire("example.test."));
  auto check = [](const std::string& error) {
    if (!error.empty()) throw std::runtime_error(error);
  };
  check(builder.set_soa(3600, soa_rdata(serial)));
  check(builder.add_apex_ns(3600, bytes(wire("ns1.example.test."))));
  check(builder.add_record(wire("ns1.example.test."), 1, 3600,
                           std::vector<std::uint8_t>{192, 0, 2, 53}));
  check(builder.add_record(wire("www.example.test."), 1, 60,
                           std::vector<std::uint8_t>{192, 0, 2, 80}));
  check(builder.add_record(wire("alias.example.test."), 5, 120, bytes(wire("www.example.test."))));
  check(builder.add_record(wire("dn.example.test."), 39, 600, bytes(wire("example.test."))));
  check(
      builder.add_record(wire("sub.example.test."), 2, 86400, bytes(wire("ns.sub.example.test."))));
  check(builder.add_service(service("app.example.test.", "app", 0, 30, 5)));
  check(builder.add_service(service("sticky.example.test.", "sticky", 1, 60, 60)));
  check(builder.add_service(service("spare.example.test.", "spare", 2, 10, 10)));
  std::vector<std::string> errors;
  auto zone = builder.build(errors);
  if (!zone) throw std::runtime_error("test zone: " + errors.front());

  auto pools = std::make_shared<pool::PoolSet>();
  pool::Pool app;
  app.name = "app";
  app.max_records = 2;
  app.all_down = pool::AllDownAction::fallback_pool;
  app.fallback_pool = 2;
  app.members = {member("a", "192.0.2.1"), member("b", "192.0.2.2"), member("v6", "2001:db8::1")};
  pool::Pool sticky;
  sticky.name = "sticky";
  sticky.policy = pool::PolicyKind::hash;
  sticky.max_records = 1;
  sticky.members = {member("s1", "192.0.2.11"), member("s2", "192.0.2.12"),
                    member("s3", "192.0.2.13")};
  pool::Pool spare;
  spare.name = "spare";
  spare.max_records = 1;
  spare.members = {member("x", "192.0.2.99")};
  std::uint32_t slot = 0;
  for (auto* p : {&app, &sticky, &spare}) {
    for (auto& m : p->members) m.health_slot = slot++;
  }
  pools->pools = {app, sticky, spare};
  pools->health = std::make_shared<health::HealthTable>(slot, health::Health{});

  auto config = std::make_shared<runtime::Config>();
  std::vector<std::unique_ptr<zone::Zone>> zones;
  zones.push_back(std::move(zone));
  config->zones = std::make_shared<zone::ZoneSet>(std::move(zones));
  config->pools = pools;
  return config;
}

// The daemon's plan, made as the daemon makes it.
inline probe::MonitorPlan plan_for(const runtime::Config& config) {
  return probe::monitor_plan(config.pools);
}

// Polls until done() holds; generous for ASan on two shared cores.
inline bool wait_until(const std::function<bool()>& done,
                       std::chrono::milliseconds deadline = std::chrono::milliseconds(8000)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// A ControlServer running on its own loop thread. Its methods other than port() must run on
// that thread: use on_loop().
class LoopServer {
 public:
  LoopServer(runtime::ControlConfig settings, ControlContext context) {
    uv_loop_init(&loop_);
    uv_async_init(&loop_, &async_,
                  [](uv_async_t* a) { static_cast<LoopServer*>(a->data)->drain(); });
    async_.data = this;
    server_ = std::make_unique<ControlServer>(&loop_, std::move(settings), std::move(context));
    std::string error;
    if (!server_->start(error)) throw std::runtime_error(error);
    port_ = server_->port();
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }
  ~LoopServer() {
    on_loop([this] {
      server_->stop();
      uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
    });
    thread_.join();
    server_.reset();
    uv_loop_close(&loop_);
  }
  LoopServer(const LoopServer&) = delete;
  LoopServer& operator=(const LoopServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  ControlServer& server() noexcept { return *server_; }

  // Runs fn on the loop thread and waits for it.
  void on_loop(std::function<void()> fn) {
    std::promise<void> done;
    auto future = done.get_future();
    {
      std::lock_guard lock(mu_);
      tasks_.push_back([&] {
        fn();
        done.set_value();
      });
    }
    uv_async_send(&async_);
    future.wait();
  }

 private:
  void drain() {
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard lock(mu_);
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) task();
  }

  uv_loop_t loop_;
  uv_async_t async_;
  std::unique_ptr<ControlServer> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::function<void()>> tasks_;
};

// Everything a test server needs, wired as the daemon would: a publisher holding make_config(),
// a started health loop monitoring its members, worker stats the test fills.
struct Fixture {
  explicit Fixture(runtime::ControlConfig settings = {}, bool start_health = true) {
    config = make_config();
    if (start_health) {
      health.start();
      health.adopt(plan_for(*config));
      health.wait_adopted();
    }
    publisher.publish(config);
    workers.push_back(std::make_unique<stats::WorkerStats>());
    workers.push_back(std::make_unique<stats::WorkerStats>());
    settings.listen = {"127.0.0.1", 0};
    // A token unless the test turns admin_without_token on (the two exclude each other).
    if (settings.token.empty() && !settings.admin_without_token) settings.token = "s3cret-token";
    ControlContext context;
    context.publisher = &publisher;
    context.health = &health;
    context.worker_stats = [this] {
      std::vector<const stats::WorkerStats*> out;
      for (const auto& w : workers) out.push_back(w.get());
      return out;
    };
    // As the daemon does: one count per load; with hold_reload the outcome waits for
    // finish_held_reload() (a load in progress).
    context.reload = [this](ReloadDone done) {
      if (hold_reload) {
        reloads.in_progress = true;
        reloads.in_progress_since = std::chrono::system_clock::now();
        held.push_back(std::move(done));
        return;
      }
      const ReloadOutcome outcome = reload_result();
      reloads.note(outcome, std::chrono::system_clock::now());
      done(outcome);
    };
    context.reload_stats = [this] { return reloads; };
    context.serving = [this] { return serving.load(); };
    context.version = "9.9.9-test";
    context.started = std::chrono::system_clock::now();
    server = std::make_unique<LoopServer>(settings, std::move(context));
  }
  ~Fixture() {
    server.reset();
    health.stop();
  }

  // Reloads publish a config with a new serial unless fail_next_reload is set.
  ReloadOutcome reload_result() {
    ReloadOutcome outcome;
    if (fail_next_reload) {
      outcome.errors = {"zones/bad.zone.yaml:3:7: unknown key 'tll', did you mean 'ttl'?"};
    } else {
      auto next = make_config(2026010102);
      health.adopt(plan_for(*next));
      health.wait_adopted();
      publisher.publish(next);
      config = next;
      outcome.ok = true;
    }
    outcome.generation = publisher.generation();
    return outcome;
  }

  // Loop thread: completes the held reload for every caller waiting on it.
  void finish_held_reload() {
    const ReloadOutcome outcome = reload_result();
    reloads.note(outcome, std::chrono::system_clock::now());
    reloads.in_progress = false;
    std::vector<ReloadDone> callers;
    callers.swap(held);
    for (const ReloadDone& done : callers) done(outcome);
  }

  std::shared_ptr<const runtime::Config> config;
  runtime::SnapshotPublisher publisher;
  probe::HealthLoop health{64, 7};
  std::vector<std::unique_ptr<stats::WorkerStats>> workers;
  std::atomic<bool> serving{true};
  bool fail_next_reload = false;  // read on the loop thread while a request runs
  std::atomic<bool> hold_reload{false};
  std::vector<ReloadDone> held;  // loop thread
  ReloadStats reloads;           // loop thread
  std::unique_ptr<LoopServer> server;
};

struct HttpReply {
  int status = 0;  // 0 = the connection closed without a response
  std::string head;
  std::string body;
  std::string raw;
};

// source: the local address to connect from (any of 127.0.0.0/8), or null for the kernel's.
inline int connect_loopback(std::uint16_t port, const char* source = nullptr) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket");
  if (source != nullptr) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &local.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      ::close(fd);
      throw std::runtime_error(std::string("bind ") + source);
    }
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    throw std::runtime_error("connect");
  }
  return fd;
}

inline void send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server may close early (limits): the reply tells
    sent += static_cast<std::size_t>(n);
  }
}

// Reads until EOF or timeout.
inline std::string read_all(int fd, int timeout_ms = 8000) {
  std::string out;
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[8192];
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

inline HttpReply parse_reply(std::string raw) {
  HttpReply reply;
  reply.raw = raw;
  const std::size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return reply;
  reply.status = std::stoi(raw.substr(9, 3));
  reply.head = raw.substr(0, end);
  reply.body = raw.substr(end + 4);
  return reply;
}

inline HttpReply http_raw(std::uint16_t port, const std::string& request) {
  const int fd = connect_loopback(port);
  send_all(fd, request);
  HttpReply reply = parse_reply(read_all(fd));
  ::close(fd);
  return reply;
}

inline HttpReply http(std::uint16_t port, const std::string& method, const std::string& target,
                      const std::string& token = "", const std::string& body = "") {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty() || method == "POST") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  return http_raw(port, request);
}

// The value of the sample line "series value" in a metrics text, or nullopt.
inline std::optional<std::string> metric(const std::string& text, const std::string& series) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t eol = text.find('\n', pos);
    const std::string line = text.substr(pos, eol - pos);
    pos = eol == std::string::npos ? text.size() : eol + 1;
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return line.substr(series.size() + 1);
    }
  }
  return std::nullopt;
}

// Checks the samples of a family that differ in one label: for each {label value, expected
// sample value}, the sample family{label="label value"} has that value. A failure names the
// sample.
inline void check_samples(
    const std::string& text, const std::string& family, const std::string& label,
    std::initializer_list<std::pair<std::string_view, std::string_view>> expected) {
  for (const auto& [label_value, value] : expected) {
    const std::string series = family + "{" + label + "=\"" + std::string(label_value) + "\"}";
    INFO(series);
    CHECK(metric(text, series) == std::string(value));
  }
}

}  // namespace gslbd::control::test
