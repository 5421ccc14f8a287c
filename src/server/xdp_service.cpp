// SPDX-License-Identifier: Apache-2.0
#include "gslbd/server/xdp_service.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gslbd/dnstap/writer.hpp"
#include "xdp_program.hpp"
#include "xdp_worker.hpp"

namespace gslbd::server {
namespace {

// An IPv6 link's minimum (RFC 8200): smaller links leave too little room for a DNS answer.
constexpr int kMinMtu = 1280;

// Whether the kernel has AF_XDP sockets; else error says so.
bool kernel_has_af_xdp(std::string& error) {
  const int fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    close(fd);
    return true;
  }
  if (errno == EAFNOSUPPORT) {
    error = "the kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)";
  } else {
    error = std::string("cannot open an AF_XDP socket: ") + std::strerror(errno) +
            (errno == EPERM || errno == EACCES ? " (needs root, or CAP_NET_RAW)" : "");
  }
  return false;
}

int interface_mtu(const std::string& name) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  const int rc = ioctl(fd, SIOCGIFMTU, &request);
  close(fd);
  return rc == 0 ? request.ifr_mtu : -1;
}

}  // namespace

XdpService::XdpService() = default;

XdpService::~XdpService() {
  stop();
}

std::unique_ptr<XdpService> XdpService::open(const runtime::XdpConfig& config,
                                             const runtime::SnapshotPublisher& publisher,
                                             std::string& error) {
  if (!kernel_has_af_xdp(error)) return nullptr;
  std::unique_ptr<XdpService> out(new XdpService());
  unsigned lane = 0;
  for (const runtime::XdpInterface& interface : config.interfaces) {
    const unsigned ifindex = if_nametoindex(interface.name.c_str());
    if (ifindex == 0) {
      error = "no network interface '" + interface.name + "'";
      return nullptr;
    }
    const int mtu = interface_mtu(interface.name);
    if (mtu < kMinMtu) {
      error = "interface " + interface.name + " has an MTU below " + std::to_string(kMinMtu);
      return nullptr;
    }
    auto program = XdpProgram::attach(config, interface.name, ifindex, error);
    if (!program) return nullptr;
    std::string queues;
    for (const std::uint32_t queue : interface.queues) {
      auto worker = XdpWorker::open(config, interface.name, queue, program->socket_map_fd(),
                                    static_cast<std::size_t>(mtu), publisher, lane++, error);
      if (!worker) return nullptr;
      out->workers_.push_back(std::move(worker));
      queues += (queues.empty() ? "" : ", ") + std::to_string(queue);
    }
    if (!out->description_.empty()) out->description_ += "; ";
    out->description_ += std::string(program->native() ? "native" : "generic") + " mode" +
                         (config.zero_copy ? ", zero-copy" : "") + " on " + interface.name +
                         (interface.queues.size() == 1 ? " queue " : " queues ") + queues;
    out->programs_.push_back(std::move(program));
  }
  out->description_ += "; " + std::to_string(config.frames) + " frames, rings of " +
                       std::to_string(config.rx_ring_size) + " (receive) and " +
                       std::to_string(config.tx_ring_size) + " (transmit) per queue";
  return out;
}

void XdpService::start(dnstap::Writer* dnstap) {
  for (auto& worker : workers_) worker->start(dnstap != nullptr ? dnstap->add_tap() : nullptr);
}

void XdpService::stop() {
  for (auto& worker : workers_) worker->stop();
  for (auto& worker : workers_) worker->join();
  for (auto& program : programs_) program->detach();
}

std::vector<const stats::WorkerStats*> XdpService::stats() const {
  std::vector<const stats::WorkerStats*> all;
  for (const auto& worker : workers_) all.push_back(&worker->stats());
  return all;
}

}  // namespace gslbd::server
