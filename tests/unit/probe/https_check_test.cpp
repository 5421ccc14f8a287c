// SPDX-License-Identifier: Apache-2.0
// The https check against `openssl s_server` with a self-signed certificate made at test time
// (skipped, with the reason printed, when the openssl CLI is missing).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "loop_helpers.hpp"
#include "loopback_server.hpp"

extern char** environ;

using namespace gslbd::probe::test;
using gslbd::health::CheckType;
using gslbd::health::InitialState;
using gslbd::probe::HealthLoop;

namespace {

// Runs a program; returns its pid, or -1.
pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

int run(const std::vector<std::string>& args) {
  const pid_t pid = spawn(args);
  if (pid < 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

TEST_CASE("https: verification with CA file and SNI, verify off, name mismatch, plain port") {
  char dir_template[] = "/tmp/gslbd-https-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  REQUIRE(dir != nullptr);
  const std::string key = std::string(dir) + "/key.pem";
  const std::string cert = std::string(dir) + "/cert.pem";
  const int made =
      run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
           "-nodes", "-subj", "/CN=gslbd.test", "-addext", "subjectAltName=DNS:gslbd.test", "-days",
           "2", "-keyout", key, "-out", cert});
  if (made != 0) {
    MESSAGE("skipped: the openssl CLI cannot make a test certificate (is it installed?)");
    std::filesystem::remove_all(dir);
    return;
  }
  const std::uint16_t port = free_port();
  const pid_t server = spawn({"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port),
                              "-cert", cert, "-key", key, "-www", "-quiet"});
  REQUIRE(server > 0);
  const bool listening = wait_until([&] { return accepts(port); });
  LoopbackServer plain(http_responder([] { return std::pair<int, std::string>{200, "ok"}; }));
  plain.start();

  auto verified = fast_check(CheckType::https, port);
  verified.timeout_ms = 1500;  // TLS handshakes under ASan on a busy machine
  verified.interval_ms = 2000;
  verified.rise = 1;
  verified.fall = 1;
  verified.sni = "gslbd.test";
  verified.ca_file = cert;
  auto untrusted = verified;  // the system store does not know our certificate
  untrusted.ca_file.clear();
  auto unverified = untrusted;
  unverified.tls_verify = false;
  auto mismatch = verified;
  mismatch.sni = "other.test";
  auto not_tls = verified;
  not_tls.port = plain.port();
  auto p = plan(5, {member("verified", 0, {verified}), member("untrusted", 1, {untrusted}),
                    member("unverified", 2, {unverified}), member("mismatch", 3, {mismatch}),
                    member("not_tls", 4, {not_tls})});
  auto table = p.table;
  HealthLoop loop(64, 20);
  loop.start();
  loop.adopt(std::move(p));
  const bool settled = listening && wait_until([&] {
                         for (std::size_t i = 0; i < 5; ++i) {
                           if (!table->read(i).known) return false;
                         }
                         return true;
                       });
  const auto states = loop.status();
  loop.stop();
  plain.stop();
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);
  std::filesystem::remove_all(dir);

  REQUIRE(listening);
  REQUIRE(settled);
  for (const auto& s : states)
    MESSAGE(s.key << ": " << std::string(s.up ? "up" : "down") << " " << s.last_error);
  CHECK(table->read(0).up);
  CHECK_FALSE(table->read(1).up);
  CHECK(table->read(2).up);
  CHECK_FALSE(table->read(3).up);
  CHECK_FALSE(table->read(4).up);
}
