// SPDX-License-Identifier: Apache-2.0
// Privilege drop: each case runs in a forked child (the drop cannot be undone), which reports
// what it found through a pipe. Cases that need root say so and pass when run without it.
#include "privileges.hpp"

#include <doctest/doctest.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

using gslbd::app::drop_privileges;
using gslbd::app::kept_capabilities;
using gslbd::app::resolve_identity;

namespace {

// Runs `body` in a child process; returns what it returned ("" means all was as expected).
std::string in_child(const std::function<std::string()>& body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    const std::string report = body();
    const ssize_t written = ::write(fds[1], report.data(), report.size());
    ::_exit(written == static_cast<ssize_t>(report.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string report;
  char buffer[512];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) {
    report.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return report;
}

// A field of /proc/self/status ("CapEff", "Uid", ...), its value as text.
std::string status_field(const std::string& name) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + ":", 0) == 0) {
      std::string value = line.substr(name.size() + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t") + 1);  // "Groups:" ends in a space
      return value;
    }
  }
  return "<missing>";
}

std::string hex_mask(std::uint64_t mask) {
  std::ostringstream out;
  out.width(16);
  out.fill('0');
  out << std::hex << mask;
  return out.str();
}

bool have_nobody() {
  std::string error;
  return resolve_identity("nobody", std::nullopt, error).has_value();
}

}  // namespace

TEST_CASE("the kept capabilities are NET_BIND_SERVICE and NET_RAW") {
  CHECK(kept_capabilities() == ((1u << 10) | (1u << 13)));
}

TEST_CASE("users and groups resolve by name, unknown ones give one line") {
  std::string error;
  const auto root = resolve_identity("root", std::nullopt, error);
  REQUIRE(root);
  CHECK(root->uid == 0u);
  CHECK(root->gid == 0u);
  const auto root_group = resolve_identity("root", std::string("root"), error);
  REQUIRE(root_group);
  CHECK(root_group->gid == 0u);

  CHECK_FALSE(resolve_identity("no-such-user-gslbd", std::nullopt, error));
  CHECK(error == "unknown user 'no-such-user-gslbd'");
  CHECK_FALSE(resolve_identity("root", std::string("no-such-group-gslbd"), error));
  CHECK(error == "unknown group 'no-such-group-gslbd'");
}

TEST_CASE("a group without a user is refused") {
  std::string error;
  CHECK_FALSE(drop_privileges(std::nullopt, std::string("nogroup"), error));
  CHECK(error == "group 'nogroup' given without a user to run as");
}

TEST_CASE("without a user nothing changes") {
  const std::string report = in_child([] {
    const std::string uid_before = status_field("Uid");
    const std::string caps_before = status_field("CapEff");
    std::string error;
    if (!drop_privileges(std::nullopt, std::nullopt, error)) return "failed: " + error;
    if (status_field("Uid") != uid_before) return std::string("uid changed");
    if (status_field("CapEff") != caps_before) return std::string("capabilities changed");
    return std::string();
  });
  CHECK(report == "");
}

TEST_CASE("as root: becomes the user with only the kept capabilities") {
  if (::geteuid() != 0 || !have_nobody()) {
    MESSAGE("skipped: needs root and a 'nobody' user");
    return;
  }
  const std::string report = in_child([] {
    std::string error;
    if (!drop_privileges(std::string("nobody"), std::nullopt, error)) return "failed: " + error;
    const passwd* pw = ::getpwnam("nobody");
    const std::string uid = std::to_string(pw->pw_uid);
    const std::string gid = std::to_string(pw->pw_gid);
    const std::string want_caps = hex_mask(kept_capabilities());
    std::string out;
    auto expect = [&](const std::string& field, const std::string& want) {
      const std::string got = status_field(field);
      if (got != want) out += field + ": got '" + got + "' want '" + want + "'\n";
    };
    expect("Uid", uid + "\t" + uid + "\t" + uid + "\t" + uid);
    expect("Gid", gid + "\t" + gid + "\t" + gid + "\t" + gid);
    expect("Groups", gid);
    expect("CapEff", want_caps);
    expect("CapPrm", want_caps);
    expect("CapBnd", want_caps);
    expect("CapInh", hex_mask(0));
    expect("CapAmb", hex_mask(0));
    expect("NoNewPrivs", "1");
    if (::prctl(PR_GET_KEEPCAPS, 0UL, 0UL, 0UL, 0UL) != 0) out += "KEEPCAPS still set\n";
    if (::setuid(0) == 0) out += "could become root again\n";
    return out;
  });
  CHECK(report == "");
}

TEST_CASE("as root: a group other than the user's primary one") {
  if (::geteuid() != 0 || !have_nobody()) {
    MESSAGE("skipped: needs root and a 'nobody' user");
    return;
  }
  const std::string report = in_child([] {
    std::string error;
    if (!drop_privileges(std::string("nobody"), std::string("root"), error)) {
      return "failed: " + error;
    }
    if (status_field("Gid") != "0\t0\t0\t0") return "Gid " + status_field("Gid");
    if (status_field("Uid").rfind("0\t", 0) == 0) return "Uid " + status_field("Uid");
    return std::string();
  });
  CHECK(report == "");
}

TEST_CASE("an unknown user stops the drop with one line") {
  const std::string report = in_child([] {
    std::string error;
    if (drop_privileges(std::string("no-such-user-gslbd"), std::nullopt, error)) {
      return std::string("succeeded");
    }
    return error;
  });
  CHECK(report == "unknown user 'no-such-user-gslbd'");
}

TEST_CASE("not root: a configured user is an error unless it is already ours") {
  if (::geteuid() == 0 && !have_nobody()) {
    MESSAGE("skipped: needs a 'nobody' user to step down to");
    return;
  }
  const std::string report = in_child([] {
    // Become an ordinary user first (as root), then ask for a different one.
    if (::geteuid() == 0) {
      const passwd* pw = ::getpwnam("nobody");
      if (::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0) return std::string("setup");
    }
    std::string error;
    if (drop_privileges(std::string("root"), std::nullopt, error)) {
      return std::string("switching to root succeeded");
    }
    if (error.rfind("cannot switch to user 'root': not started as root (uid ", 0) != 0) {
      return "unexpected error: " + error;
    }
    // Already the asked-for user (as under systemd's User=): nothing to do, no error.
    const passwd* self = ::getpwuid(::geteuid());
    if (self == nullptr) return std::string();
    if (::getgid() != self->pw_gid) return std::string();  // not in the primary group: skip
    if (!drop_privileges(std::string(self->pw_name), std::nullopt, error)) {
      return "already that user, yet: " + error;
    }
    return std::string();
  });
  CHECK(report == "");
}
