// SPDX-License-Identifier: Apache-2.0
// process_* metrics read from Linux /proc, as the Prometheus client libraries name them.
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "metrics.hpp"
#include "prom_text.hpp"

namespace gslbd::control {
namespace {

std::string read_small_file(const char* path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text, '\0');
  return text;
}

// Seconds since the epoch at boot (btime in /proc/stat), or -1.
long long boot_time() {
  std::ifstream in("/proc/stat");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("btime ", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

}  // namespace

void render_process_metrics(PromText& out) {
  const long ticks = sysconf(_SC_CLK_TCK);
  const long page = sysconf(_SC_PAGESIZE);
  // /proc/self/stat: the command name (field 2) may contain spaces; fields after its ')'.
  const std::string stat = read_small_file("/proc/self/stat");
  const std::size_t paren = stat.rfind(')');
  if (paren != std::string::npos && ticks > 0 && page > 0) {
    std::istringstream fields(stat.substr(paren + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0, start = 0, vsize = 0, rss = 0;
    // Field 3 (state) is fields[0]; utime 14, stime 15, starttime 22, vsize 23, rss 24.
    for (int index = 3; index <= 24 && fields >> field; ++index) {
      try {
        if (index == 14) utime = std::stoull(field);
        if (index == 15) stime = std::stoull(field);
        if (index == 22) start = std::stoull(field);
        if (index == 23) vsize = std::stoull(field);
        if (index == 24) rss = std::stoull(field);
      } catch (...) {
        return;
      }
    }
    out.family("process_cpu_seconds_total", "counter", "User and system CPU time spent, seconds.");
    out.sample("process_cpu_seconds_total", {},
               static_cast<double>(utime + stime) / static_cast<double>(ticks));
    out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.sample("process_resident_memory_bytes", {},
               static_cast<std::uint64_t>(rss) * static_cast<std::uint64_t>(page));
    out.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    out.sample("process_virtual_memory_bytes", {}, static_cast<std::uint64_t>(vsize));
    long long boot = -1;
    try {
      boot = boot_time();
    } catch (...) {
    }
    if (boot >= 0) {
      out.family("process_start_time_seconds", "gauge", "Start time of the process, unix seconds.");
      out.sample(
          "process_start_time_seconds", {},
          static_cast<double>(boot) + static_cast<double>(start) / static_cast<double>(ticks));
    }
  }
  // Open descriptors: entries of /proc/self/fd (minus the one opendir itself holds).
  if (DIR* dir = opendir("/proc/self/fd")) {
    std::uint64_t count = 0;
    while (const dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') ++count;
    }
    closedir(dir);
    out.family("process_open_fds", "gauge", "Open file descriptors.");
    out.sample("process_open_fds", {}, count > 0 ? count - 1 : 0);
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.family("process_max_fds", "gauge", "Limit on open file descriptors.");
    out.sample("process_max_fds", {}, static_cast<std::uint64_t>(limit.rlim_cur));
  }
}

}  // namespace gslbd::control
