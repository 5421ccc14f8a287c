// SPDX-License-Identifier: Apache-2.0
// Dropping root to the configured user with only the capabilities gslbd needs.
//
// Capabilities are changed with the raw capget/capset system calls of <linux/capability.h>
// rather than libcap: three calls on two fixed masks do not justify another runtime library.
#include "privileges.hpp"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace gslbd::app {
namespace {

constexpr unsigned kKept[] = {CAP_NET_BIND_SERVICE, CAP_NET_RAW};

constexpr std::uint64_t bit(unsigned cap) {
  return std::uint64_t{1} << cap;
}

std::string cap_name(unsigned cap) {
  switch (cap) {
    case CAP_NET_BIND_SERVICE:
      return "CAP_NET_BIND_SERVICE";
    case CAP_NET_RAW:
      return "CAP_NET_RAW";
    case CAP_SETPCAP:
      return "CAP_SETPCAP";
    default:
      return "capability " + std::to_string(cap);
  }
}

std::string why(const char* step) {
  return std::string(step) + ": " + std::strerror(errno);
}

using CapData = std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3>;

bool get_caps(CapData& data) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return ::syscall(SYS_capget, &header, data.data()) == 0;
}

bool set_caps(std::uint64_t permitted, std::uint64_t effective) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  CapData data{};
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i].permitted = static_cast<std::uint32_t>(permitted >> (32 * i));
    data[i].effective = static_cast<std::uint32_t>(effective >> (32 * i));
    data[i].inheritable = 0;  // nothing is exec'd, so nothing is handed on
  }
  return ::syscall(SYS_capset, &header, data.data()) == 0;
}

std::uint64_t mask(const CapData& data, __u32 __user_cap_data_struct::*field) {
  return std::uint64_t{data[0].*field} | (std::uint64_t{data[1].*field} << 32);
}

template <typename Entry, typename Lookup>
bool lookup_entry(const std::string& name, Entry& entry, Lookup lookup, std::string& error,
                  const char* what) {
  std::vector<char> buffer(16 * 1024);
  for (;;) {
    Entry* found = nullptr;
    const int rc = lookup(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < 1024 * 1024) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0) {
      error = std::string("cannot look up ") + what + " '" + name + "': " + std::strerror(rc);
      return false;
    }
    if (found == nullptr) {
      error = std::string("unknown ") + what + " '" + name + "'";
      return false;
    }
    return true;
  }
}

// Checks that the switch took: ids as asked, capabilities exactly `kept`, no way back to root.
bool verify(const Identity& id, std::uint64_t kept, std::string& error) {
  uid_t ruid = 0, euid = 0, suid = 0;
  gid_t rgid = 0, egid = 0, sgid = 0;
  if (::getresuid(&ruid, &euid, &suid) != 0 || ::getresgid(&rgid, &egid, &sgid) != 0) {
    error = why("privilege drop: reading back the ids");
    return false;
  }
  if (ruid != id.uid || euid != id.uid || suid != id.uid || rgid != id.gid || egid != id.gid ||
      sgid != id.gid) {
    error = "privilege drop: the ids did not change as asked";
    return false;
  }
  CapData now{};
  if (!get_caps(now)) {
    error = why("privilege drop: capget");
    return false;
  }
  if (mask(now, &__user_cap_data_struct::permitted) != kept ||
      mask(now, &__user_cap_data_struct::effective) != kept) {
    error = "privilege drop: capabilities other than the kept ones remain";
    return false;
  }
  if (id.uid != 0 && ::setuid(0) == 0) {
    error = "privilege drop: the process could become root again";
    return false;
  }
  return true;
}

}  // namespace

std::uint64_t kept_capabilities() {
  std::uint64_t out = 0;
  for (const unsigned cap : kKept) out |= bit(cap);
  return out;
}

std::optional<Identity> resolve_identity(const std::string& user,
                                         const std::optional<std::string>& group,
                                         std::string& error) {
  passwd pw{};
  if (!lookup_entry(user, pw, ::getpwnam_r, error, "user")) return std::nullopt;
  Identity id{pw.pw_uid, pw.pw_gid};
  if (group) {
    struct group gr {};
    if (!lookup_entry(*group, gr, ::getgrnam_r, error, "group")) return std::nullopt;
    id.gid = gr.gr_gid;
  }
  return id;
}

