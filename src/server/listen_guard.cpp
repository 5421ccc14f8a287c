// SPDX-License-Identifier: Apache-2.0
#include "gslbd/server/listen_guard.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <thread>
#include <utility>

namespace gslbd::server {
namespace {

// Another gslbd holds a port's lock only while it probes and binds (milliseconds); waiting
// longer than this means it is stuck, and we would rather fail than hang a start-up.
constexpr auto kLockWait = std::chrono::seconds(5);
constexpr auto kLockPoll = std::chrono::milliseconds(10);
// /proc/<pid>/fd directories read when looking for a holder: a bound on a host with very many
// processes (the lookup only names the holder; the refusal does not depend on it).
constexpr std::size_t kMaxProcessesVisited = 65536;

// A directory we may create files in, made when missing; `private_to_us` also demands that we
// own it and nobody else may write to it (a shared place such as /tmp).
bool usable_directory(const std::string& path, mode_t mode, bool private_to_us) {
  if (path.empty() || path.front() != '/') return false;
  if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST) return false;
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  if (private_to_us && (st.st_uid != geteuid() || (st.st_mode & 022) != 0)) return false;
  return access(path.c_str(), W_OK | X_OK) == 0;
}

// An exclusive flock on <dir>/listen-<port>.lock, released when destroyed.
class PortLock {
 public:
  PortLock() = default;
  PortLock(PortLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  PortLock& operator=(PortLock&&) = delete;
  ~PortLock() {
    if (fd_ >= 0) close(fd_);  // closing the last descriptor releases the flock
  }

  // False with `error` set when the lock file cannot be opened or another process holds the
  // lock for longer than kLockWait.
  bool acquire(const std::string& dir, std::uint16_t port, std::string& error) {
    const std::string path = dir + "/listen-" + std::to_string(port) + ".lock";
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd_ < 0) {
      error = "cannot open lock file " + path + ": " + std::strerror(errno);
      return false;
    }
    const auto deadline = std::chrono::steady_clock::now() + kLockWait;
    while (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        error = "cannot lock " + path + ": " + std::strerror(errno);
        return false;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        char pid[32] = {};
        const ssize_t n = pread(fd_, pid, sizeof pid - 1, 0);
        const std::string holder =
            n > 0 ? " (pid " + std::string(pid, strcspn(pid, "\n")) + ")" : std::string();
        error = "port " + std::to_string(port) + ": another gslbd" + holder +
                " has been binding it for " + std::to_string(kLockWait.count()) + " s (lock file " +
                path + ")";
        return false;
      }
      std::this_thread::sleep_for(kLockPoll);
    }
    // Who holds it, for the message of an instance that waits too long.
    const std::string pid = std::to_string(getpid()) + "\n";
    if (ftruncate(fd_, 0) == 0) {
      [[maybe_unused]] const ssize_t written = pwrite(fd_, pid.data(), pid.size(), 0);
    }
    return true;
  }

 private:
  int fd_ = -1;
};

// The local address as /proc/net/{udp,tcp}[6] prints it: each 32-bit word as the kernel holds
// it in memory, in %08X.
std::string proc_net_address(const runtime::ListenAddress& listen, bool& v6) {
  v6 = listen.host.find(':') != std::string::npos;
  unsigned char bytes[16] = {};
  if (inet_pton(v6 ? AF_INET6 : AF_INET, listen.host.c_str(), bytes) != 1) return {};
  std::string out;
  for (int word = 0; word < (v6 ? 4 : 1); ++word) {
    std::uint32_t value = 0;
    std::memcpy(&value, bytes + 4 * word, 4);
    char text[9];
    std::snprintf(text, sizeof text, "%08X", value);
    out += text;
  }
  return out;
}

// Socket inodes bound to the port on our address, on a wildcard, or (ours being a wildcard) on
// any address of the family; TCP only when listening (state 0A).
void collect_inodes(const char* table, bool table_v6, const std::string& ours, bool ours_v6,
                    std::uint16_t port, bool tcp, std::set<unsigned long>& inodes) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // the header
  const std::string zeros(table_v6 ? 32 : 8, '0');
  const bool ours_wildcard = ours.find_first_not_of('0') == std::string::npos;
  while (std::getline(in, line)) {
    char local[64] = {};
    unsigned local_port = 0;
    unsigned state = 0;
    unsigned long inode = 0;
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
    if (std::sscanf(line.c_str(), " %*s %63[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %*s %*s %lu", local,
                    &local_port, &state, &inode) != 4) {
      continue;
    }
    if (local_port != port || inode == 0 || (tcp && state != 0x0A)) continue;
    const bool same_family = table_v6 == ours_v6;
    // A [::] socket may be dual-stack (no IPV6_V6ONLY) and cover IPv4 too; /proc does not say,
    // so it is counted: naming a possible holder beats naming none.
    const bool wildcard = local == zeros && (same_family || table_v6);
    if ((same_family && (local == ours || ours_wildcard)) || wildcard) inodes.insert(inode);
  }
}

