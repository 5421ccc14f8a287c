// SPDX-License-Identifier: Apache-2.0
// gslbd's XDP program (xdp/gslbd_xdp.bpf.c, built into the binary) loaded for one interface
// and attached to it through a BPF link: the kernel detaches it when the link's descriptor is
// closed, by the destructor or by the process's end, so a crash leaves no program behind.
// Control thread only; set up before privileges are dropped (loading and attaching need
// CAP_BPF and CAP_NET_ADMIN, or CAP_SYS_ADMIN).
#pragma once

#include <memory>
#include <string>

#include "gslbd/runtime/server_config.hpp"

struct bpf_object;

namespace gslbd::server {

class XdpProgram {
 public:
  // Loads the program with its maps filled from config and attaches it to the interface
  // (ifindex, named name) in config.mode (auto: native, else generic). Returns null with
  // `error` set to one line saying why; nothing stays attached then.
  static std::unique_ptr<XdpProgram> attach(const runtime::XdpConfig& config,
                                            const std::string& name, unsigned ifindex,
                                            std::string& error);
  ~XdpProgram();
  XdpProgram(const XdpProgram&) = delete;
  XdpProgram& operator=(const XdpProgram&) = delete;

  // The map an AF_XDP socket of a receive queue is put in to get that queue's queries.
  int socket_map_fd() const noexcept { return socket_map_fd_; }
  bool native() const noexcept { return native_; }
  // Closes the link: the program is detached at once.
  void detach() noexcept;

 private:
  XdpProgram() = default;

  bpf_object* object_ = nullptr;
  int link_fd_ = -1;
  int socket_map_fd_ = -1;
  bool native_ = false;
};

// The program's name in the kernel (bpftool prog, ip link): how a stale copy is recognised.
inline constexpr const char* kXdpProgramName = "gslbd_xdp";

}  // namespace gslbd::server