bool drop_privileges(const std::optional<std::string>& user,
                     const std::optional<std::string>& group, std::string& error) {
  if (group && !user) {
    error = "group '" + *group + "' given without a user to run as";
    return false;
  }
  const bool root = ::geteuid() == 0;
  if (!user) {
    if (root) {
      spdlog::info("running as root: no user configured to drop privileges to");
    } else {
      spdlog::debug("not started as root: no privileges to drop");
    }
    return true;
  }
  const auto id = resolve_identity(*user, group, error);
  if (!id) return false;
  const std::string who = "user '" + *user + "'" + (group ? " group '" + *group + "'" : "");

  if (!root) {
    // Under systemd's User=/Group= the switch is already done; anything else cannot be reached.
    if (::getuid() == id->uid && ::geteuid() == id->uid && ::getgid() == id->gid &&
        ::getegid() == id->gid) {
      spdlog::debug("already running as {}: no privileges to drop", who);
      return true;
    }
    error = "cannot switch to " + who + ": not started as root (uid " +
            std::to_string(::geteuid()) + ")";
    return false;
  }

  CapData before{};
  if (!get_caps(before)) {
    error = why("privilege drop: capget");
    return false;
  }
  const std::uint64_t permitted = mask(before, &__user_cap_data_struct::permitted);
  const std::uint64_t effective = mask(before, &__user_cap_data_struct::effective);
  std::uint64_t kept = 0;
  for (const unsigned cap : kKept) {
    if ((permitted & bit(cap)) != 0) {
      kept |= bit(cap);
    } else {
      spdlog::warn("{} is not available to this root process; it will be missing after the drop",
                   cap_name(cap));
    }
  }
  if ((effective & bit(CAP_SETPCAP)) == 0) {
    error = "privilege drop: root without CAP_SETPCAP cannot limit its bounding set";
    return false;
  }

  // The bounding set first, while CAP_SETPCAP is still effective: afterwards nothing this
  // process execs (or gains by file capabilities) can exceed the kept set.
  for (unsigned cap = 0; cap < 64; ++cap) {
    const int in_set = ::prctl(PR_CAPBSET_READ, static_cast<unsigned long>(cap), 0UL, 0UL, 0UL);
    if (in_set < 0) break;  // EINVAL: past the kernel's last capability
    if (in_set == 0 || (kept & bit(cap)) != 0) continue;
    if (::prctl(PR_CAPBSET_DROP, static_cast<unsigned long>(cap), 0UL, 0UL, 0UL) != 0) {
      error = why(("privilege drop: dropping " + cap_name(cap) + " from the bounding set").c_str());
      return false;
    }
  }
  if (::prctl(PR_CAP_AMBIENT, static_cast<unsigned long>(PR_CAP_AMBIENT_CLEAR_ALL), 0UL, 0UL,
              0UL) != 0) {
    error = why("privilege drop: clearing the ambient capabilities");
    return false;
  }
  // Without KEEPCAPS, setresuid away from root empties the permitted set.
  if (::prctl(PR_SET_KEEPCAPS, 1UL, 0UL, 0UL, 0UL) != 0) {
    error = why("privilege drop: PR_SET_KEEPCAPS");
    return false;
  }
  const gid_t groups[] = {id->gid};
  if (::setgroups(1, groups) != 0) {
    error = why(("privilege drop: setgroups(" + std::to_string(id->gid) + ")").c_str());
    return false;
  }
  if (::setresgid(id->gid, id->gid, id->gid) != 0) {
    error = why(("privilege drop: setresgid(" + std::to_string(id->gid) + ")").c_str());
    return false;
  }
  if (::setresuid(id->uid, id->uid, id->uid) != 0) {
    error = why(("privilege drop: setresuid(" + std::to_string(id->uid) + ")").c_str());
    return false;
  }
  // The uid change cleared the effective set and kept the whole permitted one: narrow both.
  if (!set_caps(kept, kept)) {
    error = why("privilege drop: capset to CAP_NET_BIND_SERVICE and CAP_NET_RAW");
    return false;
  }
  if (::prctl(PR_SET_KEEPCAPS, 0UL, 0UL, 0UL, 0UL) != 0) {
    error = why("privilege drop: clearing PR_SET_KEEPCAPS");
    return false;
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) != 0) {
    error = why("privilege drop: PR_SET_NO_NEW_PRIVS");
    return false;
  }
  if (!verify(*id, kept, error)) return false;
  std::string names;
  for (const unsigned cap : kKept) {
    if ((kept & bit(cap)) != 0) names += " " + cap_name(cap);
  }
  spdlog::info("dropped privileges: running as {} (uid {}, gid {}), capabilities:{}", who, id->uid,
               id->gid, names.empty() ? " none" : names);
  return true;
}

}  // namespace gslbd::app