std::string process_name(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/comm");
  std::string name;
  std::getline(in, name);
  return name.empty() ? "pid " + pid : name + " (pid " + pid + ")";
}

}  // namespace

std::string lock_directory() {
  if (const char* runtime = std::getenv("RUNTIME_DIRECTORY"); runtime != nullptr && *runtime) {
    const std::string first(runtime, strcspn(runtime, ":"));
    if (usable_directory(first, 0755, false)) return first;
  }
  if (usable_directory("/run/gslbd", 0755, false)) return "/run/gslbd";
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg != nullptr && *xdg) {
    const std::string dir = std::string(xdg) + "/gslbd";
    if (usable_directory(dir, 0700, true)) return dir;
  }
  const std::string tmp = "/tmp/gslbd-" + std::to_string(geteuid());
  if (usable_directory(tmp, 0700, true)) return tmp;
  return {};
}

std::string address_holders(const runtime::ListenAddress& listen, int type) {
  bool v6 = false;
  const std::string ours = proc_net_address(listen, v6);
  if (ours.empty()) return {};
  const bool tcp = type == SOCK_STREAM;
  std::set<unsigned long> inodes;
  collect_inodes(tcp ? "/proc/net/tcp" : "/proc/net/udp", false, ours, v6, listen.port, tcp,
                 inodes);
  collect_inodes(tcp ? "/proc/net/tcp6" : "/proc/net/udp6", true, ours, v6, listen.port, tcp,
                 inodes);
  if (inodes.empty()) return {};

  std::set<std::string> found;
  const std::string self = std::to_string(getpid());
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return {};
  std::size_t visited = 0;
  while (const dirent* entry = readdir(proc)) {
    const std::string pid = entry->d_name;
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit) || pid == self) continue;
    if (++visited > kMaxProcessesVisited) break;
    const std::string fd_dir = "/proc/" + pid + "/fd";
    DIR* fds = opendir(fd_dir.c_str());
    if (fds == nullptr) continue;  // gone, or not ours to look at
    while (const dirent* fd = readdir(fds)) {
      char target[64];
      const std::string link = fd_dir + "/" + fd->d_name;
      const ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      target[n] = '\0';
      unsigned long inode = 0;
      if (std::sscanf(target, "socket:[%lu]", &inode) == 1 && inodes.count(inode) != 0) {
        found.insert(process_name(pid));
        break;
      }
    }
    closedir(fds);
  }
  closedir(proc);
  std::string out;
  for (const std::string& holder : found) out += (out.empty() ? "" : ", ") + holder;
  return out;
}

std::vector<ShardSockets> open_exclusive_listen_sockets(
    const std::vector<runtime::ListenAddress>& listen, unsigned workers,
    const std::string& lock_dir, std::string& error) {
  // A lock per port rather than per address: 0.0.0.0:P and 127.0.0.1:P overlap, and the probe
  // of one must not fall between the probe and the bind of the other. Taken in port order, so
  // two instances with several ports in common cannot wait for each other.
  std::set<std::uint16_t> ports;
  for (const runtime::ListenAddress& address : listen) ports.insert(address.port);
  std::vector<PortLock> locks;
  if (!lock_dir.empty()) {
    for (const std::uint16_t port : ports) {
      locks.emplace_back();
      if (!locks.back().acquire(lock_dir, port, error)) return {};
    }
  }
  for (const runtime::ListenAddress& address : listen) {
    int type = 0;
    const int failed = probe_listen_address(address, type, error);
    if (failed == 0) continue;
    if (failed == EADDRINUSE) {
      const std::string holders = address_holders(address, type);
      error = socket_text(address, type) + " is already in use by " +
              (holders.empty() ? "another process" : holders) +
              "; gslbd shares a listen address only among its own workers";
    }
    return {};
  }
  return open_listen_sockets(listen, workers, error);
}

}  // namespace gslbd::server
